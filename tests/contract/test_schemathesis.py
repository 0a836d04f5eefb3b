"""Contract fuzzing: schemathesis generates requests from the OpenAPI schema for every
operation and sends them, with the real tokens of seeded users (a tenant administrator
and a client user), to a live server on the test database (PostgreSQL in CI). No answer
may be a 5xx, and every answer must match what the schema says of its status code,
headers and body. Bounded: SCHEMATHESIS_MAX_EXAMPLES examples per operation and user
(default 2; measured: about 3 minutes for both users on a loaded 2-core machine)."""

from __future__ import annotations

import os

import pytest
import requests
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from portal import services
from tests.world import World

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "2"))
CHECKS = [not_a_server_error, response_schema_conformance]

pytestmark = pytest.mark.django_db(transaction=True)


def _schema():
    raw = SchemaGenerator().get_schema(request=None, public=True)
    return schemathesis.openapi.from_dict(raw)


def _failures(schema, base_url: str, token: str) -> list[str]:
    session = requests.Session()
    headers = {"Authorization": f"Bearer {token}"}
    found: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 80  # every operation of the API, discovered

    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
                  phases=[Phase.generate], suppress_health_check=list(HealthCheck))
        def exercise(case):
            response = case.call(base_url=base_url, session=session, headers=headers, timeout=30)
            try:
                case.validate_response(response, checks=CHECKS)
            except Exception as exc:  # noqa: BLE001  schemathesis' failures (one or a group): all kept
                found.append(f"{case.method} {case.path} -> {response.status_code}: {' '.join(str(exc).split())[:400]}")

        exercise()
    return found


@pytest.fixture
def live(live_server, settings):
    settings.API_THROTTLE_RATES = {"user": None, "anon": None}
    return live_server


@pytest.fixture
def world(live):
    return World()


@pytest.mark.parametrize("persona", ["alice", "cody"])  # a tenant administrator, a client user
def test_the_api_keeps_its_contract_under_fuzzing(live, world, persona):
    _, token = services.api_token_create(user=getattr(world, persona), name="schemathesis")
    failures = _failures(_schema(), live.url, token)
    assert failures == [], "\n".join(sorted(set(failures)))

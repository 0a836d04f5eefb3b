"""Hostile input on every operation: never a server error.

The OpenAPI schema is generated here with drf-spectacular's own generator, and every
write operation (POST, PUT, PATCH) is sent a valid body built from its request schema
in which each field, one at a time and at any depth, is replaced by each hostile value
(NUL, control characters, 100 kB strings, dates of year 1 and 9999, negative and huge
numbers, wrong types), as JSON and as form-encoded bodies. Every query parameter of
every GET operation, and every filter of the HTML list pages, gets the same treatment.
Each is done as a tenant administrator and as a client user, with the path filled with
real references of objects of the caller's tenant.

The assertion is only "no 5xx": a refusal is a 4xx that names the problem (checked
by the focused tests of each defect). Each request runs in a savepoint rolled back
afterwards, so every request meets the same world whatever the previous one did.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from django.db import transaction
from django.test import Client

from contracts.services import contracts as contract_services
from tests.factories import TenantFactory, member
from tests.world import Schema, fill_path, shared_world

pytestmark = pytest.mark.django_db

WRITE_METHODS = ("post", "put", "patch")

# Each hostile value is sent in place of each field; the strings also form-encoded and
# in query strings. A client user, refused most writes by role, gets a shorter list.
HOSTILE_STRINGS = ["\x00", "\x01\x07\x1b[31m\x7f", "x" * 100_000, "0001-01-01", "0001-01-01T00:00:00+05:00",
                   "9999-12-31", "-1", str(2**63), "1e308", ""]
HOSTILE_VALUES = ["\x00", "\x07\x1b", "x" * 100_000, "", "0001-01-01", "0001-01-01T00:00:00+05:00", "9999-12-31",
                  "\ud800", -1, 2**63, 1e308, None, True, [], {}]
SHORT_LIST = ["\x00", "x" * 100_000, "9999-12-31", -1, None, {}]
FORM_STRINGS = ["\x00", "x" * 100_000, "9999-12-31"]
# Values that only mean something to a string field, or to a date field: a field of
# another type refuses them as it refuses any string, which the other values test.
STRING_ONLY = {"\x07\x1b", "\ud800", "\x01\x07\x1b[31m\x7f"}
DATE_ONLY = {"0001-01-01", "0001-01-01T00:00:00+05:00", "9999-12-31"}
DATE_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}")
# Whole bodies of the wrong shape.
HOSTILE_BODIES = ["[]", '"x"', "1", "null", '{"a": ', "\x00", '{"\\u0000": 1}', "[" * 100_000]


SCHEMA = Schema()


def _paths(value, prefix=()) -> Iterator[tuple]:
    """Every place in a body where a hostile value can go: each key at any depth, and
    the first item of each list."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield (*prefix, key)
            yield from _paths(inner, (*prefix, key))
    elif isinstance(value, list) and value:
        yield (*prefix, 0)
        yield from _paths(value[0], (*prefix, 0))


def _at(body, path: tuple):
    for step in path:
        body = body[step]
    return body


def _values_for(current, values: list) -> list:
    """The hostile values worth sending in place of `current` (see STRING_ONLY)."""
    out = []
    for value in values:
        if isinstance(value, str) and value in STRING_ONLY and not isinstance(current, str):
            continue
        if isinstance(value, str) and value in DATE_ONLY and not (isinstance(current, str) and DATE_LIKE.match(current)):
            continue
        out.append(value)
    return out


def _replace(body, path: tuple, value):
    body = copy.deepcopy(body)
    target = body
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return body


class Sender:
    """Sends requests as one user; each in a savepoint rolled back afterwards."""

    def __init__(self, user, failures: list):
        self.user = user
        self.client = Client(raise_request_exception=False)
        self.client.force_login(user)
        self.failures = failures

    def send(self, method: str, url: str, *, body: str | bytes | None = None, content_type: str = "",
             what: str = "", **extra) -> None:
        with transaction.atomic():
            if method == "get":
                response = self.client.get(url, **extra)
            elif content_type.startswith("multipart/"):
                response = self.client.generic(method.upper(), url, body, content_type=content_type, **extra)
            else:
                response = self.client.generic(method.upper(), url, body or b"", content_type=content_type, **extra)
            transaction.set_rollback(True)
        if response.status_code >= 500:
            self.failures.append(f"{method.upper()} {url[:80]} as {self.user.email} {what}: {response.status_code}")


def _form_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return "" if value is None else str(value)


def _multipart(fields: dict) -> tuple[bytes, str]:
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    return encode_multipart(BOUNDARY, fields), MULTIPART_CONTENT


world = pytest.fixture(scope="module")(shared_world)


def _write_operations() -> list[tuple[str, str]]:
    return SCHEMA.operations(WRITE_METHODS)


def _list_operations() -> list[tuple[str, str]]:
    return [(path, method) for path, method in SCHEMA.operations(("get",))
            if any(p["in"] == "query" for p in SCHEMA.operation(path, method).get("parameters", []))]


def test_it_covers_every_write_operation_of_the_schema():
    # A canary: if schema discovery broke, the suite would pass on nothing.
    assert {("/api/v1/tickets/", "post"), ("/api/v1/sla/calendars/{calendar_code}/", "patch"),
            ("/api/v1/contracts/{contract_ref}/terminate/", "post")} <= set(_write_operations())
    assert ("/api/v1/tickets/", "get") in _list_operations()


@pytest.mark.parametrize(("path", "method"), _write_operations())
def test_it_never_answers_5xx_to_hostile_bodies(path, method, world):
    failures: list[str] = []
    op = SCHEMA.operation(path, method)
    body_schema = SCHEMA.body_schema(op)
    for user, values in ((world.alice, HOSTILE_VALUES), (world.cody, SHORT_LIST)):
        sender = Sender(user, failures)
        url = fill_path(path, world, user)
        if body_schema is None:
            sender.send(method, url, body=b"{}", content_type="application/json", what="empty body")
            continue
        base = SCHEMA.example(body_schema, "", world)
        sender.send(method, url, body=json.dumps(base), content_type="application/json", what="valid body")
        for raw in HOSTILE_BODIES:
            sender.send(method, url, body=raw, content_type="application/json", what=f"body {raw[:20]!r}")
        # The client user, refused most writes by role, gets the short list on top-level fields.
        wheres = list(_paths(base)) if values is HOSTILE_VALUES else [(key,) for key in base]
        for where in wheres:
            for value in _values_for(_at(base, where), values):
                sender.send(method, url, body=json.dumps(_replace(base, where, value)),
                            content_type="application/json", what=f"{'.'.join(map(str, where))}={str(value)[:20]!r}")
        flat = {key: _form_value(value) for key, value in base.items()}
        sender.send(method, url, body=urlencode(flat), content_type="application/x-www-form-urlencoded",
                    what="form-encoded")
        multipart, multipart_type = _multipart(flat)
        sender.send(method, url, body=multipart, content_type=multipart_type, what="multipart")
        strings = FORM_STRINGS if values is HOSTILE_VALUES else ["\x00"]
        for key in flat:
            for value in strings:
                sender.send(method, url, body=urlencode({**flat, key: value}),
                            content_type="application/x-www-form-urlencoded", what=f"form {key}={value[:20]!r}")
    assert not failures, "\n".join(failures[:60])


@pytest.mark.parametrize(("path", "method"), _list_operations())
def test_it_never_answers_5xx_to_hostile_query_parameters(path, method, world):
    failures: list[str] = []
    names = [p["name"] for p in SCHEMA.operation(path, method)["parameters"] if p["in"] == "query"]
    for user in (world.alice, world.cody):
        sender = Sender(user, failures)
        url = fill_path(path, world, user)
        for name in names:
            for value in HOSTILE_STRINGS:
                sender.send("get", f"{url}?{urlencode({name: value})}", what=f"{name}={value[:20]!r}")
    assert not failures, "\n".join(failures[:60])


# The filters each HTML list page reads from its query string.
PAGES = {
    "/tickets/": ["q", "mine", "unassigned", "client", "contract", "priority", "maintenance_type", "status",
                  "breached", "at_risk", "all", "page"],
    "/contracts/": ["status", "client", "q", "page"],
    "/organizations/": ["kind", "q", "page"],
    "/audit/": ["action", "object_ref", "actor", "page"],
}


@pytest.mark.parametrize("page", sorted(PAGES))
def test_it_never_answers_5xx_to_hostile_page_filters(page, world):
    failures: list[str] = []
    users = (world.alice, world.cody)
    if page == "/audit/":
        # The audit page's rows of some events (contract.scope) are defect 9 of issue 8,
        # fixed on their own: here the filters are under test, so another tenant with
        # only clause-library events is shown.
        tenant = TenantFactory(name="Audit tenant", slug="audit-tenant")
        admin = member(tenant, "tenant_admin", email="admin@audit.test")
        contract_services.clause_template_save(tenant=tenant, actor=admin, kind="gdpr", language="fr", title="T",
                                               body="Text.")
        users = (admin, world.cody)
    for user in users:
        sender = Sender(user, failures)
        for name in PAGES[page]:
            for value in HOSTILE_STRINGS:
                query = urlencode({name: value})
                sender.send("get", f"{page}?{query}", what=f"{name}={value[:20]!r}")
                if value in SHORT_LIST:
                    sender.send("get", f"{page}?{query}", what=f"htmx {name}={value[:20]!r}", HTTP_HX_REQUEST="true")
    assert not failures, "\n".join(failures[:60])

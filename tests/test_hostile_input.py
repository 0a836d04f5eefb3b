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
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from contracts.services import contracts as contract_services
from portal import services as portal_services
from tests.contracts import factories as cf
from tests.factories import (
    ContactFactory,
    OrganizationFactory,
    TenantFactory,
    make_siret,
    member,
    vat_for_siret,
)
from tests.tickets import factories as tf

pytestmark = pytest.mark.django_db

WRITE_METHODS = ("post", "put", "patch")

# Each hostile value is sent in place of each field; the strings also form-encoded and
# in query strings. A client user, refused most writes by role, gets a shorter list.
HOSTILE_STRINGS = ["\x00", "\x01\x07\x1b[31m\x7f", "x" * 100_000, "0001-01-01T00:00:00+05:00", "9999-12-31", "-1",
                   str(2**63), "1e308", ""]
HOSTILE_VALUES = ["\x00", "\x07\x1b", "x" * 100_000, "", "0001-01-01T00:00:00+05:00", "9999-12-31", "\ud800", -1,
                  2**63, 1e308, None, True, [], {}]
SHORT_LIST = ["\x00", "x" * 100_000, "9999-12-31", -1, None, {}]
FORM_STRINGS = ["\x00", "x" * 100_000, "9999-12-31"]
# Values that only mean something to a string field, or to a date field: a field of
# another type refuses them as it refuses any string, which the other values test.
STRING_ONLY = {"\x07\x1b", "\ud800", "\x01\x07\x1b[31m\x7f"}
DATE_ONLY = {"0001-01-01T00:00:00+05:00", "9999-12-31"}
DATE_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}")
# Whole bodies of the wrong shape.
HOSTILE_BODIES = ["[]", '"x"', "1", "null", '{"a": ', "\x00", '{"\\u0000": 1}', "[" * 100_000]


def _now():
    return timezone.now()


class World:
    """Objects of one tenant, made once for the module (see the `world` fixture): a
    tenant administrator, a technician, a client user of a client organisation with a
    contact, an SLA policy, contracts in each state, an open ticket, a clause template."""

    def __init__(self):
        self.tenant = TenantFactory(name="Hostile tenant", slug="hostile-tenant")
        self.org = OrganizationFactory(tenant=self.tenant, legal_name="Hostile client SAS")
        self.alice = member(self.tenant, "tenant_admin", email="alice@hostile.test")
        self.bob = member(self.tenant, "technician", email="bob@hostile.test")
        self.cody = member(self.tenant, "client_user", organization=self.org, email="cody@hostile.test")
        self.provider = cf.provider_org(self.tenant)
        self.policy = tf.sla_policy(self.tenant)
        # Express renewal: `renew` then goes past its first checks.
        self.active = tf.active_contract(actor=self.alice, client=self.org, policy=self.policy, renewal="express")
        self.draft = cf.draft(actor=self.alice, client=self.org, policy=self.policy)
        self.sent = cf.sent(actor=self.alice, client=self.org, policy=self.policy)
        self.suspended = contract_services.contract_suspend(
            contract=tf.active_contract(actor=self.alice, client=self.org, policy=self.policy), actor=self.alice,
            reason="Unpaid")
        self.ticket = tf.open_ticket(actor=self.cody, contract=self.active, now=_now())
        self.contact = ContactFactory(organization=self.org)
        self.clause_template = contract_services.clause_template_save(
            tenant=self.tenant, actor=self.alice, kind="gdpr", language="fr", title="GDPR", body="Text.")

    def token(self, user):
        token, _secret = portal_services.api_token_create(user=user, name="hostile")
        return token

    # -- path parameters: the object each operation acts on --------------------------

    def contract_for(self, path: str):
        if path.endswith(("/scope/", "/clauses/", "/send/")) or path == "/api/v1/contracts/{contract_ref}/":
            return self.draft
        if path.endswith("/activate/"):
            return self.sent
        if path.endswith("/resume/"):
            return self.suspended
        return self.active

    def path_value(self, name: str, path: str, user) -> str:
        if name == "contract_ref":
            return self.contract_for(path).reference
        if name == "org_ref":
            return self.org.reference
        if name == "contact_id":
            return str(self.contact.pk)
        if name == "ticket_ref":
            return self.ticket.reference
        if name == "calendar_code":
            return self.policy.calendar.code
        if name == "policy_code":
            return self.policy.code
        if name == "token_prefix":
            return self.token(user).prefix
        if name == "kind":
            return "contract"
        if name in ("version", "attachment_id"):
            return "1"
        raise AssertionError(f"no value for the path parameter {name}: add it to World.path_value")

    # -- valid values by field name, where the schema alone cannot give one ----------

    def known(self, name: str):
        today = timezone.localdate()
        siret = make_siret(4242)
        values = {
            "client": lambda: self.org.reference,
            "provider": lambda: self.provider.reference,
            "sla_policy": lambda: self.policy.code,
            "calendar": lambda: self.policy.calendar.code,
            "contract": lambda: self.active.reference,
            "assignee": lambda: self.bob.email,
            "covered_item": lambda: self.active.items.first().pk,
            "template_ids": lambda: [self.clause_template.pk],
            "code": lambda: "hostile-code",
            "timezone": lambda: "Europe/Paris",
            "hours": lambda: {"mon": [["09:00", "12:00"]]},
            "country": lambda: "FR",
            "siret": lambda: siret,
            "vat_number": lambda: vat_for_siret(siret),
            "currency": lambda: "EUR",
            "first_year": lambda: 2026,
            "last_year": lambda: 2026,
            "start_date": lambda: "2026-01-01",
            "signed_on": lambda: "2026-01-01",
            "notice_given_on": lambda: "2026-02-01",
            "effective_date": lambda: "2026-03-01",
            "date": lambda: today.isoformat(),
            "rrule": lambda: "FREQ=MONTHLY;BYDAY=1MO",
            "status": lambda: "waiting_on_client",
            "priority": lambda: "P2",
            "maintenance_type": lambda: "corrective",
            "targets": lambda: [{"priority": "P1", "response_minutes": 60, "resolution_minutes": 240}],
            "changes": lambda: {"monthly_fee": "500.00"},
            "minutes": lambda: 30,
            "expires_at": lambda: (_now() + timedelta(days=30)).isoformat(),
            "start": lambda: datetime(2026, 5, 4, 10, tzinfo=UTC).isoformat(),
        }
        return values[name]() if name in values else None


class Schema:
    """The OpenAPI document and what the test needs from it: resolved schemas, valid
    example values, the operations."""

    def __init__(self):
        self.doc = SchemaGenerator().get_schema(request=None, public=True)

    def resolve(self, node: dict) -> dict:
        while "$ref" in node:
            node = self.doc["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
        if "allOf" in node and len(node["allOf"]) == 1:
            return {**self.resolve(node["allOf"][0]), **{k: v for k, v in node.items() if k != "allOf"}}
        if "oneOf" in node:
            for option in node["oneOf"]:
                resolved = self.resolve(option)
                if resolved.get("enum") not in ([""], [None]):
                    return {**resolved, **{k: v for k, v in node.items() if k != "oneOf"}}
        return node

    def example(self, node: dict, name: str, world: World):
        known = world.known(name)
        if known is not None:
            return known
        node = self.resolve(node)
        if "enum" in node:
            return next(v for v in node["enum"] if v not in ("", None))
        kind, fmt = node.get("type"), node.get("format")
        if kind == "object" or "properties" in node:
            return {key: self.example(sub, key, world) for key, sub in node.get("properties", {}).items()}
        if kind == "array":
            return [self.example(node.get("items", {}), name, world)]
        if kind == "integer":
            return max(node.get("minimum", 1), 1)
        if kind == "number":
            return 1
        if kind == "boolean":
            return True
        if fmt == "date":
            return "2026-01-01"
        if fmt == "date-time":
            return "2026-05-04T10:00:00+02:00"
        if fmt == "email":
            return "someone@example.test"
        if fmt == "decimal":
            return "1.00"
        if fmt == "binary":
            return "file"
        return "text"

    def operations(self, methods) -> list[tuple[str, str]]:
        return sorted((path, method) for path, item in self.doc["paths"].items() for method in item
                      if method in methods)

    def operation(self, path: str, method: str) -> dict:
        return self.doc["paths"][path][method]

    def body_schema(self, op: dict) -> dict | None:
        content = op.get("requestBody", {}).get("content", {})
        for media in ("application/json", "multipart/form-data"):
            if media in content:
                return content[media]["schema"]
        return None


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


def _fill(path: str, world: World, user) -> str:
    return re.sub(r"\{([^}]+)\}", lambda m: world.path_value(m.group(1), path, user), path)


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


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The world is made once, in a transaction rolled back after the module; each
    test's own transaction (and each request's savepoint) nests inside it, like
    Django's TestCase.setUpTestData."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield World()
        transaction.set_rollback(True)


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
        url = _fill(path, world, user)
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
        url = _fill(path, world, user)
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

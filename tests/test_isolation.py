"""Tenant and organisation isolation, on every route, discovered automatically.

The routes are found by walking the URL resolver (portal pages and API) and the
OpenAPI schema (API methods). Every route that takes an object reference is requested
with the references of objects that belong to client organisation A1 of tenant A:

* as carol, an administrator of another tenant, and
* as dora, a client administrator of another organisation (A2) of the same tenant,

for every method the route accepts, and must answer 404 (never 200, never 403, never
500: another tenant's data looks exactly like missing data). List routes are then read
by the same users and must not contain any of A1's identifying strings.

A new URL parameter that the WORLD below does not know fails `test_it_knows_every_url_parameter`,
so a new route cannot be forgotten: add a factory for its kind of object here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from drf_spectacular.generators import SchemaGenerator

from billing.models import BillingRun, CreditNote, Invoice, MonthlyReport
from contracts.models import Contract, ContractDocument
from contracts.services import contracts as contract_services
from integrations.models import DataExport, InboundMessage, SupportMailbox, WebhookSubscription
from portal import people
from portal import services as portal_services
from sla import services as sla_services
from tests.factories import ContactFactory, OrganizationFactory, member
from tickets.models import Attachment, CannedReply, Ticket
from tickets.services import rating_token

pytestmark = pytest.mark.django_db

# Routes that take no object of a tenant (framework and static routes).
IGNORED_PREFIXES = ("admin/", "i18n/", "api/schema", "api/docs", "static/", "media/")
METHODS = ("get", "post", "put", "patch", "delete")


@dataclass
class World:
    """Objects of tenant A that belong to (or are only visible to) client org A1."""

    values: dict[str, str]
    markers: list[str]  # strings that identify A1's data in any response


# URL parameter name -> how to get the value for an object of org A1 in tenant A.
# Each parameter name means one kind of object everywhere in the project.
PARAMETERS: dict[str, Callable[[dict], str]] = {
    "org_ref": lambda w: w["org"].reference,
    "contact_id": lambda w: str(w["contact"].pk),
    "token_prefix": lambda w: w["token"].prefix,
    "calendar_code": lambda w: w["calendar"].code,
    "policy_code": lambda w: w["policy"].code,
    "contract_ref": lambda w: w["contract"].reference,
    "kind": lambda w: "contract",
    "version": lambda w: "1",
    "clause_id": lambda w: str(w["clause"].pk),
    "clause_template_id": lambda w: str(w["clause_template"].pk),
    "ticket_ref": lambda w: w["ticket"].reference,
    "attachment_id": lambda w: str(w["attachment"].pk),
    "invoice_ref": lambda w: w["invoice"].number,
    "run_id": lambda w: str(w["run"].pk),
    "subscription_id": lambda w: str(w["webhook"].pk),
    "canned_reply_id": lambda w: str(w["canned_reply"].pk),
    # The e-mail's rating link: signed for one recipient (alice here); opened in anybody
    # else's session it answers 404.
    "rating_token": lambda w: w["rating_token"],
    "score": lambda w: "good",
    "member_id": lambda w: str(w["member"].pk),
    "invitation_id": lambda w: str(w["invitation"].pk),
    # Links whose token is the credential (an invitation, a password reset): whoever
    # holds a valid one may use it, whatever their session; a token that does not
    # work answers 404, as a missing object does.
    "invite_token": lambda w: "not-a-valid-link",
    "uidb64": lambda w: w["member_uidb64"],
    "token": lambda w: "not-a-valid-token",
    "export_id": lambda w: str(w["export"].pk),
    "credit_note_ref": lambda w: w["credit_note"].number,
    "report_month": lambda w: f"{w['report'].year}-{w['report'].month:02d}",
    "chart": lambda w: "compliance",
    "account_id": lambda w: str(w["account"].pk),
    "inbound_id": lambda w: str(w["inbound"].pk),
}


@pytest.fixture
def world(tenant_a, org_a1, alice) -> World:
    org = org_a1
    org.legal_name = "Zyxwv Unique Client A1 SAS"
    org.save()
    contact = ContactFactory(organization=org, email="secret.contact@a1-only.test", last_name="Qwertyuiop")
    token, _ = portal_services.api_token_create(user=alice, name="A-only token")
    calendar = sla_services.calendar_create(
        tenant=tenant_a, actor=alice, code="a-only-calendar", name="Zyxwv A-only calendar", timezone_name="Europe/Paris",
        hours={"mon": [["09:00", "18:00"]]},
    )
    policy = sla_services.policy_create(
        tenant=tenant_a, actor=alice, code="a-only-policy", name="Zyxwv A-only policy", calendar=calendar,
        targets=[{"priority": "P1", "response_minutes": 60, "resolution_minutes": 240}],
    )
    provider = OrganizationFactory(tenant=tenant_a, kind="provider", legal_name="A's provider entity")
    contract = contract_services.contract_create(
        tenant=tenant_a, actor=alice, client=org, provider=provider, title="Zyxwv A1-only contract",
        object="Maintenance", sla_policy=policy,
    )
    # Sent, with a rendered document row (no real rendering here: the PDF tests do that).
    contract_services.contract_set_clauses(contract=contract, actor=alice, clauses=[
        {"kind": "confidentiality", "title": "Zyxwv A1-only clause", "body": "Secret terms."}])
    Contract.objects.filter(pk=contract.pk).update(status="active")
    ContractDocument.objects.create(tenant=tenant_a, contract=contract, kind="contract", version=1, status="ready")
    clause_template = contract_services.clause_template_save(
        tenant=tenant_a, actor=alice, kind="gdpr", language="fr", title="Zyxwv A-only template", body="Text.")
    ticket = Ticket.objects.create(
        tenant=tenant_a, reference="TCK-000001", contract=contract, organization=org, title="Zyxwv A1-only ticket",
        description="Printer down", maintenance_type="corrective", impact="high", urgency="high", priority="P1")
    attachment = Attachment.objects.create(tenant=tenant_a, ticket=ticket, filename="zyxwv-a1-only.pdf",
                                           content_type="application/pdf", size=1, sha256="0" * 64,
                                           storage_key="attachments/none")
    # An issued invoice of A1 (rows as the billing run and issuing leave them), and a run
    # of tenant A, which a client of A does not see either.
    invoice = Invoice.objects.create(
        tenant=tenant_a, contract=contract, client=org, year=2026, month=3, period_start=date(2026, 3, 1),
        period_end=date(2026, 3, 31), status="issued", number="INV-2026-987654", issue_date=date(2026, 4, 2),
        due_date=date(2026, 5, 2), vat_rate=Decimal("20"), net=Decimal("100"), vat=Decimal("20"),
        gross=Decimal("120"))
    run = BillingRun.objects.create(tenant=tenant_a, year=2026, month=3, trigger="manual", contracts=1)
    account = portal_services.service_account_create(actor=alice, tenant=tenant_a, name="Zyxwv A1-only ERP",
                                                     organization=org)
    credit_note = CreditNote.objects.create(
        tenant=tenant_a, invoice=invoice, number="CN-2026-987654", issue_date=date(2026, 4, 3), reason="Zyxwv refund",
        currency="EUR", net=Decimal("10"), vat=Decimal("2"), gross=Decimal("12"))
    report = MonthlyReport.objects.create(tenant=tenant_a, contract=contract, year=2026, month=3)
    webhook = WebhookSubscription.objects.create(tenant=tenant_a, name="Zyxwv A-only webhook", secret="whsec_x",
                                                 url="https://hooks.a-only.test/zyxwv", event_types=["ticket.created"])
    export = DataExport.objects.create(tenant=tenant_a, organization=org, status="ready",
                                       file_path="exports/zyxwv.zip", sha256="a1" * 32)
    person = member(tenant_a, "client_user", organization=org, email="zyxwv.person@a1-only.test")
    invitation = people.invitation_create(tenant=tenant_a, actor=alice, email="zyxwv.invitee@a1-only.test",
                                          role="client_user", organization=org)
    mailbox = SupportMailbox.objects.create(tenant=tenant_a, host="imap.a-only.test", username="support",
                                            password="x", enabled=False)
    inbound = InboundMessage.objects.create(tenant=tenant_a, mailbox=mailbox, message_key="<zyxwv@a1-only.test>",
                                            sender="zyxwv.stranger@a1-only.test", subject="Zyxwv A1-only held mail",
                                            state="quarantined", reason="unknown_sender", raw=b"Subject: x")
    objs = {"inbound": inbound, "account": account, "member": person.membership, "invitation": invitation,
            "member_uidb64": urlsafe_base64_encode(force_bytes(person.pk)), "webhook": webhook, "export": export, "credit_note": credit_note, "report": report, "invoice": invoice, "run": run, "org": org, "contact": contact, "token": token, "calendar": calendar, "policy": policy,
            "contract": contract, "clause": contract.clauses.get(), "clause_template": clause_template,
            "ticket": ticket, "attachment": attachment,
            "canned_reply": CannedReply.objects.create(tenant=tenant_a, title="Zyxwv A-only reply", language="en",
                                                       body="Text."),
            "rating_token": rating_token(ticket, alice)}
    values = {name: fn(objs) for name, fn in PARAMETERS.items()}
    markers = [org.legal_name, org.siret, contact.email, contact.last_name, token.prefix, calendar.name, policy.name,
               contract.title, contract.reference, "Zyxwv A1-only clause", "Zyxwv A-only template",
               "Zyxwv A1-only ticket", "zyxwv-a1-only.pdf", invoice.number, webhook.name, webhook.url,
               "Zyxwv A-only reply", person.email, invitation.email, account.name, inbound.sender, inbound.subject]
    return World(values=values, markers=markers)


@pytest.fixture
def outsiders(tenant_b, tenant_a, org_a2) -> dict:
    """carol: admin of another tenant; dora: client admin of another organisation."""
    OrganizationFactory(tenant=tenant_b, legal_name="B's own client")
    return {
        "carol": member(tenant_b, "tenant_admin", email="carol@b.test"),
        "dora": member(tenant_a, "client_admin", organization=org_a2, email="dora@a2.test"),
    }


def _walk(patterns, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def _routes() -> list[tuple[str, URLPattern]]:
    out = []
    for route, pattern in _walk(get_resolver().url_patterns):
        route = route.lstrip("^")
        if route.startswith(IGNORED_PREFIXES) or "(?P<format>" in route or route.endswith(r"\.(?P<format>[a-z0-9]+)/?$"):
            continue
        out.append((route, pattern))
    return out


_PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")


_REGEX_GROUP = re.compile(r"\(\?P<([^>]+)>[^)]*\)")


def _params(route: str) -> list[str]:
    groups = _REGEX_GROUP.findall(route)
    return groups + [m.group("name") for m in _PARAM.finditer(_REGEX_GROUP.sub("", route))]


def _fill(route: str, values: dict[str, str]) -> str:
    path = _REGEX_GROUP.sub(lambda m: values[m.group(1)], route)  # DRF router routes are regexes
    path = _PARAM.sub(lambda m: values[m.group("name")], path)
    return "/" + path.replace("^", "").replace("$", "")


def _object_routes() -> list[str]:
    return sorted({route for route, _ in _routes() if _params(route)})


def _list_routes() -> list[str]:
    return sorted({route for route, _ in _routes() if not _params(route) and "logout" not in route})


def test_it_knows_every_url_parameter():
    unknown = {name for route in _object_routes() for name in _params(route)} - set(PARAMETERS)
    assert not unknown, f"add these URL parameters to tests/test_isolation.py PARAMETERS: {sorted(unknown)}"


def test_it_finds_the_routes_it_must_cover():
    # A canary: if discovery broke, these well-known routes would be missing.
    paths = {_fill(route, {name: "X" for name in PARAMETERS}) for route in _object_routes()}
    assert {"/api/v1/organizations/X/", "/api/v1/organizations/X/contacts/X/", "/organizations/X/edit/"} <= paths


@pytest.mark.parametrize("who", ["carol", "dora"])
@pytest.mark.parametrize("route", _object_routes())
def test_it_answers_404_for_objects_outside_the_viewer_scope(route, who, world, outsiders, client):
    client.force_login(outsiders[who])
    path = _fill(route, world.values)
    statuses = {}
    for method in METHODS:
        response = client.generic(method.upper(), path, data=json.dumps({}), content_type="application/json")
        statuses[method] = response.status_code
        assert response.status_code in (404, 405), f"{method.upper()} {path} as {who}: {response.status_code}"
    assert 404 in statuses.values(), f"{path} as {who}: no method answered 404 ({statuses})"


def _schema_operations() -> list[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted((path, method) for path, item in schema["paths"].items() for method in item if method in METHODS)


@pytest.mark.parametrize("who", ["carol", "dora"])
@pytest.mark.parametrize(("path", "method"), [op for op in _schema_operations() if "{" in op[0]])
def test_it_answers_404_on_every_api_operation_with_a_reference(path, method, who, world, outsiders, client):
    client.force_login(outsiders[who])
    url = re.sub(r"\{([^}]+)\}", lambda m: world.values[m.group(1)], path)
    response = client.generic(method.upper(), url, data=json.dumps({}), content_type="application/json")
    assert response.status_code == 404, f"{method.upper()} {url} as {who}: {response.status_code}"
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("who", ["carol", "dora"])
@pytest.mark.parametrize("route", _list_routes())
def test_it_never_lists_rows_outside_the_viewer_scope(route, who, world, outsiders, client):
    client.force_login(outsiders[who])
    response = client.get(_fill(route, {}))
    assert response.status_code in (200, 301, 302, 403, 405), f"GET /{route} as {who}: {response.status_code}"
    body = response.content.decode()
    leaked = [m for m in world.markers if m in body]
    assert not leaked, f"GET /{route} as {who} shows {leaked}"


def test_it_covers_every_api_path_of_the_schema_with_the_resolver():
    """Each templated path of the OpenAPI schema is one the resolver walk also requests."""
    resolver_paths = {re.sub(r"<(?:[^>:]+:)?([^>]+)>", r"{\1}", "/" + r) for r in _object_routes()}
    resolver_paths |= {re.sub(r"\(\?P<([^>]+)>[^)]*\)", r"{\1}", "/" + r).replace("^", "").replace("$", "") for r in _object_routes()}
    schema_paths = {p for p, _ in _schema_operations() if "{" in p}
    assert schema_paths <= resolver_paths, sorted(schema_paths - resolver_paths)

"""A client reads through the API exactly what its pages show it, no more.

Every GET operation of the OpenAPI schema is called as a client administrator (clara)
and as a client user (cody), with the references of their own organisation's objects:

* the fields of each answer must be in ALLOWED, the explicit list of what a client may
  read per operation (a new operation or field fails here until it is listed, after
  checking the client's page);
* no answer contains what the pages hide from clients (internal notes, the provider's
  reason for a priority, the ticket's history, the provider's notes on the organisation,
  whether work is billable);
* every free text a client reads in the API (titles, descriptions, messages, reasons,
  file names…) is on the client's page of the same object.

The sibling of tests/test_isolation.py, which checks what other tenants and
organisations cannot reach at all.
"""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from drf_spectacular.generators import SchemaGenerator

from portal import services as portal_services
from tests.factories import ContactFactory
from tests.tickets import factories as tf
from tickets import services as ticket_services
from tickets.models import Attachment

pytestmark = pytest.mark.django_db

# Strings the client's pages never show it.
HIDDEN = {
    "internal note": "Zq internal note body",
    "attachment of an internal note": "zq-internal-only.pdf",
    "priority reason": "Zq provider priority reason",
    "history reason": "Zq waiting reason",
    "organisation notes": "Zq provider notes about the client",
}

_TICKET = ["reference", "title", "status", "priority", "impact", "urgency", "maintenance_type", "source", "contract",
           "organization", "assignee", "requester", "sla_due_at", "sla_breached", "sla_paused", "sla_warning",
           "created_at", "updated_at", "resolved_at", "closed_at"]
_METRIC = ["target_minutes", "state", "breached", "deadline", "warning_at", "breached_at", "completed_at",
           "elapsed_business_minutes", "remaining_business_minutes"]
_CONTRACT = ["reference", "status", "version", "client", "provider", "title", "object", "account_manager", "sla_policy",
             "remote_intervention", "on_site_intervention", "start_date", "initial_months", "renewal",
             "renewal_months", "notice_months", "notice_days", "language", "currency", "billing_model",
             "monthly_fee", "hourly_rate", "included_hours", "included_minutes", "rollover_cap_minutes",
             "increment_minutes", "service_credits.*", "penalty_cap_percent", "vat_rate", "payment_terms_days",
             "price_revision",
             "signed_on", "client_signatory", "sent_at", "activated_at", "suspended_at", "suspension_reason",
             "notice_given_on", "notice_given_by", "termination_reason", "end_date", "created_at", "updated_at"]
_ORGANIZATION = ["reference", "kind", "legal_name", "trade_name", "legal_form", "siret", "vat_number",
                 "address_line1", "address_line2", "postal_code", "city", "country", "legal_rep_name",
                 "legal_rep_title", "email", "phone", "is_active", "siren", "created_at", "updated_at"]
_PAGE = ["count", "next", "previous"]
_MEMBER = ["id", "email", "full_name", "role", "organization", "is_active", "last_login"]
_INVITATION = ["id", "email", "role", "organization", "language", "status", "sent_at", "expires_at"]
# A client's own tokens: where it used them from is its own business.
_TOKEN = ["prefix", "name", "scopes", "created_at", "last_used_at", "last_used_ip", "expires_at", "revoked_at"]
_INVOICE = ["reference", "number", "status", "client", "contract", "year", "month", "period_start", "period_end",
            "issue_date", "due_date", "currency", "vat_rate", "net", "vat", "gross", "amount_paid", "amount_credited",
            "balance_due", "overdue_at", "paid_at", "cancelled_at", "pdf_status", "created_at", "updated_at"]
_PAYMENT = ["date", "amount", "method", "reference", "created_at"]
_CREDIT_NOTE = ["number", "issue_date", "reason", "currency", "net", "vat", "gross", "lines", "created_at"]

# Operation -> the fields a client may read (nested fields dotted, list items with []).
# Contracts: every term of the contract the client signed is in its PDF and on its page.
ALLOWED: dict[str, set[str]] = {
    "/api/v1/me/": {"email", "full_name", "tenant", "tenant_slug", "role", "organization"},
    "/api/v1/dashboard/": {"role", "tickets.open", "tickets.waiting"},
    "/api/v1/tokens/": {*_PAGE, *(f"results[].{f}" for f in _TOKEN)},
    "/api/v1/tokens/{token_prefix}/": set(_TOKEN),
    "/api/v1/organizations/": {*_PAGE, *(f"results[].{f}" for f in _ORGANIZATION)},
    "/api/v1/organizations/{org_ref}/": set(_ORGANIZATION),
    "/api/v1/organizations/{org_ref}/contacts/": {
        *_PAGE, *(f"results[].{f}" for f in ("id", "role", "first_name", "last_name", "job_title", "email", "phone",
                                              "created_at", "updated_at"))},
    "/api/v1/organizations/{org_ref}/contacts/{contact_id}/": {
        "id", "role", "first_name", "last_name", "job_title", "email", "phone", "created_at", "updated_at"},
    "/api/v1/contracts/": {*_PAGE, *(f"results[].{f}" for f in _CONTRACT)},
    "/api/v1/contracts/{contract_ref}/": {
        *_CONTRACT, "items[].category", "items[].name", "items[].identifier", "items[].site", "items[].criticality",
        "items[].quantity", "exclusions[]", "maintenance_types[].maintenance_type", "maintenance_types[].included",
        "maintenance_types[].details", "maintenance_types[].ticket_price", "clauses[].kind", "clauses[].title", "clauses[].body", "terms[].index",
        "terms[].first_day", "terms[].last_day", "terms[].kind", "terms[].monthly_fee", "current_term.index",
        "current_term.first_day", "current_term.last_day", "next_notice_deadline"},
    "/api/v1/contracts/{contract_ref}/documents/": {
        f"[].{f}" for f in ("kind", "version", "status", "error", "sha256", "size", "pages", "rendered_at",
                            "render_ms", "download_url")},
    "/api/v1/contracts/{contract_ref}/preventive-plans/": {
        f"[].{f}" for f in ("id", "title", "description", "rrule", "start_date", "lead_days", "is_active", "planned",
                            "done", "upcoming")},
    # A version's snapshot holds the contract's own terms, as the contract above.
    "/api/v1/contracts/{contract_ref}/versions/": {
        "[].number", "[].effective_from", "[].amendment", "[].snapshot.*", "[].created_at"},
    "/api/v1/tickets/": {"count", "count_exact", "next", "previous", *(f"results[].{f}" for f in _TICKET)},
    # Not the provider's reason for the priority.
    "/api/v1/tickets/{ticket_ref}/": {
        *_TICKET, "description", "covered_item", *(f"sla.{m}.{f}" for m in ("response", "resolution") for f in _METRIC),
        "rating_score", "rating_comment", "rated_at"},
    "/api/v1/tickets/{ticket_ref}/messages/": {f"[].{f}" for f in ("id", "author", "body", "internal", "kind",
                                                                    "created_at")},
    "/api/v1/tickets/{ticket_ref}/attachments/": {
        f"[].{f}" for f in ("id", "filename", "content_type", "size", "sha256", "uploaded_by", "created_at")},
    # Not whether the work is billable.
    "/api/v1/tickets/{ticket_ref}/interventions/": {
        f"[].{f}" for f in ("id", "technician", "date", "minutes", "mode", "description", "created_at")},
    # The ticket page shows clients no history: the list is empty.
    "/api/v1/tickets/{ticket_ref}/history/": set(),
    # Billing: the client's issued invoices as on its invoice page (lines with what they
    # are made of, payments, credit notes); never a draft.
    "/api/v1/invoices/": {*_PAGE, *(f"results[].{f}" for f in _INVOICE)},
    "/api/v1/invoices/{invoice_ref}/": {
        *_INVOICE, "contract_version", *(f"lines[].{f}" for f in (
            "position", "kind", "label", "quantity", "unit", "unit_price", "amount", "maintenance_type")),
        "lines[].detail.*", *(f"payments[].{f}" for f in _PAYMENT),
        *(f"credit_notes[].{f}" for f in _CREDIT_NOTE), "credit_notes[].lines[].*"},
    "/api/v1/invoices/{invoice_ref}/payments/": {f"[].{f}" for f in _PAYMENT},
    "/api/v1/invoices/{invoice_ref}/credit-notes/": {*(f"[].{f}" for f in _CREDIT_NOTE), "[].lines[].*"},
    # The monthly reports of the client's contracts, as listed on its pages.
    "/api/v1/reports/": {f"[].{f}" for f in ("contract", "month", "status", "pages", "size", "sha256", "rendered_at")},
    "/api/v1/reports/{contract_ref}/{report_month}/": {
        "contract", "month", "status", "pages", "size", "sha256", "rendered_at"},
    # The provider's own tools: always an empty list for a client.
    "/api/v1/clause-templates/": {*_PAGE, "results"},
    # People: a client administrator reads its organisation's people and invitations (the
    # People page); a client user may not (403).
    "/api/v1/members/": {*_PAGE, *(f"results[].{f}" for f in _MEMBER)},
    "/api/v1/members/{member_id}/": set(_MEMBER),
    "/api/v1/invitations/": {*_PAGE, *(f"results[].{f}" for f in _INVITATION)},
    "/api/v1/invitations/{invitation_id}/": set(_INVITATION),
    "/api/v1/canned-replies/": {*_PAGE, "results"},
    "/api/v1/sla/calendars/": {*_PAGE, "results"},
    "/api/v1/sla/policies/": {*_PAGE, "results"},
    # The reversibility exports of the client administrator's own organisation (none in this world).
    "/api/v1/organizations/{org_ref}/exports/": {f"[].{f}" for f in (
        "id", "organization", "status", "progress", "step", "files", "size", "sha256", "created_at", "ready_at",
        "expires_at", "download_url")},
}

# API operations whose free texts must be on the client's page of the same object.
PAGES = {
    "/api/v1/tickets/{ticket_ref}/": "/tickets/{ticket_ref}/",
    "/api/v1/tickets/{ticket_ref}/messages/": "/tickets/{ticket_ref}/",
    "/api/v1/tickets/{ticket_ref}/attachments/": "/tickets/{ticket_ref}/",
    "/api/v1/tickets/{ticket_ref}/interventions/": "/tickets/{ticket_ref}/",
    "/api/v1/tickets/{ticket_ref}/history/": "/tickets/{ticket_ref}/",
    "/api/v1/organizations/{org_ref}/": "/organizations/{org_ref}/",
    "/api/v1/organizations/{org_ref}/contacts/": "/organizations/{org_ref}/",
    "/api/v1/contracts/{contract_ref}/": "/contracts/{contract_ref}/",
    "/api/v1/contracts/{contract_ref}/preventive-plans/": "/contracts/{contract_ref}/",
    "/api/v1/invoices/{invoice_ref}/": "/invoices/{invoice_ref}/",
    "/api/v1/invoices/{invoice_ref}/credit-notes/": "/invoices/{invoice_ref}/",
}
# Fields that carry free text typed by a person (codes, dates and numbers are shown
# formatted or translated on the pages, and are covered by ALLOWED instead).
TEXT_FIELDS = {"title", "description", "body", "filename", "reason", "priority_reason", "notes", "object",
               "suspension_reason", "details", "legal_name", "first_name", "last_name", "job_title", "name"}


@pytest.fixture
def world(tenant_a, org_a1, alice, amy, bob, clara, cody) -> dict[str, str]:
    org_a1.notes = HIDDEN["organisation notes"]
    org_a1.save()
    contact = ContactFactory(organization=org_a1, last_name="Zqcontact", job_title="Zq office manager")
    token, _ = portal_services.api_token_create(user=clara, name="Zq clara token")
    contract = tf.active_contract(actor=amy, client=org_a1, policy=tf.sla_policy(tenant_a))
    ticket = tf.open_ticket(actor=cody, contract=contract, title="Zq printer down",
                            description="Zq the printer shows E-42")
    ticket_services.ticket_take(ticket=ticket, actor=bob)
    ticket_services.ticket_set_priority(ticket=ticket, actor=bob, priority="P1", reason=HIDDEN["priority reason"])
    note = ticket_services.ticket_reply(ticket=ticket, actor=bob, body=HIDDEN["internal note"], internal=True)
    ticket_services.ticket_reply(ticket=ticket, actor=bob, body="Zq public reply body")
    ticket_services.ticket_change_status(ticket=ticket, actor=bob, status="waiting_on_client",
                                         reason=HIDDEN["history reason"])
    ticket_services.intervention_log(ticket=ticket, actor=bob, date=date(2026, 5, 4), minutes=30, mode="remote",
                                     description="Zq toner replaced", billable=True)
    for filename, message in (("zq-public.pdf", None), (HIDDEN["attachment of an internal note"], note)):
        Attachment.objects.create(tenant=tenant_a, ticket=ticket, message=message, filename=filename,
                                  content_type="application/pdf", size=1, sha256="0" * 64, storage_key="none")
    from billing import services as billing_services
    from portal.people import invitation_create

    invitation = invitation_create(tenant=tenant_a, actor=clara, email="zq.colleague@a1.test", role="client_user")

    invoice = billing_services.invoice_issue(invoice=billing_services.billing_run_contract(
        contract=contract, year=2026, month=3, today=date(2026, 4, 2)), actor=amy, today=date(2026, 4, 2))
    billing_services.payment_record(invoice=invoice, actor=amy, date=date(2026, 4, 5), amount="100.00",
                                    method="transfer", reference="VIR-1")
    billing_services.credit_note_create(invoice=invoice, actor=amy, reason="Zq goodwill gesture", amount="10.00",
                                        today=date(2026, 4, 6))
    note = invoice.credit_notes.get()
    return {"invoice_ref": invoice.number, "credit_note_ref": note.number, "report_month": "2026-03", "chart": "compliance", "run_id": "0", "org_ref": org_a1.reference, "contact_id": str(contact.pk), "token_prefix": token.prefix,
            "contract_ref": contract.reference, "ticket_ref": ticket.reference, "kind": "contract", "version": "1",
            "calendar_code": "none", "policy_code": "none", "clause_template_id": "0", "attachment_id": "0",
            "subscription_id": "0", "member_id": str(cody.membership.pk), "invitation_id": str(invitation.pk),
            "export_id": "0", "canned_reply_id": "0",
            "account_id": "0", "inbound_id": "0"}


def _get_operations() -> list[str]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(path for path, item in schema["paths"].items() if "get" in item)


def _fill(path: str, values: dict[str, str]) -> str:
    return re.sub(r"\{([^}]+)\}", lambda m: values[m.group(1)], path)


def _fields(value, prefix: str = "") -> set[str]:
    """The dotted names of every field in a JSON answer (list items as `[]`)."""
    if isinstance(value, dict):
        out: set[str] = set()
        for key, inner in value.items():
            name = f"{prefix}.{key}" if prefix else key
            out |= _fields(inner, name) or {name}
        return out
    if isinstance(value, list):
        out = set()
        for item in value:
            out |= _fields(item, f"{prefix}[]")
        return out or ({prefix} if prefix else set())
    return set()


def _allowed(field: str, allowed: set[str]) -> bool:
    """`field` is listed, or is an empty list or object whose items are listed, or lies
    under a field listed as opaque (`name.*`)."""
    return field in allowed or any(
        a.startswith((f"{field}[]", f"{field}.")) or (a.endswith(".*") and field.startswith(a[:-1]))
        for a in allowed)


def _texts(value, key: str = "") -> list[str]:
    if isinstance(value, dict):
        return [t for k, v in value.items() for t in _texts(v, k)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v, key)]
    return [value] if key in TEXT_FIELDS and isinstance(value, str) and value.strip() else []


def _client_answers(client, user, world) -> dict[str, object]:
    """Every GET operation's JSON answer to `user`, for those it may read (200)."""
    client.force_login(user)
    answers = {}
    for path in _get_operations():
        if path.startswith("/api/v1/") is False:
            continue
        response = client.get(_fill(path, world))
        if response.status_code == 200 and response["Content-Type"].startswith("application/json"):
            answers[path] = response.json()
    return answers


@pytest.mark.parametrize("who", ["clara", "cody"])
def test_it_gives_clients_only_the_fields_their_pages_show(client, world, request, who):
    answers = _client_answers(client, request.getfixturevalue(who), world)
    assert "/api/v1/tickets/{ticket_ref}/" in answers  # the world is readable by this client
    unlisted = sorted(set(answers) - set(ALLOWED))
    assert not unlisted, f"list what a client may read of these operations in ALLOWED: {unlisted}"
    extra = {path: sorted(f for f in _fields(body) if not _allowed(f, ALLOWED[path])) for path, body in answers.items()}
    extra = {p: f for p, f in extra.items() if f}
    assert not extra, f"fields a client should not read: {extra}"


@pytest.mark.parametrize("who", ["clara", "cody"])
def test_it_never_gives_clients_what_their_pages_hide(client, world, request, who):
    answers = _client_answers(client, request.getfixturevalue(who), world)
    leaks = {(path, what) for path, body in answers.items() for what, text in HIDDEN.items() if text in str(body)}
    assert not leaks, sorted(leaks)


@pytest.mark.parametrize("who", ["clara", "cody"])
def test_it_shows_clients_on_their_pages_every_text_the_api_gives_them(client, world, request, who):
    answers = _client_answers(client, request.getfixturevalue(who), world)
    pages: dict[str, str] = {}
    missing = []
    for api_path, page_path in PAGES.items():
        if api_path not in answers:
            continue
        if page_path not in pages:
            response = client.get(_fill(page_path, world))
            assert response.status_code == 200, page_path
            pages[page_path] = html.unescape(response.content.decode())
        missing += [(api_path, text) for text in _texts(answers[api_path]) if text not in pages[page_path]]
    assert not missing, missing


def test_it_shows_the_provider_what_it_hides_from_clients(client, world, bob):
    """The other side of the rule: the provider's staff read the hidden fields."""
    answers = _client_answers(client, bob, world)
    body = str(answers)
    assert all(text in body for text in HIDDEN.values())

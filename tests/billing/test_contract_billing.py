"""The billing plan where the contract lives: edited in the drafting form and the
contract API, shown on the contract page (plan, hour-bank balance, latest invoices) and
in the contract PDF's price article; the hour-bank balance on the ticket page before
work is logged, and on the client's dashboard with the latest invoices."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse

from billing.services import hour_bank_block_buy
from contracts import documents
from contracts.models import Contract
from tests.billing import factories as bf
from tests.contracts.test_contract_views import form_data

pytestmark = pytest.mark.django_db

CREDITS = {"P1": {"response": "5", "resolution": "10"}, "P2": {"resolution": "4"}}


def _text(response) -> str:
    return response.content.decode()


@pytest.fixture
def provider(tenant_a):
    from tests.contracts import factories as cf

    return cf.provider_org(tenant_a)


@pytest.fixture
def bank(make_contract, amy):
    contract = make_contract("hour_bank", hourly_rate=Decimal("90.00"), monthly_fee=Decimal("0"))
    hour_bank_block_buy(contract=contract, actor=amy, minutes=600, price=Decimal("800.00"),
                        bought_on=date(2026, 1, 5))
    return contract


# ---------------------------------------------------------------- the drafting form


def _plan_form(org, policy, **overrides):
    data = form_data(org, policy, billing_model="hybrid", included_minutes="600", rollover_cap_minutes="120",
                     increment_minutes="30", penalty_cap_percent="12.5", credit_P1_response="5",
                     credit_P1_resolution="10", credit_P2_resolution="4", hourly_rate="85.00")
    data.update(overrides)
    return data


def test_it_saves_the_billing_plan_from_the_drafting_form(web, amy, org_a1, policy, provider):
    web.as_(amy).post(reverse("contract-create"), _plan_form(org_a1, policy))
    contract = Contract.objects.get()
    assert (contract.included_minutes, contract.rollover_cap_minutes, contract.increment_minutes,
            contract.penalty_cap_percent, contract.service_credits) == (
        600, 120, 30, Decimal("12.50"), {"P1": {"response": "5.00", "resolution": "10.00"},
                                         "P2": {"resolution": "4.00"}})


def test_it_saves_a_ticket_price_per_covered_type(web, amy, org_a1, policy, provider):
    data = _plan_form(org_a1, policy, billing_model="per_ticket", **{"types-0-ticket_price": "95.00",
                                                                     "types-1-ticket_price": "120.00"})
    web.as_(amy).post(reverse("contract-create"), data)
    prices = dict(Contract.objects.get().maintenance_types.values_list("maintenance_type", "ticket_price"))
    assert prices == {"preventive": Decimal("95.00"), "corrective": Decimal("120.00")}


def test_it_refuses_a_per_ticket_plan_without_a_price_and_saves_nothing(web, amy, org_a1, policy, provider):
    response = web.as_(amy).post(reverse("contract-create"), _plan_form(org_a1, policy, billing_model="per_ticket"))
    assert ("ticket" in str(response.context["form"].errors).lower(), Contract.objects.count()) == (True, 0)


def test_it_names_the_field_of_a_zero_increment(web, amy, org_a1, policy, provider):
    response = web.as_(amy).post(reverse("contract-create"), _plan_form(org_a1, policy, increment_minutes="0"))
    assert "increment_minutes" in response.context["form"].errors


def test_it_names_the_cell_of_a_credit_above_100(web, amy, org_a1, policy, provider):
    response = web.as_(amy).post(reverse("contract-create"), _plan_form(org_a1, policy, credit_P3_response="150"))
    assert "credit_P3_response" in response.context["form"].errors


def test_it_fills_the_form_with_the_drafts_plan(web, amy, org_a1, policy, provider):
    web.as_(amy).post(reverse("contract-create"), _plan_form(org_a1, policy))
    form = web.get(reverse("contract-edit", args=[Contract.objects.get().reference])).context["form"]
    assert (form["credit_P1_resolution"].value(), form["rollover_cap_minutes"].value()) == ("10.00", 120)


# ---------------------------------------------------------------- the contract API


def test_it_writes_the_billing_plan_through_the_api(api, amy, org_a1, policy, provider):
    body = api.as_(amy).post("/api/v1/contracts/", {
        "client": org_a1.reference, "title": "Hybrid", "object": "Maintenance", "billing_model": "hybrid",
        "included_minutes": 480, "rollover_cap_minutes": 60, "increment_minutes": 10,
        "service_credits": CREDITS, "penalty_cap_percent": "15"}, format="json").json()
    assert (body["included_minutes"], body["rollover_cap_minutes"], body["increment_minutes"],
            body["service_credits"]["P1"]["resolution"], body["penalty_cap_percent"]) == (480, 60, 10, "10.00",
                                                                                           "15.00")


def test_it_refuses_a_credit_cap_above_100_naming_the_field(api, amy, org_a1, provider):
    body = api.as_(amy).post("/api/v1/contracts/", {
        "client": org_a1.reference, "title": "Hybrid", "object": "Maintenance", "penalty_cap_percent": "120"},
        format="json").json()
    assert list(body["error"]["fields"]) == ["penalty_cap_percent"]


def test_it_refuses_an_unknown_priority_in_the_credit_grid(api, amy, org_a1, provider):
    body = api.as_(amy).post("/api/v1/contracts/", {
        "client": org_a1.reference, "title": "Hybrid", "object": "Maintenance",
        "service_credits": {"P9": {"response": "5"}}}, format="json").json()
    assert list(body["error"]["fields"]) == ["service_credits"]


def test_it_reads_the_ticket_prices_in_the_contract_detail(api, amy, make_contract):
    contract = make_contract("per_ticket")
    body = api.as_(amy).get(f"/api/v1/contracts/{contract.reference}/").json()
    assert {m["ticket_price"] for m in body["maintenance_types"] if m["included"]} == {"120.00"}


def test_it_sets_ticket_prices_through_the_scope(api, amy, org_a1, policy):
    from tests.contracts import factories as cf

    draft = cf.draft(actor=amy, client=org_a1, policy=policy, billing_model="per_ticket", scope=False)
    api.as_(amy).put(f"/api/v1/contracts/{draft.reference}/scope/", {"maintenance_types": [
        {"maintenance_type": "corrective", "included": True, "ticket_price": "99.00"}]}, format="json")
    assert list(draft.maintenance_types.values_list("ticket_price", flat=True)) == [Decimal("99.00")]


# ---------------------------------------------------------------- the contract page


def test_it_shows_the_plan_and_its_credit_grid_on_the_contract_page(web, amy, make_contract):
    contract = make_contract("flat_fee", service_credits=CREDITS, penalty_cap_percent=Decimal("10"))
    page = _text(web.as_(amy).get(reverse("contract-detail", args=[contract.reference])))
    assert 'id="billing"' in page and "10.00 %" in page and "Credits capped at 10 %" in page


def test_it_shows_the_hour_bank_balance_on_the_contract_page(web, amy, bank):
    page = _text(web.as_(amy).get(reverse("contract-detail", args=[bank.reference])))
    assert reverse("hour-bank-detail", args=[bank.reference]) in page and "10 h" in page


def test_it_lists_the_latest_invoices_on_the_contract_page(web, amy, make_contract):
    contract = make_contract("flat_fee")
    invoice = bf.issued(contract, 2026, 3, actor=amy)
    assert invoice.number in _text(web.as_(amy).get(reverse("contract-detail", args=[contract.reference])))


def test_it_never_shows_a_draft_invoice_on_the_clients_contract_page(web, clara, make_contract):
    contract = make_contract("flat_fee")
    draft = bf.run(contract, 2026, 3)
    page = _text(web.as_(clara).get(reverse("contract-detail", args=[contract.reference])))
    assert reverse("invoice-detail", args=[draft.reference]) not in page


# ---------------------------------------------------------------- the contract PDF

PDFTOTEXT = shutil.which("pdftotext")


@pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) is not installed")
def test_it_prints_the_plan_in_the_price_article_of_the_pdf(make_contract, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    contract = make_contract("hybrid", included_minutes=450, rollover_cap_minutes=120, increment_minutes=30,
                             service_credits=CREDITS, penalty_cap_percent=Decimal("12.50"), language="en")
    document = contract.documents.get(kind="contract")
    documents.document_render(document_id=document.pk, tenant_id=contract.tenant_id)
    path: Path = documents.document_path(document)
    text = " ".join(subprocess.run([PDFTOTEXT, "-enc", "UTF-8", str(path), "-"], check=True,
                                   capture_output=True).stdout.decode().split())
    article = text.split("Price and payment terms", 1)[1].split("Duration, renewal and notice", 1)[0]
    assert [part for part in ("Work included per month 7 h 30", "to the next month only, 2 h at most",
                              "each intervention rounded up to the next 30 minutes", "P1 5.00 % 10.00 %",
                              "P2 — 4.00 %", "never exceed 12.50 % of its base") if part not in article] == []


@pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) is not installed")
def test_it_prints_the_ticket_prices_of_a_per_ticket_plan(make_contract, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    contract = make_contract("per_ticket", language="en")
    document = contract.documents.get(kind="contract")
    documents.document_render(document_id=document.pk, tenant_id=contract.tenant_id)
    text = " ".join(subprocess.run([PDFTOTEXT, "-enc", "UTF-8", str(documents.document_path(document)), "-"],
                                   check=True, capture_output=True).stdout.decode().split())
    assert "Corrective €120.00" in text


# ---------------------------------------------------------------- the ticket page and the dashboard


def test_it_shows_the_hour_bank_balance_to_a_technician_before_logging_work(web, bob, amy, bank):
    ticket = bf.ticket(actor=amy, contract=bank, day=date(2026, 3, 2))
    bf.work(ticket=ticket, actor=bob, day=date(2026, 3, 2), minutes=50)  # rounded to 60
    with time_machine.travel("2026-03-03T10:00:00+00:00", tick=False):  # the ledger follows this month's work
        page = _text(web.as_(bob).get(reverse("ticket-detail", args=[ticket.reference])))
    assert "Hour bank: 9 h left on the contract." in page


def test_it_shows_no_hour_bank_on_the_ticket_page_of_another_plan(web, bob, amy, make_contract):
    ticket = bf.ticket(actor=amy, contract=make_contract("flat_fee"), day=date(2026, 3, 2))
    assert "Hour bank:" not in _text(web.as_(bob).get(reverse("ticket-detail", args=[ticket.reference])))


def test_it_shows_the_client_its_hour_bank_on_the_dashboard(web, clara, bank):
    page = _text(web.as_(clara).get(reverse("dashboard")))
    assert reverse("hour-bank-detail", args=[bank.reference]) in page and "10 h" in page


def test_it_shows_the_client_its_latest_invoices_on_the_dashboard(web, clara, amy, make_contract):
    invoice = bf.issued(make_contract("flat_fee"), 2026, 3, actor=amy)
    assert invoice.number in _text(web.as_(clara).get(reverse("dashboard")))


def test_it_plugs_into_the_contract_page_and_the_work_log_through_their_extension_points():
    from contracts.panels import registered_panels
    from tickets.panels import registered_work_notes

    assert ("billing.plan" in registered_panels(), registered_work_notes()) == (True, ["billing.hour_bank"])


def test_it_shows_no_hour_bank_note_to_a_client(web, clara, amy, bank):
    ticket = bf.ticket(actor=amy, contract=bank, day=date(2026, 3, 2))
    assert "Hour bank:" not in _text(web.as_(clara).get(reverse("ticket-detail", args=[ticket.reference])))

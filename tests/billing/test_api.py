"""Billing API: invoices (filters, detail, issue, payments, credit notes), hour banks
(balance, blocks, ledger, adjustments) and the monthly run, as each role, in the
project's one error shape and in the OpenAPI schema."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.core.management import call_command

from billing.models import BillingRun, HourBankMovement
from tests.billing import factories as bf
from tests.billing.conftest import ISSUE_DAY

pytestmark = pytest.mark.django_db


def _refs(response) -> list[str]:
    return [row["reference"] for row in response.json()["results"]]


# ---------------------------------------------------------------- invoices


def test_it_lists_invoices_with_drafts_for_provider_staff(api, amy, draft, issued):
    assert _refs(api.as_(amy).get("/api/v1/invoices/")) == [issued.number, f"draft-{draft.pk}"]


def test_it_lists_only_issued_invoices_to_a_client(api, cody, draft, issued):
    assert _refs(api.as_(cody).get("/api/v1/invoices/")) == [issued.number]


@pytest.mark.parametrize(("query", "expected"), [
    ("status=draft", ["draft"]), ("month=2026-03", ["issued"]), ("overdue=true", ["issued"]),
    ("overdue=false", ["draft"]),
])
def test_it_filters_the_invoice_list(api, amy, draft, issued, query, expected):
    names = {f"draft-{draft.pk}": "draft", issued.number: "issued"}
    assert [names[r] for r in _refs(api.as_(amy).get(f"/api/v1/invoices/?{query}"))] == expected


def test_it_filters_invoices_by_client_reference(api, amy, issued, make_contract, org_a2):
    other = bf.issued(make_contract("flat_fee", client=org_a2), 2026, 3, actor=amy, today=ISSUE_DAY)
    assert _refs(api.as_(amy).get(f"/api/v1/invoices/?client={org_a2.reference}")) == [other.number]


def test_it_refuses_a_malformed_month_filter_in_the_error_shape(api, amy, issued):
    body = api.as_(amy).get("/api/v1/invoices/?month=March").json()
    assert (body["error"]["status"], list(body["error"]["fields"])) == (400, ["month"])


def test_it_gives_an_invoice_with_its_lines(api, amy, issued):
    body = api.as_(amy).get(f"/api/v1/invoices/{issued.number}/").json()
    assert ([line["kind"] for line in body["lines"]], body["gross"], body["balance_due"]) == (
        ["fee"], "540.00", "540.00")


def test_it_hides_a_draft_from_the_client(api, cody, draft):
    assert api.as_(cody).get(f"/api/v1/invoices/draft-{draft.pk}/").status_code == 404


def test_it_hides_other_tenants_invoice(api, carol, issued):
    response = api.as_(carol).get(f"/api/v1/invoices/{issued.number}/")
    assert (response.status_code, response.json()["error"]["code"]) == (404, "not_found")


def test_it_issues_a_draft(api, amy, draft):
    body = api.as_(amy).post(f"/api/v1/invoices/draft-{draft.pk}/issue/").json()
    assert (body["status"], body["number"]) == ("issued", body["reference"])


def test_it_refuses_issuing_to_a_technician(api, bob, draft):
    response = api.as_(bob).post(f"/api/v1/invoices/draft-{draft.pk}/issue/")
    assert (response.status_code, response.json()["error"]["code"]) == (403, "permission_denied")


def test_it_refuses_issuing_twice_naming_the_field(api, amy, issued):
    body = api.as_(amy).post(f"/api/v1/invoices/{issued.number}/issue/").json()
    assert list(body["error"]["fields"]) == ["status"]


def test_it_records_a_partial_payment(api, amy, issued):
    response = api.as_(amy).post(f"/api/v1/invoices/{issued.number}/payments/", {
        "date": "2026-04-10", "amount": "200.00", "method": "transfer", "reference": "VIR-1"}, format="json")
    assert (response.status_code, response.json()["balance_due"], response.json()["status"]) == (
        201, "340.00", "issued")


def test_it_lists_the_payments_to_the_client(api, amy, cody, issued):
    api.as_(amy).post(f"/api/v1/invoices/{issued.number}/payments/", {
        "date": "2026-04-10", "amount": "540.00", "method": "card"}, format="json")
    assert [p["amount"] for p in api.as_(cody).get(f"/api/v1/invoices/{issued.number}/payments/").json()] == [
        "540.00"]


def test_it_refuses_a_payment_on_a_draft_naming_the_field(api, amy, draft):
    body = api.as_(amy).post(f"/api/v1/invoices/draft-{draft.pk}/payments/", {
        "date": "2026-04-10", "amount": "10.00", "method": "card"}, format="json").json()
    assert list(body["error"]["fields"]) == ["status"]


def test_it_refuses_a_payment_to_a_client(api, clara, issued):
    assert api.as_(clara).post(f"/api/v1/invoices/{issued.number}/payments/", {
        "date": "2026-04-10", "amount": "10.00", "method": "card"}, format="json").status_code == 403


def test_it_creates_a_credit_note_from_lines(api, amy, issued):
    response = api.as_(amy).post(f"/api/v1/invoices/{issued.number}/credit-notes/", {
        "reason": "Two days not covered", "lines": [{"label": "Days not covered", "quantity": "2",
                                                     "unit_price": "15.00"}]}, format="json")
    assert (response.status_code, response.json()["net"], response.json()["gross"]) == (201, "30.00", "36.00")


def test_it_refuses_a_credit_note_larger_than_what_remains(api, amy, issued):
    body = api.as_(amy).post(f"/api/v1/invoices/{issued.number}/credit-notes/", {
        "reason": "Too much", "amount": "999.00"}, format="json").json()
    assert (body["error"]["status"], list(body["error"]["fields"]), issued.credit_notes.count()) == (
        400, ["amount"], 0)


# ---------------------------------------------------------------- hour banks


def test_it_gives_the_hour_bank_balance_and_blocks(api, clara, bank):
    body = api.as_(clara).get(f"/api/v1/contracts/{bank.reference}/hour-bank/").json()
    assert (body["balance_minutes"], [b["remaining"] for b in body["blocks"]]) == (600, [600])


def test_it_gives_the_ledger_of_the_hour_bank(api, clara, bank):
    body = api.as_(clara).get(f"/api/v1/contracts/{bank.reference}/hour-bank/ledger/").json()
    assert [(m["kind"], m["minutes"]) for m in body] == [("purchase", 600)]


def test_it_hides_the_hour_bank_of_another_organization(api, dora, bank):
    assert api.as_(dora).get(f"/api/v1/contracts/{bank.reference}/hour-bank/").status_code == 404


def test_it_records_a_block_for_an_account_manager(api, amy, bank):
    response = api.as_(amy).post(f"/api/v1/contracts/{bank.reference}/hour-bank/blocks/", {
        "minutes": 300, "price": "400.00", "bought_on": "2026-02-01"}, format="json")
    assert (response.status_code, response.json()["remaining"]) == (201, 300)


def test_it_refuses_a_block_with_no_minutes_naming_the_field(api, amy, bank):
    body = api.as_(amy).post(f"/api/v1/contracts/{bank.reference}/hour-bank/blocks/", {
        "minutes": 0, "price": "400.00", "bought_on": "2026-02-01"}, format="json").json()
    assert list(body["error"]["fields"]) == ["minutes"]


def test_it_refuses_a_block_to_a_client(api, clara, bank):
    assert api.as_(clara).post(f"/api/v1/contracts/{bank.reference}/hour-bank/blocks/", {
        "minutes": 300, "price": "400.00", "bought_on": "2026-02-01"}, format="json").status_code == 403


def test_it_lets_a_tenant_admin_adjust_a_block(api, alice, bank):
    block = bank.hour_bank_blocks.get()
    response = api.as_(alice).post(f"/api/v1/contracts/{bank.reference}/hour-bank/adjustments/", {
        "block": block.reference, "minutes": -30, "reason": "Duplicate log"}, format="json")
    assert (response.status_code, HourBankMovement.objects.filter(kind="adjustment").count()) == (201, 1)


def test_it_requires_a_reason_to_adjust(api, alice, bank):
    block = bank.hour_bank_blocks.get()
    body = api.as_(alice).post(f"/api/v1/contracts/{bank.reference}/hour-bank/adjustments/", {
        "block": block.reference, "minutes": -30, "reason": " "}, format="json").json()
    assert list(body["error"]["fields"]) == ["reason"]


def test_it_refuses_adjusting_to_an_account_manager(api, amy, bank):
    block = bank.hour_bank_blocks.get()
    assert api.as_(amy).post(f"/api/v1/contracts/{bank.reference}/hour-bank/adjustments/", {
        "block": block.reference, "minutes": 30, "reason": "Gift"}, format="json").status_code == 403


# ---------------------------------------------------------------- the monthly run


def test_it_starts_a_run_and_reports_its_progress(api, alice, contract, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.as_(alice).post("/api/v1/billing-runs/", {"month": "2026-05"}, format="json")
    run = api.as_(alice).get(f"/api/v1/billing-runs/{response.json()['id']}/").json()
    assert (response.status_code, run["contracts"], run["invoices"], run["finished"]) == (202, 1, 1, True)


def test_it_refuses_a_run_of_a_month_not_over(api, alice, contract):
    body = api.as_(alice).post("/api/v1/billing-runs/", {"month": "2099-01"}, format="json").json()
    assert (body["error"]["status"], list(body["error"]["fields"]), BillingRun.objects.count()) == (400, ["month"], 0)


def test_it_refuses_the_run_to_an_account_manager(api, amy, contract):
    assert api.as_(amy).post("/api/v1/billing-runs/", {"month": "2026-05"}, format="json").status_code == 403


def test_it_hides_another_tenants_run(api, carol, tenant_a):
    run = BillingRun.objects.create(tenant=tenant_a, year=2026, month=5, trigger="manual", contracts=1)
    assert api.as_(carol).get(f"/api/v1/billing-runs/{run.pk}/").status_code == 404


def test_it_lists_the_runs_with_their_month(api, alice, tenant_a):
    BillingRun.objects.create(tenant=tenant_a, year=2026, month=5, trigger="manual", contracts=0)
    assert [r["month"] for r in api.as_(alice).get("/api/v1/billing-runs/").json()] == ["2026-05"]


# ---------------------------------------------------------------- schema


def test_it_documents_the_billing_endpoints_in_the_schema(tmp_path):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    assert all(path in text for path in ("/api/v1/invoices/{invoice_ref}/credit-notes/:", "/api/v1/billing-runs/:",
                                         "/api/v1/contracts/{contract_ref}/hour-bank/ledger/:"))


@pytest.mark.parametrize("path", ["hour-bank/adjustments/", "hour-bank/blocks/"])
def test_it_refuses_minutes_beyond_the_bound_naming_the_field(api, alice, bank, path):
    body = {"block": bank.hour_bank_blocks.get().reference, "minutes": 2 ** 63, "reason": "Typo",
            "price": "1.00", "bought_on": "2026-02-01"}
    response = api.as_(alice).post(f"/api/v1/contracts/{bank.reference}/{path}", body, format="json")
    assert (response.status_code, list(response.json()["error"]["fields"])) == (400, ["minutes"])


def test_a_technician_brings_the_hour_bank_up_to_date_before_reading_it(api, bob, cody, bank):
    import time_machine

    ticket = bf.ticket(actor=cody, contract=bank, day=date(2026, 3, 2))
    bf.work(ticket=ticket, actor=bob, day=date(2026, 3, 3), minutes=50)
    with time_machine.travel(datetime(2026, 3, 10, 12, tzinfo=UTC), tick=False):
        response = api.as_(bob).post(f"/api/v1/contracts/{bank.reference}/hour-bank/sync/")
    assert (response.status_code, response.json()["balance_minutes"]) == (200, 540)


def test_a_client_may_not_sync_the_hour_bank(api, clara, bank):
    assert api.as_(clara).post(f"/api/v1/contracts/{bank.reference}/hour-bank/sync/").status_code == 403


def test_another_tenant_does_not_find_the_hour_bank_to_sync(api, carol, bank):
    assert api.as_(carol).post(f"/api/v1/contracts/{bank.reference}/hour-bank/sync/").status_code == 404

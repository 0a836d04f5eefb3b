"""Billing pages: invoices (list, filters, totals, the invoice page and its actions,
documents), the monthly run page, the billing settings and the hour banks, as each
role; another tenant's or another organisation's invoice answers 404."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from billing.models import BillingRun, BillingSettings, HourBankMovement, Invoice, PdfStatus
from tests.billing import factories as bf
from tests.billing.conftest import ISSUE_DAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_client_invoice(make_contract, org_a2, amy):
    return bf.issued(make_contract("flat_fee", client=org_a2), 2026, 3, actor=amy, today=ISSUE_DAY)


def _url(invoice, name="invoice-detail", *args):
    return reverse(name, args=[invoice.reference, *args])


def _text(response) -> str:
    return response.content.decode()


# ---------------------------------------------------------------- the list


def test_it_lists_drafts_and_issued_invoices_to_an_account_manager(web, amy, draft, issued):
    page = _text(web.as_(amy).get(reverse("invoice-list")))
    assert (issued.number in page, _url(draft) in page) == (True, True)


def test_it_never_lists_a_draft_to_a_client(web, clara, draft, issued):
    page = _text(web.as_(clara).get(reverse("invoice-list")))
    assert (issued.number in page, _url(draft) in page) == (True, False)


def test_it_lists_only_the_clients_own_invoices(web, dora, issued, other_client_invoice):
    page = _text(web.as_(dora).get(reverse("invoice-list")))
    assert [n for n in Invoice.objects.values_list("number", flat=True) if n and n in page] == [
        other_client_invoice.number]


def test_it_filters_invoices_by_status(web, amy, draft, issued):
    response = web.as_(amy).get(reverse("invoice-list"), {"status": "draft"})
    assert [i.pk for i in response.context["page"]] == [draft.pk]


def test_it_filters_invoices_by_client(web, amy, issued, other_client_invoice, org_a2):
    response = web.as_(amy).get(reverse("invoice-list"), {"client": org_a2.reference})
    assert [i.pk for i in response.context["page"]] == [other_client_invoice.pk]


def test_it_filters_invoices_by_month(web, amy, draft, issued):
    response = web.as_(amy).get(reverse("invoice-list"), {"month": "2026-02"})
    assert [i.pk for i in response.context["page"]] == [draft.pk]


def test_it_filters_invoices_past_their_due_date(web, amy, draft, issued, contract):
    bf.issued(contract, 2026, 11, actor=amy, today=date(2026, 12, 1))  # due 31 December: not yet
    response = web.as_(amy).get(reverse("invoice-list"), {"overdue": "on"})
    assert [i.pk for i in response.context["page"]] == [issued.pk]


def test_it_shows_the_totals_per_status(web, amy, draft, issued):
    totals = {status: t for status, _label, t in web.as_(amy).get(reverse("invoice-list")).context["totals"]}
    assert (totals["draft"]["count"], totals["issued"]["count"], totals["issued"]["due"]) == (
        1, 1, Decimal("540.00"))


def test_it_leaves_the_drafts_total_out_for_a_client(web, clara, draft, issued):
    totals = [status for status, _label, _t in web.as_(clara).get(reverse("invoice-list")).context["totals"]]
    assert "draft" not in totals


def test_it_answers_the_htmx_filter_with_the_results_only(web, amy, issued):
    response = web.as_(amy).get(reverse("invoice-list"), {"status": "issued"}, HTTP_HX_REQUEST="true")
    assert "<html" not in _text(response) and issued.number in _text(response)


def test_it_shows_invoices_in_the_navigation_to_a_client(web, clara):
    assert reverse("invoice-list") in _text(web.as_(clara).get(reverse("dashboard")))


# ---------------------------------------------------------------- the invoice page


def test_it_shows_the_invoice_with_its_lines(web, amy, issued):
    page = _text(web.as_(amy).get(_url(issued)))
    assert issued.lines.get().label in page and "540.00" in page


def test_it_shows_a_client_its_issued_invoice(web, clara, issued):
    assert web.as_(clara).get(_url(issued)).status_code == 200


def test_it_hides_a_draft_from_its_client(web, clara, draft):
    assert web.as_(clara).get(_url(draft)).status_code == 404


def test_it_hides_another_organizations_invoice_from_a_client(web, dora, issued):
    assert web.as_(dora).get(_url(issued)).status_code == 404


def test_it_hides_other_tenants_invoice(web, carol, issued):
    assert web.as_(carol).get(_url(issued)).status_code == 404


def test_it_hides_other_tenants_draft(web, carol, draft):
    assert web.as_(carol).get(_url(draft)).status_code == 404


def test_it_names_an_issued_invoice_by_its_number_not_its_draft_id(web, amy, issued):
    assert web.as_(amy).get(reverse("invoice-detail", args=[f"draft-{issued.pk}"])).status_code == 404


def test_it_shows_the_issue_button_to_an_account_manager_only(web, amy, bob, draft):
    issue = _url(draft, "invoice-issue")
    assert (issue in _text(web.as_(amy).get(_url(draft))), issue in _text(web.as_(bob).get(_url(draft)))) == (
        True, False)


def test_it_issues_a_draft_from_its_page(web, amy, draft):
    response = web.as_(amy).post(_url(draft, "invoice-issue"))
    draft.refresh_from_db()
    assert (draft.status, response["Location"]) == ("issued", reverse("invoice-detail", args=[draft.number]))


def test_it_refuses_issuing_to_a_technician(web, bob, draft):
    assert web.as_(bob).post(_url(draft, "invoice-issue")).status_code == 403


def test_it_refuses_issuing_another_tenants_draft_with_404(web, carol, draft):
    assert web.as_(carol).post(_url(draft, "invoice-issue")).status_code == 404


def test_it_reports_issuing_twice_as_a_message(web, amy, issued):
    response = web.as_(amy).post(reverse("invoice-issue", args=[issued.number]), follow=True)
    assert "already issued" in _text(response)


def test_it_records_a_payment_from_the_invoice_page(web, amy, issued):
    web.as_(amy).post(_url(issued, "invoice-payment"), {
        "date": "2026-04-10", "amount": "540.00", "method": "transfer", "reference": "VIR-42"})
    issued.refresh_from_db()
    assert (issued.status, issued.amount_paid) == ("paid", Decimal("540.00"))


def test_it_reports_a_payment_above_what_is_due_and_records_nothing(web, amy, issued):
    response = web.as_(amy).post(_url(issued, "invoice-payment"), {
        "date": "2026-04-10", "amount": "999.00", "method": "transfer"}, follow=True)
    assert ("more than what is due" in _text(response), issued.payments.count()) == (True, 0)


def test_it_refuses_a_payment_to_a_client(web, clara, issued):
    assert web.as_(clara).post(_url(issued, "invoice-payment"), {
        "date": "2026-04-10", "amount": "540.00", "method": "transfer"}).status_code == 403


def test_it_creates_a_partial_credit_note_from_the_invoice_page(web, amy, issued):
    web.as_(amy).post(_url(issued, "invoice-credit"), {"reason": "Goodwill", "amount": "100.00"})
    assert list(issued.credit_notes.values_list("net", "gross")) == [(Decimal("100.00"), Decimal("120.00"))]


def test_it_credits_all_that_remains_when_no_amount_is_given(web, amy, issued):
    web.as_(amy).post(_url(issued, "invoice-credit"), {"reason": "Billed by mistake"})
    issued.refresh_from_db()
    assert issued.status == "cancelled"


def test_it_refuses_a_credit_note_to_a_technician(web, bob, issued):
    assert web.as_(bob).post(_url(issued, "invoice-credit"), {"reason": "x"}).status_code == 403


def test_it_lists_the_breached_tickets_under_the_credit_line(web, amy, make_contract, bob):
    from datetime import UTC, datetime

    contract = make_contract("flat_fee", penalty_cap_percent=Decimal("10"),
                             service_credits={"P3": {"resolution": "5"}})
    ticket = bf.ticket(actor=amy, contract=contract, day=date(2026, 3, 2))
    bf.breach(ticket=ticket, at=datetime(2026, 3, 5, 12, tzinfo=UTC))
    invoice = bf.run(contract, 2026, 3)
    page = _text(web.as_(amy).get(_url(invoice)))
    assert ticket.reference in page


# ---------------------------------------------------------------- documents


def test_it_answers_404_for_the_pdf_until_it_is_rendered(web, amy, issued):
    assert web.as_(amy).get(_url(issued, "invoice-download", "pdf")).status_code == 404


def test_it_hides_the_download_buttons_until_the_pdf_is_rendered(web, amy, issued):
    assert _url(issued, "invoice-download", "pdf") not in _text(web.as_(amy).get(_url(issued)))


def _rendered(invoice, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    folder = tmp_path / "invoices"
    folder.mkdir()
    (folder / f"{invoice.number}.pdf").write_bytes(b"%PDF-1.7 invoice")
    (folder / f"{invoice.number}.xml").write_bytes(b"<rsm:CrossIndustryInvoice/>")
    Invoice.objects.filter(pk=invoice.pk).update(pdf_path=f"invoices/{invoice.number}.pdf",
                                                 pdf_status=PdfStatus.READY)


def test_it_lets_the_client_download_its_rendered_pdf(web, clara, issued, tmp_path, settings):
    _rendered(issued, tmp_path, settings)
    response = web.as_(clara).get(_url(issued, "invoice-download", "pdf"))
    assert (response.status_code, b"".join(response.streaming_content)) == (200, b"%PDF-1.7 invoice")


def test_it_serves_the_factur_x_xml_carried_by_the_pdf(web, amy, issued, tmp_path, settings):
    from billing import documents

    settings.MEDIA_ROOT = tmp_path
    documents.invoice_pdf_render(tenant_id=issued.tenant_id, invoice_id=issued.pk)
    response = web.as_(amy).get(_url(issued, "invoice-download", "xml"))
    assert response["Content-Type"] == "application/xml"
    assert b"CrossIndustryInvoice" in response.content and issued.number.encode() in response.content


def test_it_hides_another_tenants_rendered_pdf(web, carol, issued, tmp_path, settings):
    _rendered(issued, tmp_path, settings)
    assert web.as_(carol).get(_url(issued, "invoice-download", "pdf")).status_code == 404


def test_it_answers_404_for_the_monthly_report_until_it_is_rendered(web, amy, issued):
    assert web.as_(amy).get(_url(issued, "invoice-report")).status_code == 404


def test_it_links_the_monthly_report_once_rendered(web, amy, issued, contract):
    from billing.models import MonthlyReport

    MonthlyReport.objects.update_or_create(
        tenant_id=contract.tenant_id, contract=contract, year=issued.year, month=issued.month,
        defaults={"file_path": f"reports/{contract.tenant_id}/{contract.reference}/x.pdf"})
    assert _url(issued, "invoice-report") in _text(web.as_(amy).get(_url(issued)))


# ---------------------------------------------------------------- the monthly run


def test_it_starts_the_run_of_a_past_month(web, alice, contract, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        web.as_(alice).post(reverse("billing-run"), {"month": "2026-05"})
    assert list(Invoice.objects.values_list("contract_id", "year", "month")) == [(contract.pk, 2026, 5)]


def test_it_records_who_started_the_run(web, alice, contract, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        web.as_(alice).post(reverse("billing-run"), {"month": "2026-05"})
    assert list(BillingRun.objects.values_list("requested_by", "trigger", "contracts")) == [(alice.pk, "manual", 1)]


def test_it_offers_only_past_months(web, alice, tenant_a):
    from billing.selectors import local_today

    this_month = local_today(tenant_a).strftime("%Y-%m")
    choices = [value for value, _label in web.as_(alice).get(reverse("billing-run")).context["form"]
               .fields["month"].choices]
    assert len(choices) == 12 and all(value < this_month for value in choices)


def test_it_refuses_a_month_not_offered(web, alice, contract):
    response = web.as_(alice).post(reverse("billing-run"), {"month": "2099-01"})
    assert (response.status_code, BillingRun.objects.count()) == (200, 0)


def test_it_refuses_the_run_page_to_an_account_manager(web, amy):
    assert web.as_(amy).get(reverse("billing-run")).status_code == 403


def test_it_polls_the_progress_while_a_run_is_under_way(web, alice, contract, tenant_a):
    BillingRun.objects.create(tenant=tenant_a, year=2026, month=5, trigger="manual", contracts=1)
    page = _text(web.as_(alice).get(reverse("billing-run-progress")))
    assert 'hx-trigger="every 2s"' in page and "0 / 1" in page


def test_it_stops_polling_once_every_invoice_is_made(web, alice, contract, tenant_a):
    BillingRun.objects.create(tenant=tenant_a, year=2026, month=5, trigger="manual", contracts=1)
    bf.run(contract, 2026, 5)
    page = _text(web.as_(alice).get(reverse("billing-run-progress")))
    assert "hx-trigger" not in page and "1 / 1" in page


# ---------------------------------------------------------------- settings


def test_it_saves_the_billing_settings(web, alice, tenant_a):
    web.as_(alice).post(reverse("billing-settings"), {
        "time_zone": "America/Montreal", "unpaid_suspend_days": "45", "auto_issue": "on",
        "recovery_indemnity": "40.00"})
    row = BillingSettings.objects.get(tenant=tenant_a)
    assert (row.time_zone, row.unpaid_suspend_days, row.auto_issue) == ("America/Montreal", 45, True)


def test_it_refuses_the_billing_settings_to_an_account_manager(web, amy):
    assert web.as_(amy).get(reverse("billing-settings")).status_code == 403


def test_it_names_the_field_of_a_bad_delay(web, alice):
    response = web.as_(alice).post(reverse("billing-settings"), {"time_zone": "Europe/Paris",
                                                                  "unpaid_suspend_days": "0",
                                                                  "recovery_indemnity": "40.00"})
    assert list(response.context["form"].errors) == ["unpaid_suspend_days"]


def test_it_saves_the_bank_details_and_the_indemnity_from_the_page(web, alice, tenant_a):
    web.as_(alice).post(reverse("billing-settings"), {
        "time_zone": "Europe/Paris", "unpaid_suspend_days": "30", "recovery_indemnity": "50.00",
        "late_interest_rate": "12.5", "iban": "FR76 3000 6000 0112 3456 7890 189", "bic": "BNPAFRPP"})
    row = BillingSettings.objects.get(tenant=tenant_a)
    assert (row.iban, row.bic, row.recovery_indemnity, row.late_interest_rate) == (
        "FR7630006000011234567890189", "BNPAFRPP", Decimal("50.00"), Decimal("12.50"))


def test_it_names_the_field_of_a_bad_iban_on_the_page(web, alice):
    response = web.as_(alice).post(reverse("billing-settings"), {
        "time_zone": "Europe/Paris", "unpaid_suspend_days": "30", "recovery_indemnity": "40.00",
        "iban": "FR76 3000 6000 0112 3456 7890 188"})
    assert list(response.context["form"].errors) == ["iban"]


# ---------------------------------------------------------------- hour banks


def test_it_shows_a_client_its_hour_bank_balance(web, clara, bank):
    response = web.as_(clara).get(reverse("hour-bank-detail", args=[bank.reference]))
    assert (response.context["balance"], "10 h" in _text(response)) == (600, True)


def test_it_shows_a_client_its_hour_banks_on_the_invoices_page(web, clara, bank):
    assert reverse("hour-bank-detail", args=[bank.reference]) in _text(web.as_(clara).get(reverse("invoice-list")))


def test_it_hides_the_hour_bank_actions_from_a_client(web, clara, bank):
    page = _text(web.as_(clara).get(reverse("hour-bank-detail", args=[bank.reference])))
    assert reverse("hour-bank-buy", args=[bank.reference]) not in page


def test_it_hides_another_organizations_hour_bank(web, dora, bank):
    assert web.as_(dora).get(reverse("hour-bank-detail", args=[bank.reference])).status_code == 404


def test_it_hides_other_tenants_hour_bank(web, carol, bank):
    assert web.as_(carol).get(reverse("hour-bank-detail", args=[bank.reference])).status_code == 404


def test_it_answers_404_for_the_hour_bank_of_a_flat_fee_contract(web, amy, contract):
    assert web.as_(amy).get(reverse("hour-bank-detail", args=[contract.reference])).status_code == 404


def test_it_lets_an_account_manager_record_a_block(web, amy, bank):
    web.as_(amy).post(reverse("hour-bank-buy", args=[bank.reference]), {
        "minutes": "300", "price": "400.00", "bought_on": "2026-02-01"})
    assert bank.hour_bank_blocks.count() == 2


def test_it_refuses_a_block_to_a_technician(web, bob, bank):
    assert web.as_(bob).post(reverse("hour-bank-buy", args=[bank.reference]), {
        "minutes": "300", "price": "400.00", "bought_on": "2026-02-01"}).status_code == 403


def test_it_lets_a_tenant_admin_adjust_with_a_reason(web, alice, bank):
    block = bank.hour_bank_blocks.get()
    web.as_(alice).post(reverse("hour-bank-adjust", args=[bank.reference]), {
        "block": block.reference, "minutes": "-60", "reason": "Meeting not billable"})
    assert list(HourBankMovement.objects.filter(kind="adjustment").values_list("minutes", "reason")) == [
        (-60, "Meeting not billable")]


def test_it_requires_a_reason_to_adjust(web, alice, bank):
    block = bank.hour_bank_blocks.get()
    response = web.as_(alice).post(reverse("hour-bank-adjust", args=[bank.reference]), {
        "block": block.reference, "minutes": "-60", "reason": ""}, follow=True)
    assert ("Reason" in _text(response), HourBankMovement.objects.filter(kind="adjustment").count()) == (True, 0)


def test_it_refuses_adjusting_to_an_account_manager(web, amy, bank):
    block = bank.hour_bank_blocks.get()
    assert web.as_(amy).post(reverse("hour-bank-adjust", args=[bank.reference]), {
        "block": block.reference, "minutes": "60", "reason": "Gift"}).status_code == 403

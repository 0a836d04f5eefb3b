"""Billing documents through the API: invoice and credit-note PDFs and their Factur-X
XML, and the monthly reports (list, detail, PDF, regenerate), through the same services
and policy as the pages; a client sees only its organisation's."""

from __future__ import annotations

from datetime import date

import pytest

from billing import documents
from billing.models import Invoice, MonthlyReport, PdfStatus
from billing.services import credit_note_create
from tests.billing import factories as bf
from tests.billing.conftest import ISSUE_DAY

pytestmark = pytest.mark.django_db


def _stored(tmp_path, settings, name: str, content: bytes = b"%PDF-1.7 test") -> str:
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "files").mkdir(exist_ok=True)
    (tmp_path / "files" / name).write_bytes(content)
    return f"files/{name}"


@pytest.fixture
def report(contract):
    return MonthlyReport.objects.create(tenant_id=contract.tenant_id, contract=contract, year=2026, month=3)


@pytest.fixture
def other_report(make_contract, org_a2):
    contract = make_contract("flat_fee", client=org_a2)
    return MonthlyReport.objects.create(tenant_id=contract.tenant_id, contract=contract, year=2026, month=3)


def _report_url(report, suffix=""):
    return f"/api/v1/reports/{report.contract.reference}/{report.year}-{report.month:02d}/{suffix}"


# ---------------------------------------------------------------- invoices and credit notes


def test_it_gives_the_client_its_invoice_pdf(api, clara, issued, tmp_path, settings):
    path = _stored(tmp_path, settings, "inv.pdf")
    Invoice.objects.filter(pk=issued.pk).update(pdf_path=path, pdf_status=PdfStatus.READY)
    response = api.as_(clara).get(f"/api/v1/invoices/{issued.number}/pdf/")
    assert (response.status_code, b"".join(response.streaming_content)) == (200, b"%PDF-1.7 test")


def test_it_answers_404_for_an_invoice_pdf_not_rendered_yet(api, amy, issued):
    assert api.as_(amy).get(f"/api/v1/invoices/{issued.number}/pdf/").status_code == 404


def test_it_hides_another_organisations_invoice_pdf(api, dora, issued, tmp_path, settings):
    path = _stored(tmp_path, settings, "inv.pdf")
    Invoice.objects.filter(pk=issued.pk).update(pdf_path=path, pdf_status=PdfStatus.READY)
    assert api.as_(dora).get(f"/api/v1/invoices/{issued.number}/pdf/").status_code == 404


def test_it_serves_the_xml_carried_by_the_invoice_pdf(api, amy, issued, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    documents.invoice_pdf_render(tenant_id=issued.tenant_id, invoice_id=issued.pk)
    response = api.as_(amy).get(f"/api/v1/invoices/{issued.number}/xml/")
    assert (response.status_code, response["Content-Type"], issued.number.encode() in response.content) == (
        200, "application/xml", True)


def test_it_serves_a_credit_note_pdf_and_its_xml(api, clara, amy, issued, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    note = credit_note_create(invoice=issued, actor=amy, reason="Goodwill", amount="10.00", today=ISSUE_DAY)
    documents.credit_note_pdf_render(tenant_id=note.tenant_id, note_id=note.pk)
    base = f"/api/v1/invoices/{issued.number}/credit-notes/{note.number}/"
    pdf, xml = api.as_(clara).get(base + "pdf/"), api.as_(clara).get(base + "xml/")
    assert (pdf.status_code, xml.status_code, note.number.encode() in xml.content) == (200, 200, True)


def test_it_refuses_a_credit_note_under_another_invoice(api, amy, issued, contract):
    note = credit_note_create(invoice=issued, actor=amy, reason="Goodwill", amount="10.00", today=ISSUE_DAY)
    other = bf.issued(contract, 2026, 4, actor=amy, today=date(2026, 5, 2))
    assert api.as_(amy).get(f"/api/v1/invoices/{other.number}/credit-notes/{note.number}/pdf/").status_code == 404


# ---------------------------------------------------------------- monthly reports


def test_it_lists_to_a_client_only_its_organisations_reports(api, clara, report, other_report):
    body = api.as_(clara).get("/api/v1/reports/").json()
    assert [(r["contract"], r["month"]) for r in body] == [(report.contract.reference, "2026-03")]


def test_it_filters_the_reports_by_contract_and_month(api, amy, report, other_report):
    body = api.as_(amy).get("/api/v1/reports/", {"contract": other_report.contract.reference,
                                                  "month": "2026-03"}).json()
    assert [r["contract"] for r in body] == [other_report.contract.reference]


def test_it_refuses_a_malformed_month_filter_naming_the_field(api, amy):
    response = api.as_(amy).get("/api/v1/reports/", {"month": "March"})
    assert (response.status_code, list(response.json()["error"]["fields"])) == (400, ["month"])


def test_it_gives_a_report_with_its_status(api, clara, report):
    assert api.as_(clara).get(_report_url(report)).json()["status"] == "queued"


def test_it_hides_another_organisations_report(api, clara, other_report):
    assert api.as_(clara).get(_report_url(other_report)).status_code == 404


def test_it_serves_the_rendered_report_pdf(api, clara, report, tmp_path, settings):
    path = _stored(tmp_path, settings, "report.pdf")
    MonthlyReport.objects.filter(pk=report.pk).update(file_path=path, status=PdfStatus.READY)
    response = api.as_(clara).get(_report_url(report, "pdf/"))
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")


def test_it_regenerates_a_report_for_an_account_manager(api, amy, report, django_capture_on_commit_callbacks):
    MonthlyReport.objects.filter(pk=report.pk).update(status=PdfStatus.FAILED, error="boom")
    response = api.as_(amy).post(_report_url(report, "regenerate/"))
    assert (response.status_code, response.json()["status"]) == (202, "queued")


def test_it_refuses_regenerating_to_a_client(api, clara, report):
    assert api.as_(clara).post(_report_url(report, "regenerate/")).status_code == 403


def test_it_refuses_regenerating_a_month_not_over(api, amy, contract):
    response = api.as_(amy).post(f"/api/v1/reports/{contract.reference}/2099-01/regenerate/")
    assert (response.status_code, list(response.json()["error"]["fields"])) == (400, ["month"])


# --------------------------------------------------------------------------- render again


def test_an_account_manager_queues_an_invoice_pdf_again(api, amy, issued):
    response = api.as_(amy).post(f"/api/v1/invoices/{issued.number}/pdf/render/")
    assert (response.status_code, response.json()["pdf_status"]) == (202, "queued")


def test_a_client_may_not_render_an_invoice_pdf(api, clara, issued):
    assert api.as_(clara).post(f"/api/v1/invoices/{issued.number}/pdf/render/").status_code == 403


def test_another_tenant_does_not_find_the_invoice_to_render(api, carol, issued):
    assert api.as_(carol).post(f"/api/v1/invoices/{issued.number}/pdf/render/").status_code == 404

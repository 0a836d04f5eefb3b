"""The Factur-X invoice and credit-note PDFs (billing/documents.py, billing/facturx.py),
rendered by the real WeasyPrint and read back: the text with pdftotext, the embedded
XML with factur-x, validated against the official EN 16931 schema it ships.

One invoice of a busy month (French contract: fee, overage, work on quote, an SLA
credit), an English invoice and a credit note are built and rendered once for the
module, inside a transaction rolled back at the end; the tests read what came out.
The failure, retry, queueing and download tests render on their own."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from unittest import mock

import facturx
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.test import override_settings
from pypdf import PdfReader

from billing import documents
from billing.models import Invoice
from billing.services import credit_note_create, invoice_issue
from billing.tasks import invoice_pdf_task
from tests.billing import documents as bd
from tests.billing import factories as bf

pytestmark = pytest.mark.skipif(bd.PDFTOTEXT is None, reason="pdftotext (poppler-utils) is not installed")


@dataclass
class Rendered:
    invoice: Invoice
    lines: list
    provider: object
    client: object
    path: Path
    sha256: str
    text: str
    xml: bytes
    xml_name: str
    reader: PdfReader
    en_text: str
    en_xml: bytes
    note: object
    note_text: str
    note_xml: bytes


def _build(media_root: Path) -> Rendered:
    tenant, manager, tech, provider, client, policy = bd.world("inv")
    contract = bd.hybrid_contract(manager=manager, client=client, policy=policy)
    bd.busy_march(contract=contract, manager=manager, tech=tech)
    invoice = bf.issued(contract, 2026, 3, actor=manager, today=bd.ISSUED_ON)
    english = bf.contract(actor=manager, client=client, policy=policy, billing_model="flat_fee", language="en",
                          monthly_fee=Decimal("450.00"))
    en_invoice = bf.issued(english, 2026, 3, actor=manager, today=bd.ISSUED_ON)
    note = credit_note_create(invoice=invoice, actor=manager, reason="Geste commercial : panne du 12 mars",
                              amount="100.00", today=date(2026, 4, 20))
    with override_settings(MEDIA_ROOT=media_root):
        invoice = documents.invoice_pdf_render(tenant_id=tenant.pk, invoice_id=invoice.pk)
        path = media_root / invoice.pdf_path
        data = path.read_bytes()
        name, xml = facturx.get_xml_from_pdf(data, check_xsd=False)
        bd.keep(path, "invoice-fr.pdf")
        en_invoice = documents.invoice_pdf_render(tenant_id=tenant.pk, invoice_id=en_invoice.pk)
        en_path = media_root / en_invoice.pdf_path
        bd.keep(en_path, "invoice-en.pdf")
        note = documents.credit_note_pdf_render(tenant_id=tenant.pk, note_id=note.pk)
        note_path = media_root / note.pdf_path
        bd.keep(note_path, "credit-note-fr.pdf")
        return Rendered(
            invoice=invoice, lines=list(invoice.lines.order_by("position")), provider=provider, client=client,
            path=path, sha256=hashlib.sha256(data).hexdigest(), text=bd.pdf_text(path), xml=xml, xml_name=name,
            reader=PdfReader(path), en_text=bd.pdf_text(en_path),
            en_xml=facturx.get_xml_from_pdf(en_path.read_bytes(), check_xsd=False)[1], note=note,
            note_text=bd.pdf_text(note_path),
            note_xml=facturx.get_xml_from_pdf(note_path.read_bytes(), check_xsd=False)[1])


@pytest.fixture(scope="module")
def rendered(django_db_setup, django_db_blocker, tmp_path_factory) -> Rendered:
    media_root = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), transaction.atomic():
        result = _build(media_root)
        transaction.set_rollback(True)  # nothing stays in the test database
    return result


def amounts(xml: bytes, path: str) -> list[Decimal]:
    return [Decimal(v) for v in bd.xpath(xml, path)]


SUMMATION = "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:"

# =========================================================================== the file


def test_it_renders_the_issued_invoice_as_ready(rendered):
    assert (rendered.invoice.pdf_status, rendered.invoice.pdf_error) == ("ready", "")


def test_it_stores_the_pdf_under_the_tenant_and_number(rendered):
    invoice = rendered.invoice
    assert invoice.pdf_path == f"invoices/{invoice.tenant_id}/{invoice.number}.pdf"


def test_it_stores_the_sha256_of_the_file(rendered):
    assert rendered.invoice.pdf_sha256 == rendered.sha256


def test_it_leaves_no_temporary_file(rendered):
    assert [p.name for p in rendered.path.parent.iterdir() if p.suffix != ".pdf"] == []


def test_it_writes_a_pdf_a_3b_with_an_output_intent(rendered):
    root = rendered.reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert "<pdfaid:part>3</pdfaid:part>" in xmp and "<pdfaid:conformance>B</pdfaid:conformance>" in xmp
    assert root["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"


def test_it_declares_the_factur_x_en16931_profile_in_the_metadata(rendered):
    xmp = rendered.reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert re.search(r"<fx:ConformanceLevel>\s*EN 16931\s*</fx:ConformanceLevel>", xmp)


def test_it_embeds_the_xml_as_factur_x_xml_with_the_data_relationship(rendered):
    root = rendered.reader.trailer["/Root"]
    spec = root["/AF"][0].get_object()
    assert (rendered.xml_name, spec["/F"], spec["/AFRelationship"]) == ("factur-x.xml", "factur-x.xml", "/Data")


# =========================================================================== the XML


def test_it_embeds_xml_valid_against_the_official_en16931_schema(rendered):
    assert facturx.xml_check_xsd(rendered.xml, flavor="factur-x", level="en16931") is True


def test_it_declares_the_en16931_guideline(rendered):
    assert bd.xpath(rendered.xml, "//ram:GuidelineSpecifiedDocumentContextParameter/ram:ID") == [
        "urn:cen.eu:en16931:2017"]


def test_it_gives_the_xml_the_invoice_number_type_and_dates(rendered):
    xml = rendered.xml
    assert bd.xpath(xml, "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:ID") == [rendered.invoice.number]
    assert bd.xpath(xml, "//rsm:ExchangedDocument/ram:TypeCode") == ["380"]
    assert bd.xpath(xml, "//rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString") == ["20260402"]
    assert bd.xpath(xml, "//ram:BillingSpecifiedPeriod//udt:DateTimeString") == ["20260301", "20260331"]
    assert bd.xpath(xml, "//ram:DueDateDateTime/udt:DateTimeString") == ["20260502"]


def test_it_gives_the_xml_the_invoices_totals(rendered):
    invoice, xml = rendered.invoice, rendered.xml
    assert amounts(xml, SUMMATION + "TaxBasisTotalAmount") == [invoice.net]
    assert amounts(xml, SUMMATION + "TaxTotalAmount") == [invoice.vat]
    assert amounts(xml, SUMMATION + "GrandTotalAmount") == [invoice.gross]
    assert amounts(xml, SUMMATION + "DuePayableAmount") == [invoice.gross]


def test_it_gives_the_xml_the_invoices_line_totals(rendered):
    billed = [line.amount for line in rendered.lines if line.kind != "credit"]
    assert amounts(rendered.xml, "//ram:SpecifiedLineTradeSettlement//ram:LineTotalAmount") == billed
    assert amounts(rendered.xml, SUMMATION + "LineTotalAmount") == [sum(billed)]


def test_it_gives_the_xml_each_lines_quantity_unit_and_price(rendered):
    billed = [line for line in rendered.lines if line.kind != "credit"]
    units = {"month": "MON", "hour": "HUR", "ticket": "C62", "unit": "C62"}
    tree_quantities = bd.xpath(rendered.xml, "//ram:BilledQuantity")
    codes = bd.xpath(rendered.xml, "//ram:BilledQuantity/@unitCode")
    prices = amounts(rendered.xml, "//ram:NetPriceProductTradePrice/ram:ChargeAmount")
    assert [Decimal(q) for q in tree_quantities] == [line.quantity for line in billed]
    assert codes == [units[line.unit] for line in billed]
    assert prices == [line.unit_price for line in billed]


def test_it_puts_the_sla_credit_as_a_document_level_allowance(rendered):
    credit = next(line for line in rendered.lines if line.kind == "credit")
    xml = rendered.xml
    assert bd.xpath(xml, "//ram:ApplicableHeaderTradeSettlement/ram:SpecifiedTradeAllowanceCharge"
                         "/ram:ChargeIndicator/udt:Indicator") == ["false"]
    assert amounts(xml, "//ram:ApplicableHeaderTradeSettlement/ram:SpecifiedTradeAllowanceCharge/ram:ActualAmount") == [
        -credit.amount]
    assert amounts(xml, SUMMATION + "AllowanceTotalAmount") == [-credit.amount]


def test_it_taxes_the_net_after_the_credit(rendered):
    invoice = rendered.invoice
    assert amounts(rendered.xml, "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:BasisAmount") == [
        invoice.net]
    assert amounts(rendered.xml, "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:CalculatedAmount") \
        == [invoice.vat]


def test_it_gives_the_xml_both_parties_identities(rendered):
    xml = rendered.xml
    for role, org in (("Seller", rendered.provider), ("Buyer", rendered.client)):
        party = f"//ram:{role}TradeParty/"
        assert bd.xpath(xml, party + "ram:Name") == [org.legal_name]
        assert bd.xpath(xml, party + "ram:GlobalID[@schemeID='0009']") == [org.siret]
        assert bd.xpath(xml, party + "ram:SpecifiedLegalOrganization/ram:ID[@schemeID='0002']") == [org.siren]
        assert bd.xpath(xml, party + "ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']") == [org.vat_number]
        assert bd.xpath(xml, party + "ram:PostalTradeAddress/ram:CityName") == [org.city]


def test_it_gives_the_xml_the_french_mandatory_mentions_as_notes(rendered):
    assert bd.xpath(rendered.xml, "//rsm:ExchangedDocument/ram:IncludedNote/ram:SubjectCode") == [
        "PMD", "PMT", "AAB"]


def test_it_gives_the_xml_the_contract_reference(rendered):
    assert bd.xpath(rendered.xml, "//ram:ContractReferencedDocument/ram:IssuerAssignedID") == [
        rendered.invoice.contract.reference]


# =========================================================================== the printed invoice (French)


def test_it_titles_the_document_in_the_contracts_language(rendered):
    assert "FACTURE" in rendered.text and f"N° {rendered.invoice.number}" in rendered.text


def test_it_prints_both_parties_legal_identities(rendered):
    for org in (rendered.provider, rendered.client):
        assert org.legal_name in rendered.text
        assert f"SIREN : {org.siren} · SIRET : {org.siret}" in rendered.text
        assert f"N° de TVA : {org.vat_number}" in rendered.text
    assert "4 place Bellecour, 69002 Lyon (FR)" in rendered.text


def test_it_prints_the_dates_and_the_period_of_service(rendered):
    text = rendered.text
    assert "Date d'émission 02/04/2026" in text and "Échéance 02/05/2026" in text
    assert "01/03/2026 au 31/03/2026" in text


def test_it_prints_each_line_with_quantity_unit_and_unit_price(rendered):
    fee, overage = rendered.lines[0], rendered.lines[1]
    assert (fee.label, fee.quantity, overage.quantity, overage.amount) == (
        "Redevance de maintenance, mars 2026", Decimal("1"), Decimal("3.5"), Decimal("297.50"))
    assert "1 mois 900,00 € 900,00 €" in rendered.text
    assert "3,5 heures 85,00 € 297,50 €" in rendered.text


def test_it_lists_the_breached_tickets_under_the_credit_line(rendered):
    credit = next(line for line in rendered.lines if line.kind == "credit")
    for breach in credit.detail["breaches"]:
        assert breach["ticket"] in rendered.text
    assert "délai de résolution dépassé le 05/03/2026 · 5 %" in rendered.text


def test_it_prints_the_vat_breakdown_and_the_totals(rendered):
    text = " ".join(rendered.text.replace("\u202f", " ").replace("\xa0", " ").split())
    assert "Détail de la TVA Taux Base HT TVA 20 % 1 226,50 € 245,30 €" in text
    assert "Prestations HT 1 346,25 €" in text and "Total HT 1 226,50 €" in text
    assert "TVA 20 % 245,30 € Total TTC 1 471,80 € Net à payer 1 471,80 €" in text


def test_it_prints_the_french_mandatory_mentions(rendered):
    text = rendered.text
    assert "taux de refinancement de la Banque centrale européenne majoré de 10 points" in text
    assert "indemnité forfaitaire pour frais de recouvrement de 40,00 €" in text
    assert "Aucun escompte n'est accordé pour paiement anticipé." in text


def test_it_prints_the_payment_terms(rendered):
    assert "Paiement à 30 jours date de facture." in rendered.text


# =========================================================================== English, credit note


def test_it_renders_an_english_contracts_invoice_in_english(rendered):
    assert "INVOICE" in rendered.en_text and "Amount due €540.00" in rendered.en_text
    assert "Late-payment interest" in rendered.en_text


def test_it_validates_the_english_invoices_xml(rendered):
    assert facturx.xml_check_xsd(rendered.en_xml, flavor="factur-x", level="en16931") is True


def test_it_renders_a_credit_note_as_factur_x_type_381(rendered):
    assert bd.xpath(rendered.note_xml, "//rsm:ExchangedDocument/ram:TypeCode") == ["381"]
    assert facturx.xml_check_xsd(rendered.note_xml, flavor="factur-x", level="en16931") is True


def test_it_references_the_corrected_invoice_in_the_credit_note(rendered):
    assert bd.xpath(rendered.note_xml, "//ram:InvoiceReferencedDocument/ram:IssuerAssignedID") == [
        rendered.invoice.number]
    assert f"Cet avoir corrige la facture {rendered.invoice.number} du 02/04/2026." in rendered.note_text


def test_it_gives_the_credit_notes_xml_its_totals(rendered):
    note = rendered.note
    assert [amounts(rendered.note_xml, SUMMATION + name)[0] for name in
            ("TaxBasisTotalAmount", "TaxTotalAmount", "GrandTotalAmount")] == [note.net, note.vat, note.gross]


def test_it_stores_the_credit_note_under_its_number(rendered):
    assert rendered.note.pdf_path == f"invoices/{rendered.note.tenant_id}/{rendered.note.number}.pdf"


# =========================================================================== rendering: queue, failure, retry


@pytest.fixture
def issued(make_contract, amy, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return bf.issued(make_contract("flat_fee"), 2026, 3, actor=amy, today=bd.ISSUED_ON)


def _failing_once():
    real = documents.html_to_pdf
    calls = []

    def render(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OSError("disk full")
        return real(*args, **kwargs)

    return mock.patch("billing.documents.html_to_pdf", side_effect=render), calls


def test_it_queues_the_pdf_when_the_invoice_is_issued(make_contract, amy, settings, tmp_path,
                                                      django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    draft = bf.run(make_contract("flat_fee"), 2026, 3)
    with django_capture_on_commit_callbacks(execute=True):
        invoice = invoice_issue(invoice=draft, actor=amy, today=bd.ISSUED_ON)
    invoice.refresh_from_db()
    assert invoice.pdf_status == "ready"
    assert hashlib.sha256((tmp_path / invoice.pdf_path).read_bytes()).hexdigest() == invoice.pdf_sha256


def test_it_keeps_the_parties_as_they_were_when_issued(issued, org_a1, tmp_path):
    org_a1.address_line1 = "99 avenue Nouvelle"
    org_a1.save()
    invoice = documents.invoice_pdf_render(tenant_id=issued.tenant_id, invoice_id=issued.pk)
    assert "1 rue de Rivoli" in bd.pdf_text(tmp_path / invoice.pdf_path)


def test_it_records_a_rendering_failure_with_its_reason(issued):
    with mock.patch("billing.documents.html_to_pdf", side_effect=OSError("disk full")):
        invoice = documents.invoice_pdf_render(tenant_id=issued.tenant_id, invoice_id=issued.pk)
    assert (invoice.pdf_status, invoice.pdf_error, invoice.pdf_path) == ("failed", "OSError: disk full", "")


def test_it_writes_no_file_when_rendering_fails(issued, tmp_path):
    with mock.patch("billing.documents.html_to_pdf", side_effect=OSError("disk full")):
        documents.invoice_pdf_render(tenant_id=issued.tenant_id, invoice_id=issued.pk)
    assert list(tmp_path.rglob("*")) == []


def test_it_keeps_the_previous_file_whole_when_a_rerender_fails_while_writing(issued, tmp_path):
    first = documents.invoice_pdf_render(tenant_id=issued.tenant_id, invoice_id=issued.pk)
    with mock.patch("billing.documents.os.replace", side_effect=OSError("no space left")):
        failed = documents.invoice_pdf_render(tenant_id=issued.tenant_id, invoice_id=issued.pk)
    path = tmp_path / first.pdf_path
    assert failed.pdf_status == "failed"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == failed.pdf_sha256 == first.pdf_sha256
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_it_retries_a_failed_render_until_it_is_ready(issued, tmp_path):
    patch, calls = _failing_once()
    with patch:  # in-process, a retry runs at once (a worker waits 1, 2, 4, 8 minutes)
        invoice_pdf_task.apply(args=(issued.tenant_id, issued.pk), throw=False)
    issued.refresh_from_db()
    assert (len(calls), issued.pdf_status, issued.pdf_error) == (2, "ready", "")
    assert hashlib.sha256((tmp_path / issued.pdf_path).read_bytes()).hexdigest() == issued.pdf_sha256


def test_it_requests_a_failed_render_again_in_the_daily_sweep(issued, django_capture_on_commit_callbacks):
    Invoice.objects.filter(pk=issued.pk).update(pdf_status="failed", pdf_error="OSError: disk full")
    with django_capture_on_commit_callbacks(execute=True):
        assert documents.documents_retry_failed(tenant=issued.tenant) == 1
    issued.refresh_from_db()
    assert (issued.pdf_status, issued.pdf_error) == ("ready", "")


def test_it_refuses_a_pdf_for_a_draft(make_contract, amy):
    draft = bf.run(make_contract("flat_fee"), 2026, 3)
    with pytest.raises(ValidationError) as refused:
        documents.invoice_pdf_request(invoice=draft, actor=amy)
    assert "status" in refused.value.message_dict


def test_it_refuses_a_technician_rerendering_an_invoice(issued, bob):
    with pytest.raises(PermissionDenied):
        documents.invoice_pdf_request(invoice=issued, actor=bob)


def test_it_renders_nothing_for_another_tenants_invoice(issued, tenant_b):
    assert documents.invoice_pdf_render(tenant_id=tenant_b.pk, invoice_id=issued.pk) is None


# =========================================================================== downloads


@pytest.fixture
def ready(issued):
    return documents.invoice_pdf_render(tenant_id=issued.tenant_id, invoice_id=issued.pk)


def test_it_gives_the_invoices_client_its_pdf(ready, cody, tmp_path):
    download = documents.invoice_pdf_download(invoice=ready, actor=cody)
    assert (download.path, download.filename, download.content_type) == (
        tmp_path / ready.pdf_path, f"{ready.number}.pdf", "application/pdf")


def test_it_hides_an_invoice_from_another_organisations_client(ready, dora):
    with pytest.raises(Http404):
        documents.invoice_pdf_download(invoice=ready, actor=dora)


def test_it_hides_an_invoice_from_another_tenant(ready, carol):
    with pytest.raises(PermissionDenied):
        documents.invoice_pdf_download(invoice=ready, actor=carol)


def test_it_never_gives_a_draft_invoice(make_contract, alice):
    draft = bf.run(make_contract("flat_fee"), 2026, 3)
    with pytest.raises(Http404):
        documents.invoice_pdf_download(invoice=draft, actor=alice)


def test_it_answers_not_found_before_the_pdf_is_rendered(issued, amy):
    with pytest.raises(Http404):
        documents.invoice_pdf_download(invoice=issued, actor=amy)


def test_it_serves_the_xml_embedded_in_the_stored_pdf(ready, clara):
    name, xml = documents.invoice_xml_download(invoice=ready, actor=clara)
    assert name == f"{ready.number}.xml"
    assert bd.xpath(xml, "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:ID") == [ready.number]


def test_it_gives_a_credit_notes_pdf_to_its_invoices_client(ready, amy, clara, tmp_path):
    note = credit_note_create(invoice=ready, actor=amy, reason="Goodwill", amount="10.00", today=date(2026, 4, 10))
    note = documents.credit_note_pdf_render(tenant_id=note.tenant_id, note_id=note.pk)
    download = documents.credit_note_pdf_download(note=note, actor=clara)
    assert download.path == tmp_path / note.pdf_path and download.path.exists()


def test_it_renders_a_month_with_nothing_billed_with_one_zero_line(make_contract, amy, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    invoice = bf.issued(make_contract("per_ticket"), 2026, 3, actor=amy, today=bd.ISSUED_ON)
    invoice = documents.invoice_pdf_render(tenant_id=invoice.tenant_id, invoice_id=invoice.pk)
    _name, xml = facturx.get_xml_from_pdf((tmp_path / invoice.pdf_path).read_bytes(), check_xsd=False)
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931") is True
    assert amounts(xml, "//ram:SpecifiedLineTradeSettlement//ram:LineTotalAmount") == [Decimal("0.00")]

"""The contract PDF (DOMAIN.md, "What a maintenance contract contains"), rendered by the
real WeasyPrint and read back with pdftotext.

A render takes about a second, so one complete contract is built, rendered (twice, to
check the re-render) and amended once for the whole module, inside a transaction that
is rolled back at the end; the tests then read the extracted text. Only the failure and
retry test renders on its own."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.db import transaction
from django.test import override_settings

from contracts import documents
from contracts.models import ClauseTemplate, ContractDocument
from contracts.services import contracts as services
from tests.contracts import factories as cf
from tests.factories import OrganizationFactory, TenantFactory, member

PDFTOTEXT = shutil.which("pdftotext") or ("/usr/bin/pdftotext" if Path("/usr/bin/pdftotext").exists() else None)
pytestmark = pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) is not installed")


def pdf_text(path: Path) -> str:
    """The PDF's text with every run of whitespace made one space (lines wrap anywhere)."""
    out = subprocess.run([PDFTOTEXT, "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True).stdout
    return " ".join(out.decode().split())


@dataclass
class Rendered:
    provider: object
    client: object
    contract: object
    clause_titles: list[str]
    first: ContractDocument
    second: ContractDocument
    rows: int
    path: Path
    file_sha256: str
    text: str
    amendment_text: str


def _build_and_render(media_root: Path) -> Rendered:
    tenant = TenantFactory(name="PDF Provider", slug="pdf-provider")
    manager = member(tenant, "account_manager", email="manager@pdf.test")
    provider = OrganizationFactory(
        tenant=tenant, kind="provider", legal_name="Acme IT Services SAS", legal_form="SAS",
        legal_rep_name="Claire Moreau", legal_rep_title="President",
    )
    client = OrganizationFactory(
        tenant=tenant, legal_name="Boulangerie Martin SARL", legal_form="SARL", address_line1="4 place Bellecour",
        postal_code="69002", city="Lyon", legal_rep_name="Paul Martin", legal_rep_title="Managing director",
    )
    policy = cf.sla_policy(tenant)
    services.clause_library_seed(tenant=tenant)
    templates = list(ClauseTemplate.objects.filter(tenant=tenant, language="en").order_by("pk"))
    contract = cf.draft(actor=manager, client=client, policy=policy, provider=provider, clauses=False,
                        language="en", initial_months=12, renewal="tacit", notice_months=3,
                        monthly_fee=Decimal("450.00"), payment_terms_days=45,
                        price_revision="Yearly revision on the Syntec index")
    services.contract_set_clauses(contract=contract, actor=manager, template_ids=[t.pk for t in templates])
    services.contract_send(contract=contract, actor=manager, now=cf.SENT_AT)
    contract = services.contract_activate(contract=contract, actor=manager, signed_on=date(2025, 12, 20),
                                          now=cf.ACTIVATED_AT)
    queued = ContractDocument.objects.get(contract=contract, kind="contract", version=1)
    with override_settings(MEDIA_ROOT=media_root):
        first = documents.document_render(document_id=queued.pk, tenant_id=tenant.pk)
        path = Path(settings.MEDIA_ROOT) / first.file_path
        file_sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
        text = pdf_text(path)
        second = documents.document_render(document_id=queued.pk, tenant_id=tenant.pk)
        rows = ContractDocument.objects.filter(contract=contract, kind="contract").count()
        services.contract_amend(contract=contract, actor=manager, signed_on=date(2026, 6, 15),
                                effective_date=date(2026, 7, 1), summary="Monthly fee revised",
                                changes={"monthly_fee": Decimal("520.00")})
        amendment = ContractDocument.objects.get(contract=contract, kind="amendment", version=2)
        amendment = documents.document_render(document_id=amendment.pk, tenant_id=tenant.pk)
        amendment_text = pdf_text(Path(settings.MEDIA_ROOT) / amendment.file_path)
    return Rendered(provider=provider, client=client, contract=contract, clause_titles=[t.title for t in templates],
                    first=first, second=second, rows=rows, path=path, file_sha256=file_sha256, text=text,
                    amendment_text=amendment_text)


@pytest.fixture(scope="module")
def rendered(django_db_setup, django_db_blocker, tmp_path_factory) -> Rendered:
    media_root = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), transaction.atomic():
        result = _build_and_render(media_root)
        transaction.set_rollback(True)  # nothing stays in the test database
    return result


@pytest.fixture
def text(rendered) -> str:
    return rendered.text


# =========================================================================== the document


def test_it_renders_the_contract_as_ready(rendered):
    assert (rendered.first.status, rendered.first.error, rendered.first.pages > 1) == ("ready", "", True)


def test_it_stores_the_sha256_of_the_file(rendered):
    assert rendered.first.sha256 == rendered.file_sha256


def test_it_stores_the_size_of_the_file(rendered):
    assert rendered.second.size == rendered.path.stat().st_size


def test_it_stores_the_file_under_the_tenant_reference_and_version(rendered):
    contract = rendered.contract
    assert rendered.first.file_path == f"contracts/{contract.tenant_id}/{contract.reference}/contract-v1.pdf"


def test_it_replaces_the_same_file_when_rendered_twice(rendered):
    assert (rendered.second.file_path, rendered.rows) == (rendered.first.file_path, 1)


def test_it_stores_the_sha256_of_the_replacing_file(rendered):
    assert rendered.second.sha256 == hashlib.sha256(rendered.path.read_bytes()).hexdigest()


def test_it_leaves_no_temporary_file(rendered):
    assert [p.name for p in rendered.path.parent.iterdir() if p.suffix != ".pdf"] == []


# =========================================================================== 1. parties


def test_it_identifies_both_parties_by_siret(rendered, text):
    assert f"SIRET: {rendered.provider.siret}" in text
    assert f"SIRET: {rendered.client.siret}" in text


def test_it_gives_both_parties_siren(rendered, text):
    assert f"SIREN: {rendered.provider.siret[:9]}" in text
    assert f"SIREN: {rendered.client.siret[:9]}" in text


def test_it_gives_both_parties_vat_numbers(rendered, text):
    assert f"VAT number: {rendered.provider.vat_number}" in text
    assert f"VAT number: {rendered.client.vat_number}" in text


def test_it_names_the_legal_representatives(text):
    assert "Represented by Claire Moreau, President" in text
    assert "Represented by Paul Martin, Managing director" in text


def test_it_gives_the_head_office(text):
    assert "Head office: 4 place Bellecour, 69002 Lyon (FR)" in text


# =========================================================================== 2–5. object, scope, types, modes


def test_it_states_the_object(text):
    assert "Preventive and corrective maintenance of the servers and workstations, monthly visits." in text


def test_it_lists_the_covered_items(text):
    assert "Dell PowerEdge R650" in text and "SRV-PAR-01" in text and "Microsoft 365 tenant" in text


def test_it_lists_the_exclusions(text):
    assert "Supply of new equipment" in text and "Damage caused by misuse" in text


def test_it_lists_the_maintenance_types_with_their_price(text):
    assert "Preventive Monthly patching and backup checks Included in the fee" in text
    assert "Evolutive Upgrades on quote Billable on quote" in text


def test_it_states_the_intervention_modes(text):
    assert "Intervention modes: remote (hotline, remote control); on site." in text


# =========================================================================== 6. service levels


def test_it_tabulates_the_sla_targets_in_business_hours(text):
    assert "1 business hour 8 business hours" in text


def test_it_gives_whole_working_days_as_business_days(text):
    # 2,100 minutes of a 7-hour working day (09:00–12:00, 14:00–18:00): 5 days, not "2100 min".
    assert "8 business hours 5 business days" in text


def test_it_names_the_sla_policy(text):
    assert "“Standard” policy" in text


def test_it_gives_the_coverage_hours(text):
    assert "Monday 09:00–12:00, 14:00–18:00" in text
    assert "Sunday closed" in text


def test_it_gives_the_availability_target(text):
    assert "Availability target: 99.500 %." in text


# =========================================================================== 7–9. price, duration, notice


def test_it_gives_the_monthly_fee(text):
    assert "Monthly fee (excl. VAT) €450.00" in text


def test_it_gives_the_payment_terms(text):
    assert "Payment terms 45 days from the invoice date" in text


def test_it_gives_the_price_revision(text):
    assert "Price revision: Yearly revision on the Syntec index" in text


def test_it_gives_the_duration(text):
    assert "initial term of 12 months, from 01/01/2026 to 31/12/2026" in text
    assert "renewed by tacit renewal for successive terms of 12 months" in text


def test_it_gives_the_notice_period(text):
    assert "with a notice of 3 month(s) and 0 day(s) before the anniversary date" in text


# =========================================================================== 10–14. clauses, signatures


def test_it_prints_every_clause_title_as_an_article(rendered, text):
    for n, title in enumerate(rendered.clause_titles, start=7):
        assert f"Article {n} — {title}" in text


def test_it_prints_a_dispute_resolution_clause(text):
    assert "Dispute resolution" in text
    assert "mediation" in text and "competent courts" in text


def test_it_ends_with_follow_up_and_reporting(rendered, text):
    assert f"Article {7 + len(rendered.clause_titles)} — Follow-up and reporting" in text


def test_it_has_a_signature_block(text):
    assert "For the provider Acme IT Services SAS Claire Moreau, President" in text
    assert "For the client Boulangerie Martin SARL Paul Martin" in text
    assert "Date and signature" in text


def test_it_gives_the_signature_date(text):
    assert "Signed on 20/12/2025." in text


def test_it_says_where_and_when_it_was_done(rendered, text):
    assert f"Done at {rendered.provider.city}, on 20/12/2025, in two original copies." in text


def test_it_never_splits_a_table_or_a_signature_block_across_pages():
    from django.template.loader import render_to_string

    css = render_to_string("pdf/base.html")
    assert "table, .kv, .parties, .party, .closing, .signatures, .signature { break-inside: avoid; }" in css


def test_it_numbers_the_pages(rendered, text):
    assert f"Page 1 of {rendered.first.pages}" in text
    assert f"Page {rendered.first.pages} of {rendered.first.pages}" in text


# =========================================================================== amendment


def test_it_titles_the_amendment(rendered):
    assert "Amendment no. 1 to the maintenance contract" in rendered.amendment_text


def test_it_tabulates_the_amended_terms(rendered):
    # The same number format as the contract: an amount with its currency.
    assert "Monthly fee (excl. VAT) €450.00 €520.00" in rendered.amendment_text


def test_it_gives_the_amendments_effective_date(rendered):
    assert "This amendment takes effect on 01/07/2026." in rendered.amendment_text


# =========================================================================== failure and retry


@pytest.fixture
def queued(amy, org_a1, tenant_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    contract = cf.sent(actor=amy, client=org_a1, policy=cf.sla_policy(tenant_a), language="en")
    return ContractDocument.objects.get(contract=contract)


def fail(document) -> ContractDocument:
    with mock.patch("contracts.documents.render_pdf", side_effect=OSError("disk full")):
        return documents.document_render(document_id=document.pk, tenant_id=document.tenant_id)


def test_it_records_a_rendering_failure_with_its_reason(queued):
    document = fail(queued)
    assert (document.status, document.error, document.sha256) == ("failed", "OSError: disk full", "")


def test_it_leaves_the_contract_unchanged_when_rendering_fails(queued):
    before = ContractDocument.objects.get(pk=queued.pk).contract
    fail(queued)
    after = type(before).objects.get(pk=before.pk)
    assert (after.status, after.version, after.updated_at) == (before.status, before.version, before.updated_at)


def test_it_writes_no_file_when_rendering_fails(queued, tmp_path):
    fail(queued)
    assert list(tmp_path.rglob("*.pdf*")) == []


def test_it_succeeds_on_retry_after_a_failure(queued, tmp_path):
    fail(queued)
    documents.document_request(contract=queued.contract, kind="contract", version=1)
    document = documents.document_render(document_id=queued.pk, tenant_id=queued.tenant_id)
    path = tmp_path / document.file_path
    assert (document.status, document.error) == ("ready", "")
    assert document.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_it_renders_nothing_for_another_tenants_document(queued, tenant_b):
    assert documents.document_render(document_id=queued.pk, tenant_id=tenant_b.pk) is None

"""An account manager drafts a contract in the browser, sends it and downloads the PDF,
which carries the parties' SIRETs, the targets table and the notice period."""

from __future__ import annotations

import pytest

from contracts.services import contracts as contract_services
from sla import services as sla_services
from tests.e2e.conftest import ARTIFACTS, pdftotext
from tests.factories import OrganizationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def setup(tenant_a, alice, amy):
    provider = OrganizationFactory(tenant=tenant_a, kind="provider", legal_name="Acme Services SAS",
                                   legal_rep_name="Claire Moreau", legal_rep_title="Présidente")
    client = OrganizationFactory(tenant=tenant_a, legal_name="Boulangerie Dupain SARL")
    calendar = sla_services.calendar_create(
        tenant=tenant_a, actor=alice, code="business", name="Business hours", timezone_name="Europe/Paris",
        hours={d: [["09:00", "12:00"], ["14:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
    )
    sla_services.policy_create(
        tenant=tenant_a, actor=alice, code="standard", name="Standard", calendar=calendar,
        targets=[{"priority": "P1", "response_minutes": 60, "resolution_minutes": 480},
                 {"priority": "P4", "response_minutes": 480, "resolution_minutes": 2100}],
    )
    contract_services.clause_library_seed(tenant=tenant_a)
    amy.set_password("browser-pass-123")
    amy.save()
    return {"provider": provider, "client": client, "user": amy}


def test_it_drafts_sends_and_downloads_a_contract(page, setup, shot):
    page.goto(page.base + "/login/")
    page.fill("#id_username", setup["user"].email)
    page.fill("#id_password", "browser-pass-123")
    page.click("button[type=submit]")
    page.wait_for_url("**/dashboard/")

    page.goto(page.base + "/contracts/new/")
    page.select_option("#id_client", label=str(setup["client"]))
    page.fill("#id_title", "Maintenance du parc informatique")
    page.fill("#id_object", "Maintenance préventive mensuelle et corrective du parc informatique.")
    page.select_option("#id_sla_policy", label="Standard")
    page.fill("#id_start_date", "2027-01-01")
    page.fill("#id_initial_months", "12")
    page.fill("#id_notice_months", "3")
    page.fill("#id_monthly_fee", "450.00")
    page.select_option("#id_items-0-category", "hardware")
    page.fill("#id_items-0-name", "Serveur de fichiers")
    page.fill("#id_items-0-identifier", "SRV-01")
    page.check("#id_types-0-selected")
    page.check("#id_types-1-selected")
    shot(page, "contract-1-draft-form")
    page.click("text=Save the draft")
    page.wait_for_selector("#send-contract")
    shot(page, "contract-2-draft-detail")

    page.click("#send-contract")
    download_link = page.locator("a:has-text('Download PDF')")
    download_link.wait_for()
    shot(page, "contract-3-sent")
    with page.expect_download() as info:
        download_link.click()
    pdf_path = ARTIFACTS / "contract.pdf"
    info.value.save_as(str(pdf_path))

    text = pdftotext(pdf_path)
    assert setup["provider"].siret in text
    assert setup["client"].siret in text
    # The targets table, in business time (a 7-hour working day): never "2100 min".
    assert ("8 business hours" in text or "8 heures ouvrées" in text)
    assert ("5 business days" in text or "5 jours ouvrés" in text)
    assert "3 month" in text or "3 mois" in text  # the notice period

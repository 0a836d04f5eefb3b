"""Billing settings: the IBAN and BIC (checked by python-stdnum), the late-payment
interest rate and the fixed recovery indemnity, edited by tenant administrators through
the service, the page and the API, audited, and printed on the invoices issued after."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from billing.documents import invoice_document
from billing.models import BillingSettings
from billing.services import billing_settings_update
from portal.models import AuditEvent
from tests.billing import factories as bf
from tests.billing.conftest import ISSUE_DAY

pytestmark = pytest.mark.django_db

IBAN = "FR7630006000011234567890189"


def _errors(call) -> dict:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


def test_it_keeps_a_valid_iban_in_its_compact_form(tenant_a, alice):
    row = billing_settings_update(tenant=tenant_a, actor=alice, iban="fr76 3000 6000 0112 3456 7890 189")
    assert row.iban == IBAN


def test_it_refuses_an_iban_with_wrong_check_digits_naming_the_field(tenant_a, alice):
    errors = _errors(lambda: billing_settings_update(tenant=tenant_a, actor=alice, iban=IBAN[:-1] + "8", bic="BNPAFRPP"))
    assert (list(errors), BillingSettings.objects.filter(tenant=tenant_a, bic="BNPAFRPP").exists()) == (["iban"], False)


def test_it_refuses_a_malformed_bic_naming_the_field(tenant_a, alice):
    assert list(_errors(lambda: billing_settings_update(tenant=tenant_a, actor=alice, bic="BNP"))) == ["bic"]


def test_it_refuses_an_indemnity_below_the_legal_40_euros(tenant_a, alice):
    errors = _errors(lambda: billing_settings_update(tenant=tenant_a, actor=alice,
                                                     recovery_indemnity=Decimal("39.99")))
    assert list(errors) == ["recovery_indemnity"]


def test_it_refuses_an_interest_rate_above_100_percent(tenant_a, alice):
    errors = _errors(lambda: billing_settings_update(tenant=tenant_a, actor=alice,
                                                     late_interest_rate=Decimal("150")))
    assert list(errors) == ["late_interest_rate"]


def test_it_audits_the_change_with_its_diff(tenant_a, alice):
    billing_settings_update(tenant=tenant_a, actor=alice, iban=IBAN, recovery_indemnity=Decimal("60"))
    event = AuditEvent.objects.get(action="billing.settings")
    assert (event.changes["iban"], event.changes["recovery_indemnity"]) == (["", IBAN], ["40.00", "60"])


def test_it_refuses_the_settings_to_an_account_manager(tenant_a, amy):
    with pytest.raises(PermissionDenied):
        billing_settings_update(tenant=tenant_a, actor=amy, iban=IBAN)


def test_it_prints_the_indemnity_rate_and_bank_details_on_the_invoice(make_contract, tenant_a, alice, amy):
    billing_settings_update(tenant=tenant_a, actor=alice, iban=IBAN, bic="BNPAFRPP",
                            recovery_indemnity=Decimal("50"), late_interest_rate=Decimal("12"))
    invoice = bf.issued(make_contract("flat_fee"), 2026, 3, actor=amy, today=ISSUE_DAY)
    with translation.override("en"):
        context = invoice_document(invoice).context
    assert ("€50.00" in context["mentions"]["indemnity"], "12" in context["mentions"]["late"],
            context["iban"], context["bic"]) == (True, True, IBAN, "BNPAFRPP")


def test_it_prints_on_an_issued_invoice_the_settings_of_its_issue_day(make_contract, tenant_a, alice, amy):
    invoice = bf.issued(make_contract("flat_fee"), 2026, 3, actor=amy, today=ISSUE_DAY)
    billing_settings_update(tenant=tenant_a, actor=alice, recovery_indemnity=Decimal("80"))
    with translation.override("en"):
        assert "€40.00" in invoice_document(invoice).context["mentions"]["indemnity"]


# ---------------------------------------------------------------- API


def test_the_api_gives_the_settings_to_a_tenant_admin(api, alice):
    body = api.as_(alice).get("/api/v1/billing/settings/").json()
    assert (body["recovery_indemnity"], body["iban"], body["late_interest_rate"]) == ("40.00", "", None)


def test_the_api_changes_the_bank_details(api, alice, tenant_a):
    response = api.as_(alice).patch("/api/v1/billing/settings/", {"iban": IBAN, "bic": "BNPAFRPP"}, format="json")
    assert (response.status_code, BillingSettings.objects.get(tenant=tenant_a).iban) == (200, IBAN)


def test_the_api_refuses_a_bad_iban_in_the_error_shape(api, alice):
    response = api.as_(alice).patch("/api/v1/billing/settings/", {"iban": "FR00"}, format="json")
    assert (response.status_code, list(response.json()["error"]["fields"])) == (400, ["iban"])


@pytest.mark.parametrize("who", ["amy", "clara"])
def test_the_api_refuses_the_settings_to_others_than_tenant_admins(api, who, request):
    assert api.as_(request.getfixturevalue(who)).get("/api/v1/billing/settings/").status_code == 403

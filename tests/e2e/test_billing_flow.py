"""Billing in a real browser: an account manager issues a draft invoice and records its
payment; the billing pages (invoices, an invoice, the monthly run, a client's invoices)
at desktop and phone widths, in French and English, under the Content-Security-Policy."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from billing.models import Invoice
from billing.services import payment_record
from tests.billing import factories as bf
from tests.e2e.conftest import PASSWORD, login, open_page
from tests.tickets import factories as tf

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def billing(tenant_a, org_a1, org_a2, alice, amy, clara):
    policy = tf.sla_policy(tenant_a)
    first = bf.contract(actor=amy, client=org_a1, policy=policy, title="Infogérance du parc")
    second = bf.contract(actor=amy, client=org_a2, policy=policy, billing_model="hybrid",
                         included_minutes=600, monthly_fee=Decimal("890.00"))
    paid = bf.issued(first, 2026, 4, actor=amy, today=date(2026, 5, 2))
    payment_record(invoice=paid, actor=amy, date=date(2026, 5, 20), amount=paid.gross, method="transfer")
    bf.issued(second, 2026, 4, actor=amy, today=date(2026, 5, 2))
    bf.issued(first, 2026, 5, actor=amy, today=date(2026, 6, 2))
    draft = bf.run(first, 2026, 6)
    for user in (alice, amy, clara):
        user.set_password(PASSWORD)
        user.save()
    return {"draft": draft, "manager": amy, "admin": alice, "client": clara}




def test_it_issues_a_draft_invoice_and_records_its_payment(page, billing, shot):
    draft = billing["draft"]
    login(page, billing["manager"])
    page.goto(page.base + "/invoices/?status=draft")
    page.click(f"a[href='/invoices/{draft.reference}/']")
    page.click("button:has-text('Issue the invoice')")
    page.wait_for_selector("h1:has-text('Invoice INV-')")
    issued = Invoice.objects.get(pk=draft.pk)
    page.fill("form[action$='/payments/'] input[name=reference]", "VIR-2026-0612")
    page.click("button:has-text('Record the payment')")
    page.wait_for_selector("text=Payment recorded.")
    shot(page, "billing-flow-paid")
    issued.refresh_from_db()
    assert (issued.status, issued.amount_paid, issued.payments.get().reference) == (
        "paid", issued.gross, "VIR-2026-0612")


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_it_shows_the_billing_pages_without_a_policy_violation(browser, live_server, billing, shot, language, width):
    page = open_page(browser, live_server, language=language, width=width)
    invoice = Invoice.objects.filter(status="issued", client__legal_name="Client A1 SAS").first()
    login(page, billing["admin"])
    for name, path in (("invoices", "/invoices/"), ("invoice", f"/invoices/{invoice.number}/"),
                       ("run", "/billing/run/")):
        page.goto(page.base + path)
        page.wait_for_load_state("networkidle")
        shot(page, f"billing-{name}-{width}-{language}")
    page.context.clear_cookies()
    login(page, billing["client"])
    page.goto(page.base + "/invoices/")
    page.wait_for_load_state("networkidle")
    shot(page, f"billing-client-invoices-{width}-{language}")
    page.context.close()
    assert page.violations == []

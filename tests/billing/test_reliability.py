"""Concurrency on PostgreSQL: invoice numbers stay gap-free and unique when many
workers issue at once, and concurrent monthly runs leave one invoice per
contract-month. Real transactions and one connection per thread."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from billing.models import Invoice, InvoiceLine
from billing.services import billing_run_contract, invoice_issue
from contracts.models import Contract
from tests.billing import factories as bf
from tests.contracts import factories as cf

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks across connections (PostgreSQL)"),
    pytest.mark.django_db(transaction=True),
]


def _in_thread(fn):
    def run(*args):
        try:
            return fn(*args)
        finally:
            connection.close()  # this thread's own connection

    return run


def _bare_contracts(tenant, client, count):
    """Active contracts written directly (the services are not what is tested here)."""
    provider = cf.provider_org(tenant)
    return Contract.objects.bulk_create([
        Contract(tenant=tenant, client=client, provider=provider, reference=f"CTR-2026-{n:04d}", title="Maintenance",
                 object="Maintenance", status="active", start_date=date(2026, 1, 1), monthly_fee=Decimal("450.00"),
                 activated_at="2025-12-15T09:00:00Z")
        for n in range(1, count + 1)])


def test_it_issues_200_invoices_from_8_threads_without_gap_or_duplicate(tenant_a, org_a1, amy):
    contracts = _bare_contracts(tenant_a, org_a1, 20)
    drafts = Invoice.objects.bulk_create([
        Invoice(tenant=tenant_a, contract=c, client=org_a1, year=2025, month=m, period_start=date(2025, m, 1),
                period_end=date(2025, m, 28), vat_rate=Decimal("20"), net=Decimal("450.00"), vat=Decimal("90.00"),
                gross=Decimal("540.00"), plan={"payment_terms_days": 30})
        for c in contracts for m in range(1, 11)])
    assert len(drafts) == 200

    @_in_thread
    def issue(invoice):
        return invoice_issue(invoice=invoice, actor=amy, today=date(2026, 1, 5)).number

    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = list(pool.map(issue, drafts))
    expected = [f"INV-2026-{n:06d}" for n in range(1, 201)]
    assert sorted(numbers) == expected
    assert sorted(Invoice.objects.values_list("number", flat=True)) == expected


def test_it_keeps_one_invoice_per_contract_month_when_run_twice_at_once(make_contract):
    contracts = [make_contract("flat_fee") for _ in range(3)]
    barrier = threading.Barrier(2)

    @_in_thread
    def run(_):
        barrier.wait()
        return [billing_run_contract(contract=c, year=2026, month=3, today=bf.TODAY).pk for c in contracts]

    with ThreadPoolExecutor(max_workers=2) as pool:
        first, second = pool.map(run, range(2))
    assert first == second
    assert Invoice.objects.count() == 3
    assert InvoiceLine.objects.count() == 3


def test_it_keeps_one_invoice_per_contract_month_when_run_again(make_contract):
    contract = make_contract("flat_fee")
    ids = {billing_run_contract(contract=contract, year=2026, month=3, today=bf.TODAY).pk for _ in range(3)}
    assert len(ids) == 1
    assert Invoice.objects.filter(contract=contract, year=2026, month=3).count() == 1

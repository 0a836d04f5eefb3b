"""The monthly run bills a batch of contracts at once (billing.services.billing_run_batch,
called by the run's tasks): the facts of all the batch's contracts gathered in a few
queries, each contract priced alone, the invoices, lines, billed work, ledger
movements, audit events and report requests written together. The invoices are the
ones the per-contract path makes (the expected values below were recorded from it,
before the batch existed), and the number of queries does not grow with the batch."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from billing.models import HourBankMovement, Invoice, InvoicedWork, MonthlyReport
from billing.services import hour_bank_block_buy
from contracts.models import Contract
from portal.models import AuditEvent
from tests.billing import factories as bf
from tickets.models import Intervention, Ticket

EXPECTED = Path(__file__).parent / "data" / "run_batch_expected.json"
CREDITS = {"service_credits": {"P3": {"resolution": "5", "response": "2"}}, "penalty_cap_percent": Decimal("10")}


def _varied(make_contract, amy, cody, bob, org_a1, policy) -> list[Contract]:
    """Eight contracts billed for March 2026: every billing model, an hour bank spread
    over blocks with an expiry in the month, carried minutes, late work (on quote, on a
    hybrid allowance, on an hour bank, and an edit upwards), work on quote, breaches and
    a first month prorated. February is billed first where March depends on it."""
    out = []
    # 1. flat fee: work on quote, non-billable work, two breaches (one credited metric each)
    c = make_contract("flat_fee", **CREDITS)
    t = bf.ticket(actor=cody, contract=c, day=date(2026, 3, 2), maintenance_type="evolutive")
    bf.work(ticket=t, actor=bob, day=date(2026, 3, 3), minutes=50)
    bf.work(ticket=t, actor=bob, day=date(2026, 3, 4), minutes=20, billable=False)
    bf.breach(ticket=t, at=datetime(2026, 3, 5, 12, 0, tzinfo=UTC))
    bf.breach(ticket=t, at=datetime(2026, 3, 6, 12, 0, tzinfo=UTC), metric="response")
    out.append(c)
    # 2. per ticket: one resolved in March, one resolved in February and reopened
    c = make_contract("per_ticket", **CREDITS)
    t = bf.ticket(actor=cody, contract=c, day=date(2026, 3, 2))
    bf.resolve(ticket=t, actor=bob, at=datetime(2026, 3, 10, 9, 0, tzinfo=UTC))
    old = bf.ticket(actor=cody, contract=c, day=date(2026, 2, 2), maintenance_type="curative")
    bf.resolve(ticket=old, actor=bob, at=datetime(2026, 2, 10, 9, 0, tzinfo=UTC))
    from tickets.services import ticket_change_status

    ticket_change_status(ticket=old, actor=cody, status="in_progress", reason="Again",
                         now=datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
    bf.resolve(ticket=old, actor=bob, at=datetime(2026, 3, 12, 9, 0, tzinfo=UTC))
    if not t.sla_events.filter(kind="breach").exists():  # resolved late, it may have one already
        bf.breach(ticket=t, at=datetime(2026, 3, 9, 12, 0, tzinfo=UTC))
    out.append(c)
    # 3. hour bank: two blocks, one expiring in March, overage, a breach
    c = make_contract("hour_bank", **CREDITS)
    hour_bank_block_buy(contract=c, actor=amy, minutes=120, price="150.00", bought_on=date(2026, 2, 1),
                        expires_on=date(2026, 3, 10))
    hour_bank_block_buy(contract=c, actor=amy, minutes=60, price="75.00", bought_on=date(2026, 2, 1))
    t = bf.ticket(actor=cody, contract=c, day=date(2026, 3, 2))
    bf.work(ticket=t, actor=bob, day=date(2026, 3, 3), minutes=40)
    bf.work(ticket=t, actor=bob, day=date(2026, 3, 20), minutes=100)
    bf.work(ticket=t, actor=bob, day=date(2026, 3, 21), minutes=10, billable=False)
    q = bf.ticket(actor=cody, contract=c, day=date(2026, 3, 2), maintenance_type="evolutive")
    bf.work(ticket=q, actor=bob, day=date(2026, 3, 22), minutes=30)
    bf.breach(ticket=t, at=datetime(2026, 3, 25, 12, 0, tzinfo=UTC))
    out.append(c)
    # 4. hybrid: February leaves minutes to carry, March goes beyond
    c = make_contract("hybrid", monthly_fee=Decimal("900.00"), included_minutes=600, rollover_cap_minutes=300)
    bf.run(c, 2026, 2)
    t = bf.ticket(actor=cody, contract=c, day=date(2026, 3, 1))
    bf.work(ticket=t, actor=bob, day=date(2026, 3, 2), minutes=1000)
    out.append(c)
    # 5. flat fee: late work on quote, and work billed in February edited upwards
    c = make_contract("flat_fee")
    q = bf.ticket(actor=cody, contract=c, day=date(2026, 2, 2), maintenance_type="evolutive")
    edited = bf.work(ticket=q, actor=bob, day=date(2026, 2, 3), minutes=60)
    bf.run(c, 2026, 2)
    bf.work(ticket=q, actor=bob, day=date(2026, 2, 20), minutes=45)
    Intervention.objects.filter(pk=edited.pk).update(minutes=100)
    out.append(c)
    # 6. hybrid: late work drawn on March's allowance
    c = make_contract("hybrid", included_minutes=120)
    t = bf.ticket(actor=cody, contract=c, day=date(2026, 2, 2))
    bf.run(c, 2026, 2)
    bf.work(ticket=t, actor=bob, day=date(2026, 2, 25), minutes=90)
    bf.work(ticket=t, actor=bob, day=date(2026, 3, 25), minutes=90)
    out.append(c)
    # 7. hour bank: late work drawn on the bank on March's first day
    c = make_contract("hour_bank")
    hour_bank_block_buy(contract=c, actor=amy, minutes=600, price="750.00", bought_on=date(2026, 1, 10))
    t = bf.ticket(actor=cody, contract=c, day=date(2026, 2, 2))
    bf.work(ticket=t, actor=bob, day=date(2026, 2, 3), minutes=30)
    bf.run(c, 2026, 2)
    bf.work(ticket=t, actor=bob, day=date(2026, 2, 25), minutes=50)
    bf.work(ticket=t, actor=bob, day=date(2026, 3, 5), minutes=25)
    out.append(c)
    # 8. flat fee starting on 20 March, in French
    c = bf.contract(actor=amy, client=org_a1, policy=policy, start_date=date(2026, 3, 20), language="fr")
    out.append(c)
    return out


def _names(tenant) -> dict:
    """Ids and references of the scenario, as names that do not depend on the database."""
    names: dict = {}
    for n, (pk, ref) in enumerate(Intervention.objects.filter(tenant=tenant).order_by("pk")
                                  .values_list("pk", "id"), start=1):
        names[("iv", pk)] = f"iv{n}"
        names[("ref", f"INT-{ref:09d}")] = f"iv{n}"
    for n, ref in enumerate(Ticket.objects.filter(tenant=tenant).order_by("pk").values_list("reference", flat=True),
                            start=1):
        names[("ref", ref)] = f"t{n}"
    from billing.models import HourBankBlock

    for n, (pk, ref) in enumerate(HourBankBlock.objects.filter(tenant=tenant).order_by("pk")
                                  .values_list("pk", "reference"), start=1):
        names[("block", pk)] = f"b{n}"
        names[("ref", ref)] = f"b{n}"
    return names


def _named(value, names, key=None):
    if isinstance(value, dict):
        return {k: _named(v, names, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_named(v, names) for v in value]
    if key == "id" and isinstance(value, int):
        return names.get(("iv", value), value)
    if isinstance(value, str):
        return names.get(("ref", value), value)
    return value


def _month(contract, names) -> dict:
    """March's invoice of `contract` as plain data: totals, lines, billed work, ledger."""
    invoice = Invoice.objects.get(contract=contract, year=2026, month=3)
    return _named({
        "status": invoice.status, "net": str(invoice.net), "vat": str(invoice.vat), "gross": str(invoice.gross),
        "vat_rate": str(invoice.vat_rate), "currency": invoice.currency, "version": invoice.contract_version,
        "carry": invoice.carry_minutes, "used": invoice.used_minutes, "expired": invoice.expired_minutes,
        "period": [invoice.period_start.isoformat(), invoice.period_end.isoformat()], "facts": invoice.facts,
        "plan_fee": invoice.plan.get("monthly_fee"),
        "lines": [{"position": line.position, "kind": line.kind, "label": line.label, "quantity": str(line.quantity),
                   "unit": line.unit, "unit_price": str(line.unit_price), "amount": str(line.amount),
                   "maintenance_type": line.maintenance_type, "detail": line.detail}
                  for line in invoice.lines.order_by("position")],
        "work": sorted([names[("iv", w.intervention_id)], w.minutes, w.late_from and w.late_from.isoformat()]
                       for w in InvoicedWork.objects.filter(invoice=invoice)),
        "ledger": sorted([m.kind, names.get(("iv", m.intervention_id)), names[("block", m.block_id)], m.minutes,
                          m.day.isoformat(), m.raw_minutes, m.ticket.reference if m.ticket_id else None]
                         for m in HourBankMovement.objects.filter(contract=contract, kind__in=["consumption", "expiry"],
                                                                  day__gte=date(2026, 3, 1))),
    }, names)


def _expected() -> list:
    return json.loads(EXPECTED.read_text(encoding="utf-8"))


def test_a_batch_bills_varied_contracts_as_the_contract_by_contract_run_did(make_contract, amy, cody, bob, org_a1,
                                                                             policy):
    from billing.tasks import billing_run_contracts_task

    contracts = _varied(make_contract, amy, cody, bob, org_a1, policy)
    assert billing_run_contracts_task(contracts[0].tenant_id, [c.pk for c in contracts], 2026, 3) == len(contracts)
    names = _names(contracts[0].tenant)
    assert [_month(c, names) for c in contracts] == _expected()


def test_one_contract_alone_is_billed_as_in_a_batch(make_contract, amy, cody, bob, org_a1, policy):
    contracts = _varied(make_contract, amy, cody, bob, org_a1, policy)
    for contract in contracts:
        bf.run(contract, 2026, 3)
    names = _names(contracts[0].tenant)
    assert [_month(c, names) for c in contracts] == _expected()


def test_a_batch_writes_one_audit_event_and_one_report_request_per_invoice(make_contract, amy, cody, bob, org_a1,
                                                                            policy):
    from billing.tasks import billing_run_contracts_task

    contracts = _varied(make_contract, amy, cody, bob, org_a1, policy)
    billing_run_contracts_task(contracts[0].tenant_id, [c.pk for c in contracts], 2026, 3)
    march = Invoice.objects.filter(year=2026, month=3)
    events = AuditEvent.objects.filter(action="invoice.draft", object_ref__endswith=" 2026-03")
    assert sorted(events.values_list("object_ref", flat=True)) == sorted(f"{c.reference} 2026-03" for c in contracts)
    assert sorted(MonthlyReport.objects.filter(year=2026, month=3).values_list("contract_id", flat=True)) == sorted(
        march.values_list("contract_id", flat=True))


def test_a_batch_run_again_changes_nothing(make_contract, amy, cody, bob, org_a1, policy):
    from billing.tasks import billing_run_contracts_task

    contracts = _varied(make_contract, amy, cody, bob, org_a1, policy)
    ids = [c.pk for c in contracts]
    billing_run_contracts_task(contracts[0].tenant_id, ids, 2026, 3)
    names = _names(contracts[0].tenant)
    before = ([_month(c, names) for c in contracts], HourBankMovement.objects.count(), AuditEvent.objects.count())
    assert billing_run_contracts_task(contracts[0].tenant_id, ids, 2026, 3) == len(contracts)
    assert ([_month(c, names) for c in contracts], HourBankMovement.objects.count(),
            AuditEvent.objects.count()) == before


@pytest.mark.skipif(not __import__("os").environ.get("RECORD_RUN_BATCH"), reason="records the expected values")
def test_record(make_contract, amy, cody, bob, org_a1, policy):
    contracts = _varied(make_contract, amy, cody, bob, org_a1, policy)
    for contract in contracts:
        bf.run(contract, 2026, 3)
    names = _names(contracts[0].tenant)
    EXPECTED.write_text(json.dumps([_month(c, names) for c in contracts], indent=1, ensure_ascii=False) + "\n",
                        encoding="utf-8")


@pytest.mark.django_db(transaction=True)
def test_two_batches_of_the_same_contracts_at_once_leave_one_invoice_each(make_contract, amy, cody, bob, org_a1,
                                                                          policy):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    from billing.tasks import billing_run_contracts_task

    if connection.vendor != "postgresql":
        pytest.skip("needs row locks across connections (PostgreSQL)")
    contracts = _varied(make_contract, amy, cody, bob, org_a1, policy)
    ids = [c.pk for c in contracts]
    barrier = threading.Barrier(2)

    def run(order):
        try:
            barrier.wait()
            return billing_run_contracts_task(contracts[0].tenant_id, order, 2026, 3)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        done = list(pool.map(run, [ids, list(reversed(ids))]))
    assert done == [len(ids), len(ids)]
    names = _names(contracts[0].tenant)
    assert [_month(c, names) for c in contracts] == _expected()


@pytest.mark.django_db(transaction=True)
def test_a_batch_that_meets_an_invoice_drafted_meanwhile_bills_its_contracts_one_by_one(
        make_contract, amy, cody, bob, org_a1, policy, monkeypatch):
    """The unique (contract, month) stands behind the locks: an invoice committed by
    another connection after the batch read its facts (a writer that did not lock the
    contract) rolls the batch back, and its contracts are billed one by one, the one
    invoiced meanwhile keeping that invoice."""
    import threading

    from django.db import connection

    from billing import services
    from billing.tasks import billing_run_contracts_task

    if connection.vendor != "postgresql":
        pytest.skip("needs a second connection (PostgreSQL)")
    contracts = _varied(make_contract, amy, cody, bob, org_a1, policy)
    gather = services._gather
    meanwhile = {}

    def draft_elsewhere():
        try:
            c = contracts[0]
            meanwhile["invoice"] = Invoice.objects.create(
                tenant_id=c.tenant_id, contract=c, client_id=c.client_id, year=2026, month=3,
                period_start=date(2026, 3, 1), period_end=date(2026, 3, 31), vat_rate=Decimal("20"))
        finally:
            connection.close()

    def gather_then_draft(batch, year, month, zone):
        facts = gather(batch, year, month, zone)
        if not meanwhile:  # the first (batch) attempt only
            other = threading.Thread(target=draft_elsewhere)
            other.start()
            other.join(timeout=60)
            assert not other.is_alive(), "the other writer waited on the batch's locks"
        return facts

    monkeypatch.setattr(services, "_gather", gather_then_draft)
    assert billing_run_contracts_task(contracts[0].tenant_id, [c.pk for c in contracts], 2026, 3) == len(contracts)
    march = Invoice.objects.filter(year=2026, month=3)
    assert sorted(march.values_list("contract_id", flat=True)) == sorted(c.pk for c in contracts)
    assert march.get(contract=contracts[0]).pk == meanwhile["invoice"].pk
    names = _names(contracts[0].tenant)
    assert [_month(c, names) for c in contracts[1:]] == _expected()[1:]

"""The monthly run (billing.services.billing_run_contract, billing_run_batch): the month's
facts gathered from contracts, tickets, SLA events and the hour bank, priced, stored as
a draft with copied lines; idempotent; a constant number of queries per batch."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from billing.models import Invoice, InvoiceLine
from billing.services import billing_run_contract, billing_run_month, hour_bank_block_buy
from tests.billing import factories as bf


def _lines(invoice):
    return [(line.kind, str(line.quantity), line.unit, str(line.unit_price), str(line.amount))
            for line in invoice.lines.order_by("position")]


def test_it_stores_a_draft_with_the_fee_of_a_flat_plan(make_contract):
    invoice = bf.run(make_contract("flat_fee"), 2026, 3)
    assert (invoice.status, invoice.number, invoice.net, invoice.vat, invoice.gross) == (
        "draft", None, Decimal("450.00"), Decimal("90.00"), Decimal("540.00"))
    assert _lines(invoice) == [("fee", "1.0000", "month", "450.00", "450.00")]


def test_it_names_the_lines_in_the_contract_language(make_contract):
    invoice = bf.run(make_contract("flat_fee", language="fr"), 2026, 3)
    assert invoice.lines.get().label == "Redevance de maintenance, mars 2026"


def test_it_prorates_the_first_month_from_the_start_day(amy, org_a1, policy):
    contract = bf.contract(actor=amy, client=org_a1, policy=policy, start_date=date(2026, 3, 20))
    invoice = bf.run(contract, 2026, 3)
    assert _lines(invoice) == [("fee", "0.3871", "month", "450.00", "174.20")]
    assert invoice.facts["active"] == ["2026-03-20", "2026-03-31"]


def test_it_bills_work_on_quote_at_the_hourly_rate_with_its_interventions(make_contract, cody, bob):
    contract = make_contract("flat_fee")
    ticket = bf.ticket(actor=bob, contract=contract, day=date(2026, 3, 2), maintenance_type="evolutive")
    iv = bf.work(ticket=ticket, actor=bob, day=date(2026, 3, 3), minutes=50)
    invoice = bf.run(contract, 2026, 3)
    assert _lines(invoice)[1] == ("on_quote", "1.0000", "hour", "80.00", "80.00")
    detail = invoice.lines.get(kind="on_quote").detail
    assert [(i["id"], i["ticket"], i["minutes"], i["rounded"]) for i in detail["interventions"]] == [
        (iv.pk, ticket.reference, 50, 60)]


def test_it_bills_a_ticket_in_the_month_it_was_first_resolved_only(make_contract, cody, bob):
    contract = make_contract("per_ticket")
    ticket = bf.ticket(actor=cody, contract=contract, day=date(2026, 3, 30))
    bf.resolve(ticket=ticket, actor=bob, at=datetime(2026, 3, 31, 22, 30, tzinfo=UTC))  # 1 April, 00:30 in Paris
    from tickets.services import ticket_change_status

    ticket_change_status(ticket=ticket, actor=cody, status="in_progress", reason="Still broken",
                         now=datetime(2026, 4, 2, 9, 0, tzinfo=UTC))
    bf.resolve(ticket=ticket, actor=bob, at=datetime(2026, 5, 4, 9, 0, tzinfo=UTC))
    march, april, may = (bf.run(contract, 2026, m) for m in (3, 4, 5))
    assert (_lines(march), _lines(may)) == ([], [])
    assert _lines(april) == [("tickets", "1.0000", "ticket", "120.00", "120.00")]
    assert april.lines.get().detail == {"tickets": [ticket.reference]}


def test_it_credits_the_breaches_recorded_in_the_month_listing_the_tickets(make_contract, cody):
    contract = make_contract("flat_fee", service_credits={"P3": {"resolution": "5"}}, penalty_cap_percent=Decimal("10"))
    ticket = bf.ticket(actor=cody, contract=contract, day=date(2026, 3, 2))
    bf.breach(ticket=ticket, at=datetime(2026, 3, 5, 12, 0, tzinfo=UTC))
    bf.breach(ticket=ticket, at=datetime(2026, 3, 31, 22, 30, tzinfo=UTC), metric="response")  # April in Paris
    invoice = bf.run(contract, 2026, 3)
    assert _lines(invoice)[1] == ("credit", "1.0000", "unit", "-22.50", "-22.50")
    detail = invoice.lines.get(kind="credit").detail
    assert [(b["ticket"], b["metric"], b["percent"]) for b in detail["breaches"]] == [
        (ticket.reference, "resolution", "5.00")]


def test_it_carries_unused_minutes_of_a_hybrid_plan_from_last_months_invoice(make_contract, cody, bob):
    contract = make_contract("hybrid", monthly_fee=Decimal("900.00"), included_minutes=600,
                             rollover_cap_minutes=300)
    march = bf.run(contract, 2026, 3)
    ticket = bf.ticket(actor=cody, contract=contract, day=date(2026, 4, 1))
    bf.work(ticket=ticket, actor=bob, day=date(2026, 4, 2), minutes=1000)
    april = bf.run(contract, 2026, 4)
    assert (march.carry_minutes, april.facts["carried_in"], april.used_minutes) == (300, 300, 900)
    assert _lines(april)[1] == ("overage", "1.7500", "hour", "80.00", "140.00")


def test_it_consumes_the_hour_bank_and_bills_what_no_block_covers(make_contract, amy, cody, bob):
    contract = make_contract("hour_bank")
    hour_bank_block_buy(contract=contract, actor=amy, minutes=60, price="75.00", bought_on=date(2026, 3, 1))
    ticket = bf.ticket(actor=cody, contract=contract, day=date(2026, 3, 2))
    first = bf.work(ticket=ticket, actor=bob, day=date(2026, 3, 3), minutes=40)
    second = bf.work(ticket=ticket, actor=bob, day=date(2026, 3, 4), minutes=40)
    invoice = bf.run(contract, 2026, 3)
    assert _lines(invoice) == [("overage", "0.5000", "hour", "80.00", "40.00")]
    assert invoice.used_minutes == 60
    detail = invoice.lines.get().detail["interventions"]
    assert [(i["id"], i["overage"]) for i in detail] == [(second.pk, 30)]
    assert first.pk not in [i["id"] for i in detail]


def test_it_keeps_the_lines_when_the_plan_changes_later(make_contract, amy):
    contract = make_contract("flat_fee")
    invoice = bf.run(contract, 2026, 3)
    bf.amend(contract=contract, actor=amy, effective=date(2026, 3, 1), monthly_fee=Decimal("999.00"))
    again = bf.run(contract, 2026, 3)
    assert again.pk == invoice.pk
    assert _lines(again) == [("fee", "1.0000", "month", "450.00", "450.00")]
    assert again.plan["monthly_fee"] == "450.00"


def test_it_returns_the_existing_invoice_when_run_twice(make_contract):
    contract = make_contract("flat_fee")
    first, second = bf.run(contract, 2026, 3), bf.run(contract, 2026, 3)
    assert first.pk == second.pk
    assert (Invoice.objects.count(), InvoiceLine.objects.count()) == (1, 1)


def test_it_refuses_a_month_that_is_not_over(make_contract):
    contract = make_contract("flat_fee")
    with pytest.raises(ValidationError) as exc:
        bf.run(contract, 2026, 7, today=date(2026, 7, 31))
    assert list(exc.value.message_dict) == ["month"]
    assert not Invoice.objects.exists()


def test_it_refuses_a_month_in_the_future(make_contract):
    contract = make_contract("flat_fee")
    with pytest.raises(ValidationError) as exc:
        bf.run(contract, 2026, 9, today=date(2026, 7, 15))
    assert list(exc.value.message_dict) == ["month"]
    assert not Invoice.objects.exists()


def test_it_bills_every_contract_active_in_the_month_and_no_other(make_contract, amy, org_a1, policy, tenant_a):
    running = make_contract("flat_fee")
    later = bf.contract(actor=amy, client=org_a1, policy=policy, start_date=date(2026, 4, 1))
    invoices = billing_run_month(tenant=tenant_a, year=2026, month=3, today=bf.TODAY)
    assert [i.contract_id for i in invoices] == [running.pk]
    assert later.pk not in Invoice.objects.values_list("contract_id", flat=True)


def test_it_issues_at_once_when_the_tenant_says_so(make_contract, alice, tenant_a):
    from billing.services import billing_settings_update

    billing_settings_update(tenant=tenant_a, actor=alice, auto_issue=True)
    invoice = bf.run(make_contract("flat_fee"), 2026, 3)
    assert (invoice.status, invoice.number) == ("issued", "INV-2026-000001")


def test_it_refuses_a_technician_starting_a_run(make_contract, bob):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        bf.run(make_contract("flat_fee"), 2026, 3, actor=bob)


# A contract alone (a batch of one): the settings; the savepoint, the lock, 7 reads
# (versions, invoices of the month and the one before, work with late work, first
# resolutions, breaches, hour-bank blocks, the month's ledger), 6 writes (invoices,
# lines, billed work, ledger movements, audit events, report requests), the release.
QUERIES_PER_CONTRACT = 17
# A batch, whatever its size: the tenant and its settings, then the same as one contract.
QUERIES_PER_BATCH = 18


def _busy_contracts(make_contract, amy, cody, bob, count):
    contracts = []
    for _ in range(count):
        contract = make_contract("hour_bank", service_credits={"P3": {"resolution": "5"}},
                                 penalty_cap_percent=Decimal("10"))
        hour_bank_block_buy(contract=contract, actor=amy, minutes=120, price="150.00", bought_on=date(2026, 2, 1))
        ticket = bf.ticket(actor=cody, contract=contract, day=date(2026, 3, 2))
        bf.work(ticket=ticket, actor=bob, day=date(2026, 3, 3), minutes=100)
        bf.work(ticket=ticket, actor=bob, day=date(2026, 3, 4), minutes=100)
        bf.breach(ticket=ticket, at=datetime(2026, 3, 5, 12, 0, tzinfo=UTC))
        contracts.append(contract)
    return contracts


@pytest.mark.parametrize("count", [1, 5])
def test_it_runs_each_contract_in_a_constant_number_of_queries(make_contract, amy, cody, bob, count,
                                                               django_assert_num_queries):
    contracts = _busy_contracts(make_contract, amy, cody, bob, count)
    for contract in contracts:  # loaded as the task loads them
        contract.tenant  # noqa: B018
    with django_assert_num_queries(QUERIES_PER_CONTRACT * count):
        for contract in contracts:
            billing_run_contract(contract=contract, year=2026, month=3, today=bf.TODAY)
    assert Invoice.objects.count() == count


@pytest.mark.parametrize("count", [2, 6])
def test_a_batch_of_the_run_takes_the_same_number_of_queries_whatever_its_size(make_contract, amy, cody, bob,
                                                                                count, django_assert_num_queries):
    from billing.tasks import billing_run_contracts_task

    contracts = _busy_contracts(make_contract, amy, cody, bob, count)
    with django_assert_num_queries(QUERIES_PER_BATCH):
        billing_run_contracts_task(contracts[0].tenant_id, [c.pk for c in contracts], 2026, 3)
    assert Invoice.objects.count() == count


def test_it_runs_a_contract_without_hour_bank_in_fewer_queries(make_contract, cody, bob,
                                                                django_assert_num_queries):
    contract = make_contract("flat_fee")
    ticket = bf.ticket(actor=cody, contract=contract, day=date(2026, 3, 2))
    bf.work(ticket=ticket, actor=bob, day=date(2026, 3, 3), minutes=100)
    contract.tenant  # noqa: B018
    with django_assert_num_queries(QUERIES_PER_CONTRACT - 1):  # no ledger movement to write
        billing_run_contract(contract=contract, year=2026, month=3, today=bf.TODAY)

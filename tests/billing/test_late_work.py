"""Work logged late: an intervention dated in a month whose invoice already exists
(draft or issued) is billed by the contract's next invoice, as work done on its first
day, exactly once; its hour-bank consumption is written once, in that month."""

from __future__ import annotations

from datetime import date

from billing.models import HourBankMovement, InvoicedWork
from billing.selectors import billable_work
from billing.services import hour_bank_block_buy, hour_bank_sync, invoice_issue
from tests.billing import factories as bf


def _on_quote(contract, cody, bob, *, day, minutes):
    ticket = bf.ticket(actor=cody, contract=contract, day=date(2026, 3, 2), maintenance_type="evolutive")
    return bf.work(ticket=ticket, actor=bob, day=day, minutes=minutes)


def _lines(invoice):
    return [(line.kind, str(line.quantity), str(line.amount)) for line in invoice.lines.order_by("position")]


def test_it_bills_work_logged_after_a_draft_on_the_next_invoice(make_contract, cody, bob):
    contract = make_contract("flat_fee")
    march = bf.run(contract, 2026, 3)
    iv = _on_quote(contract, cody, bob, day=date(2026, 3, 20), minutes=60)
    april = bf.run(contract, 2026, 4)
    assert _lines(april) == [("fee", "1.0000", "450.00"), ("on_quote", "1.0000", "80.00")]
    assert _lines(march) == [("fee", "1.0000", "450.00")]
    assert april.lines.get(kind="on_quote").detail["interventions"][0]["late_from"] == "2026-03-01"
    assert InvoicedWork.objects.get(intervention=iv).invoice == april


def test_it_bills_work_logged_after_the_invoice_was_issued_on_the_next_invoice(make_contract, amy, cody, bob):
    contract = make_contract("flat_fee")
    invoice_issue(invoice=bf.run(contract, 2026, 3), actor=amy, today=bf.TODAY)
    _on_quote(contract, cody, bob, day=date(2026, 3, 20), minutes=30)
    april = bf.run(contract, 2026, 4)
    assert april.lines.get(kind="on_quote").amount == 40


def test_it_bills_late_work_once(make_contract, cody, bob):
    contract = make_contract("flat_fee")
    bf.run(contract, 2026, 3)
    _on_quote(contract, cody, bob, day=date(2026, 3, 20), minutes=60)
    bf.run(contract, 2026, 4)
    may = bf.run(contract, 2026, 5)
    assert _lines(may) == [("fee", "1.0000", "450.00")]


def test_it_leaves_work_of_a_month_not_yet_invoiced_to_that_month(make_contract, cody, bob):
    contract = make_contract("flat_fee")
    _on_quote(contract, cody, bob, day=date(2026, 3, 20), minutes=60)
    april = bf.run(contract, 2026, 4)  # March was never run: its own run bills it
    assert _lines(april) == [("fee", "1.0000", "450.00")]
    assert _lines(bf.run(contract, 2026, 3))[1] == ("on_quote", "1.0000", "80.00")


def test_it_bills_work_on_the_invoice_of_its_month_without_late_mark(make_contract, cody, bob):
    contract = make_contract("flat_fee")
    iv = _on_quote(contract, cody, bob, day=date(2026, 3, 20), minutes=60)
    march = bf.run(contract, 2026, 3)
    assert "late_from" not in march.lines.get(kind="on_quote").detail["interventions"][0]
    assert InvoicedWork.objects.get(intervention=iv).late_from is None


def test_it_bills_only_what_an_edit_adds_to_work_already_billed(make_contract, cody, bob):
    contract = make_contract("flat_fee")
    iv = _on_quote(contract, cody, bob, day=date(2026, 3, 20), minutes=60)
    bf.run(contract, 2026, 3)
    type(iv).objects.filter(pk=iv.pk).update(minutes=100)  # corrected by an administrator
    april = bf.run(contract, 2026, 4)
    assert _lines(april)[1] == ("on_quote", "0.7500", "60.00")  # 105 min rounded, less the 60 billed
    assert InvoicedWork.objects.filter(intervention=iv).values_list("minutes", flat=True).order_by("id")[1] == 40


def test_it_consumes_late_work_from_the_current_months_allowance_on_a_hybrid_plan(make_contract, cody, bob):
    contract = make_contract("hybrid", included_minutes=120)
    ticket = bf.ticket(actor=cody, contract=contract, day=date(2026, 3, 2))
    bf.run(contract, 2026, 3)
    bf.work(ticket=ticket, actor=bob, day=date(2026, 3, 25), minutes=90)
    april = bf.run(contract, 2026, 4)
    assert (april.used_minutes, [line.kind for line in april.lines.all()]) == (90, ["fee"])


def test_it_draws_late_work_on_the_hour_bank_once(make_contract, amy, cody, bob):
    contract = make_contract("hour_bank")
    hour_bank_block_buy(contract=contract, actor=amy, minutes=600, price="750.00", bought_on=date(2026, 2, 1))
    ticket = bf.ticket(actor=cody, contract=contract, day=date(2026, 3, 2))
    bf.run(contract, 2026, 3)
    iv = bf.work(ticket=ticket, actor=bob, day=date(2026, 3, 25), minutes=50)
    hour_bank_sync(contract=contract, today=date(2026, 4, 10), months=[(2026, 3), (2026, 4)])
    bf.run(contract, 2026, 4)
    bf.run(contract, 2026, 5)
    hour_bank_sync(contract=contract, today=date(2026, 6, 10), months=[(2026, 5), (2026, 6)])
    moves = HourBankMovement.objects.filter(intervention=iv)
    assert [(m.kind, m.minutes, m.day) for m in moves] == [("consumption", -60, date(2026, 4, 1))]


def test_it_shows_late_work_in_the_balance_before_the_next_run(make_contract, amy, cody, bob):
    contract = make_contract("hour_bank")
    hour_bank_block_buy(contract=contract, actor=amy, minutes=600, price="750.00", bought_on=date(2026, 2, 1))
    ticket = bf.ticket(actor=cody, contract=contract, day=date(2026, 3, 2))
    bf.run(contract, 2026, 3)
    bf.work(ticket=ticket, actor=bob, day=date(2026, 3, 25), minutes=50)
    hour_bank_sync(contract=contract, today=date(2026, 4, 10), months=[(2026, 3), (2026, 4)])
    assert sum(HourBankMovement.objects.filter(contract=contract).values_list("minutes", flat=True)) == 540


def test_it_finds_late_work_in_one_query(make_contract, cody, bob, django_assert_num_queries):
    contract = make_contract("flat_fee")
    bf.run(contract, 2026, 3)
    _on_quote(contract, cody, bob, day=date(2026, 3, 20), minutes=60)
    with django_assert_num_queries(1):
        work = billable_work(contract=contract, year=2026, month=4, increment=15)
    assert [(w.day, w.late_from) for w in work] == [(date(2026, 4, 1), date(2026, 3, 1))]


def test_it_leaves_late_work_to_the_next_month_to_bill_only(make_contract, amy, cody, bob):
    contract = make_contract("hour_bank")
    hour_bank_block_buy(contract=contract, actor=amy, minutes=600, price="750.00", bought_on=date(2026, 2, 1))
    ticket = bf.ticket(actor=cody, contract=contract, day=date(2026, 2, 2))
    bf.run(contract, 2026, 2)
    iv = bf.work(ticket=ticket, actor=bob, day=date(2026, 2, 20), minutes=50)
    # 10 April: March (not billed yet) and April are both open; the late work is March's
    hour_bank_sync(contract=contract, today=date(2026, 4, 10), months=[(2026, 3), (2026, 4)])
    assert [m.day for m in HourBankMovement.objects.filter(intervention=iv)] == [date(2026, 3, 1)]

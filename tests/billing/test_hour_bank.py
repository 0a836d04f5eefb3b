"""Hour bank: blocks, the ledger (its sum is the balance), consumption derived from
interventions in B9's order, expiry, adjustments, and the 80 % / 100 % alerts."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from billing import pricing
from billing.hour_bank import BankBlock, BankWork, allocate, rounded
from billing.models import HourBankAlert, HourBankMovement
from billing.plans import month_bounds
from billing.selectors import hour_bank_balance, hour_bank_blocks, hour_bank_movements
from billing.services import hour_bank_adjust, hour_bank_block_buy, hour_bank_sync
from portal.models import AuditEvent
from tests.billing import factories as bf
from tests.billing.conftest import arguments_from_json, load_examples, plan_from_json

MARCH = [(2026, 3)]


@pytest.fixture
def bank(make_contract):
    return make_contract("hour_bank")


def _buy(contract, actor, minutes=600, bought_on=date(2026, 3, 1), expires_on=None):
    return hour_bank_block_buy(contract=contract, actor=actor, minutes=minutes, price="750.00", bought_on=bought_on,
                               expires_on=expires_on)


def _ledger(contract):
    return [(m.kind, m.block.reference, m.minutes) for m in HourBankMovement.objects.filter(contract=contract)
            .select_related("block").order_by("day", "id")]


# ---------------------------------------------------------------- the pure allocation


@pytest.mark.parametrize("case", [c for c in load_examples() if c["plan"]["model"] == "hour_bank"],
                         ids=lambda c: c["id"])
def test_it_allocates_as_price_month_does(case):
    plan, args = plan_from_json(case["plan"]), arguments_from_json(case)
    first, last = month_bounds(case["year"], case["month"])
    statement = pricing.price_month(plan, **args)
    alloc = allocate([BankBlock(ref=b.ref, minutes=b.minutes, bought=b.bought, expires=b.expires) for b in args["blocks"]],
                     [BankWork(ref=i.ref, day=i.day, minutes=rounded(i.minutes, plan.increment_minutes))
                      for i in args["interventions"] if i.billable and i.included and i.minutes],
                     first=first, last=last)
    assert alloc.used == statement.used_minutes
    assert sum(alloc.expired.values()) == statement.expired_minutes
    assert {b.ref: b.minutes for b in statement.blocks_after} == {
        ref: left for ref, left in alloc.left.items() if left and ref not in alloc.expired}


def test_it_takes_from_the_block_expiring_first_and_spans_blocks():
    blocks = [BankBlock("HB-2", 30, date(2026, 1, 1), None), BankBlock("HB-1", 30, date(2026, 1, 1), date(2026, 3, 31))]
    alloc = allocate(blocks, [BankWork("INT-1", date(2026, 3, 2), 45)], first=date(2026, 3, 1), last=date(2026, 3, 31))
    assert alloc.takes == [("INT-1", "HB-1", 30), ("INT-1", "HB-2", 15)]


# ---------------------------------------------------------------- ledger and balance


def test_it_records_a_purchase_in_the_ledger(bank, amy):
    block = _buy(bank, amy)
    assert (block.reference, _ledger(bank)) == ("HB-000001", [("purchase", "HB-000001", 600)])


def test_it_refuses_a_block_on_a_contract_not_billed_on_an_hour_bank(make_contract, amy):
    with pytest.raises(ValidationError) as exc:
        _buy(make_contract("flat_fee"), amy)
    assert list(exc.value.message_dict) == ["contract"]


def test_it_refuses_a_block_that_expires_before_it_is_bought(bank, amy):
    with pytest.raises(ValidationError) as exc:
        _buy(bank, amy, expires_on=date(2026, 2, 1))
    assert list(exc.value.message_dict) == ["expires_on"]


def test_it_records_consumption_per_intervention_rounded_and_linked(bank, amy, cody, bob):
    _buy(bank, amy)
    ticket = bf.ticket(actor=cody, contract=bank, day=date(2026, 3, 2))
    iv = bf.work(ticket=ticket, actor=bob, day=date(2026, 3, 3), minutes=50)
    hour_bank_sync(contract=bank, today=date(2026, 3, 10), months=MARCH)
    row = HourBankMovement.objects.get(kind="consumption")
    assert (row.minutes, row.raw_minutes, row.intervention_id, row.ticket_id, row.day) == (
        -60, 50, iv.pk, ticket.pk, date(2026, 3, 3))


def test_it_gives_the_balance_as_the_sum_of_the_ledger(bank, amy, alice, cody, bob):
    block = _buy(bank, amy)
    ticket = bf.ticket(actor=cody, contract=bank, day=date(2026, 3, 2))
    bf.work(ticket=ticket, actor=bob, day=date(2026, 3, 3), minutes=50)
    hour_bank_sync(contract=bank, today=date(2026, 3, 10), months=MARCH)
    hour_bank_adjust(block=block, actor=alice, minutes=-30, reason="Goodwill error", day=date(2026, 3, 10))
    ledger_sum = sum(m for _, _, m in _ledger(bank))
    assert hour_bank_balance(tenant=bank.tenant, viewer=amy, contract=bank) == ledger_sum == 600 - 60 - 30
    assert hour_bank_blocks(tenant=bank.tenant, viewer=amy, contract=bank).get().remaining == ledger_sum


def test_it_does_not_consume_for_work_on_quote_or_not_billable(bank, amy, cody, bob):
    _buy(bank, amy)
    ticket = bf.ticket(actor=bob, contract=bank, day=date(2026, 3, 2), maintenance_type="evolutive")
    bf.work(ticket=ticket, actor=bob, day=date(2026, 3, 3), minutes=50)
    included = bf.ticket(actor=cody, contract=bank, day=date(2026, 3, 2))
    bf.work(ticket=included, actor=bob, day=date(2026, 3, 3), minutes=50, billable=False)
    hour_bank_sync(contract=bank, today=date(2026, 3, 10), months=MARCH)
    assert _ledger(bank) == [("purchase", "HB-000001", 600)]


def test_it_syncs_idempotently(bank, amy, cody, bob):
    _buy(bank, amy)
    ticket = bf.ticket(actor=cody, contract=bank, day=date(2026, 3, 2))
    bf.work(ticket=ticket, actor=bob, day=date(2026, 3, 3), minutes=50)
    written = [hour_bank_sync(contract=bank, today=date(2026, 3, 10), months=MARCH) for _ in range(2)]
    assert written == [1, 0]
    assert HourBankMovement.objects.filter(kind="consumption").count() == 1


def test_it_records_an_intervention_once_per_block(bank, amy, cody, bob):
    block = _buy(bank, amy)
    ticket = bf.ticket(actor=cody, contract=bank, day=date(2026, 3, 2))
    iv = bf.work(ticket=ticket, actor=bob, day=date(2026, 3, 3), minutes=50)
    hour_bank_sync(contract=bank, today=date(2026, 3, 10), months=MARCH)
    with pytest.raises(IntegrityError), transaction.atomic():
        HourBankMovement.objects.create(tenant=bank.tenant, contract=bank, block=block, kind="consumption",
                                        minutes=-15, day=iv.date, intervention=iv, ticket=ticket)


def test_it_reallocates_a_month_when_earlier_work_is_logged_late(bank, amy, cody, bob):
    _buy(bank, amy, minutes=60, expires_on=date(2026, 3, 10))
    _buy(bank, amy, minutes=60)
    ticket = bf.ticket(actor=cody, contract=bank, day=date(2026, 3, 2))
    later = bf.work(ticket=ticket, actor=bob, day=date(2026, 3, 9), minutes=60)
    hour_bank_sync(contract=bank, today=date(2026, 3, 9), months=MARCH)
    earlier = bf.work(ticket=ticket, actor=bob, day=date(2026, 3, 5), minutes=60)
    hour_bank_sync(contract=bank, today=date(2026, 3, 12), months=MARCH)
    takes = {(m.intervention_id, m.block.reference): m.minutes
             for m in HourBankMovement.objects.filter(kind="consumption").select_related("block")}
    assert takes == {(earlier.pk, "HB-000001"): -60, (later.pk, "HB-000002"): -60}


def test_it_freezes_the_ledger_of_an_invoiced_month(bank, amy, cody, bob):
    _buy(bank, amy)
    ticket = bf.ticket(actor=cody, contract=bank, day=date(2026, 3, 2))
    bf.work(ticket=ticket, actor=bob, day=date(2026, 3, 3), minutes=50)
    bf.run(bank, 2026, 3)
    bf.work(ticket=ticket, actor=bob, day=date(2026, 3, 4), minutes=50)  # logged after the invoice
    assert hour_bank_sync(contract=bank, today=bf.TODAY, months=MARCH) == 0
    assert HourBankMovement.objects.filter(kind="consumption").count() == 1


def test_it_expires_what_is_left_once_the_last_day_is_over(bank, amy):
    _buy(bank, amy, minutes=600, expires_on=date(2026, 3, 31))
    hour_bank_sync(contract=bank, today=date(2026, 3, 31), months=MARCH)
    assert [k for k, _, _ in _ledger(bank)] == ["purchase"]
    hour_bank_sync(contract=bank, today=date(2026, 4, 1), months=MARCH)
    assert _ledger(bank)[-1] == ("expiry", "HB-000001", -600)
    assert hour_bank_balance(tenant=bank.tenant, viewer=amy, contract=bank) == 0


def test_it_reports_the_expiry_on_the_invoice_as_in_the_ledger(bank, amy):
    _buy(bank, amy, minutes=600, expires_on=date(2026, 3, 15))
    invoice = bf.run(bank, 2026, 3)
    assert invoice.expired_minutes == 600
    assert _ledger(bank)[-1] == ("expiry", "HB-000001", -600)


# ---------------------------------------------------------------- adjustments


def test_it_lets_a_tenant_admin_adjust_with_a_reason_audited(bank, amy, alice):
    block = _buy(bank, amy)
    hour_bank_adjust(block=block, actor=alice, minutes=45, reason="Free hour for the delay", day=date(2026, 3, 5))
    event = AuditEvent.objects.get(action="hour_bank.adjust")
    assert (event.actor_id, event.changes["minutes"], event.changes["reason"]) == (
        alice.pk, 45, "Free hour for the delay")
    assert _ledger(bank)[-1] == ("adjustment", "HB-000001", 45)


def test_it_refuses_an_adjustment_by_an_account_manager(bank, amy):
    block = _buy(bank, amy)
    with pytest.raises(PermissionDenied):
        hour_bank_adjust(block=block, actor=amy, minutes=45, reason="Why not")
    assert len(_ledger(bank)) == 1


def test_it_refuses_an_adjustment_without_a_reason(bank, amy, alice):
    block = _buy(bank, amy)
    with pytest.raises(ValidationError) as exc:
        hour_bank_adjust(block=block, actor=alice, minutes=45, reason="  ")
    assert list(exc.value.message_dict) == ["reason"]


def test_it_refuses_an_adjustment_below_zero(bank, amy, alice):
    block = _buy(bank, amy, minutes=60)
    with pytest.raises(ValidationError) as exc:
        hour_bank_adjust(block=block, actor=alice, minutes=-61, reason="Too much")
    assert list(exc.value.message_dict) == ["minutes"]


# ---------------------------------------------------------------- alerts


def _alert_mails():
    from portal.outbox import outbox_deliver

    outbox_deliver()
    return [m for m in mail.outbox if "hour bank" in m.subject]


def _consume(bank, cody, bob, minutes, day=date(2026, 3, 3)):
    ticket = bf.ticket(actor=cody, contract=bank, day=date(2026, 3, 2))
    bf.work(ticket=ticket, actor=bob, day=day, minutes=minutes)
    hour_bank_sync(contract=bank, today=date(2026, 3, 10), months=MARCH)


def test_it_alerts_at_80_percent_the_client_admins_and_the_account_manager(bank, amy, clara, cody, bob,
                                                                           django_capture_on_commit_callbacks):
    _buy(bank, amy, minutes=600)
    with django_capture_on_commit_callbacks(execute=True):
        _consume(bank, cody, bob, 480)
    assert list(HourBankAlert.objects.values_list("threshold", flat=True)) == [80]
    alerts = _alert_mails()
    assert sorted(address for m in alerts for address in m.to) == ["amy@a.test", "clara@a1.test"]
    assert "80 %" in alerts[0].subject


def test_it_alerts_each_threshold_once(bank, amy, clara, cody, bob, django_capture_on_commit_callbacks):
    _buy(bank, amy, minutes=600)
    with django_capture_on_commit_callbacks(execute=True):
        _consume(bank, cody, bob, 480)
        _consume(bank, cody, bob, 60, day=date(2026, 3, 4))
        hour_bank_sync(contract=bank, today=date(2026, 3, 10), months=MARCH)
        _consume(bank, cody, bob, 60, day=date(2026, 3, 5))
    assert sorted(HourBankAlert.objects.values_list("threshold", flat=True)) == [80, 100]
    assert len(_alert_mails()) == 4  # two people, two thresholds


def test_it_alerts_again_for_a_new_block(bank, amy, clara, cody, bob):
    _buy(bank, amy, minutes=60)
    _consume(bank, cody, bob, 60)
    _buy(bank, amy, minutes=60, bought_on=date(2026, 3, 4))
    _consume(bank, cody, bob, 60, day=date(2026, 3, 5))
    assert sorted(HourBankAlert.objects.values_list("threshold", flat=True)) == [80, 80, 100, 100]


# ---------------------------------------------------------------- who sees the bank


def test_it_shows_the_bank_to_the_clients_own_users(bank, amy, cody):
    _buy(bank, amy)
    assert hour_bank_balance(tenant=bank.tenant, viewer=cody, contract=bank) == 600
    assert hour_bank_movements(tenant=bank.tenant, viewer=cody, contract=bank).count() == 1


def test_it_hides_the_bank_from_another_client(bank, amy, dora):
    _buy(bank, amy)
    assert hour_bank_balance(tenant=bank.tenant, viewer=dora, contract=bank) is None
    assert not hour_bank_movements(tenant=bank.tenant, viewer=dora, contract=bank).exists()
    assert not hour_bank_blocks(tenant=bank.tenant, viewer=dora, contract=bank).exists()


def test_it_hides_other_tenants_bank(bank, amy, carol):
    _buy(bank, amy)
    assert hour_bank_balance(tenant=bank.tenant, viewer=carol, contract=bank) is None
    assert not hour_bank_movements(tenant=carol.membership.tenant, viewer=carol, contract=bank).exists()


def test_it_writes_the_alert_emails_to_the_outbox_with_the_alert(bank, amy, clara, cody, bob):
    from portal.models import OutboxMessage

    _buy(bank, amy, minutes=600)
    _consume(bank, cody, bob, 480)  # no on-commit delivery ran: the rows wait in the outbox
    rows = OutboxMessage.objects.filter(kind="billing.hour_bank_threshold")
    assert sorted(rows.values_list("recipient", flat=True)) == ["amy@a.test", "clara@a1.test"]

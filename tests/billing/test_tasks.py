"""The billing tasks and the billing_run command: the monthly schedule per tenant time
zone, the fan-out, the daily follow-up, the command's progress bar and refusals."""

from __future__ import annotations

from datetime import UTC, date, datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from billing.models import BillingRun, HourBankMovement, Invoice
from billing.services import billing_settings_update, hour_bank_block_buy
from billing.tasks import billing_daily_tenant_task, billing_monthly_task, hour_bank_sync_recent_task
from tests.billing import factories as bf

# 1 April 2026: Paris is UTC+2, New York UTC−4.
BEFORE_2AM_PARIS = "2026-03-31T23:30:00+00:00"  # 01:30 in Paris
AFTER_2AM_PARIS = "2026-04-01T00:10:00+00:00"  # 02:10 in Paris, 20:10 on 31 March in New York


def test_it_does_not_start_the_month_before_2am_on_the_1st(make_contract, django_capture_on_commit_callbacks):
    make_contract("flat_fee")
    with django_capture_on_commit_callbacks(execute=True):
        assert billing_monthly_task(BEFORE_2AM_PARIS) == 0
    assert not Invoice.objects.exists()


def test_it_bills_last_month_at_2am_on_the_1st_in_the_tenants_zone(make_contract, django_capture_on_commit_callbacks):
    contract = make_contract("flat_fee")
    with django_capture_on_commit_callbacks(execute=True), time_machine.travel(AFTER_2AM_PARIS, tick=False):
        assert billing_monthly_task(AFTER_2AM_PARIS) == 1
    invoice = Invoice.objects.get()
    assert (invoice.contract_id, invoice.year, invoice.month) == (contract.pk, 2026, 3)


def test_it_waits_for_2am_in_a_tenant_in_another_zone(make_contract, alice, tenant_a,
                                                      django_capture_on_commit_callbacks):
    billing_settings_update(tenant=tenant_a, actor=alice, time_zone="America/New_York")
    make_contract("flat_fee")
    BillingRun.objects.create(tenant=tenant_a, year=2026, month=2, trigger="schedule")  # started on 1 March
    with django_capture_on_commit_callbacks(execute=True):
        assert billing_monthly_task(AFTER_2AM_PARIS) == 0
        assert not Invoice.objects.exists()
        with time_machine.travel("2026-04-01T06:10:00+00:00", tick=False):  # 02:10 in New York
            assert billing_monthly_task("2026-04-01T06:10:00+00:00") == 1
    assert list(Invoice.objects.values_list("month", flat=True)) == [3]


def test_it_starts_a_tenants_month_once(make_contract, django_capture_on_commit_callbacks):
    make_contract("flat_fee")
    with django_capture_on_commit_callbacks(execute=True), time_machine.travel(AFTER_2AM_PARIS, tick=False):
        started = [billing_monthly_task(AFTER_2AM_PARIS), billing_monthly_task("2026-04-01T01:10:00+00:00")]
    assert started == [1, 0]
    assert BillingRun.objects.filter(trigger="schedule").count() == 1
    assert Invoice.objects.count() == 1


def test_it_bills_in_the_daily_run_what_the_monthly_run_missed(make_contract, tenant_a):
    billed, lost = make_contract("flat_fee"), make_contract("flat_fee")
    bf.run(billed, 2026, 3, today=date(2026, 4, 1))
    BillingRun.objects.create(tenant=tenant_a, year=2026, month=3, trigger="schedule")  # lost task for `lost`
    with time_machine.travel(datetime(2026, 4, 2, 10, 0, tzinfo=UTC), tick=False):
        billing_daily_tenant_task(tenant_a.pk)
        billing_daily_tenant_task(tenant_a.pk)
    assert sorted(Invoice.objects.filter(year=2026, month=3).values_list("contract_id", flat=True)) == sorted(
        [billed.pk, lost.pk])


def test_it_marks_overdue_and_expires_blocks_in_the_daily_run(make_contract, amy, tenant_a):
    invoice = bf.issued(make_contract("flat_fee"), 2026, 3, actor=amy, today=date(2026, 4, 2))
    bank = make_contract("hour_bank")
    hour_bank_block_buy(contract=bank, actor=amy, minutes=60, price="75.00", bought_on=date(2026, 4, 1),
                        expires_on=date(2026, 5, 31))
    with time_machine.travel(datetime(2026, 6, 1, 10, 0, tzinfo=UTC), tick=False):
        billing_daily_tenant_task(tenant_a.pk)
    invoice.refresh_from_db()
    assert invoice.status == "overdue"
    assert HourBankMovement.objects.filter(kind="expiry").get().minutes == -60


def test_it_syncs_hour_banks_with_recent_work(make_contract, amy, cody, bob):
    bank = make_contract("hour_bank")
    hour_bank_block_buy(contract=bank, actor=amy, minutes=600, price="750.00", bought_on=date(2026, 3, 1))
    ticket = bf.ticket(actor=cody, contract=bank, day=date(2026, 3, 2))
    with time_machine.travel(datetime(2026, 3, 3, 10, 0, tzinfo=UTC), tick=False):
        bf.work(ticket=ticket, actor=bob, day=date(2026, 3, 3), minutes=20)
    with time_machine.travel(datetime(2026, 3, 3, 10, 30, tzinfo=UTC), tick=False):
        assert hour_bank_sync_recent_task() == 1
    assert HourBankMovement.objects.get(kind="consumption").minutes == -30


# ---------------------------------------------------------------- the command


@time_machine.travel(datetime(2026, 7, 15, 12, 0, tzinfo=UTC), tick=False)
def test_it_runs_a_past_month_from_the_command_with_a_progress_bar(make_contract):
    make_contract("flat_fee")
    make_contract("flat_fee")
    out = StringIO()
    call_command("billing_run", "--month", "2026-03", "--tenant", "tenant-a", stdout=out)
    assert Invoice.objects.filter(year=2026, month=3).count() == 2
    assert "[" + "#" * 30 + "] 2/2" in out.getvalue()
    assert "2 invoice(s) for 2026-03." in out.getvalue()


@time_machine.travel(datetime(2026, 7, 15, 12, 0, tzinfo=UTC), tick=False)
@pytest.mark.parametrize("month", ["2026-07", "2026-09"])
def test_it_refuses_a_month_not_over_from_the_command(make_contract, month):
    make_contract("flat_fee")
    with pytest.raises(CommandError, match="--month"):
        call_command("billing_run", "--month", month, stdout=StringIO())
    assert not Invoice.objects.exists()


@pytest.mark.parametrize("month", ["2026-13", "March", "2026-3"])
def test_it_refuses_a_malformed_month_from_the_command(tenant_a, month):
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("billing_run", "--month", month, stdout=StringIO())


def test_it_refuses_an_unknown_tenant_from_the_command(tenant_a):
    with pytest.raises(CommandError, match="--tenant"):
        call_command("billing_run", "--month", "2026-03", "--tenant", "nope", stdout=StringIO())

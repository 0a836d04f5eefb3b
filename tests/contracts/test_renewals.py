"""contracts.services.renewals.contracts_daily: tacit renewals, reminders before the
notice deadline and the end, and the end of contracts. Every run gets its day; every
test that counts e-mails runs the eager tasks queued on commit."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail

from contracts.models import ContractReminder, ContractTerm
from contracts.services import contracts as services
from contracts.services.renewals import contracts_daily
from contracts.tasks import contracts_daily_task
from portal.models import AuditEvent, OutboxMessage
from tests.contracts import factories as cf
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

START = date(2025, 1, 1)
# 12-month terms from 2025-01-01 with 3 months' notice: term 2 runs through 2026 and
# notice against its renewal must be given by 2026-10-01.
DEADLINE = date(2026, 10, 1)


@pytest.fixture
def policy(tenant_a):
    return cf.sla_policy(tenant_a)


@pytest.fixture
def tacit(amy, org_a1, policy):
    return cf.active(actor=amy, client=org_a1, policy=policy, start_date=START, today=START)


@pytest.fixture
def fixed(amy, org_a1, policy):
    """No renewal: ends on 2025-12-31."""
    return cf.active(actor=amy, client=org_a1, policy=policy, start_date=START, today=START, renewal="none")


@pytest.fixture
def run(tenant_a, django_capture_on_commit_callbacks):
    """Run the day and the e-mail tasks it queues after commit."""

    def run(day: date):
        with django_capture_on_commit_callbacks(execute=True):
            return contracts_daily(tenant=tenant_a, today=day)

    return run


def reminders(contract) -> list[tuple[str, date, int]]:
    return list(contract.reminders.order_by("pk").values_list("kind", "due_date", "days_before"))


def status(contract) -> str:
    contract.refresh_from_db()
    return contract.status


# =========================================================================== tacit renewal


def test_it_records_the_tacitly_renewed_term(run, tacit):
    run(date(2026, 1, 5))
    term = tacit.term_history.get(index=2)
    assert (term.kind, term.first_day, term.last_day) == ("tacit", date(2026, 1, 1), date(2026, 12, 31))


def test_it_reports_the_renewal(run, tacit):
    assert run(date(2026, 1, 5)).renewed == [f"{tacit.reference}#2"]


def test_it_renews_nothing_before_the_anniversary(run, tacit):
    run(date(2025, 12, 31))
    assert list(tacit.term_history.values_list("index", flat=True)) == [1]


def test_it_records_every_missed_renewal(run, tacit):
    run(date(2028, 2, 1))
    assert list(tacit.term_history.values_list("index", flat=True)) == [1, 2, 3, 4]


def test_it_renews_a_term_once_when_run_twice(run, tacit):
    run(date(2026, 1, 5))
    second = run(date(2026, 1, 5))
    assert (tacit.term_history.count(), second.renewed) == (2, [])


def test_it_audits_a_tacit_renewal_once(run, tacit):
    run(date(2026, 1, 5))
    run(date(2026, 1, 5))
    assert AuditEvent.objects.filter(action="contract.renew_tacit", object_ref=tacit.reference).count() == 1


def test_it_renews_the_term_at_the_current_fee(run, amy, tacit):
    services.contract_amend(contract=tacit, actor=amy, signed_on=date(2025, 6, 1), effective_date=date(2025, 6, 1),
                            summary="New fee", changes={"monthly_fee": "500.00"})
    run(date(2026, 1, 5))
    assert str(tacit.term_history.get(index=2).monthly_fee) == "500.00"


def test_it_renews_a_suspended_contract(run, amy, tacit):
    services.contract_suspend(contract=tacit, actor=amy, reason="Unpaid invoices")
    run(date(2026, 1, 5))
    assert tacit.term_history.filter(index=2).exists()


def test_it_does_not_renew_a_contract_under_notice(run, amy, tacit):
    services.contract_terminate(contract=tacit, actor=amy, notice_given_on=date(2025, 9, 1), given_by="client",
                                reason="notice", today=date(2025, 9, 1))
    run(date(2025, 12, 31))
    assert list(tacit.term_history.values_list("index", flat=True)) == [1]


def test_it_ignores_a_draft(run, amy, org_a1, policy):
    draft = cf.draft(actor=amy, client=org_a1, policy=policy, start_date=START)
    run(date(2026, 1, 5))
    assert not ContractTerm.objects.filter(contract=draft).exists()


def test_it_leaves_other_tenants_alone(run, carol, org_b1, tenant_b):
    other = cf.active(actor=carol, client=org_b1, policy=cf.sla_policy(tenant_b), start_date=START, today=START)
    run(date(2026, 1, 5))
    assert other.term_history.count() == 1


# =========================================================================== notice reminders


def test_it_sends_no_notice_reminder_more_than_30_days_before_the_deadline(run, tacit):
    run(DEADLINE - timedelta(days=31))
    assert reminders(tacit) == []


def test_it_reminds_30_days_before_the_notice_deadline(run, tacit):
    run(DEADLINE - timedelta(days=30))
    assert reminders(tacit) == [("notice", DEADLINE, 30)]


def test_it_reminds_7_days_before_the_notice_deadline(run, tacit):
    run(DEADLINE - timedelta(days=30))
    run(DEADLINE - timedelta(days=7))
    assert reminders(tacit) == [("notice", DEADLINE, 30), ("notice", DEADLINE, 7)]


def test_it_sends_one_reminder_per_window_when_run_every_day(run, tacit):
    for offset in range(40, -3, -1):
        run(DEADLINE - timedelta(days=offset))
    assert reminders(tacit) == [("notice", DEADLINE, 30), ("notice", DEADLINE, 7)]


def test_it_catches_up_the_30_day_reminder_after_a_missed_day(run, tacit):
    run(DEADLINE - timedelta(days=20))
    assert reminders(tacit) == [("notice", DEADLINE, 30)]


def test_it_sends_only_the_closest_reminder_when_late(run, tacit):
    run(DEADLINE - timedelta(days=3))
    assert reminders(tacit) == [("notice", DEADLINE, 7)]


def test_it_reminds_on_the_deadline_itself(run, tacit):
    run(DEADLINE)
    assert reminders(tacit) == [("notice", DEADLINE, 7)]


def test_it_reminds_of_the_next_deadline_once_one_has_passed(run, tacit):
    run(date(2027, 10, 1) - timedelta(days=30))
    assert reminders(tacit) == [("notice", date(2027, 10, 1), 30)]


def test_it_reminds_once_when_run_twice_the_same_day(run, tacit):
    run(DEADLINE - timedelta(days=30))
    second = run(DEADLINE - timedelta(days=30))
    assert (len(reminders(tacit)), second.reminders) == (1, [])


def test_it_uses_the_tenants_reminder_days(run, tenant_a, tacit):
    tenant_a.contract_reminder_days = [60]
    tenant_a.save()
    run(DEADLINE - timedelta(days=45))
    assert reminders(tacit) == [("notice", DEADLINE, 60)]


def test_it_sends_no_notice_reminder_once_notice_is_given(run, amy, tacit):
    services.contract_terminate(contract=tacit, actor=amy, notice_given_on=date(2026, 3, 1), given_by="client",
                                reason="notice", today=date(2026, 3, 1))
    run(DEADLINE - timedelta(days=30))
    assert [r for r in reminders(tacit) if r[0] == "notice"] == []


# =========================================================================== e-mail


def test_it_emails_the_account_manager_and_the_clients_referents(run, amy, org_a1, tacit):
    referent = ContactFactory(organization=org_a1, role="referent", email="referent@a1.test")
    ContactFactory(organization=org_a1, role="technical", email="tech@a1.test")
    run(DEADLINE - timedelta(days=30))
    assert sorted(to for m in mail.outbox for to in m.to) == sorted([amy.email, referent.email])


def test_it_writes_the_reminder_emails_with_the_reminder(tenant_a, amy, tacit):
    contracts_daily(tenant=tenant_a, today=DEADLINE - timedelta(days=30))  # nothing committed, nothing sent

    reminder = ContractReminder.objects.get()
    assert list(OutboxMessage.objects.values_list("kind", "recipient", "context")) == [
        ("contract.reminder", amy.email, {"reminder_id": reminder.pk})]
    assert mail.outbox == []


def test_it_names_the_contract_and_the_deadline_in_the_email(run, tacit):
    run(DEADLINE - timedelta(days=30))
    message = mail.outbox[0]
    assert tacit.reference in message.subject
    assert "01/10/2026" in message.body


def test_it_emails_once_when_run_twice_the_same_day(run, tacit):
    run(DEADLINE - timedelta(days=30))
    run(DEADLINE - timedelta(days=30))
    assert len(mail.outbox) == 1


def test_it_emails_each_reminder_window(run, tacit):
    run(DEADLINE - timedelta(days=30))
    run(DEADLINE - timedelta(days=7))
    assert len(mail.outbox) == 2


def test_it_emails_a_referent_who_is_also_the_account_manager_once(run, amy, org_a1, tacit):
    ContactFactory(organization=org_a1, role="referent", email=amy.email)
    run(DEADLINE - timedelta(days=30))
    assert mail.outbox[0].to == [amy.email]


# =========================================================================== expiry


def test_it_sends_no_notice_reminder_to_a_contract_without_renewal(run, fixed):
    run(date(2025, 9, 1))
    assert reminders(fixed) == []


def test_it_reminds_30_days_before_the_end_of_a_contract_without_renewal(run, fixed):
    run(date(2025, 12, 1))
    assert reminders(fixed) == [("expiry", date(2025, 12, 31), 30)]


def test_it_reminds_7_days_before_the_end_of_a_contract_without_renewal(run, fixed):
    run(date(2025, 12, 1))
    run(date(2025, 12, 24))
    assert reminders(fixed) == [("expiry", date(2025, 12, 31), 30), ("expiry", date(2025, 12, 31), 7)]


def test_it_emails_the_expiry_reminder(run, amy, fixed):
    run(date(2025, 12, 1))
    assert [m.to for m in mail.outbox] == [[amy.email]]


def test_it_keeps_a_contract_active_on_its_last_day(run, fixed):
    run(date(2025, 12, 31))
    assert status(fixed) == "active"


def test_it_expires_a_contract_the_day_after_its_end(run, fixed):
    report = run(date(2026, 1, 1))
    assert (status(fixed), report.ended) == ("expired", [fixed.reference])


def test_it_expires_a_contract_once_when_run_twice(run, fixed):
    run(date(2026, 1, 1))
    second = run(date(2026, 1, 1))
    assert (second.ended, AuditEvent.objects.filter(action="contract.expired").count()) == ([], 1)


def test_it_expires_a_suspended_contract(run, amy, fixed):
    services.contract_suspend(contract=fixed, actor=amy, reason="Unpaid invoices")
    run(date(2026, 1, 1))
    assert status(fixed) == "expired"


def test_it_stops_reminding_an_expired_contract(run, fixed):
    run(date(2026, 1, 1))
    run(date(2026, 1, 2))
    assert reminders(fixed) == []


# =========================================================================== termination


@pytest.fixture
def under_notice(amy, tacit):
    """Notice given on 2026-03-01: the contract ends with term 2, on 2026-12-31."""
    return services.contract_terminate(contract=tacit, actor=amy, notice_given_on=date(2026, 3, 1),
                                       given_by="client", reason="notice", today=date(2026, 3, 1))


def test_it_keeps_a_contract_under_notice_active_until_its_end(run, under_notice):
    run(date(2026, 12, 31))
    assert status(under_notice) == "active"


def test_it_terminates_a_contract_under_notice_after_its_end(run, under_notice):
    run(date(2027, 1, 1))
    assert status(under_notice) == "terminated"


def test_it_terminates_a_suspended_contract_under_notice(run, amy, under_notice):
    services.contract_suspend(contract=under_notice, actor=amy, reason="Unpaid invoices")
    run(date(2027, 1, 1))
    assert status(under_notice) == "terminated"


def test_it_reminds_before_the_end_of_a_contract_under_notice(run, under_notice):
    run(date(2026, 12, 1))
    assert reminders(under_notice) == [("expiry", date(2026, 12, 31), 30)]


def test_it_audits_the_end_of_a_terminated_contract(run, under_notice):
    run(date(2027, 1, 1))
    event = AuditEvent.objects.get(action="contract.terminated")
    assert (event.actor, event.changes["end_date"]) == (None, "2026-12-31")


# =========================================================================== task


def test_it_runs_the_day_for_every_active_tenant(tacit, tenant_b, carol, org_b1):
    other = cf.active(actor=carol, client=org_b1, policy=cf.sla_policy(tenant_b), start_date=START, today=START)
    contracts_daily_task(today="2026-01-05")
    assert (tacit.term_history.count(), other.term_history.count()) == (2, 2)


def test_it_skips_an_inactive_tenant(tacit, tenant_a):
    tenant_a.is_active = False
    tenant_a.save()
    contracts_daily_task(today="2026-01-05")
    assert tacit.term_history.count() == 1


def test_it_records_nothing_twice_when_the_task_runs_twice(tacit):
    contracts_daily_task(today=str(DEADLINE - timedelta(days=30)))
    contracts_daily_task(today=str(DEADLINE - timedelta(days=30)))
    assert (tacit.term_history.count(), ContractReminder.objects.count()) == (2, 1)

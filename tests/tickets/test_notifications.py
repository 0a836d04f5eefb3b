"""tickets.notifications: who is e-mailed about what. Services queue the e-mails after
commit; `django_capture_on_commit_callbacks(execute=True)` runs them (Celery is eager in
tests) and `mail.outbox` shows what went out."""

from __future__ import annotations

import pytest
from django.core import mail

from tests.tickets import factories as tf
from tests.tickets.factories import MON, TUE, WED, at
from tickets.models import SlaEvent
from tickets.notifications import sla_event_notify, ticket_notify
from tickets.services import ticket_assign, ticket_change_status, ticket_reply, ticket_take
from tickets.sla import sla_scan

pytestmark = pytest.mark.django_db


def sent() -> list[tuple[str, str]]:
    """(recipient, subject) of every e-mail sent, sorted."""
    return sorted((to, m.subject) for m in mail.outbox for to in m.to)


def recipients() -> list[str]:
    return sorted(to for m in mail.outbox for to in m.to)


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run `fn` and what it queued after commit (the e-mails), on an empty outbox."""

    def run(fn, *args, **kwargs):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


@pytest.fixture
def taken(ticket, bob):
    """The ticket taken by bob at 10:05 (e-mails of the take not kept)."""
    ticket_take(ticket=ticket, actor=bob, now=at(MON, 10, 5))
    mail.outbox.clear()
    return ticket


# ---------------------------------------------------------------------- ticket e-mails


def test_it_tells_the_technicians_about_a_new_ticket(run, cody, bob, tom, contract):
    ticket = run(tf.open_ticket, actor=cody, contract=contract)

    assert ("bob@a.test", f"[{ticket.reference}] New ticket: Printer offline") in sent()
    assert ("tom@a.test", f"[{ticket.reference}] New ticket: Printer offline") in sent()


def test_it_sends_a_receipt_to_the_client_who_opened_the_ticket(run, cody, contract):
    ticket = run(tf.open_ticket, actor=cody, contract=contract)

    assert ("cody@a1.test", f"[{ticket.reference}] New ticket: Printer offline") in sent()


def test_it_tells_the_requester_about_a_ticket_opened_for_them(run, cody, bob, tom, contract):
    run(tf.open_ticket, actor=bob, contract=contract, requester=cody)

    assert recipients() == ["cody@a1.test", "tom@a.test"]  # not bob, who opened it


def test_it_tells_only_the_assignee_and_the_requester_once_assigned(taken, tom):
    ticket_notify(tenant_id=taken.tenant_id, ticket_id=taken.pk, kind="created")

    assert recipients() == ["bob@a.test", "cody@a1.test"]


def test_it_tells_the_requester_about_a_provider_reply(run, taken, bob):
    run(ticket_reply, ticket=taken, actor=bob, body="Fixed the fuser.", now=at(MON, 11))

    assert sent() == [("cody@a1.test", f"[{taken.reference}] New reply: Printer offline")]


def test_it_tells_the_assignee_about_a_client_reply(run, taken, cody, tom):
    run(ticket_reply, ticket=taken, actor=cody, body="Still offline.", now=at(MON, 11))

    assert recipients() == ["bob@a.test"]


def test_it_tells_the_technicians_about_a_client_reply_before_anyone_takes_it(run, ticket, clara, bob, tom):
    run(ticket_reply, ticket=ticket, actor=clara, body="Any news?", now=at(MON, 11))

    assert recipients() == ["bob@a.test", "tom@a.test"]


def test_it_sends_nothing_for_an_internal_note(run, taken, bob, amy):
    run(ticket_reply, ticket=taken, actor=amy, body="Check the warranty first.", internal=True, now=at(MON, 11))

    assert mail.outbox == []


def test_it_tells_the_requester_about_a_resolution(run, taken, bob):
    run(ticket_change_status, ticket=taken, actor=bob, status="resolved", now=at(MON, 11))

    assert recipients() == ["cody@a1.test"]


def test_it_does_not_email_the_actor_about_their_own_action(run, taken, bob, cody):
    ticket_change_status(ticket=taken, actor=bob, status="resolved", now=at(MON, 11))

    run(ticket_change_status, ticket=taken, actor=cody, status="closed", now=at(MON, 12))

    assert "cody@a1.test" not in recipients()


def test_it_tells_the_new_assignee(run, ticket, alice, bob, tom):
    run(ticket_assign, ticket=ticket, actor=alice, assignee=tom, now=at(MON, 11))

    assert sent() == [("tom@a.test", f"[{ticket.reference}] Assigned to you: Printer offline")]


def test_it_does_not_email_a_technician_assigning_a_ticket_to_themselves(run, ticket, tom):
    run(ticket_assign, ticket=ticket, actor=tom, assignee=tom, now=at(MON, 11))

    assert mail.outbox == []


def test_it_respects_an_opt_out_of_replies(run, taken, bob, cody):
    cody.notification_optouts = ["reply"]
    cody.save()

    run(ticket_reply, ticket=taken, actor=bob, body="Fixed the fuser.", now=at(MON, 11))

    assert mail.outbox == []


def test_it_sends_other_kinds_to_a_user_who_opted_out_of_replies(run, taken, bob, cody):
    cody.notification_optouts = ["reply"]
    cody.save()

    run(ticket_change_status, ticket=taken, actor=bob, status="resolved", now=at(MON, 11))

    assert recipients() == ["cody@a1.test"]


def test_it_skips_inactive_users(run, taken, bob, cody):
    cody.is_active = False
    cody.save()

    run(ticket_reply, ticket=taken, actor=bob, body="Fixed the fuser.", now=at(MON, 11))

    assert mail.outbox == []


# ---------------------------------------------------------------------- SLA e-mails


def test_it_tells_the_assignee_and_the_account_manager_about_a_breach(run, taken, amy, tom):
    run(sla_scan, now=at(WED, 13))  # resolution breached at Wednesday 12:00

    assert sent() == [("amy@a.test", f"[{taken.reference}] SLA breached: resolution"),
                      ("bob@a.test", f"[{taken.reference}] SLA breached: resolution")]


def test_it_tells_the_assignee_about_a_warning(run, taken, amy, tom):
    run(sla_scan, now=at(TUE, 18))  # resolution warning at Tuesday 17:48

    assert sent() == [("bob@a.test", f"[{taken.reference}] SLA warning: resolution deadline approaching")]


def test_it_tells_the_technicians_about_a_warning_before_anyone_takes_it(run, ticket, bob, tom, amy):
    run(sla_scan, now=at(MON, 15, 30))  # response warning at 15:12

    assert recipients() == ["bob@a.test", "tom@a.test"]


def test_it_sends_breaches_and_warnings_despite_opt_outs(run, taken, bob):
    bob.notification_optouts = ["created", "reply", "status", "assigned", "warning", "breach"]
    bob.save()

    run(sla_scan, now=at(WED, 13))

    assert "bob@a.test" in recipients()


def test_it_sends_an_sla_event_once_even_if_asked_twice(taken, amy):
    sla_scan(now=at(WED, 13))  # recorded; its e-mail is not sent (the test never commits)
    event = SlaEvent.objects.get(ticket=taken)
    mail.outbox.clear()

    first = sla_event_notify(tenant_id=event.tenant_id, event_id=event.pk)
    second = sla_event_notify(tenant_id=event.tenant_id, event_id=event.pk)

    assert (first, second) == (2, 0)
    assert recipients() == ["amy@a.test", "bob@a.test"]
    event.refresh_from_db()
    assert event.notified_at is not None


def test_it_ignores_an_sla_event_of_another_tenant(taken, tenant_b):
    sla_scan(now=at(WED, 13))
    event = SlaEvent.objects.get(ticket=taken)
    mail.outbox.clear()

    assert sla_event_notify(tenant_id=tenant_b.pk, event_id=event.pk) == 0
    assert mail.outbox == []

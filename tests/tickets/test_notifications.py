"""tickets.notifications: who is e-mailed about what. Services write the e-mails to the
outbox (`portal.OutboxMessage`) with the change and queue their delivery after commit;
`django_capture_on_commit_callbacks(execute=True)` runs it (Celery is eager in tests)
and `mail.outbox` shows what went out. Tests that do not commit run the delivery
themselves (`deliver()`)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from portal.models import OutboxMessage
from portal.outbox import outbox_deliver
from tests.tickets import factories as tf
from tests.tickets.factories import MON, TUE, WED, at
from tickets.models import SlaEvent, TicketMessage
from tickets.notifications import sla_events_notify, ticket_notify
from tickets.services import ticket_assign, ticket_change_status, ticket_reply, ticket_take
from tickets.sla import sla_scan

pytestmark = pytest.mark.django_db


def sent() -> list[tuple[str, str]]:
    """(recipient, subject) of every e-mail sent, sorted."""
    return sorted((to, m.subject) for m in mail.outbox for to in m.to)


def recipients() -> list[str]:
    return sorted(to for m in mail.outbox for to in m.to)


def deliver(minutes: float = 0) -> None:
    """Run the outbox delivery now (plus `minutes`), as the periodic task does."""
    outbox_deliver(now=timezone.now() + timedelta(minutes=minutes, seconds=1))


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run `fn` and what it queued after commit (the e-mails), on an empty outbox."""

    def run(fn, *args, **kwargs):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


@pytest.fixture
def ticket(ticket):
    """The ticket of tests/tickets/conftest.py, the e-mails of its opening left out."""
    OutboxMessage.objects.all().delete()
    return ticket


@pytest.fixture
def taken(ticket, bob):
    """The ticket taken by bob at 10:05 (e-mails of the take not kept)."""
    taken = ticket_take(ticket=ticket, actor=bob, now=at(MON, 10, 5))
    OutboxMessage.objects.all().delete()
    mail.outbox.clear()
    return taken


# ---------------------------------------------------------------------- ticket e-mails


def test_it_tells_the_technicians_about_a_new_ticket(run, cody, bob, tom, contract):
    ticket = run(tf.open_ticket, actor=cody, contract=contract)

    assert ("bob@a.test", f"[{ticket.reference}] New ticket: Printer offline") in sent()
    assert ("tom@a.test", f"[{ticket.reference}] New ticket: Printer offline") in sent()


def test_it_links_the_ticket_on_the_configured_site_url(run, cody, contract, settings):
    settings.SITE_URL = "https://support.example.org"
    ticket = run(tf.open_ticket, actor=cody, contract=contract)

    link = f"https://support.example.org/tickets/{ticket.reference}/"
    assert mail.outbox and all(link in m.body for m in mail.outbox)


def test_it_sends_a_receipt_to_the_client_who_opened_the_ticket(run, cody, contract):
    ticket = run(tf.open_ticket, actor=cody, contract=contract)

    assert ("cody@a1.test", f"[{ticket.reference}] New ticket: Printer offline") in sent()


def test_it_tells_the_requester_about_a_ticket_opened_for_them(run, cody, bob, tom, contract):
    run(tf.open_ticket, actor=bob, contract=contract, requester=cody)

    assert recipients() == ["cody@a1.test", "tom@a.test"]  # not bob, who opened it


def test_it_tells_only_the_assignee_and_the_requester_once_assigned(run, taken, tom):
    run(ticket_notify, ticket=taken, kind="created")

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


def test_it_sends_an_sla_event_once_even_if_delivered_twice(taken, amy):
    sla_scan(now=at(WED, 13))  # recorded with its e-mails; their delivery is not run (the test never commits)

    deliver()
    deliver(minutes=5)

    assert recipients() == ["amy@a.test", "bob@a.test"]


def test_it_writes_an_sla_events_emails_once_however_often_it_is_recorded(taken, amy):
    sla_scan(now=at(WED, 13))
    events = list(SlaEvent.objects.select_related("ticket"))

    sla_events_notify(events)  # as a concurrent scan that recorded the same event would

    assert OutboxMessage.objects.filter(kind="ticket.breach").count() == 2


def test_it_sends_a_breach_email_the_smtp_server_refused_at_first(taken, amy, fake_smtp):
    sla_scan(now=at(WED, 13))
    fake_smtp.refuse(2)

    deliver()
    assert set(OutboxMessage.objects.values_list("state", "attempts")) == {("pending", 1)}
    deliver(minutes=1)

    assert fake_smtp.recipients() == ["amy@a.test", "bob@a.test"]
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {"sent"}


# ---------------------------------------------------------------------- what the outbox holds


def test_it_writes_a_reply_email_as_ids_not_text(taken, bob):
    message = ticket_reply(ticket=taken, actor=bob, body="Fixed the fuser.", now=at(MON, 11))

    row = OutboxMessage.objects.get(kind="ticket.reply")
    assert (row.recipient, row.context) == ("cody@a1.test", {"ticket_id": taken.pk, "message_id": message.pk})


def test_it_tells_the_status_of_the_moment_even_if_delivered_later(taken, bob, cody):
    ticket_change_status(ticket=taken, actor=bob, status="waiting_on_client", now=at(MON, 11))
    ticket_change_status(ticket=taken, actor=bob, status="in_progress", now=at(MON, 12))

    deliver()

    assert sent() == [("cody@a1.test", f"[{taken.reference}] Status: In progress"),
                      ("cody@a1.test", f"[{taken.reference}] Status: Waiting on client")]


def test_it_sends_nothing_for_a_reply_that_became_an_internal_note(taken, bob):
    message = ticket_reply(ticket=taken, actor=bob, body="Fixed the fuser.", now=at(MON, 11))
    TicketMessage.objects.filter(pk=message.pk).update(internal=True)

    deliver()

    assert mail.outbox == []
    assert OutboxMessage.objects.get().state == "cancelled"

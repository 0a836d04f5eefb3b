"""tickets.tasks, and what happens when the broker is down. Tasks read the clock: it is
frozen at fixed instants (time-machine) around each call, and every task is run twice
for one side effect."""

from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from kombu import pools as kombu_pools

from portal.celery import app as celery_app
from portal.models import OutboxMessage
from portal.tasks import outbox_deliver_task
from tests.tickets import factories as tf
from tests.tickets.factories import MON, THU, TUE, WED, at
from tickets.models import SlaEvent, Ticket, TicketEvent
from tickets.services import ticket_assign, ticket_change_status, ticket_reply, ticket_take
from tickets.sla import sla_scan
from tickets.tasks import sla_scan_task, tickets_autoclose_task

pytestmark = pytest.mark.django_db

CLOSED_PORT = "redis://127.0.0.1:1/0"


@contextmanager
def broker_down(settings):
    """Tasks really go to a broker, which refuses connections; restored afterwards."""
    conf = celery_app.conf
    saved = (conf.task_always_eager, conf.broker_url, conf.broker_write_url, os.environ.get("CELERY_BROKER_URL"))
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = CLOSED_PORT
    conf.task_always_eager = False
    conf.broker_url = conf.broker_write_url = CLOSED_PORT
    # Celery prefers the CELERY_BROKER_URL environment variable (set in CI) to its conf.
    os.environ["CELERY_BROKER_URL"] = CLOSED_PORT
    _drop_connection_pools()
    try:
        yield
    finally:
        conf.task_always_eager, conf.broker_url, conf.broker_write_url, env = saved
        if env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = env
        _drop_connection_pools()


def _drop_connection_pools() -> None:
    """Forget every broker connection pool (the app's and kombu's global registry), so
    the next task opens fresh connections to whatever broker_url now says. Closing a
    pool without dropping it would leave a closed pool in kombu's registry."""
    kombu_pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def ticket(ticket):
    """The ticket of tests/tickets/conftest.py, the e-mails of its opening left out."""
    OutboxMessage.objects.all().delete()
    return ticket


def statuses(ticket) -> list[str]:
    return list(TicketEvent.objects.filter(ticket=ticket, kind="status").values_list("to_value", flat=True))


# ---------------------------------------------------------------------- broker down


def test_it_saves_the_ticket_and_its_deadlines_when_the_broker_is_down(
        cody, bob, contract, settings, caplog, django_capture_on_commit_callbacks):
    with broker_down(settings), caplog.at_level(logging.ERROR, logger="portal.celery"), \
            django_capture_on_commit_callbacks(execute=True) as callbacks:
        ticket = tf.open_ticket(actor=cody, contract=contract)

    assert len(callbacks) == 1  # the prompt delivery of the e-mails was queued after commit, and failed
    assert "could not queue portal.tasks.outbox_deliver_task" in caplog.text
    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.response_deadline, stored.resolution_deadline) == (at(MON, 16), at(WED, 12))
    assert stored.sla_next_check_at == at(MON, 15, 12)
    assert mail.outbox == []


def _a_day_of_work(*, cody, bob, alice, contract):
    """Open, reply, wait on the client, assign, resolve: one e-mail kind each."""
    ticket = tf.open_ticket(actor=cody, contract=contract, now=at(MON, 10))
    ticket_reply(ticket=ticket, actor=bob, body="Which printer?", now=at(MON, 10, 30))
    ticket_change_status(ticket=ticket, actor=bob, status="waiting_on_client", now=at(MON, 10, 31))
    ticket_assign(ticket=ticket, actor=alice, assignee=bob, now=at(MON, 11))
    ticket_change_status(ticket=ticket, actor=bob, status="resolved", now=at(MON, 12))
    return ticket


def test_it_keeps_every_ticket_email_in_the_outbox_when_the_broker_is_down(
        cody, bob, alice, contract, settings, django_capture_on_commit_callbacks):
    with broker_down(settings), django_capture_on_commit_callbacks(execute=True):
        _a_day_of_work(cody=cody, bob=bob, alice=alice, contract=contract)

    assert sorted(OutboxMessage.objects.filter(state="pending").values_list("kind", "recipient")) == [
        ("ticket.assigned", "bob@a.test"), ("ticket.created", "bob@a.test"), ("ticket.created", "cody@a1.test"),
        ("ticket.reply", "cody@a1.test"), ("ticket.resolved", "cody@a1.test"), ("ticket.status", "cody@a1.test")]
    assert mail.outbox == []


def test_it_sends_the_ticket_emails_the_broker_missed_once(
        cody, bob, alice, contract, settings, django_capture_on_commit_callbacks):
    with broker_down(settings), django_capture_on_commit_callbacks(execute=True):
        ticket = _a_day_of_work(cody=cody, bob=bob, alice=alice, contract=contract)

    first, second = outbox_deliver_task(), outbox_deliver_task()  # the periodic sweep, once the broker is back

    assert (first, second) == (6, 0)
    ref = ticket.reference
    assert sorted((to, m.subject) for m in mail.outbox for to in m.to) == [
        ("bob@a.test", f"[{ref}] Assigned to you: Printer offline"),
        ("bob@a.test", f"[{ref}] New ticket: Printer offline"),
        ("cody@a1.test", f"[{ref}] New reply: Printer offline"),
        ("cody@a1.test", f"[{ref}] New ticket: Printer offline"),
        ("cody@a1.test", f"[{ref}] Resolved: Printer offline"),
        ("cody@a1.test", f"[{ref}] Status: Waiting on client"),
    ]


def test_it_records_sla_events_and_their_emails_when_the_broker_is_down(
        ticket, settings, django_capture_on_commit_callbacks):
    with broker_down(settings), django_capture_on_commit_callbacks(execute=True):
        sla_scan(now=at(MON, 15, 30))

    event = SlaEvent.objects.get(ticket=ticket)
    assert (event.kind, event.at) == ("warning", at(MON, 15, 12))
    assert list(OutboxMessage.objects.values_list("kind", "recipient", "state")) == [
        ("ticket.warning", "bob@a.test", "pending")]
    assert mail.outbox == []


def test_it_notifies_later_the_sla_events_the_broker_missed(ticket, settings, django_capture_on_commit_callbacks):
    with broker_down(settings), django_capture_on_commit_callbacks(execute=True):
        sla_scan(now=at(MON, 15, 30))

    first, second = outbox_deliver_task(), outbox_deliver_task()  # the periodic sweep, once the broker is back

    assert (first, second) == (1, 0)
    assert sorted(to for m in mail.outbox for to in m.to) == ["bob@a.test"]


# ---------------------------------------------------------------------- periodic tasks


def test_it_scans_with_the_current_time(ticket):
    with time_machine.travel(at(MON, 15, 30), tick=False):
        assert sla_scan_task() == 1
        assert sla_scan_task() == 0

    assert list(SlaEvent.objects.values_list("kind", "at")) == [("warning", at(MON, 15, 12))]


def test_it_closes_resolved_tickets_after_the_tenants_delay(ticket, bob, tenant_a):
    tenant_a.ticket_autoclose_days = 2
    tenant_a.save()
    ticket_take(ticket=ticket, actor=bob, now=at(MON, 10, 5))
    ticket_change_status(ticket=ticket, actor=bob, status="resolved", now=at(MON, 11))

    with time_machine.travel(at(WED, 11, 30), tick=False):
        assert tickets_autoclose_task() == 1
        assert tickets_autoclose_task() == 0

    assert statuses(ticket) == ["in_progress", "resolved", "closed"]
    assert Ticket.objects.get(pk=ticket.pk).closed_at == at(WED, 11, 30)


def test_it_waits_for_the_tenants_delay_before_closing(ticket, bob, tenant_a):
    ticket_change_status(ticket=ticket, actor=bob, status="resolved", now=at(MON, 11))

    with time_machine.travel(at(THU, 11) + timedelta(days=1), tick=False):  # 4 days: default delay is 7
        assert tickets_autoclose_task() == 0

    assert Ticket.objects.get(pk=ticket.pk).status == "resolved"


def test_it_skips_inactive_tenants_when_closing(ticket, bob, tenant_a):
    ticket_change_status(ticket=ticket, actor=bob, status="resolved", now=at(MON, 11))
    tenant_a.is_active = False
    tenant_a.save()

    with time_machine.travel(at(TUE, 11) + timedelta(days=30), tick=False):
        assert tickets_autoclose_task() == 0

"""portal.outbox: every notification is an `OutboxMessage` row written in the
transaction of the change; `outbox_deliver` claims due rows (a lease, SKIP LOCKED),
renders and sends them, marks them sent, and on failure releases the claim and tries
again later with an exponential back-off, until it gives up and keeps the row, failed,
for the operators. The rows here are the API token notice (`api_token_create`), the
simplest notification; the ticket ones are in tests/tickets/test_notifications.py."""

from __future__ import annotations

import threading
from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.utils import timezone

from portal import outbox, services
from portal.celery import app as celery_app
from portal.models import ApiToken, OutboxMessage, OutboxState
from portal.outbox import outbox_claim, outbox_deliver

pytestmark = pytest.mark.django_db


@pytest.fixture
def notice(alice) -> OutboxMessage:
    """The security notice of a new API token of alice, written but not sent."""
    services.api_token_create(user=alice, name="Monitoring")
    return OutboxMessage.objects.get()


def later(minutes: float = 0, seconds: float = 0):
    return timezone.now() + timedelta(minutes=minutes, seconds=seconds)


def fresh(row: OutboxMessage) -> OutboxMessage:
    return OutboxMessage.objects.get(pk=row.pk)


# ---------------------------------------------------------------------- writing


def test_it_writes_the_notice_with_the_change_and_sends_nothing_yet(notice, alice):
    token = ApiToken.objects.get()

    assert (notice.channel, notice.kind, notice.recipient, notice.user, notice.state) == (
        "email", "api_token.created", alice.email, alice, "pending")
    assert notice.context == {"token_id": token.pk}
    assert mail.outbox == []


def test_it_writes_nothing_when_the_change_rolls_back(alice):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.api_token_create(user=alice, name="Monitoring")
        raise RuntimeError("the request failed after the change")

    assert not OutboxMessage.objects.exists()


def test_it_queues_one_delivery_after_commit(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.api_token_create(user=alice, name="Monitoring")

    assert len(callbacks) == 1
    assert mail.outbox == []


# ---------------------------------------------------------------------- delivering


def test_it_sends_a_due_row_and_marks_it_sent(notice, alice):
    now = later(seconds=1)

    outbox_deliver(now=now)

    assert [m.to for m in mail.outbox] == [[alice.email]]
    row = fresh(notice)
    assert (row.state, row.sent_at, row.attempts, row.claimed_until, row.claimed_by) == ("sent", now, 1, None, "")


def test_it_sends_a_row_already_sent_no_more(notice):
    outbox_deliver(now=later(seconds=1))

    outbox_deliver(now=later(minutes=5))
    outbox_deliver(now=later(minutes=5), ids=[notice.pk])

    assert len(mail.outbox) == 1


def test_it_renders_the_email_in_the_recipients_language(notice, alice):
    alice.language = "fr"
    alice.save()

    outbox_deliver(now=later(seconds=1))

    assert mail.outbox[0].subject == "Un nouveau jeton d'API “Monitoring” a été créé"


def test_it_cancels_a_row_whose_object_is_gone(notice):
    ApiToken.objects.all().delete()

    outbox_deliver(now=later(seconds=1))

    assert mail.outbox == []
    assert fresh(notice).state == "cancelled"


def test_it_leaves_a_row_claimed_by_a_live_worker_alone(notice):
    outbox_claim(now=later(seconds=1), worker="worker-a")

    outbox_deliver(now=later(minutes=1), worker="worker-b")

    assert mail.outbox == []


def test_it_takes_over_a_row_whose_worker_died_once_its_lease_ends(notice, alice):
    outbox_claim(now=later(seconds=1), worker="worker-a")  # and never comes back

    outbox_deliver(now=later(seconds=1) + outbox.LEASE + timedelta(seconds=1), worker="worker-b")

    assert [m.to for m in mail.outbox] == [[alice.email]]


# ---------------------------------------------------------------------- SMTP failures


def test_it_keeps_a_refused_row_pending_with_its_error(notice, fake_smtp):
    fake_smtp.refuse(1)
    now = later(seconds=1)

    outbox_deliver(now=now)

    row = fresh(notice)
    assert (row.state, row.attempts, row.next_attempt_at, row.sent_at) == ("pending", 1, now + timedelta(minutes=1),
                                                                           None)
    assert "451" in row.last_error


def test_it_releases_the_claim_of_a_refused_row(notice, fake_smtp):
    fake_smtp.refuse(1)

    outbox_deliver(now=later(seconds=1))

    row = fresh(notice)
    assert (row.claimed_until, row.claimed_by) == (None, "")


def test_it_waits_for_the_back_off_before_trying_again(notice, fake_smtp):
    fake_smtp.refuse(1)
    outbox_deliver(now=later(seconds=1))

    outbox_deliver(now=later(seconds=31))

    assert (fresh(notice).attempts, fake_smtp.accepted) == (1, [])


def test_it_sends_a_refused_row_after_the_back_off(notice, fake_smtp, alice):
    fake_smtp.refuse(1)
    outbox_deliver(now=later(seconds=1))

    outbox_deliver(now=later(minutes=1, seconds=2))

    assert fake_smtp.recipients() == [alice.email]
    assert (fresh(notice).state, fresh(notice).attempts) == ("sent", 2)


def test_it_tries_again_when_the_smtp_server_is_unreachable(notice, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2  # nothing listens

    outbox_deliver(now=later(seconds=1))

    assert (fresh(notice).state, fresh(notice).attempts) == ("pending", 1)


@pytest.mark.parametrize(("attempts", "delay"), [(1, 1), (2, 2), (3, 4), (6, 32), (7, 60), (12, 60)])
def test_it_doubles_the_delay_after_each_failure_up_to_an_hour(attempts, delay):
    assert outbox.backoff(attempts) == timedelta(minutes=delay)


def test_it_marks_a_row_failed_after_its_last_attempt(notice, fake_smtp):
    OutboxMessage.objects.filter(pk=notice.pk).update(attempts=outbox.MAX_ATTEMPTS - 1)
    fake_smtp.refuse(1, code=554)

    outbox_deliver(now=later(seconds=1))

    row = fresh(notice)
    assert (row.state, row.attempts, row.claimed_by) == ("failed", outbox.MAX_ATTEMPTS, "")
    assert "554" in row.last_error


def test_it_never_tries_a_failed_row_again_by_itself(notice, fake_smtp):
    OutboxMessage.objects.filter(pk=notice.pk).update(state=OutboxState.FAILED, attempts=outbox.MAX_ATTEMPTS)

    outbox_deliver(now=later(minutes=24 * 60))

    assert fake_smtp.accepted == []


def test_it_lists_the_failed_rows_for_the_operators(notice, alice):
    OutboxMessage.objects.filter(pk=notice.pk).update(state=OutboxState.FAILED, attempts=outbox.MAX_ATTEMPTS,
                                                      last_error="SMTPDataError: (554, b'refused')")
    out = StringIO()

    call_command("outbox_failed", stdout=out)

    assert "api_token.created" in out.getvalue()
    assert alice.email in out.getvalue()
    assert "554" in out.getvalue()


def test_it_sends_a_failed_row_again_when_an_operator_asks(notice, alice):
    OutboxMessage.objects.filter(pk=notice.pk).update(state=OutboxState.FAILED, attempts=outbox.MAX_ATTEMPTS)

    call_command("outbox_failed", "--retry", stdout=StringIO())
    outbox_deliver(now=later(seconds=1))

    assert [m.to for m in mail.outbox] == [[alice.email]]


# ---------------------------------------------------------------------- the schedule


def test_it_sweeps_the_due_rows_every_minute():
    entry = celery_app.conf.beat_schedule["outbox-deliver"]

    assert (entry["task"], entry["schedule"]) == ("portal.tasks.outbox_deliver_task", 60.0)
    assert entry["task"] in celery_app.tasks


def test_it_delivers_the_due_rows_from_the_task(notice, alice):
    from portal.tasks import outbox_deliver_task

    assert (outbox_deliver_task(), outbox_deliver_task()) == (1, 0)
    assert [m.to for m in mail.outbox] == [[alice.email]]


# ---------------------------------------------------------------------- concurrency (PostgreSQL)

postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="SKIP LOCKED is PostgreSQL's")


def _notices(user, n: int) -> list[int]:
    """n notices written and committed, their prompt delivery left out."""
    with mock.patch("portal.outbox._deliver_after_commit"):
        for i in range(n):
            services.api_token_create(user=user, name=f"Token {i}")
    return list(OutboxMessage.objects.order_by("pk").values_list("pk", flat=True))


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_it_never_lets_two_deliverers_claim_the_same_row(alice):
    """Worker A is inside its claim (rows locked, not yet committed); worker B's claim
    skips A's rows instead of waiting for them or taking them too."""
    assert connection.vendor == "postgresql"
    ids = _notices(alice, 4)
    now = later(seconds=1)
    a_holds, release = threading.Event(), threading.Event()
    claimed_by_a: list[int] = []
    waited_too_long: list[bool] = []

    def worker_a():
        try:
            with transaction.atomic():
                claimed_by_a.extend(row.pk for row in outbox_claim(now=now, worker="worker-a", limit=2))
                a_holds.set()
                waited_too_long.append(not release.wait(timeout=10))
        finally:
            connections.close_all()

    thread = threading.Thread(target=worker_a)
    thread.start()
    assert a_holds.wait(timeout=10)
    claimed_by_b = [row.pk for row in outbox_claim(now=now, worker="worker-b", limit=4)]
    release.set()
    thread.join(timeout=10)

    assert waited_too_long == [False]  # B did not wait for A's transaction
    assert sorted(claimed_by_a + claimed_by_b) == ids
    assert set(claimed_by_a).isdisjoint(claimed_by_b)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_it_sends_each_row_once_with_two_deliverers_at_once(alice):
    _notices(alice, 10)
    now = later(seconds=1)
    start = threading.Barrier(2)

    def deliverer(name: str):
        try:
            start.wait(timeout=10)
            outbox_deliver(now=now, worker=name)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliverer, args=(f"worker-{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(mail.outbox) == 10
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {"sent"}


# ---------------------------------------------------------------------- without a broker


def test_it_hands_the_rows_to_the_local_deliverer_without_a_broker(alice, settings,
                                                                  django_capture_on_commit_callbacks):
    settings.OUTBOX_DELIVERY = "thread"
    kicked: list = []
    with mock.patch.object(outbox, "local_deliverer", return_value=mock.Mock(kick=kicked.append)), \
            django_capture_on_commit_callbacks(execute=True):
        services.api_token_create(user=alice, name="Monitoring")

    assert len(kicked) == 1  # once, after commit
    assert OutboxMessage.objects.get().state == OutboxState.PENDING
    assert mail.outbox == []  # nothing rendered nor sent by the caller


def test_a_bulk_writer_holding_tasks_keeps_the_local_deliverer_away(alice, settings,
                                                                    django_capture_on_commit_callbacks):
    """The demo seed holds tasks and cancels its rows itself: without a broker, its
    e-mails must not leave through the local deliverer in the meantime."""
    from portal.celery import tasks_held

    settings.OUTBOX_DELIVERY = "thread"
    kicked: list = []
    with mock.patch.object(outbox, "local_deliverer", return_value=mock.Mock(kick=kicked.append)), \
            django_capture_on_commit_callbacks(execute=True), tasks_held():
        services.api_token_create(user=alice, name="Monitoring")

    assert kicked == []
    assert OutboxMessage.objects.get().state == OutboxState.PENDING


@pytest.mark.django_db(transaction=True)
def test_it_sends_the_rows_from_a_thread_of_its_own_without_a_broker(alice, settings):
    settings.OUTBOX_DELIVERY = "thread"
    sent_by: list[str] = []
    real_send = outbox._send

    def send(row):
        sent_by.append(threading.current_thread().name)
        return real_send(row)

    with mock.patch.object(outbox, "_send", send):
        services.api_token_create(user=alice, name="Monitoring")
        deadline = timezone.now() + timedelta(seconds=20)
        while OutboxMessage.objects.get().state == OutboxState.PENDING and timezone.now() < deadline:
            threading.Event().wait(0.05)

    assert OutboxMessage.objects.get().state == OutboxState.SENT
    assert sent_by == ["outbox-deliverer"]

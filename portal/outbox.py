"""The notification outbox: every notification is delivered at least once.

Writing: a service that changes something calls `outbox_email(...)` inside its own
transaction. One `OutboxMessage` row per recipient is inserted (one INSERT for all of
them), so the change and its notifications commit together or not at all. After commit a
delivery task is queued for promptness; if the broker is down, nothing is lost: the
periodic sweep (`outbox-deliver` in portal/celery.py, every minute) sends the due rows.

Delivering (`outbox_deliver`, run by `portal.tasks.outbox_deliver_task`):
1. claim: in a short transaction, lock due pending rows with SELECT … FOR UPDATE SKIP
   LOCKED (two deliverers never wait for, nor take, each other's rows) and give them a
   lease (`claimed_until`, `claimed_by`);
2. render and send each row outside any transaction (the renderer registered for its
   kind loads the objects from the ids in `context`, in the recipient's language);
3. success: mark it sent. Failure: release the claim, count the attempt and try again
   after an exponential back-off (1, 2, 4 … minutes, at most an hour); after
   `MAX_ATTEMPTS` the row is marked failed and kept for the operators
   (`manage.py outbox_failed`, and the Django admin).
A worker that dies after sending and before marking leaves a row whose lease ends, and
which is then sent again: a rare duplicate is accepted, a lost notification is not.

The foundation app knows no other app: each app registers the renderers of its kinds
with `@email_renderer("kind")` in a module its AppConfig imports when ready.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from portal.models import SERVICE_ACCOUNT_DOMAIN, OutboxChannel, OutboxMessage, OutboxState, User

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10  # about 5 hours of trying (1+2+4+…+60 minutes) before giving up
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=1)
# Long enough for a batch to be sent, even with a slow SMTP server (EMAIL_TIMEOUT each).
LEASE = timedelta(minutes=10)
BATCH = 20
PER_RUN = 500  # rows one task sends at most; the next sweep continues


@dataclass
class Email:
    """What a renderer returns: the template name (`emails/<template>_subject.txt`,
    `_body.txt`, `_body.html`), its context and the language to render it in."""

    template: str
    context: dict = field(default_factory=dict)
    language: str | None = None
    # The conversation the e-mail belongs to (e.g. "ticket-123"): it is sent with
    # In-Reply-To / References naming the thread's root, so mail clients thread it and a
    # reply finds its way back (integrations.mail_intake).
    thread: str = ""


EmailRenderer = Callable[[OutboxMessage], "Email | None"]
_EMAIL_RENDERERS: dict[str, EmailRenderer] = {}


def email_renderer(kind: str) -> Callable[[EmailRenderer], EmailRenderer]:
    """Register the renderer of an e-mail kind. It gets the row (with `user` loaded),
    loads what it needs from `row.context` within `row.tenant_id`, and returns an
    `Email`, or None when there is nothing to send any more (the row is cancelled)."""

    def register(fn: EmailRenderer) -> EmailRenderer:
        _EMAIL_RENDERERS[kind] = fn
        return fn

    return register


def user_language(user: User | None, default: str | None = None) -> str | None:
    return (user.language if user is not None else "") or default


# ---------------------------------------------------------------------- threading

# On every e-mail the portal sends: the mail intake (integrations.mail_intake) holds a
# message carrying it as a loop (the portal's own e-mail come back to a support mailbox).
LOOP_HEADER = "X-Portal-Loop"


def _mail_domain() -> str:
    from django.conf import settings

    return (settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip("> ") or "localhost")[:100]


def new_message_id() -> str:
    """A Message-ID of ours: random, so that it tells nothing and cannot be guessed."""
    return f"<{uuid.uuid4().hex}@{_mail_domain()}>"


def _thread_signature(tenant_id: int, thread: str) -> str:
    from django.utils.crypto import salted_hmac

    return salted_hmac("portal.outbox.thread", f"{tenant_id}:{thread}").hexdigest()[:20]


def thread_root_id(*, tenant_id: int, thread: str) -> str:
    """The Message-ID every e-mail of a thread refers to (never itself sent): signed, so
    that the tenant and thread it names can be trusted when a reply quotes it."""
    return f"<{thread}.t{tenant_id}.{_thread_signature(tenant_id, thread)}@{_mail_domain()}>"


def thread_of_root_id(message_id: str) -> tuple[int, str] | None:
    """(tenant id, thread) of a root Message-ID made by `thread_root_id`, or None when it
    is not one of ours (or its signature does not match)."""
    import hmac
    import re

    match = re.fullmatch(r"<?([a-z]+-\d+)\.t(\d+)\.([0-9a-f]{20})@[^>]*>?", message_id.strip())
    if match is None:
        return None
    thread, tenant_id = match.group(1), int(match.group(2))
    if not hmac.compare_digest(match.group(3), _thread_signature(tenant_id, thread)):
        return None
    return tenant_id, thread


# ---------------------------------------------------------------------- writing


def _addresses(recipients: Iterable[tuple[int | None, str]]) -> Iterable[tuple[int | None, str]]:
    """(user id, address) of the recipients given as (user id or None, address): the
    same address once, service accounts (no mailbox) and empty addresses left out."""
    seen: set[str] = set()
    suffix = "@" + SERVICE_ACCOUNT_DOMAIN
    for user_id, address in recipients:
        address = address.strip()
        lower = address.lower()
        if not address or lower in seen or lower.endswith(suffix):
            continue
        seen.add(lower)
        yield user_id, address


def outbox_email_rows(*, tenant_id: int, kind: str, recipients: Iterable[User | str], context: dict,
                      dedup_key: str = "") -> list[OutboxMessage]:
    """The unsaved rows of one e-mail per recipient (a `User`, or a bare address for
    people without an account; the same address once). With `dedup_key` (the event's
    natural key), writing the same event again adds nothing: the key is made per
    recipient. Save them with `outbox_write`."""
    users = {}
    pairs = []
    for recipient in recipients:
        if isinstance(recipient, User):
            users[recipient.pk] = recipient
            pairs.append((recipient.pk, recipient.email))
        else:
            pairs.append((None, str(recipient)))
    return [
        OutboxMessage(tenant_id=tenant_id, channel=OutboxChannel.EMAIL, kind=kind, recipient=address,
                      user=users[user_id] if user_id is not None else None, context=context,
                      dedup_key=f"{dedup_key}:{address.lower()}" if dedup_key else "", message_id=new_message_id())
        for user_id, address in _addresses(pairs)
    ]


def outbox_write(rows: list[OutboxMessage]) -> int:
    """Insert the rows (one INSERT) in the caller's transaction, and queue their delivery
    for after its commit. Rows whose dedup key exists already are skipped. Returns the
    number of rows given to the database."""
    if not rows:
        return 0
    keyed = any(row.dedup_key for row in rows)
    created = OutboxMessage.objects.bulk_create(rows, ignore_conflicts=keyed, batch_size=1000)
    # Rows inserted with ignore_conflicts come back without ids: the delivery then
    # looks for every due row instead of these ones.
    _deliver_after_commit(None if keyed else [row.pk for row in created])
    return len(rows)


class EmailValues(NamedTuple):
    """One e-mail of a batch, as plain values (`outbox_email_values`): the recipients as
    (user id or None, address) pairs, so that a batch of thousands builds no instance."""

    tenant_id: int
    kind: str
    recipients: Iterable[tuple[int | None, str]]
    context: dict
    dedup_key: str = ""


def outbox_email_values(emails: Iterable[EmailValues]) -> int:
    """`outbox_write(outbox_email_rows(...))` for many e-mails at once (the SLA scan's
    thousands): the same rows (one per recipient, the same address once, keyed per
    recipient), written with one INSERT of plain values in the caller's transaction, then
    their delivery queued for after its commit. Rows whose dedup key exists already are
    skipped. Returns the number of rows given to the database."""
    from portal.bulk import insert_values

    domain = _mail_domain()
    rows = []
    keyed = False
    for e in emails:
        keyed = keyed or bool(e.dedup_key)
        for user_id, address in _addresses(e.recipients):
            rows.append((e.tenant_id, OutboxChannel.EMAIL.value, e.kind, address, user_id, e.context,
                         f"{e.dedup_key}:{address.lower()}" if e.dedup_key else "",
                         f"<{uuid.uuid4().hex}@{domain}>"))
    if not rows:
        return 0
    created = insert_values(OutboxMessage, ("tenant_id", "channel", "kind", "recipient", "user_id", "context",
                                            "dedup_key", "message_id"), rows, ignore_conflicts=keyed,
                            returning=() if keyed else ("id",))
    _deliver_after_commit(None if keyed else [pk for (pk,) in created])
    return len(rows)


def outbox_email(*, tenant_id: int, kind: str, recipients: Iterable[User | str], context: dict,
                 dedup_key: str = "") -> int:
    """Write one e-mail per recipient, to be sent after the caller's transaction commits
    (see `outbox_email_rows`). Call it inside that transaction."""
    return outbox_write(outbox_email_rows(tenant_id=tenant_id, kind=kind, recipients=recipients, context=context,
                                          dedup_key=dedup_key))


def _deliver_after_commit(ids: list[int] | None) -> None:
    """Hand the new rows to their deliverer once the transaction commits — never in the
    request itself (OUTBOX_DELIVERY): a Celery worker when a broker is configured, else a
    thread of this process (embedded mode, where Celery tasks would run eagerly, inside
    the request)."""
    from django.conf import settings

    from portal.celery import enqueue_on_commit, tasks_are_held

    if getattr(settings, "OUTBOX_DELIVERY", "celery") == "thread":
        if not tasks_are_held():  # a bulk writer (the demo seed) owns its rows' fate
            transaction.on_commit(lambda: local_deliverer().kick(ids))
        return
    from portal.tasks import outbox_deliver_task

    enqueue_on_commit(outbox_deliver_task, ids)


class LocalDeliverer:
    """The outbox's deliverer in a process without a broker: one daemon thread that
    delivers the rows it is handed and, every minute, whatever is due (the sweep beat
    does with a broker). Rendering and sending happen on this thread, off the request."""

    SWEEP_SECONDS = 60

    def __init__(self) -> None:
        import queue
        import threading

        self._queue: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="outbox-deliverer", daemon=True)
        self._thread.start()

    def kick(self, ids: list[int] | None) -> None:
        self._queue.put(ids)

    def _run(self) -> None:
        import queue

        from django.db import connections

        while True:
            try:
                ids = self._queue.get(timeout=self.SWEEP_SECONDS)
            except queue.Empty:
                ids = None
            try:
                outbox_deliver(ids=ids)
            except Exception:  # the rows stay due; the next kick or sweep tries again
                logger.exception("the local outbox deliverer failed; the rows stay due")
            finally:
                connections.close_all()


_local: LocalDeliverer | None = None
_local_lock = __import__("threading").Lock()


def local_deliverer() -> LocalDeliverer:
    global _local
    with _local_lock:
        if _local is None:
            _local = LocalDeliverer()
        return _local


# ---------------------------------------------------------------------- delivering


def backoff(attempts: int) -> timedelta:
    """The wait before the next try after `attempts` failed ones: 1, 2, 4 … minutes, at
    most an hour."""
    return min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_CAP)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[:100]


def outbox_claim(*, now: datetime, worker: str, limit: int = BATCH, ids: list[int] | None = None,
                 lease: timedelta = LEASE) -> list[OutboxMessage]:
    """Claim up to `limit` due pending rows (only among `ids` when given) for `worker`
    until `now + lease`. Rows locked by another deliverer's claim are skipped, not
    waited for (SKIP LOCKED; on SQLite, a single writer, the lock is moot). Rows under
    another live lease are left alone."""
    with transaction.atomic():
        due = (
            OutboxMessage.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(state=OutboxState.PENDING, next_attempt_at__lte=now)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
        )
        if ids is not None:
            due = due.filter(pk__in=ids)
        rows = list(due.select_related("user").order_by("next_attempt_at", "pk")[:limit])
        if rows:
            OutboxMessage.objects.filter(pk__in=[r.pk for r in rows]).update(claimed_until=now + lease,
                                                                              claimed_by=worker)
    return rows


def outbox_deliver(*, now: datetime | None = None, ids: list[int] | None = None, worker: str | None = None,
                   limit: int = PER_RUN) -> Counter:
    """Deliver the due rows (only `ids` when given), batch after batch, up to `limit`.
    Returns a count per outcome: sent, retry, failed, cancelled. `now` is for tests;
    by default each batch reads the clock."""
    worker = worker or worker_name()
    report: Counter = Counter()
    while sum(report.values()) < limit:
        at = now or timezone.now()
        rows = outbox_claim(now=at, worker=worker, ids=ids, limit=min(BATCH, limit - sum(report.values())))
        if not rows:
            break
        for row in rows:
            report[_deliver_one(row, now=now or timezone.now(), worker=worker)] += 1
    return report


def _deliver_one(row: OutboxMessage, *, now: datetime, worker: str) -> str:
    mine = OutboxMessage.objects.filter(pk=row.pk, claimed_by=worker, state=OutboxState.PENDING)
    try:
        sent = _send(row)
    except Exception as exc:  # SMTP, network, a template error: the row says which, and is tried again
        attempts = row.attempts + 1
        final = attempts >= MAX_ATTEMPTS
        mine.update(state=OutboxState.FAILED if final else OutboxState.PENDING, attempts=attempts,
                    next_attempt_at=now + backoff(attempts), claimed_until=None, claimed_by="",
                    last_error=f"{type(exc).__name__}: {exc}"[:2000])
        log = logger.error if final else logger.warning
        log("outbox %s (%s to %s) attempt %s failed%s: %s", row.pk, row.kind, row.recipient, attempts,
            ", giving up" if final else "", exc)
        return "failed" if final else "retry"
    if not sent:
        mine.update(state=OutboxState.CANCELLED, attempts=row.attempts + 1, claimed_until=None, claimed_by="",
                    last_error="nothing to send any more")
        return "cancelled"
    mine.update(state=OutboxState.SENT, sent_at=now, attempts=row.attempts + 1, claimed_until=None, claimed_by="",
                last_error="", thread=sent.thread[:64])
    return "sent"


def _send(row: OutboxMessage) -> Email | None:
    """Render and send one row: the e-mail sent, or None when there is nothing to send
    any more."""
    if row.channel != OutboxChannel.EMAIL:
        raise NotImplementedError(f"no delivery for the {row.channel} channel yet")
    renderer = _EMAIL_RENDERERS.get(row.kind)
    if renderer is None:
        raise LookupError(f"no e-mail renderer registered for {row.kind!r}")
    email = renderer(row)
    if email is None:
        return None
    from portal.notifications import send_templated_email

    if not row.message_id:  # a row written before e-mails carried one
        row.message_id = new_message_id()
        OutboxMessage.objects.filter(pk=row.pk).update(message_id=row.message_id)
    # Auto-Submitted (RFC 3834): a notification, to which auto-responders do not answer.
    headers = {"Message-ID": row.message_id, "Auto-Submitted": "auto-generated", LOOP_HEADER: "1"}
    if email.thread:
        root = thread_root_id(tenant_id=row.tenant_id, thread=email.thread)
        headers.update({"In-Reply-To": root, "References": root})
    send_templated_email(name=email.template, to=[row.recipient], context=email.context, language=email.language,
                         headers=headers)
    return email


# ---------------------------------------------------------------------- operators


def outbox_failed_list(*, tenant=None):
    """The rows given up on, newest first (all tenants' for the platform operators)."""
    rows = OutboxMessage.objects.filter(state=OutboxState.FAILED).select_related("tenant").order_by("-created_at")
    return rows.filter(tenant=tenant) if tenant is not None else rows


def outbox_retry(*, rows, now: datetime | None = None) -> int:
    """Put failed rows back in the queue with a fresh count of attempts."""
    return rows.filter(state=OutboxState.FAILED).update(
        state=OutboxState.PENDING, attempts=0, next_attempt_at=now or timezone.now(), claimed_until=None,
        claimed_by="")

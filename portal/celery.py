"""The Celery app, and every periodic schedule of the project (each with a comment)."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)

# Periodic work. Every schedule of the project is here, and only here.
app.conf.beat_schedule = {
    # Every day at 02:30 UTC: tacit renewals, reminders before notice deadlines and
    # contract ends, expiry of contracts past their last day (contracts.services.renewals).
    "contracts-daily": {"task": "contracts.tasks.contracts_daily_task", "schedule": crontab(hour=2, minute=30)},
    # Every minute: SLA warnings and breaches of the tickets whose next check is due.
    "sla-scan": {"task": "tickets.tasks.sla_scan_task", "schedule": 60.0},
    # Every minute: send the notifications (e-mails) waiting in the outbox whose time has
    # come: the ones nobody could queue when they were written (broker down), and the
    # retries of the ones that failed. The sending never depends on that first queueing.
    "outbox-deliver": {"task": "portal.tasks.outbox_deliver_task", "schedule": 60.0},
    # Every day at 03:00 UTC: tickets of the preventive occurrences due within each plan's lead time.
    "preventive-plans": {"task": "tickets.tasks.preventive_plans_task", "schedule": crontab(hour=3, minute=0)},
    # Every hour: close tickets resolved for the tenant's delay (default 7 days) without objection.
    "tickets-autoclose": {"task": "tickets.tasks.tickets_autoclose_task", "schedule": crontab(minute=15)},
    # Every hour at :05: the monthly billing run of each tenant whose 1st of the month,
    # 02:00 in its own billing time zone, has come (so each tenant is billed at 02:xx
    # local time, whatever its zone); one draft invoice per contract for the month
    # before, each (tenant, month) started once (billing.tasks.billing_monthly_task).
    "billing-monthly": {"task": "billing.tasks.billing_monthly_task", "schedule": crontab(minute=5)},
    # Every day at 04:30 UTC: overdue invoices, warnings and suspensions for unpaid ones,
    # hour-bank expiries and alerts (billing.services.invoices_daily, hour_bank_sync).
    "billing-daily": {"task": "billing.tasks.billing_daily_task", "schedule": crontab(hour=4, minute=30)},
    # Every 15 minutes: hour-bank consumption of the work logged in the last hour.
    # Every minute: the webhook deliveries whose time has come (retries with back-off,
    # and the ones nobody could queue after their commit) (integrations.webhooks).
    "webhooks-deliver": {"task": "integrations.tasks.webhook_deliver_task", "schedule": 60.0},
    # Tickets by e-mail: every enabled support mailbox read every minute, one task each
    # (a mailbox still being read by another worker is skipped: a lock per mailbox).
    "mail-intake": {"task": "integrations.tasks.mail_intake_task", "schedule": 60.0},
    # Every day at 05:00 UTC: the reversibility exports past their 7 days are deleted.
    "exports-purge": {"task": "integrations.tasks.exports_purge_task", "schedule": crontab(hour=5, minute=0)},
    "hour-bank-sync": {"task": "billing.tasks.hour_bank_sync_recent_task", "schedule": crontab(minute="*/15")},
    # Every hour at :40: forget the API's Idempotency-Keys older than 24 hours.
    "idempotency-purge": {"task": "portal.tasks.idempotency_purge_task", "schedule": crontab(minute=40)},
}


# While `tasks_held()` is active, what would be queued is collected here instead.
_held: ContextVar[list | None] = ContextVar("portal_tasks_held", default=None)


@contextmanager
def tasks_held() -> Iterator[list[tuple[str, tuple, dict]]]:
    """Queue nothing in this block: `enqueue_on_commit` records (task name, args, kwargs)
    in the yielded list instead. For bulk writers that own the follow-up themselves (the
    demo seed leaves its PDFs queued and its history's e-mails unsent); every queued kind
    of work is recoverable from the database, so nothing is lost by holding it."""
    held: list[tuple[str, tuple, dict]] = []
    token = _held.set(held)
    try:
        yield held
    finally:
        _held.reset(token)


def tasks_are_held() -> bool:
    """Whether a `tasks_held()` block is active (the outbox's local deliverer asks too)."""
    return _held.get() is not None


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Queue `task` once the current transaction commits.

    A broker that is down must never fail the request that already committed its
    work: the error is logged, and the periodic scans that own each kind of work catch
    up later (DESIGN.md: losing Redis must never lose a ticket; the notifications are
    in the outbox, swept every minute).
    """
    from django.db import transaction

    held = _held.get()
    if held is not None:
        held.append((task.name, args, kwargs))
        return

    def _send() -> None:
        try:
            task.apply_async(args=args, kwargs=kwargs, retry=False)
        except Exception:  # the broker's errors vary by transport (kombu, redis, socket)
            logger.exception("could not queue %s; it will be caught up later", task.name)

    transaction.on_commit(_send)

"""Celery tasks of the integrations: webhook delivery (after commit, and the sweep)."""

from __future__ import annotations

from celery import shared_task


@shared_task(ignore_result=True)
def webhook_deliver_task(ids: list[int] | None = None) -> dict:
    """Send the due webhook deliveries (only `ids` when given): after a commit, and
    every minute for the retries and anything nobody could queue."""
    from integrations.webhooks import webhook_deliver

    return dict(webhook_deliver(ids=ids))


@shared_task(ignore_result=True, acks_late=True)
def export_build_task(tenant_id: int, export_id: int) -> None:
    """Build a reversibility export's ZIP (integrations.exports)."""
    from integrations.exports import export_build

    export_build(tenant_id=tenant_id, export_id=export_id)


@shared_task(ignore_result=True)
def exports_purge_task() -> int:
    """Delete the export ZIPs past their 7 days."""
    from integrations.exports import exports_purge

    return exports_purge()


@shared_task(ignore_result=True)
def mail_intake_task() -> int:
    """Queue the reading of every enabled support mailbox (integrations.mail_intake)."""
    from integrations.mail_intake import mailboxes_due

    ids = mailboxes_due()
    for mailbox_id in ids:
        mailbox_poll_task.delay(mailbox_id)
    return len(ids)


@shared_task(ignore_result=True)
def mailbox_poll_task(mailbox_id: int) -> dict:
    """Read one support mailbox: each unseen message becomes a ticket, a reply or a
    quarantined message, once."""
    from integrations.mail_intake import mailbox_poll

    return dict(mailbox_poll(mailbox_id=mailbox_id))

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

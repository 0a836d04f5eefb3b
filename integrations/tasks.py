"""Celery tasks of the integrations: webhook delivery (after commit, and the sweep)."""

from __future__ import annotations

from celery import shared_task


@shared_task(ignore_result=True)
def webhook_deliver_task(ids: list[int] | None = None) -> dict:
    """Send the due webhook deliveries (only `ids` when given): after a commit, and
    every minute for the retries and anything nobody could queue."""
    from integrations.webhooks import webhook_deliver

    return dict(webhook_deliver(ids=ids))

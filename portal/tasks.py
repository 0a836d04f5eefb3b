from __future__ import annotations

from celery import shared_task


@shared_task
def outbox_deliver_task(ids: list[int] | None = None) -> int:
    """Send the notifications of the outbox that are due: the rows `ids` just written (queued
    after their commit, for promptness), or every due row (the periodic sweep, every
    minute). Claims rows before sending, so concurrent runs share the work. Returns
    the number of rows sent."""
    from portal.outbox import outbox_deliver

    return outbox_deliver(ids=ids)["sent"]


@shared_task
def api_token_created_notify_task(tenant_id: int, token_id: int) -> None:
    """Kept for tasks queued before the outbox existed (remove in a later release): the
    notice goes through the outbox now."""
    from portal.models import ApiToken
    from portal.notifications import api_token_notify

    token = ApiToken.objects.filter(tenant_id=tenant_id, pk=token_id).select_related("user").first()
    if token is not None:
        api_token_notify(token=token)


@shared_task
def idempotency_purge_task() -> int:
    """Forget the API's Idempotency-Keys older than 24 hours. Returns how many."""
    from portal.api.idempotency import purge_expired

    return purge_expired()

from __future__ import annotations

from celery import shared_task

from portal.models import ApiToken
from portal.notifications import send_templated_email


@shared_task(autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def api_token_created_notify_task(tenant_id: int, token_id: int) -> None:
    """Tell the owner of a new API token that it was created (a security notice).

    Claimed with a conditional update so that a retry never sends twice."""
    claimed = ApiToken.objects.filter(tenant_id=tenant_id, pk=token_id, notified_at__isnull=True)
    token = claimed.select_related("user", "tenant").first()
    if token is None:
        return  # deleted meanwhile, or already notified
    from django.utils import timezone

    if not claimed.update(notified_at=timezone.now()):
        return
    send_templated_email(
        name="api_token_created",
        to=[token.user.email],
        context={"token": token, "user": token.user, "tenant": token.tenant},
        language=token.user.language or None,
    )

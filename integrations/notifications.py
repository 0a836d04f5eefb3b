"""Integration e-mails, written to the outbox (portal/outbox.py) in the transaction of the
event and rendered in each recipient's language by the outbox worker."""

from __future__ import annotations

from django.conf import settings

from integrations.models import WebhookSubscription
from portal.models import Membership, OutboxMessage, Role
from portal.outbox import Email, email_renderer, outbox_email, user_language


def _tenant_admins(tenant_id: int):
    return [m.user for m in Membership.objects.filter(tenant_id=tenant_id, role=Role.TENANT_ADMIN,
                                                      user__is_active=True).select_related("user")]


def webhook_disabled_notify(*, subscription: WebhookSubscription) -> int:
    """A subscription was disabled after 3 days of failures: its tenant's administrators."""
    return outbox_email(tenant_id=subscription.tenant_id, kind="integrations.webhook_disabled",
                        recipients=_tenant_admins(subscription.tenant_id),
                        context={"subscription_id": subscription.pk},
                        dedup_key=f"webhook_disabled:{subscription.pk}:{subscription.disabled_at or ''}")


@email_renderer("integrations.webhook_disabled")
def _webhook_disabled(row: OutboxMessage) -> Email | None:
    subscription = WebhookSubscription.objects.filter(tenant_id=row.tenant_id,
                                                      pk=row.context.get("subscription_id")).first()
    if subscription is None:
        return None
    return Email("webhook_disabled", {
        "subscription": subscription, "user": row.user,
        "url": f"{settings.PORTAL_BASE_URL}/integrations/webhooks/{subscription.pk}/"}, user_language(row.user))

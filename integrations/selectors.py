"""Reading webhook subscriptions and their delivery log, within one tenant."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from integrations.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from portal.permissions import can


def webhook_list(*, tenant) -> QuerySet[WebhookSubscription]:
    return WebhookSubscription.objects.filter(tenant=tenant).order_by("name", "pk")


def webhook_get(*, tenant, viewer, subscription_id) -> WebhookSubscription:
    """One subscription of the tenant; a 404 for those who may not see the subscriptions
    at all (clients), as for another tenant's."""
    if not can(viewer, "webhook.list"):
        raise Http404
    try:
        return webhook_list(tenant=tenant).get(pk=int(subscription_id))
    except (WebhookSubscription.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def delivery_list(*, tenant, subscription: WebhookSubscription) -> QuerySet[WebhookDelivery]:
    return (WebhookDelivery.objects.filter(tenant=tenant, subscription=subscription)
            .select_related("event").prefetch_related("attempt_log").order_by("-created_at", "-pk"))


def attempts_of(delivery: WebhookDelivery) -> list[WebhookAttempt]:
    return list(delivery.attempt_log.all())

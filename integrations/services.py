"""Webhook subscriptions: make, change, delete, roll the secret, send a test event, and
the disabling of a subscription that has failed for 3 days. Each checks the policy and
is audited."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from integrations.models import DeliveryState, WebhookDelivery, WebhookSubscription
from integrations.webhooks import TEST_EVENT, _write_events, new_secret, resolve_target
from portal.audit import audit_log
from portal.events import EVENT_TYPES, Event
from portal.permissions import require

WEBHOOK_LIMIT = 20  # subscriptions per tenant


def _clean(*, name: str | None = None, url: str | None = None, event_types=None) -> dict:
    errors: dict[str, list[str]] = {}
    values: dict = {}
    if name is not None:
        name = (name or "").strip()
        if not name:
            errors["name"] = [_("Give the subscription a name.")]
        elif len(name) > 100:
            errors["name"] = [_("At most 100 characters.")]
        values["name"] = name
    if url is not None:
        url = (url or "").strip()
        if len(url) > 500:
            errors["url"] = [_("At most 500 characters.")]
        else:
            try:
                resolve_target(url)
            except ValidationError as exc:
                errors.update(exc.message_dict)
        values["url"] = url
    if event_types is not None:
        chosen = list(dict.fromkeys(event_types or []))
        unknown = [e for e in chosen if e not in EVENT_TYPES]
        if not isinstance(event_types, list | tuple) or unknown:
            errors["event_types"] = [_("Unknown event: %(events)s.") % {"events": ", ".join(map(str, unknown))}]
        elif not chosen:
            errors["event_types"] = [_("Choose at least one event.")]
        values["event_types"] = chosen
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def webhook_create(*, tenant, actor, name: str, url: str, event_types: list[str]) -> tuple[WebhookSubscription, str]:
    """A new subscription and its secret (returned once; stored to sign)."""
    require(actor, "webhook.create", tenant=tenant)
    values = _clean(name=name, url=url, event_types=event_types)
    if WebhookSubscription.objects.filter(tenant=tenant).count() >= WEBHOOK_LIMIT:
        raise ValidationError({"url": [_("At most %(n)s subscriptions.") % {"n": WEBHOOK_LIMIT}]})
    secret = new_secret()
    subscription = WebhookSubscription.objects.create(tenant=tenant, secret=secret, created_by=actor, **values)
    audit_log(tenant=tenant, actor=actor, action="webhook.create", obj=subscription,
              changes={"name": subscription.name, "url": subscription.url, "event_types": subscription.event_types})
    return subscription, secret


@transaction.atomic
def webhook_update(*, subscription: WebhookSubscription, actor, name: str | None = None, url: str | None = None,
                   event_types: list[str] | None = None, is_active: bool | None = None) -> WebhookSubscription:
    """Change a subscription; turning it back on clears its failure streak."""
    require(actor, "webhook.update", subscription)
    values = _clean(name=name, url=url, event_types=event_types)
    subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk,
                                                                       tenant_id=subscription.tenant_id)
    before = {k: getattr(subscription, k) for k in ("name", "url", "event_types", "is_active")}
    for key, value in values.items():
        setattr(subscription, key, value)
    if is_active is not None and is_active != subscription.is_active:
        subscription.is_active = is_active
        subscription.failing_since = None
        subscription.disabled_at = None if is_active else timezone.now()
        subscription.disabled_reason = "" if is_active else _("Turned off by %(who)s") % {"who": actor}
    subscription.save()
    after = {k: getattr(subscription, k) for k in before}
    changes = {k: [before[k], v] for k, v in after.items() if before[k] != v}
    if changes:
        audit_log(tenant=subscription.tenant, actor=actor, action="webhook.update", obj=subscription,
                  changes=changes)
    if subscription.is_active is False:
        _cancel_pending(subscription)
    return subscription


@transaction.atomic
def webhook_roll_secret(*, subscription: WebhookSubscription, actor) -> tuple[WebhookSubscription, str]:
    """A new secret (shown once); the old one stops signing at once."""
    require(actor, "webhook.update", subscription)
    secret = new_secret()
    WebhookSubscription.objects.filter(pk=subscription.pk, tenant_id=subscription.tenant_id).update(
        secret=secret, updated_at=timezone.now())
    subscription.secret = secret
    audit_log(tenant=subscription.tenant, actor=actor, action="webhook.roll_secret", obj=subscription)
    return subscription, secret


@transaction.atomic
def webhook_delete(*, subscription: WebhookSubscription, actor) -> None:
    require(actor, "webhook.delete", subscription)
    audit_log(tenant=subscription.tenant, actor=actor, action="webhook.delete", obj=subscription,
              changes={"name": subscription.name, "url": subscription.url})
    subscription.delete()


@transaction.atomic
def webhook_send_test(*, subscription: WebhookSubscription, actor) -> WebhookDelivery:
    """A `webhook.test` event to this subscription only, delivered like any other."""
    require(actor, "webhook.test", subscription)
    [event] = _write_events([(Event(subscription.tenant_id, TEST_EVENT, {
        "message": "This is a test event.", "subscription": subscription.pk}), [subscription])])
    audit_log(tenant=subscription.tenant, actor=actor, action="webhook.test", obj=subscription,
              changes={"event": str(event.uid)})
    return event.deliveries.get()


def _cancel_pending(subscription: WebhookSubscription) -> None:
    WebhookDelivery.objects.filter(subscription=subscription, state=DeliveryState.PENDING).update(
        state=DeliveryState.CANCELLED, last_error="subscription disabled")


@transaction.atomic
def webhook_disable_failing(*, subscription: WebhookSubscription, at: datetime) -> bool:
    """Disable a subscription whose deliveries have failed for 3 days and tell the
    tenant's administrators (outbox). Once: a subscription already off is left alone."""
    from integrations.notifications import webhook_disabled_notify

    reason = _("Every delivery failed for 3 days.")
    if not WebhookSubscription.objects.filter(pk=subscription.pk, is_active=True).update(
            is_active=False, disabled_at=at, disabled_reason=reason, updated_at=at):
        return False
    _cancel_pending(subscription)
    audit_log(tenant=subscription.tenant, actor=None, action="webhook.disable", obj=subscription,
              changes={"failing_since": subscription.failing_since, "reason": reason})
    webhook_disabled_notify(subscription=subscription)
    return True

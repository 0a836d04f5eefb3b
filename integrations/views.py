"""Tenant administrators' pages of the integrations: webhook subscriptions, each with its
delivery log, a test event, a new secret."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from integrations import selectors, services
from integrations.forms import WebhookEditForm, WebhookForm
from portal.decorators import tenant_required
from portal.pages import form_page


@tenant_required(action="webhook.list")
def webhook_list(request):
    """The secret is shown once, on the page that answers the creation."""
    subscriptions = selectors.webhook_list(tenant=request.tenant)
    return form_page(
        request, WebhookForm(request.POST or None), template="integrations/webhook_list.html",
        action="webhook.create", context={"subscriptions": subscriptions, "secret": None},
        save=lambda data: services.webhook_create(tenant=request.tenant, actor=request.user, **data),
        success=lambda created: _("Subscription “%(name)s” created. Copy its secret now: it will not be shown "
                                  "again.") % {"name": created[0].name},
        respond=lambda created: render(request, "integrations/webhook_list.html", {
            "form": WebhookForm(), "subscriptions": subscriptions, "secret": created[1], "created": created[0]}),
    )


def _subscription(request, subscription_id):
    return selectors.webhook_get(tenant=request.tenant, viewer=request.membership, subscription_id=subscription_id)


def _detail_context(request, subscription, **extra):
    page = Paginator(selectors.delivery_list(tenant=request.tenant, subscription=subscription), 25).get_page(
        request.GET.get("page"))
    return {"subscription": subscription, "page": page, "secret": None, **extra}


@tenant_required()
def webhook_detail(request, subscription_id: int):
    subscription = _subscription(request, subscription_id)
    form = WebhookEditForm(request.POST or None, initial={
        "name": subscription.name, "url": subscription.url, "event_types": subscription.event_types,
        "is_active": subscription.is_active})
    return form_page(
        request, form, template="integrations/webhook_detail.html", action="webhook.update", obj=subscription,
        context=_detail_context(request, subscription),
        save=lambda data: services.webhook_update(subscription=subscription, actor=request.user, **data),
        success=_("Subscription saved."), success_url=lambda _saved: request.path,
    )


@require_POST
@tenant_required()
def webhook_test(request, subscription_id: int):
    subscription = _subscription(request, subscription_id)
    services.webhook_send_test(subscription=subscription, actor=request.user)
    messages.success(request, _("Test event queued: its delivery appears in the log below."))
    return redirect("webhook-detail", subscription_id=subscription.pk)


@require_POST
@tenant_required()
def webhook_roll_secret(request, subscription_id: int):
    subscription = _subscription(request, subscription_id)
    subscription, secret = services.webhook_roll_secret(subscription=subscription, actor=request.user)
    messages.success(request, _("New secret made. Copy it now: it will not be shown again."))
    form = WebhookEditForm(initial={"name": subscription.name, "url": subscription.url,
                                    "event_types": subscription.event_types, "is_active": subscription.is_active})
    return render(request, "integrations/webhook_detail.html",
                  {"form": form, **_detail_context(request, subscription, secret=secret)})


@require_POST
@tenant_required()
def webhook_delete(request, subscription_id: int):
    subscription = _subscription(request, subscription_id)
    services.webhook_delete(subscription=subscription, actor=request.user)
    messages.success(request, _("Subscription “%(name)s” deleted.") % {"name": subscription.name})
    return redirect("webhook-list")

"""Pages of the integrations: webhook subscriptions (tenant administrators), each with its
delivery log, a test event, a new secret; the reversibility export of a client
organisation (its managers and its client administrator)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contracts.selectors import parties as party_selectors
from integrations import exports as exports_module
from integrations import mail_intake, selectors, services
from integrations import personal_data as personal_data_module
from integrations.forms import MailboxForm, PersonForm, ReleaseForm, WebhookEditForm, WebhookForm
from integrations.models import InboundState
from portal.decorators import tenant_required
from portal.downloads import content_response, file_response
from portal.exceptions import ApplicationError
from portal.forms_util import apply_errors
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


# ---------------------------------------------------------------------- reversibility export


@tenant_required()
def export_list(request, org_ref: str):
    """The organisation's exports and the button that starts one."""
    organization = party_selectors.organization_get(tenant=request.tenant, viewer=request.membership,
                                                    reference=org_ref)
    exports = exports_module.export_list(tenant=request.tenant, viewer=request.membership, organization=organization)
    if request.method == "POST":
        export = exports_module.export_request(organization=organization, actor=request.user)
        messages.success(request, _("The export is being built: this page follows its progress."))
        return redirect("export-detail", export_id=export.pk)
    return render(request, "integrations/export_list.html", {"org": organization, "exports": exports[:20]})


@tenant_required()
def export_detail(request, export_id: int):
    """An export's progress (polled by htmx while it is built) and its download."""
    export = exports_module.export_get(tenant=request.tenant, viewer=request.membership, export_id=export_id)
    template = "integrations/snippets/export_status.html" if request.headers.get("HX-Request") \
        else "integrations/export_detail.html"
    return render(request, template, {"export": export, "org": export.organization})


@tenant_required()
def export_download(request, export_id: int):
    export = exports_module.export_get(tenant=request.tenant, viewer=request.membership, export_id=export_id)
    path, filename = exports_module.export_download(export=export, actor=request.user)
    return file_response(path, filename=filename, content_type="application/zip")


# ---------------------------------------------------------------------- personal data (GDPR)


@tenant_required(action="personal_data.export")
def personal_data(request):
    """Export what is held about a person (JSON download), or erase them."""
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        try:
            if "erase" in request.POST:
                personal_data_module.personal_data_erase(tenant=request.tenant, actor=request.user, email=email)
                messages.success(request, _("The person was erased: their name and address are gone, the tickets, "
                                            "invoices and audit log are kept."))
                return redirect("personal-data")
            data = personal_data_module.personal_data_export(tenant=request.tenant, actor=request.user, email=email)
        except ValidationError as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            return content_response(json.dumps(data, ensure_ascii=False, indent=2).encode(),
                                    filename="personal-data.json", content_type="application/json")
    return render(request, "integrations/personal_data.html", {"form": form})


# ---------------------------------------------------------------------- tickets by e-mail


@tenant_required(action="mailbox.edit")
def mailbox_settings(request):
    """The support mailbox (tenant administrators). The password is never shown back."""
    current = mail_intake.mailbox_get(tenant=request.tenant)
    initial = {"port": 993, "folder": "INBOX"}
    if current is not None:
        initial = {k: getattr(current, k) for k in ("host", "port", "security", "username", "folder", "address",
                                                    "enabled")}
    return form_page(
        request, MailboxForm(request.POST or None, initial=initial), template="integrations/mailbox_settings.html",
        action="mailbox.edit", context={"mailbox": current},
        save=lambda data: mail_intake.mailbox_update(tenant=request.tenant, actor=request.user, **data),
        success=_("Support mailbox saved."), success_url="mailbox-settings")


@tenant_required(action="mail_quarantine.review")
def mail_quarantine(request):
    """The messages of the support mailbox that became no ticket, for staff to review."""
    state = request.GET.get("state", InboundState.QUARANTINED)
    if state not in InboundState.values:
        state = InboundState.QUARANTINED
    page = Paginator(mail_intake.quarantine_list(tenant=request.tenant, viewer=request.membership, state=state),
                     50).get_page(request.GET.get("page"))
    return render(request, "integrations/mail_quarantine.html", {"page": page, "state": state,
                                                                 "states": InboundState.choices})


@tenant_required()  # the lookup first: what a client cannot see is a 404
def mail_quarantine_detail(request, inbound_id: int):
    inbound = mail_intake.inbound_get(tenant=request.tenant, viewer=request.membership, message_id=inbound_id)
    senders = mail_intake.release_senders(tenant=request.tenant)
    form = ReleaseForm(request.POST or None, senders=senders, initial={"sender": inbound.sender.lower()})
    return form_page(
        request, form, template="integrations/mail_quarantine_detail.html", action="mail_quarantine.review",
        obj=inbound, context={"inbound": inbound, "raw_text": bytes(inbound.raw[:20000]).decode("utf-8", "replace")},
        save=lambda data: mail_intake.inbound_release(inbound=inbound, actor=request.user,
                                                      sender_email=data["sender"]),
        success=lambda ticket: _("Message released: %(ref)s.") % {"ref": ticket.reference},
        success_url="mail-quarantine")


@require_POST
@tenant_required()
def mail_quarantine_discard(request, inbound_id: int):
    inbound = mail_intake.inbound_get(tenant=request.tenant, viewer=request.membership, message_id=inbound_id)
    try:
        mail_intake.inbound_discard(inbound=inbound, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("mail-quarantine-detail", inbound_id=inbound.pk)
    messages.success(request, _("Message discarded."))
    return redirect("mail-quarantine")

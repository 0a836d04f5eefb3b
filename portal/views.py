"""Browser pages of the portal app: login, audit log, API tokens, tenant settings and
account preferences. The home page and the dashboards are the top app `home`'s."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import selectors, services
from portal.audit_display import audit_rows
from portal.decorators import tenant_required
from portal.forms import (
    ApiTokenForm,
    AuditFilterForm,
    PreferencesForm,
    ServiceAccountForm,
    TenantSettingsForm,
)
from portal.pages import form_page


@tenant_required(action="audit.read")
def audit_log(request):
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.audit_event_list(tenant=request.tenant, **{k: v for k, v in filters.items() if v})
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "portal/audit_log.html", {"form": form, "page": page, "rows": audit_rows(page)})


@tenant_required()
def api_tokens(request):
    """The secret is shown once, on the page that answers the creation (never stored)."""
    tokens = selectors.api_token_list(tenant=request.tenant, user=request.user)  # read when rendered
    return form_page(
        request, ApiTokenForm(request.POST or None), template="portal/api_tokens.html",
        context={"tokens": tokens, "secret": None},
        save=lambda data: services.api_token_create(user=request.user, **data),
        success=_token_created,
        respond=lambda created: render(request, "portal/api_tokens.html",
                                       {"form": ApiTokenForm(), "tokens": tokens, "secret": created[1]}),
    )


def _token_created(created) -> str:
    return _("Token “%(name)s” created. Copy it now: it will not be shown again.") % {"name": created[0].name}


@require_POST
@tenant_required()
def api_token_revoke(request, token_prefix: str):
    token = get_object_or_404(selectors.api_token_list(tenant=request.tenant, user=request.user), prefix=token_prefix)
    services.api_token_revoke(token=token, actor=request.user)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("api-tokens")


@tenant_required(action="service_account.manage")
def service_accounts(request):
    tenant = request.tenant
    form = ServiceAccountForm(request.POST or None, organizations=selectors.client_organizations(tenant=tenant))

    def save(data):
        ref = data.get("organization")
        organization = selectors.organization_by_reference(tenant=tenant, reference=ref) if ref else None
        return services.service_account_create(actor=request.user, tenant=tenant, name=data["name"],
                                               role=data["role"], organization=organization)

    return form_page(
        request, form, template="portal/service_accounts.html",
        context={"accounts": selectors.service_account_list(tenant=tenant)},
        save=save, success=lambda account: _("Service account “%(name)s” created.") % {"name": account.name},
        success_url=lambda account: reverse("service-account", args=[account.pk]),
    )


@tenant_required()
def service_account(request, account_id: int):
    account = selectors.service_account_get(tenant=request.tenant, viewer=request.membership, pk=account_id)
    tokens = selectors.api_token_list(tenant=request.tenant, user=account.user)
    context = {"account": account, "tokens": tokens, "secret": None}
    return form_page(
        request, ApiTokenForm(request.POST or None), template="portal/service_account.html", context=context,
        save=lambda data: services.service_account_token_create(actor=request.user, account=account, **data),
        success=_token_created,
        respond=lambda created: render(request, "portal/service_account.html",
                                       {**context, "form": ApiTokenForm(), "secret": created[1]}),
    )


@require_POST
@tenant_required()
def service_account_token_revoke(request, account_id: int, token_prefix: str):
    account = selectors.service_account_get(tenant=request.tenant, viewer=request.membership, pk=account_id)
    token = get_object_or_404(selectors.api_token_list(tenant=request.tenant, user=account.user), prefix=token_prefix)
    services.api_token_revoke(token=token, actor=request.user)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("service-account", account.pk)


@require_POST
@tenant_required()
def service_account_disable(request, account_id: int):
    account = selectors.service_account_get(tenant=request.tenant, viewer=request.membership, pk=account_id)
    services.service_account_disable(actor=request.user, account=account)
    messages.success(request, _("Service account “%(name)s” disabled: its tokens no longer work.")
                     % {"name": account.name})
    return redirect("service-accounts")


@tenant_required(action="tenant_settings.edit")
def tenant_settings(request):
    tenant = request.tenant
    form = TenantSettingsForm(request.POST or None, initial={
        "contract_reminder_days": ", ".join(str(d) for d in tenant.reminder_days),
        "ticket_autoclose_days": tenant.ticket_autoclose_days,
        "allow_curative_when_suspended": tenant.allow_curative_when_suspended,
        "two_factor_required": tenant.two_factor_required})
    return form_page(
        request, form, template="portal/tenant_settings.html",
        save=lambda data: services.tenant_settings_update(tenant=tenant, actor=request.user, **data),
        success=_("Settings saved."), success_url="tenant-settings",
    )


@tenant_required()
def account_preferences(request):
    user = request.user
    form = PreferencesForm(request.POST or None, initial={
        "language": user.language or request.LANGUAGE_CODE, "notification_optouts": user.notification_optouts})
    return form_page(
        request, form, template="portal/preferences.html",
        save=lambda data: services.user_preferences_update(user=user, **data),
        success=_("Preferences saved."), success_url="account-preferences",
    )


def favicon(request):
    """Browsers ask for /favicon.ico whatever the pages' <link rel="icon"> says."""
    return HttpResponseRedirect(static("favicon.ico"))

"""Browser pages of the portal app: login, audit log, API tokens, tenant settings and
account preferences. The home page and the dashboards are the top app `home`'s."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import selectors, services
from portal.audit_display import audit_rows
from portal.decorators import tenant_required
from portal.forms import ApiTokenForm, AuditFilterForm, PreferencesForm, TenantSettingsForm
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
        success=lambda created: _("Token “%(name)s” created. Copy it now: it will not be shown again.")
        % {"name": created[0].name},
        respond=lambda created: render(request, "portal/api_tokens.html",
                                       {"form": ApiTokenForm(), "tokens": tokens, "secret": created[1]}),
    )


@require_POST
@tenant_required()
def api_token_revoke(request, token_prefix: str):
    token = get_object_or_404(selectors.api_token_list(tenant=request.tenant, user=request.user), prefix=token_prefix)
    services.api_token_revoke(token=token, actor=request.user)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("api-tokens")


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

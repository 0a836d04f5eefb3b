"""Browser pages of the portal app: login, dashboards, audit log, API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contracts import selectors as party_selectors
from portal import selectors, services
from portal.audit_display import audit_rows
from portal.decorators import tenant_required
from portal.forms import ApiTokenForm, AuditFilterForm, LoginForm, PreferencesForm, TenantSettingsForm
from portal.forms_util import apply_errors
from portal.models import Role
from portal.permissions import TENANT_ADMINS


class LoginView(auth_views.LoginView):
    template_name = "portal/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


def home(request):
    return redirect("dashboard" if request.user.is_authenticated else "login")


@tenant_required()
def dashboard(request):
    membership = request.membership
    tenant = request.tenant
    from tickets import display as ticket_display
    from tickets import selectors as ticket_selectors

    context: dict = {"role": membership.role, "counts": ticket_selectors.ticket_counts(tenant=tenant, viewer=membership)}
    urgent = ticket_selectors.ticket_list(tenant=tenant, viewer=membership, open_only=True,
                                          mine=membership.role == Role.TECHNICIAN)[:8]
    context["urgent"] = [(t, ticket_display.badge(t)) for t in urgent]
    if membership.is_provider:
        orgs = party_selectors.organization_list(tenant=tenant, viewer=membership)
        context["client_count"] = orgs.filter(kind="client").count()
        if membership.role == Role.TENANT_ADMIN:
            context["member_count"] = selectors.membership_list(tenant=tenant).count()
            context["recent_events"] = selectors.audit_event_list(tenant=tenant)[:8]
        if membership.role in (Role.TENANT_ADMIN, Role.ACCOUNT_MANAGER):
            context["recent_clients"] = orgs.filter(kind="client").order_by("-created_at")[:5]
    else:
        context["organization"] = membership.organization
        context["contacts"] = party_selectors.contact_list(organization=membership.organization)
    return render(request, f"portal/dashboard_{membership.role}.html", context)


@tenant_required(roles=TENANT_ADMINS)
def audit_log(request):
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.audit_event_list(tenant=request.tenant, **{k: v for k, v in filters.items() if v})
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "portal/audit_log.html", {"form": form, "page": page, "rows": audit_rows(page)})


@tenant_required()
def api_tokens(request):
    form = ApiTokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = services.api_token_create(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Token “%(name)s” created. Copy it now: it will not be shown again.") % {"name": token.name})
            form = ApiTokenForm()
    tokens = selectors.api_token_list(tenant=request.tenant, user=request.user)
    return render(request, "portal/api_tokens.html", {"form": form, "tokens": tokens, "secret": secret})


@require_POST
@tenant_required()
def api_token_revoke(request, token_prefix: str):
    token = get_object_or_404(selectors.api_token_list(tenant=request.tenant, user=request.user), prefix=token_prefix)
    services.api_token_revoke(token=token, actor=request.user)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("api-tokens")


@tenant_required(roles=TENANT_ADMINS)
def tenant_settings(request):
    tenant = request.tenant
    form = TenantSettingsForm(request.POST or None, initial={
        "contract_reminder_days": ", ".join(str(d) for d in tenant.reminder_days),
        "ticket_autoclose_days": tenant.ticket_autoclose_days,
        "allow_curative_when_suspended": tenant.allow_curative_when_suspended})
    if request.method == "POST" and form.is_valid():
        try:
            services.tenant_settings_update(tenant=tenant, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("tenant-settings")
    return render(request, "portal/tenant_settings.html", {"form": form})


@tenant_required()
def account_preferences(request):
    user = request.user
    form = PreferencesForm(request.POST or None, initial={
        "language": user.language or request.LANGUAGE_CODE, "notification_optouts": user.notification_optouts})
    if request.method == "POST" and form.is_valid():
        try:
            services.user_preferences_update(user=user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Preferences saved."))
            return redirect("account-preferences")
    return render(request, "portal/preferences.html", {"form": form})

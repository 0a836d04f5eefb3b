"""Browser pages of the portal app: login, dashboards, audit log, API tokens."""

from __future__ import annotations

from functools import cached_property

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contracts import selectors as party_selectors
from portal import selectors, services
from portal.audit_display import audit_rows
from portal.decorators import tenant_required
from portal.forms import ApiTokenForm, AuditFilterForm, LoginForm, PreferencesForm, TenantSettingsForm
from portal.pages import form_page
from portal.permissions import can


class LoginView(auth_views.LoginView):
    template_name = "portal/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


def home(request):
    return redirect("dashboard" if request.user.is_authenticated else "login")


class _TicketRows:
    """The (ticket, badge) rows of a dashboard list, read only if its template shows it."""

    def __init__(self, tickets):
        self.tickets = tickets

    @cached_property
    def rows(self) -> list:
        from tickets import display as ticket_display

        return [(t, ticket_display.badge(t)) for t in self.tickets]

    def __iter__(self):
        return iter(self.rows)

    def __bool__(self) -> bool:
        return bool(self.rows)


@tenant_required()
def dashboard(request):
    """One template per role (the page's layout: a technician's shows its own most urgent
    tickets); what it may show beyond the tickets is asked to the policy."""
    membership = request.membership
    tenant = request.tenant
    from tickets import selectors as ticket_selectors

    def urgent(**mine):
        return _TicketRows(ticket_selectors.ticket_list(tenant=tenant, viewer=membership, open_only=True, **mine)[:8])

    context: dict = {
        "role": membership.role, "counts": ticket_selectors.ticket_counts(tenant=tenant, viewer=membership),
        "urgent": urgent(), "my_urgent": urgent(mine=True),
    }
    if membership.is_provider:
        orgs = party_selectors.organization_list(tenant=tenant, viewer=membership)
        context["client_count"] = orgs.filter(kind="client").count()
        if can(membership, "membership.list"):
            context["member_count"] = selectors.membership_list(tenant=tenant).count()
        if can(membership, "audit.read"):
            context["recent_events"] = selectors.audit_event_list(tenant=tenant)[:8]
        if can(membership, "organization.create"):
            context["recent_clients"] = orgs.filter(kind="client").order_by("-created_at")[:5]
    else:
        context["organization"] = membership.organization
        context["contacts"] = party_selectors.contact_list(organization=membership.organization)
        if can(membership, "billing.read"):
            from billing import selectors as billing_selectors

            context["hour_banks"] = list(billing_selectors.hour_bank_contracts(tenant=tenant, viewer=membership))
            context["latest_invoices"] = billing_selectors.latest_invoices(tenant=tenant, viewer=membership)
    return render(request, f"portal/dashboard_{membership.role}.html", context)


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
        "allow_curative_when_suspended": tenant.allow_curative_when_suspended})
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

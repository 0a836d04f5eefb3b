"""The home page and the dashboards: one per role, gathering what the apps below show
at a glance (the most urgent tickets, clients, recent activity). Nothing below imports
this app (tests/test_layers.py)."""

from __future__ import annotations

from functools import cached_property

from django.shortcuts import redirect, render
from django.utils import timezone

from billing import selectors as billing_selectors
from contracts.selectors import parties as party_selectors
from home import dashboards
from portal import selectors
from portal.audit_display import sentences as audit_sentences
from portal.decorators import tenant_required
from portal.permissions import can
from tickets import display as ticket_display
from tickets import selectors as ticket_selectors


def home(request):
    return redirect("dashboard" if request.user.is_authenticated else "login")


class _TicketRows:
    """The (ticket, badge) rows of a dashboard list, read only if its template shows it."""

    def __init__(self, tickets, *, for_client: bool = False, clocks=None):
        self.tickets = tickets
        self.for_client = for_client
        self.clocks = clocks

    @cached_property
    def rows(self) -> list:
        tickets = self.tickets() if callable(self.tickets) else self.tickets  # a list not shown is not even built
        return ticket_display.badges(tickets, for_client=self.for_client, clocks=self.clocks)

    def __iter__(self):
        return iter(self.rows)

    def __bool__(self) -> bool:
        return bool(self.rows)


def _support(tenant, membership) -> dict:
    """The provider's support phone and the hours of the client's contracts (their
    business calendars), for the client's home page."""
    from contracts.selectors.contracts import contract_list

    groups: dict[int, dict] = {}  # per calendar: its hours and the contracts it serves
    contracts = contract_list(tenant=tenant, viewer=membership).filter(status__in=["active", "suspended"]) \
        .select_related("sla_policy__calendar").order_by("reference")
    for contract in contracts:
        calendar = contract.sla_policy.calendar if contract.sla_policy_id else None
        if calendar is None:
            continue
        if calendar.pk not in groups:
            groups[calendar.pk] = {"lines": ticket_display.calendar_hours(calendar), "contracts": []}
        groups[calendar.pk]["contracts"].append(contract.reference)
    hours = list(groups.values())
    for group in hours:  # named by their contracts only when the hours differ between contracts
        group["label"] = ", ".join(group["contracts"]) if len(hours) > 1 else ""
    return {"desk": ticket_selectors.support_desk(tenant=tenant), "hours": hours}
class _Lazy:
    """A dashboard section (a dict), computed on the template's first look at it."""

    def __init__(self, compute):
        self._compute = compute

    @cached_property
    def _values(self) -> dict:
        return self._compute()

    def __getitem__(self, key):
        return self._values[key]

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None


@tenant_required()
def dashboard(request):
    """One template per role (the page's layout: a technician's shows its own most urgent
    tickets); what it may show beyond the tickets is asked to the policy."""
    membership = request.membership
    tenant = request.tenant
    clocks = ticket_display.Clocks()  # the SLA policies' clocks, read once for every list of the page

    def urgent(**mine):
        return _TicketRows(lambda: ticket_selectors.ticket_list(tenant=tenant, viewer=membership, open_only=True,
                                                                **mine)[:8], clocks=clocks)

    context: dict = {
        "role": membership.role, "counts": ticket_selectors.ticket_counts(tenant=tenant, viewer=membership),
        "urgent": urgent(), "my_urgent": urgent(mine=True),
    }
    # The role dashboards' sections, each read only if the role's template shows it
    # (home.dashboards; their queries are pinned by tests/home/test_role_dashboards.py).
    if membership.is_provider:
        context["work"] = _Lazy(lambda: dashboards.technician(tenant=tenant, viewer=membership,
                                                              today=timezone.localdate(), clocks=clocks))
    if can(membership, "dashboard.contracts"):
        context["pipeline"] = _Lazy(lambda: dashboards.account_manager(tenant=tenant, viewer=membership,
                                                                       today=timezone.localdate()))
    if can(membership, "dashboard.service"):
        context["service"] = _Lazy(lambda: dashboards.tenant_admin(tenant=tenant, viewer=membership,
                                                                   now=timezone.now()))
    if membership.is_provider:
        orgs = party_selectors.organization_list(tenant=tenant, viewer=membership)
        context["client_count"] = orgs.filter(kind="client").count()
        if can(membership, "membership.list"):
            context["member_count"] = selectors.membership_list(tenant=tenant).count()
        if can(membership, "audit.read"):
            context["recent_events"] = audit_sentences(selectors.audit_event_list(tenant=tenant)[:8])
        if can(membership, "organization.create"):
            context["recent_clients"] = orgs.filter(kind="client").order_by("-created_at")[:5]
    else:
        context["organization"] = membership.organization
        context["open_rows"] = _TicketRows(ticket_selectors.ticket_list(
            tenant=tenant, viewer=membership, open_only=True).exclude(status="waiting_on_client")[:10], for_client=True, clocks=clocks)
        context["waiting_rows"] = _TicketRows(ticket_selectors.waiting_on_me(tenant=tenant, viewer=membership)[:10],
                                              for_client=True, clocks=clocks)
        context["support"] = _support(tenant, membership)
        if can(membership, "billing.read"):
            context["hour_banks"] = list(billing_selectors.hour_bank_contracts(tenant=tenant, viewer=membership))
            context["latest_invoices"] = billing_selectors.latest_invoices(tenant=tenant, viewer=membership)
    return render(request, f"home/dashboard_{membership.role}.html", context)

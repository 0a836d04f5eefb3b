"""Reading tickets. Every selector takes the tenant and the viewer and filters in SQL:
provider staff see the tenant's tickets; a client admin sees their organisation's; a
client user sees the tickets they opened."""

from __future__ import annotations

from django.db.models import F, Prefetch, Q, QuerySet

from portal.models import Membership, Role
from portal.tenancy import get_for_tenant
from tickets.models import OPEN_STATUSES, Attachment, Intervention, Ticket, TicketEvent, TicketMessage


def _check(tenant, viewer: Membership) -> None:
    assert viewer.tenant_id == tenant.id, "viewer of another tenant"


def _visible(qs: QuerySet[Ticket], viewer: Membership) -> QuerySet[Ticket]:
    if viewer.role == Role.CLIENT_ADMIN:
        return qs.filter(organization_id=viewer.organization_id)
    if viewer.role == Role.CLIENT_USER:
        return qs.filter(organization_id=viewer.organization_id, requester_id=viewer.user_id)
    return qs


QUEUE_ORDER = (F("sla_breached").desc(), F("sla_paused").asc(), F("sla_due_at").asc(nulls_last=True), F("id").asc())


def ticket_list(
    *, tenant, viewer: Membership, open_only: bool = False, mine: bool = False, unassigned: bool = False,
    client_ref: str = "", contract_ref: str = "", priority: str = "", maintenance_type: str = "", status: str = "",
    breached: bool | None = None, at_risk: bool = False, search: str = "",
) -> QuerySet[Ticket]:
    """Tickets in queue order for the provider (breached first, nearest SLA deadline
    first, paused last) and newest first for clients."""
    _check(tenant, viewer)
    qs = _visible(Ticket.objects.filter(tenant=tenant), viewer).select_related(
        "organization", "contract", "assignee", "requester")
    if open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if mine:
        qs = qs.filter(assignee_id=viewer.user_id)
    if unassigned:
        qs = qs.filter(assignee__isnull=True)
    if client_ref:
        qs = qs.filter(organization__reference=client_ref)
    if contract_ref:
        qs = qs.filter(contract__reference=contract_ref)
    if priority:
        qs = qs.filter(priority=priority)
    if maintenance_type:
        qs = qs.filter(maintenance_type=maintenance_type)
    if status:
        qs = qs.filter(status=status)
    if breached is not None:
        qs = qs.filter(sla_breached=breached)
    if at_risk:
        qs = qs.filter(sla_warning=True, sla_breached=False)
    if search:
        qs = qs.filter(Q(reference__icontains=search) | Q(title__icontains=search))
    if viewer.is_provider:
        return qs.order_by(*QUEUE_ORDER)
    return qs.order_by("-created_at", "-id")


def ticket_get(*, tenant, viewer: Membership, reference: str) -> Ticket:
    """The ticket `reference` as `viewer` may see it, or Http404."""
    _check(tenant, viewer)
    # Only what the pages and the API read: each extra join costs planning time on
    # every request (measured: a 10-table join took 6-9 ms to plan for a 1 ms query).
    qs = _visible(Ticket.objects.all(), viewer).select_related(
        "organization", "contract", "assignee", "requester", "sla_policy__calendar")
    return get_for_tenant(qs, tenant, reference=reference)


def ticket_messages(*, ticket: Ticket, viewer: Membership) -> QuerySet[TicketMessage]:
    """The conversation; internal notes never reach client users."""
    qs = ticket.messages.filter(tenant_id=ticket.tenant_id).select_related("author").prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.filter(tenant_id=ticket.tenant_id)))
    if viewer.is_client:
        qs = qs.filter(internal=False)
    return qs.order_by("created_at", "id")


def ticket_attachments(*, ticket: Ticket, viewer: Membership) -> QuerySet[Attachment]:
    qs = ticket.attachments.filter(tenant_id=ticket.tenant_id).select_related("uploaded_by", "message")
    if viewer.is_client:
        qs = qs.exclude(message__internal=True)
    return qs.order_by("created_at", "id")


def attachment_get(*, ticket: Ticket, viewer: Membership, attachment_id) -> Attachment:
    return get_for_tenant(ticket_attachments(ticket=ticket, viewer=viewer), ticket.tenant, pk=attachment_id)


def ticket_interventions(*, ticket: Ticket) -> QuerySet[Intervention]:
    return ticket.interventions.filter(tenant_id=ticket.tenant_id).select_related("technician").order_by("date", "id")


def ticket_history(*, ticket: Ticket) -> QuerySet[TicketEvent]:
    return ticket.events.filter(tenant_id=ticket.tenant_id).select_related("actor").order_by("at", "id")


def ticket_history_visible(*, ticket: Ticket, viewer: Membership) -> QuerySet[TicketEvent]:
    """The history as `viewer` may read it, on the ticket page and in the API alike: the
    provider's staff see every event; clients none (reasons, priority changes and
    reassignments are the provider's own notes)."""
    qs = ticket_history(ticket=ticket)
    return qs.none() if viewer.is_client else qs


def ticket_counts(*, tenant, viewer: Membership) -> dict:
    """The dashboard's figures, in one query."""
    from django.db.models import Count

    qs = _visible(Ticket.objects.filter(tenant=tenant, status__in=OPEN_STATUSES), viewer)
    figures = qs.aggregate(
        open=Count("id"),
        new=Count("id", filter=Q(status="new")),
        in_progress=Count("id", filter=Q(status="in_progress")),
        waiting=Count("id", filter=Q(status="waiting_on_client")),
        breached=Count("id", filter=Q(sla_breached=True)),
        at_risk=Count("id", filter=Q(sla_warning=True, sla_breached=False)),
        mine=Count("id", filter=Q(assignee_id=viewer.user_id)),
        unassigned=Count("id", filter=Q(assignee__isnull=True)),
    )
    return figures

"""Reading tickets. Every selector takes the tenant and the viewer and filters in SQL:
provider staff see the tenant's tickets; a client admin sees their organisation's; a
client user sees the tickets they opened."""

from __future__ import annotations

from django.db.models import F, Prefetch, Q, QuerySet, Subquery

from portal.models import Membership, Role
from portal.tenancy import get_for_tenant
from tickets.models import (
    OPEN_STATUSES,
    Attachment,
    CannedReply,
    Intervention,
    RatingScore,
    SupportDesk,
    Ticket,
    TicketEvent,
    TicketMessage,
    TicketRating,
)


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
    breached: bool | None = None, at_risk: bool = False, search: str = "", sort: str = "",
) -> QuerySet[Ticket]:
    """Tickets in queue order for the provider (breached first, nearest SLA deadline
    first, paused last) and newest first for clients; `sort` (a key of SORTS, "-" first
    for descending) orders by a column instead."""
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
    key = sort.lstrip("-")
    if key in SORTS:
        fields = SORTS[key]
        if sort.startswith("-"):
            fields = [f[1:] if f.startswith("-") else f"-{f}" for f in fields]
        return qs.order_by(*fields, "id")
    if viewer.is_provider:
        return qs.order_by(*QUEUE_ORDER)
    return qs.order_by("-created_at", "-id")


def ticket_count_order(*, viewer: Membership, open_only: bool) -> tuple[str, ...]:
    """The order a list of `ticket_list` is best counted in (CappedPaginator counts its
    first 1,001 rows). The provider's open queue is counted along `ticket_open_counts`
    (tenant, status): its entries are spread over the whole table, whereas the queue's
    own index starts with the tickets nearest their deadline, exactly those the SLA scan
    keeps updating, whose dead index entries the count would otherwise visit first one
    by one until a vacuum (measured after the bench's scan passes: 21,000 heap fetches
    and 32 ms, against 1,001 and 1.1 ms in status order). Other lists (all statuses, a
    client's) have no such index: unordered, the database picks its own."""
    return ("status",) if open_only and viewer.is_provider else ()


# The queue's sortable columns.
SORTS = {
    "ticket": ["reference"], "client": ["organization__legal_name"], "priority": ["priority"],
    "status": ["status"], "assignee": ["assignee__full_name"], "opened": ["created_at"],
}


def ticket_get(*, tenant, viewer: Membership, reference: str) -> Ticket:
    """The ticket `reference` as `viewer` may see it, or Http404."""
    _check(tenant, viewer)
    # Only what the pages and the API read: each extra join costs planning time on
    # every request (measured: a 10-table join took 6-9 ms to plan for a 1 ms query).
    qs = _visible(Ticket.objects.all(), viewer).select_related(
        "organization", "contract", "assignee", "requester", "sla_policy__calendar")
    # By id, found by a subquery on (tenant, reference): references repeat from tenant to
    # tenant, so the planner expects ~10 rows for the pair and weighs hash joins for each
    # joined table (measured at 1 M tickets: 8.5 ms of planning for a 1 ms query); the
    # primary key is one row, planned as nested loops in 1.5 ms.
    one = Ticket.objects.filter(tenant=tenant, reference=reference).values("pk")[:1]
    return get_for_tenant(qs.filter(pk=Subquery(one)), tenant)


def ticket_messages(*, ticket: Ticket, viewer: Membership, with_attachments: bool = True) -> QuerySet[TicketMessage]:
    """The conversation; internal notes never reach client users. `with_attachments`:
    each message's files prefetched (the ticket page reads them with the others)."""
    qs = ticket.messages.filter(tenant_id=ticket.tenant_id).select_related("author", "author_contact")
    if with_attachments:
        qs = qs.prefetch_related(Prefetch("attachments", queryset=Attachment.objects.filter(tenant_id=ticket.tenant_id)))
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


# ---------------------------------------------------------------------- satisfaction


def ticket_rating(*, ticket: Ticket) -> TicketRating | None:
    return TicketRating.objects.filter(tenant_id=ticket.tenant_id, ticket=ticket).select_related("rated_by").first()


def satisfaction_summary(tenant, since=None, until=None, organization=None) -> dict:
    """Ratings given in [since, until) (aware datetimes, either open), for the tenant or
    one client organisation: {"good", "bad", "total", "percent_good"} (percent_good is
    None without a rating; an int from 0 to 100). For the dashboards and the monthly
    report."""
    from django.db.models import Count

    qs = TicketRating.objects.filter(tenant=tenant)
    if since is not None:
        qs = qs.filter(rated_at__gte=since)
    if until is not None:
        qs = qs.filter(rated_at__lt=until)
    if organization is not None:
        qs = qs.filter(organization=organization)
    figures = qs.aggregate(good=Count("id", filter=Q(score=RatingScore.GOOD)),
                           bad=Count("id", filter=Q(score=RatingScore.BAD)))
    total = figures["good"] + figures["bad"]
    return {**figures, "total": total,
            "percent_good": round(100 * figures["good"] / total) if total else None}


def ticket_ratings(*, tenant, viewer: Membership, since=None, until=None) -> QuerySet[TicketRating]:
    """The ratings `viewer` may read (provider staff: all; clients: their organisation's),
    newest first."""
    _check(tenant, viewer)
    qs = TicketRating.objects.filter(tenant=tenant).select_related("ticket", "organization", "rated_by")
    if viewer.is_client:
        qs = qs.filter(organization_id=viewer.organization_id)
    if since is not None:
        qs = qs.filter(rated_at__gte=since)
    if until is not None:
        qs = qs.filter(rated_at__lt=until)
    return qs.order_by("-rated_at", "-id")


# ---------------------------------------------------------------------- the support desk


def canned_reply_list(*, tenant, viewer: Membership) -> QuerySet[CannedReply]:
    """The tenant's canned replies, for provider staff (none for clients)."""
    _check(tenant, viewer)
    qs = CannedReply.objects.filter(tenant=tenant)
    return qs if viewer.is_provider else qs.none()


def canned_reply_get(*, tenant, viewer: Membership, canned_reply_id) -> CannedReply:
    return get_for_tenant(canned_reply_list(tenant=tenant, viewer=viewer), tenant, pk=canned_reply_id)


def support_desk(*, tenant) -> SupportDesk:
    """The tenant's support contact (an empty one until an administrator fills it)."""
    return SupportDesk.objects.filter(tenant=tenant).first() or SupportDesk(tenant=tenant)


def waiting_on_me(*, tenant, viewer: Membership) -> QuerySet[Ticket]:
    """A client's tickets waiting for their answer, oldest question first."""
    return _visible(Ticket.objects.filter(tenant=tenant, status__in=["waiting_on_client", "resolved"]),
                    viewer).order_by("updated_at", "id")

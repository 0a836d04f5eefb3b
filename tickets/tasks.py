from __future__ import annotations

from celery import shared_task
from django.utils import timezone


@shared_task
def sla_scan_task() -> int:
    """Every minute: warnings and breaches of the tickets whose next check is due."""
    from tickets.sla import sla_scan

    return sla_scan(now=timezone.now())


@shared_task
def tickets_autoclose_task() -> int:
    """Every hour: close resolved tickets after the tenant's delay without objection."""
    from portal.models import Tenant
    from tickets.services import tickets_autoclose

    now = timezone.now()
    return sum(tickets_autoclose(tenant=t, now=now, days=t.ticket_autoclose_days)
               for t in Tenant.objects.filter(is_active=True))


@shared_task
def preventive_plans_task(today: str | None = None) -> int:
    """Every day: create the tickets of the preventive occurrences due within each plan's lead time."""
    from datetime import date

    from portal.models import Tenant
    from tickets.plans import plans_run

    day = date.fromisoformat(today) if today else timezone.localdate()
    return sum(plans_run(tenant=t, today=day) for t in Tenant.objects.filter(is_active=True))


@shared_task
def tickets_recompute_for_calendar_task(tenant_id: int, calendar_id: int) -> int:
    """After a calendar edit (SLA.md R16): re-evaluate the open tickets whose policy uses
    it, so their deadlines follow the new hours from the edit on."""
    from tickets.models import OPEN_STATUSES, Ticket
    from tickets.sla import ticket_sla_refresh

    now = timezone.now()
    count = 0
    tickets = Ticket.objects.filter(tenant_id=tenant_id, status__in=OPEN_STATUSES,
                                    sla_policy__calendar_id=calendar_id).select_related("sla_policy__calendar")
    for ticket in tickets.iterator(chunk_size=500):
        ticket_sla_refresh(ticket, now=now)
        count += 1
    return count


# ---------------------------------------------------------------------- before the outbox
# Kept for the tasks queued by the previous release, so that none of their e-mails is
# lost across the upgrade: they write to the outbox now. Remove in a later release.


@shared_task
def ticket_notify_task(tenant_id: int, ticket_id: int, kind: str, extra: dict | None = None) -> None:
    from portal.models import CLIENT_ROLES, Membership, User
    from tickets.models import Ticket
    from tickets.notifications import ticket_notify

    context = dict(extra or {})
    ticket = Ticket.objects.filter(tenant_id=tenant_id, pk=ticket_id).select_related(
        "assignee", "requester", "contract__account_manager").first()
    if ticket is None:
        return
    actor = User.objects.filter(pk=context.pop("actor_id", None)).first()
    author_is_client = Membership.objects.filter(user=actor, role__in=CLIENT_ROLES).exists() if actor else False
    ticket_notify(ticket=ticket, kind=kind, actor=actor, author_is_client=author_is_client, context=context)


@shared_task
def sla_event_notify_task(tenant_id: int, event_id: int) -> None:
    from tickets.models import SlaEvent
    from tickets.notifications import sla_events_notify

    sla_events_notify(list(SlaEvent.objects.filter(tenant_id=tenant_id, pk=event_id)))

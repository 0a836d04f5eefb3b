from __future__ import annotations

from celery import shared_task
from django.utils import timezone


@shared_task(autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def ticket_notify_task(tenant_id: int, ticket_id: int, kind: str, extra: dict | None = None) -> None:
    from tickets.notifications import ticket_notify

    ticket_notify(tenant_id=tenant_id, ticket_id=ticket_id, kind=kind, extra=extra)


@shared_task(autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def sla_event_notify_task(tenant_id: int, event_id: int) -> None:
    from tickets.notifications import sla_event_notify

    sla_event_notify(tenant_id=tenant_id, event_id=event_id)


@shared_task
def sla_scan_task() -> int:
    """Every minute: warnings and breaches of the tickets whose next check is due."""
    from tickets.sla import sla_scan

    return sla_scan(now=timezone.now())


@shared_task
def sla_outbox_task() -> int:
    """Every few minutes: notify SLA events whose notification could not be queued
    (broker down when they were recorded)."""
    from tickets.models import SlaEvent

    late = SlaEvent.objects.filter(notified_at__isnull=True, created_at__lte=timezone.now() - timezone.timedelta(minutes=2))
    count = 0
    for tenant_id, event_id in late.values_list("tenant_id", "pk")[:500]:
        try:
            sla_event_notify_task.delay(tenant_id, event_id)
        except Exception:  # the broker is still down: the next pass tries again
            break
        count += 1
    return count


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

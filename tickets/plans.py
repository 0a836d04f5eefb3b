"""Preventive plans: recurrences with dateutil.rrule (RFC 5545), and the daily job that
creates each occurrence's ticket ahead of time, once."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from dateutil.rrule import rrulestr
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.models import ContractStatus
from contracts.rules import contract_covers
from portal.audit import audit_log
from portal.permissions import require
from sla.models import MaintenanceType
from tickets.models import PlanOccurrence, PreventivePlan, TicketSource


def occurrences(*, rule: str, start: date, between: tuple[date, date]) -> list[date]:
    """The dates of `rule` (an RRULE, without DTSTART) from `start`, within `between`
    (inclusive)."""
    try:
        recurrence = rrulestr(rule, dtstart=datetime.combine(start, time()), forceset=False)
    except (ValueError, TypeError) as exc:
        raise ValidationError({"rrule": [_("This is not a valid recurrence rule: %(e)s") % {"e": exc}]}) from exc
    lo, hi = between
    found = recurrence.between(datetime.combine(lo, time()), datetime.combine(hi, time()), inc=True)
    return [d.date() for d in found]


def _validate(rule: str, start: date) -> None:
    if not rule or "DTSTART" in rule.upper():
        raise ValidationError({"rrule": [_("Give an RRULE such as FREQ=MONTHLY;BYDAY=1MO (the start date is separate).")]})
    # Checked before any occurrence is computed: FREQ=SECONDLY over the two years below
    # would be 69 million dates. Preventive work recurs by the day at most.
    parts = {k.strip(): v for k, _sep, v in (p.partition("=") for p in rule.upper().split(";"))}
    if parts.get("FREQ") in ("SECONDLY", "MINUTELY", "HOURLY") or {"BYHOUR", "BYMINUTE", "BYSECOND"} & set(parts):
        raise ValidationError({"rrule": [_("A preventive plan recurs at most once a day (FREQ=DAILY, WEEKLY, "
                                           "MONTHLY or YEARLY, without hours).")]})
    if not occurrences(rule=rule, start=start, between=(start, start + timedelta(days=800))):
        raise ValidationError({"rrule": [_("This rule never happens in the next two years.")]})


@transaction.atomic
def plan_create(*, contract, actor, title: str, rrule: str, start_date: date, description: str = "",
                lead_days: int = 7, covered_items=()) -> PreventivePlan:
    require(actor, "plan.create", contract)
    if not contract_covers(contract, MaintenanceType.PREVENTIVE):
        raise ValidationError({"contract": [_("The contract does not cover preventive maintenance.")]})
    _validate(rrule, start_date)
    plan = PreventivePlan(tenant_id=contract.tenant_id, contract=contract, title=title, description=description,
                          rrule=rrule.strip(), start_date=start_date, lead_days=lead_days)
    plan.full_clean()
    plan.save()
    items = [i for i in covered_items if i.contract_id == contract.pk]
    if len(items) != len(list(covered_items)):
        raise ValidationError({"covered_items": [_("These items are not covered by the contract.")]})
    plan.covered_items.set(items)
    audit_log(tenant=contract.tenant, actor=actor, action="preventive_plan.create", obj=contract,
              organization=contract.client, changes={"plan": title, "rrule": rrule, "start_date": start_date})
    return plan


def plans_run(*, tenant, today: date) -> int:
    """Create the tickets of every occurrence due within each active plan's lead time.
    Idempotent: an occurrence row is unique per (plan, date)."""
    from tickets.services import ticket_create

    created = 0
    plans = PreventivePlan.objects.filter(tenant=tenant, is_active=True,
                                          contract__status=ContractStatus.ACTIVE).select_related("contract")
    for plan in plans:
        for day in occurrences(rule=plan.rrule, start=plan.start_date, between=(today, today + timedelta(days=plan.lead_days))):
            try:
                with transaction.atomic():
                    occurrence = PlanOccurrence.objects.create(tenant_id=tenant.id, plan=plan, due_date=day)
                    ticket = ticket_create(
                        tenant=tenant, actor=None, contract=plan.contract, title=f"{plan.title} — {day:%d/%m/%Y}",
                        description=plan.description or plan.title, maintenance_type=MaintenanceType.PREVENTIVE,
                        impact="low", urgency="low", source=TicketSource.PREVENTIVE_PLAN,
                        covered_item=plan.covered_items.first(),
                    )
                    occurrence.ticket = ticket
                    occurrence.save(update_fields=["ticket"])
                    created += 1
            except IntegrityError:
                continue  # this occurrence exists already
    return created


def plan_progress(contract) -> list[dict]:
    """Planned vs done, per plan: occurrences so far, tickets closed or resolved."""
    out = []
    for plan in contract.preventive_plans.filter(tenant_id=contract.tenant_id).order_by("pk").prefetch_related(
            "occurrences__ticket"):
        occs = list(plan.occurrences.all())
        done = sum(1 for o in occs if o.ticket and o.ticket.status in ("resolved", "closed"))
        upcoming = occurrences(rule=plan.rrule, start=plan.start_date,
                               between=(timezone.localdate(), timezone.localdate() + timedelta(days=120)))[:3]
        out.append({"plan": plan, "planned": len(occs), "done": done, "upcoming": upcoming})
    return out

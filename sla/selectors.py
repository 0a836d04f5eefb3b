"""Reading SLA configuration. Provider users read it; client users see none of it
(their contract shows them the targets that apply to them)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Prefetch, QuerySet

from portal.models import Membership
from portal.tenancy import get_for_tenant
from sla import clock
from sla.models import (
    ITIL_DEFAULT_MATRIX,
    BusinessCalendar,
    CalendarVersion,
    PriorityMatrixCell,
    SlaPolicy,
    SlaTarget,
)


def _visible(qs: QuerySet, viewer: Membership) -> QuerySet:
    return qs.none() if viewer.is_client else qs


def calendar_list(*, tenant, viewer: Membership) -> QuerySet[BusinessCalendar]:
    qs = BusinessCalendar.objects.filter(tenant=tenant).prefetch_related(
        Prefetch("versions", queryset=CalendarVersion.objects.filter(tenant=tenant).order_by("effective_from"))
    )
    return _visible(qs, viewer).order_by("name", "pk")


def calendar_get(*, tenant, viewer: Membership, code: str) -> BusinessCalendar:
    return get_for_tenant(calendar_list(tenant=tenant, viewer=viewer), tenant, code=code)


def calendar_versions(calendar: BusinessCalendar) -> list[CalendarVersion]:
    """The versions in time order (from the prefetch when there is one)."""
    return sorted(calendar.versions.all(), key=lambda v: v.effective_from)


def calendar_version_at(calendar: BusinessCalendar, at: datetime) -> CalendarVersion | None:
    current = None
    for version in calendar_versions(calendar):
        if version.effective_from <= at:
            current = version
    return current or next(iter(calendar_versions(calendar)), None)


def version_clock(version: CalendarVersion) -> clock.BusinessCalendar:
    if version.always_open:
        return clock.BusinessCalendar.always_open(tz=version.timezone)
    return clock.BusinessCalendar(
        tz=version.timezone, hours=version.hours, holidays=[h["date"] for h in version.holidays]
    )


def calendar_clock(calendar: BusinessCalendar) -> clock.VersionedCalendar:
    """The pure clock of a calendar over its whole history (R16)."""
    versions = calendar_versions(calendar)
    pieces = [(None if i == 0 else v.effective_from, version_clock(v)) for i, v in enumerate(versions)]
    return clock.VersionedCalendar(pieces)


def policy_list(*, tenant, viewer: Membership) -> QuerySet[SlaPolicy]:
    qs = (
        SlaPolicy.objects.filter(tenant=tenant)
        .select_related("calendar")
        .prefetch_related(Prefetch("targets", queryset=SlaTarget.objects.filter(tenant=tenant).order_by("priority", "maintenance_type")))
    )
    return _visible(qs, viewer).order_by("name", "pk")


def policy_get(*, tenant, viewer: Membership, code: str) -> SlaPolicy:
    return get_for_tenant(policy_list(tenant=tenant, viewer=viewer), tenant, code=code)


def target_for(policy: SlaPolicy, *, priority: str, maintenance_type: str = "", targets=None) -> SlaTarget | None:
    """The target of `priority` for `maintenance_type`, else the policy's general one
    for that priority, else None (no SLA for it). `targets`: the policy's, when in hand."""
    general = None
    for target in policy.targets.all() if targets is None else targets:
        if target.priority != priority:
            continue
        if target.maintenance_type == maintenance_type and maintenance_type:
            return target
        if target.maintenance_type == "":
            general = target
    return general


def priority_matrix(*, tenant) -> dict[tuple[str, str], str]:
    """The tenant's matrix, with the ITIL default for any cell not set."""
    matrix = dict(ITIL_DEFAULT_MATRIX)
    for cell in PriorityMatrixCell.objects.filter(tenant=tenant):
        matrix[(cell.impact, cell.urgency)] = cell.priority
    return matrix


def priority_for(*, tenant, impact: str, urgency: str, config=None) -> str:
    """The matrix's cell (the tenant's matrix as this process holds it: sla.config_cache;
    `config`: its `entry`, when the caller holds it)."""
    from sla import config_cache

    return config_cache.priority_matrix(getattr(tenant, "pk", tenant), entry=config)[(impact, urgency)]


def policy_simulate(*, policy: SlaPolicy, start: datetime, priority: str, maintenance_type: str = "") -> dict:
    """Where the deadlines of a ticket created at `start` would fall, and why: for each
    metric, the target, the warning instant, the deadline and the timeline from start to
    deadline (counted business time, closed hours, holidays)."""
    cal = calendar_clock(policy.calendar)
    target = target_for(policy, priority=priority, maintenance_type=maintenance_type)
    out: dict = {"priority": priority, "maintenance_type": maintenance_type, "start": start.astimezone(cal.tz)}
    for metric in ("response", "resolution"):
        minutes = getattr(target, f"{metric}_minutes", None) if target else None
        if minutes is None:
            out[metric] = None
            continue
        deadline = cal.deadline(start, minutes)
        timeline = []
        counted = 0
        for seg_start, seg_end, kind in cal.segments(start, deadline):
            seconds = int((seg_end - seg_start).total_seconds())
            if kind == "business":
                counted += seconds
            timeline.append({"start": seg_start, "end": seg_end, "kind": kind, "minutes": seconds // 60,
                             "counted_minutes": counted // 60})
        out[metric] = {
            "target_minutes": minutes,
            "warning_at": cal.warning_at(start, minutes, percent=policy.warning_percent),
            "deadline": deadline,
            "timeline": timeline,
        }
    return out

"""Changing SLA configuration: calendars (each edit adds a version), policies and their
targets, the priority matrix. Tenant administrators only; every change is audited."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_lib
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import validators
from portal.audit import audit_log, changed, snapshot
from portal.permissions import require
from portal.tenancy import assert_same_tenant
from sla import clock, config_cache
from sla.models import (
    ITIL_DEFAULT_MATRIX,
    BusinessCalendar,
    CalendarVersion,
    Level,
    Priority,
    PriorityMatrixCell,
    SlaPolicy,
    SlaTarget,
)
from sla.selectors import calendar_versions
from sla.signals import calendar_changed

# ---------------------------------------------------------------------- calendars


def _clean_schedule(*, tz: str, always_open: bool, hours: Any, holidays: Any) -> tuple[dict, list[dict]]:
    """Validate a calendar's schedule with the pure clock; errors name the field."""
    try:
        ZoneInfo(str(tz))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError({"timezone": [_("Unknown time zone “%(tz)s”: use an IANA name such as Europe/Paris.") % {"tz": tz}]}) from exc
    clean_holidays: list[dict] = []
    if not isinstance(holidays, list):
        raise ValidationError({"holidays": [_("Holidays must be a list of dates.")]})
    seen: set[str] = set()
    for item in holidays:
        raw = item.get("date") if isinstance(item, Mapping) else item
        name = (item.get("name") or "") if isinstance(item, Mapping) else ""
        try:
            day = raw if isinstance(raw, date) else date.fromisoformat(str(raw))
        except ValueError as exc:
            raise ValidationError({"holidays": [_("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": raw}]}) from exc
        if not validators.DATE_MIN <= day <= validators.DATE_MAX:
            raise ValidationError({"holidays": [validators.DATE_RANGE_MESSAGE]})
        if day.isoformat() not in seen:
            seen.add(day.isoformat())
            clean_holidays.append({"date": day.isoformat(), "name": str(name)[:100]})
    clean_holidays.sort(key=lambda h: h["date"])
    if always_open:
        if clean_holidays:
            raise ValidationError({"holidays": [_("A calendar open 24/7 has no holidays.")]})
        return {}, []
    if not isinstance(hours, Mapping):
        raise ValidationError({"hours": [_("Hours must map weekdays to intervals.")]})
    try:
        normalized = {str(day).lower(): [list(map(str, iv)) for iv in spans] for day, spans in hours.items() if spans}
        clock.BusinessCalendar(tz=tz, hours=normalized, holidays=[h["date"] for h in clean_holidays])
    except (ValueError, TypeError) as exc:
        raise ValidationError({"hours": [str(exc)]}) from exc
    return normalized, clean_holidays


def _schedule_of(version: CalendarVersion) -> dict[str, Any]:
    return {"timezone": version.timezone, "always_open": version.always_open, "hours": version.hours, "holidays": version.holidays}


@transaction.atomic
def calendar_create(
    *, tenant, actor, code: str, name: str, timezone_name: str, always_open: bool = False,
    hours: Mapping | None = None, holidays: Iterable | None = None, description: str = "",
    effective_from: datetime | None = None,
) -> BusinessCalendar:
    require(actor, "calendar.create", tenant=tenant)
    hours_clean, holidays_clean = _clean_schedule(
        tz=timezone_name, always_open=always_open, hours=hours or {}, holidays=list(holidays or [])
    )
    calendar = BusinessCalendar(tenant=tenant, code=code, name=name, description=description)
    calendar.full_clean()
    calendar.save()
    version = CalendarVersion.objects.create(
        tenant=tenant, calendar=calendar, effective_from=effective_from or timezone.now(), timezone=timezone_name,
        always_open=always_open, hours=hours_clean, holidays=holidays_clean, created_by=actor,
    )
    audit_log(tenant=tenant, actor=actor, action="calendar.create", obj=calendar, object_ref=calendar.code,
              changes={"name": name, **_schedule_of(version)})
    return calendar


@transaction.atomic
def calendar_update(
    *, calendar: BusinessCalendar, actor, now: datetime | None = None, **data: Any
) -> BusinessCalendar:
    """Rename/describe the calendar, and/or change its schedule (timezone, always_open,
    hours, holidays). A schedule change adds a version effective `now`: time already
    counted stays counted (R16)."""
    require(actor, "calendar.update", calendar)
    now = now or timezone.now()
    calendar = BusinessCalendar.objects.select_for_update().get(pk=calendar.pk, tenant_id=calendar.tenant_id)
    unknown = set(data) - {"name", "description", "code", "timezone_name", "always_open", "hours", "holidays"}
    if unknown:
        raise ValidationError({k: [_("Unknown field.")] for k in sorted(unknown)})
    before = snapshot(calendar, ("name", "description", "code"))
    for field in ("name", "description", "code"):
        if field in data:
            setattr(calendar, field, data[field])
    calendar.full_clean()
    calendar.save()
    diff = changed(before, snapshot(calendar, ("name", "description", "code")))
    current = calendar_versions(calendar)[-1]
    proposed = {
        "timezone": data.get("timezone_name", current.timezone),
        "always_open": data.get("always_open", current.always_open),
        "hours": data.get("hours", current.hours),
        "holidays": data.get("holidays", current.holidays),
    }
    hours_clean, holidays_clean = _clean_schedule(
        tz=proposed["timezone"], always_open=proposed["always_open"], hours=proposed["hours"],
        holidays=list(proposed["holidays"]),
    )
    new_schedule = {"timezone": proposed["timezone"], "always_open": proposed["always_open"],
                    "hours": hours_clean, "holidays": holidays_clean}
    if new_schedule != _schedule_of(current):
        if now <= current.effective_from:
            raise ValidationError({"effective_from": [_("A new version must start after the current one.")]})
        CalendarVersion.objects.create(
            tenant=calendar.tenant, calendar=calendar, effective_from=now, timezone=new_schedule["timezone"],
            always_open=new_schedule["always_open"], hours=hours_clean, holidays=holidays_clean, created_by=actor,
        )
        diff.update(changed(_schedule_of(current), new_schedule))
        # R16: what counts time on this calendar follows the new version from now on
        # (tickets re-evaluates its open tickets after commit); versions never rewrite
        # the past, so time already counted stays.
        calendar_changed.send(sender=BusinessCalendar, tenant_id=calendar.tenant_id, calendar_id=calendar.pk)
    if diff:
        audit_log(tenant=calendar.tenant, actor=actor, action="calendar.update", obj=calendar,
                  object_ref=calendar.code, changes=diff)
    return calendar


def public_holidays(*, country: str, years: Iterable[int], subdiv: str | None = None) -> list[dict[str, str]]:
    """Public holidays from the `holidays` package, in the country's own language where
    it has one (French names for France)."""
    country = (country or "").upper()
    if country not in holidays_lib.list_supported_countries():
        raise ValidationError({"country": [_("“%(c)s” is not a supported country code (ISO 3166, e.g. FR).") % {"c": country}]})
    years = sorted(set(years))
    # The portal's date range (portal.validators): a holiday outside it could not be stored.
    if not years or years[0] < 1990 or years[-1] > 2100 or len(years) > 30:
        raise ValidationError({"years": [_("Give between 1 and 30 years between 1990 and 2100.")]})
    try:
        probe = holidays_lib.country_holidays(country, years=years[0], subdiv=subdiv or None)
        # Names in the country's own language (French names for France), whatever the
        # process locale says.
        found = holidays_lib.country_holidays(
            country, years=years, subdiv=subdiv or None, language=getattr(probe, "default_language", None)
        )
    except NotImplementedError as exc:
        raise ValidationError({"subdiv": [_("Unknown subdivision for this country.")]}) from exc
    return [{"date": day.isoformat(), "name": name} for day, name in sorted(found.items())]


@transaction.atomic
def calendar_import_holidays(
    *, calendar: BusinessCalendar, actor, country: str, first_year: int, last_year: int,
    subdiv: str | None = None, now: datetime | None = None,
) -> BusinessCalendar:
    require(actor, "calendar.import_holidays", calendar)
    if last_year < first_year:
        raise ValidationError({"last_year": [_("The last year must not be before the first.")]})
    current = calendar_versions(calendar)[-1]
    if current.always_open:
        raise ValidationError({"country": [_("A calendar open 24/7 has no holidays.")]})
    found = public_holidays(country=country, years=range(first_year, last_year + 1), subdiv=subdiv)
    merged = {h["date"]: h for h in current.holidays}
    for h in found:
        merged.setdefault(h["date"], h)
    return calendar_update(calendar=calendar, actor=actor, now=now, holidays=sorted(merged.values(), key=lambda h: h["date"]))


# ---------------------------------------------------------------------- policies

POLICY_FIELDS = ("code", "name", "description", "calendar", "warning_percent", "availability_target", "is_active")
# A target longer than a year of round-the-clock minutes is a typing error, and beyond
# 2**31 it would not even fit the column.
MAX_TARGET_MINUTES = 366 * 24 * 60


def _clean_targets(targets: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Validate targets as a whole; errors are keyed `targets` with the row number."""
    rows: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    errors: list[str] = []
    for index, raw in enumerate(targets, start=1):
        priority = raw.get("priority")
        mtype = raw.get("maintenance_type") or ""
        response = raw.get("response_minutes")
        resolution = raw.get("resolution_minutes")
        prefix = _("Target %(n)s") % {"n": index}
        if priority not in Priority.values:
            errors.append(f"{prefix}: " + _("priority must be one of %(p)s.") % {"p": ", ".join(Priority.values)})
            continue
        if mtype and mtype not in ("preventive", "corrective", "curative", "evolutive"):
            errors.append(f"{prefix}: " + _("unknown maintenance type “%(t)s”.") % {"t": mtype})
            continue
        if (priority, mtype) in seen:
            errors.append(f"{prefix}: " + _("%(p)s is given twice for the same maintenance type.") % {"p": priority})
            continue
        seen.add((priority, mtype))
        for label, value in (("response_minutes", response), ("resolution_minutes", resolution)):
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value <= 0):
                errors.append(f"{prefix}: " + _("%(f)s must be a positive number of minutes (empty for no SLA).") % {"f": label})
            elif value is not None and value > MAX_TARGET_MINUTES:
                errors.append(f"{prefix}: " + _("%(f)s must be at most %(max)s minutes (a year).") % {
                    "f": label, "max": MAX_TARGET_MINUTES})
        if response is None and resolution is None:
            errors.append(f"{prefix}: " + _("give a response or a resolution target."))
        if isinstance(response, int) and isinstance(resolution, int) and resolution < response:
            errors.append(f"{prefix}: " + _("the resolution target must not be shorter than the response target."))
        rows.append({"priority": priority, "maintenance_type": mtype, "response_minutes": response,
                     "resolution_minutes": resolution})
    if not rows and not errors:
        errors.append(_("A policy needs at least one target."))
    if errors:
        raise ValidationError({"targets": errors})
    # In the order they are stored and audited: the same set given in another order is no change.
    return sorted(rows, key=lambda r: (r["priority"], r["maintenance_type"]))


def _target_rows(policy: SlaPolicy) -> list[dict[str, Any]]:
    return [
        {"priority": t.priority, "maintenance_type": t.maintenance_type, "response_minutes": t.response_minutes,
         "resolution_minutes": t.resolution_minutes}
        for t in SlaTarget.objects.filter(tenant_id=policy.tenant_id, policy=policy).order_by("priority", "maintenance_type")
    ]


def _save_targets(policy: SlaPolicy, rows: list[dict[str, Any]]) -> None:
    SlaTarget.objects.filter(tenant_id=policy.tenant_id, policy=policy).delete()
    SlaTarget.objects.bulk_create([SlaTarget(tenant_id=policy.tenant_id, policy=policy, **row) for row in rows])
    config_cache.touch(policy.tenant_id)  # bulk_create sends no post_save


@transaction.atomic
def policy_create(*, tenant, actor, targets: Iterable[Mapping[str, Any]], **data: Any) -> SlaPolicy:
    require(actor, "sla_policy.create", tenant=tenant)
    unknown = set(data) - set(POLICY_FIELDS)
    if unknown:
        raise ValidationError({k: [_("Unknown field.")] for k in sorted(unknown)})
    policy = SlaPolicy(tenant=tenant, **data)
    if policy.calendar_id is not None:
        assert_same_tenant(policy, policy.calendar)
    rows = _clean_targets(list(targets))
    policy.full_clean()
    policy.save()
    _save_targets(policy, rows)
    audit_log(tenant=tenant, actor=actor, action="sla_policy.create", obj=policy, object_ref=policy.code,
              changes={**snapshot(policy, POLICY_FIELDS), "targets": rows})
    return policy


@transaction.atomic
def policy_update(*, policy: SlaPolicy, actor, targets: Iterable[Mapping[str, Any]] | None = None, **data: Any) -> SlaPolicy:
    """Change a policy; `targets`, when given, replaces the whole set."""
    require(actor, "sla_policy.update", policy)
    unknown = set(data) - set(POLICY_FIELDS)
    if unknown:
        raise ValidationError({k: [_("Unknown field.")] for k in sorted(unknown)})
    policy = SlaPolicy.objects.select_for_update().get(pk=policy.pk, tenant_id=policy.tenant_id)
    before = {**snapshot(policy, POLICY_FIELDS), "targets": _target_rows(policy)}
    for name, value in data.items():
        setattr(policy, name, value)
    assert_same_tenant(policy, policy.calendar)
    rows = _clean_targets(list(targets)) if targets is not None else None
    policy.full_clean()
    policy.save()
    if rows is not None:
        _save_targets(policy, rows)
    after = {**snapshot(policy, POLICY_FIELDS), "targets": rows if rows is not None else before["targets"]}
    diff = changed(before, after)
    if diff:
        audit_log(tenant=policy.tenant, actor=actor, action="sla_policy.update", obj=policy, object_ref=policy.code,
                  changes=diff)
    return policy


# ---------------------------------------------------------------------- priority matrix


def priority_matrix_ensure_default(*, tenant) -> None:
    """Give a tenant the ITIL 3×3 matrix (cells already set are kept)."""
    for (impact, urgency), priority in ITIL_DEFAULT_MATRIX.items():
        try:
            with transaction.atomic():
                PriorityMatrixCell.objects.get_or_create(
                    tenant=tenant, impact=impact, urgency=urgency, defaults={"priority": priority}
                )
        except IntegrityError:  # created concurrently: the other one stands
            pass


@transaction.atomic
def priority_matrix_set(*, tenant, actor, cells: Mapping[tuple[str, str], str]) -> dict[tuple[str, str], str]:
    """Set some or all cells of the matrix: {(impact, urgency): priority}."""
    require(actor, "priority_matrix.set", tenant=tenant)
    errors = []
    for (impact, urgency), priority in cells.items():
        if impact not in Level.values or urgency not in Level.values:
            errors.append(_("Unknown cell %(i)s × %(u)s: impact and urgency are high, medium or low.") % {"i": impact, "u": urgency})
        elif priority not in Priority.values:
            errors.append(_("Cell %(i)s × %(u)s: priority must be one of %(p)s.") % {"i": impact, "u": urgency, "p": ", ".join(Priority.values)})
    if errors:
        raise ValidationError({"cells": errors})
    priority_matrix_ensure_default(tenant=tenant)
    diff = {}
    for (impact, urgency), priority in cells.items():
        cell = PriorityMatrixCell.objects.select_for_update().get(tenant=tenant, impact=impact, urgency=urgency)
        if cell.priority != priority:
            diff[f"{impact}×{urgency}"] = [cell.priority, priority]
            cell.priority = priority
            cell.save(update_fields=["priority", "updated_at"])
    if diff:
        audit_log(tenant=tenant, actor=actor, action="priority_matrix.update", object_type="prioritymatrix",
                  object_ref="matrix", changes=diff)
    from sla.selectors import priority_matrix

    return priority_matrix(tenant=tenant)

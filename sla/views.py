"""Portal pages for calendars, SLA policies and the priority matrix (provider staff
read; tenant administrators edit)."""

from __future__ import annotations

from datetime import datetime

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.decorators import tenant_required
from portal.formatting import business_duration
from portal.pages import form_page
from portal.permissions import can
from sla import selectors, services
from sla.forms import (
    WEEKDAY_LABELS,
    CalendarForm,
    ImportHolidaysForm,
    MatrixForm,
    PolicyForm,
    TargetFormSet,
    format_duration,
)
from sla.models import WEEKDAYS, Level, MaintenanceType, Priority


@tenant_required(action="sla.read")
def calendar_list(request):
    calendars = selectors.calendar_list(tenant=request.tenant, viewer=request.membership)
    rows = [(c, selectors.calendar_versions(c)[-1]) for c in calendars]
    return render(request, "sla/calendar_list.html", {"rows": rows})


def _calendar_values(d: dict) -> dict:
    return {"code": d["code"], "name": d["name"], "description": d["description"], "timezone_name": d["timezone"],
            "always_open": d["always_open"], "hours": d["hours"], "holidays": d["holiday_list"]}


@tenant_required(action="calendar.create")
def calendar_create(request):
    return form_page(
        request, CalendarForm(request.POST or None, initial={"timezone": "Europe/Paris"}),
        template="sla/calendar_form.html", context={"calendar": None, "weekdays": WEEKDAYS},
        save=lambda d: services.calendar_create(tenant=request.tenant, actor=request.user, **_calendar_values(d)),
        success=lambda calendar: _("Calendar %(name)s created.") % {"name": calendar.name},
        success_url=lambda calendar: reverse("sla-calendar-detail", args=[calendar.code]),
    )


@tenant_required()
def calendar_detail(request, calendar_code: str):
    """The calendar's week and versions; tenant administrators also import holidays here."""
    calendar = selectors.calendar_get(tenant=request.tenant, viewer=request.membership, code=calendar_code)
    versions = selectors.calendar_versions(calendar)
    current = versions[-1]
    import_form = ImportHolidaysForm(request.POST or None, initial={
        "country": "FR", "first_year": timezone.now().year, "last_year": timezone.now().year + 2})
    week = [(WEEKDAY_LABELS[d], current.hours.get(d, [])) for d in WEEKDAYS]
    return form_page(
        request, import_form, form_name="import_form", action="calendar.import_holidays", obj=calendar,
        readers_see_page=True, template="sla/calendar_detail.html", context={
            "calendar": calendar, "current": current, "versions": list(reversed(versions)), "week": week,
            "can_edit": can(request.membership, "calendar.update", calendar)},
        save=lambda data: services.calendar_import_holidays(calendar=calendar, actor=request.user, **data),
        success=_("Public holidays added."), success_url=reverse("sla-calendar-detail", args=[calendar.code]),
    )


@tenant_required()
def calendar_edit(request, calendar_code: str):
    calendar = selectors.calendar_get(tenant=request.tenant, viewer=request.membership, code=calendar_code)
    current = selectors.calendar_versions(calendar)[-1]
    return form_page(
        request, CalendarForm(request.POST or None, initial=CalendarForm.initial_for(calendar, current)),
        action="calendar.update", obj=calendar,
        template="sla/calendar_form.html", context={"calendar": calendar, "weekdays": WEEKDAYS},
        save=lambda d: services.calendar_update(calendar=calendar, actor=request.user, **_calendar_values(d)),
        success=_("Calendar saved. New hours apply from now on; time already counted is kept."),
        success_url=lambda saved: reverse("sla-calendar-detail", args=[saved.code]),
    )


@tenant_required(action="sla.read")
def policy_list(request):
    policies = selectors.policy_list(tenant=request.tenant, viewer=request.membership)
    return render(request, "sla/policy_list.html", {"policies": policies})


def _target_rows(policy):
    return [
        {"target": t,
         "response": None if t.response_minutes is None else business_duration(t.response_minutes),
         "resolution": None if t.resolution_minutes is None else business_duration(t.resolution_minutes)}
        for t in policy.targets.all()
    ]


def _policy_form_page(request, policy):
    calendars = selectors.calendar_list(tenant=request.tenant, viewer=request.membership)
    initial = {}
    targets_initial = [{"priority": p} for p in Priority.values]
    if policy is not None:
        initial = {"code": policy.code, "name": policy.name, "description": policy.description,
                   "calendar": policy.calendar, "warning_percent": policy.warning_percent,
                   "availability_target": policy.availability_target, "is_active": policy.is_active}
        targets_initial = [
            {"priority": t.priority, "maintenance_type": t.maintenance_type,
             "response": format_duration(t.response_minutes), "resolution": format_duration(t.resolution_minutes)}
            for t in policy.targets.all()
        ]
    form = PolicyForm(request.POST or None, calendars=calendars, initial=initial)
    targets = TargetFormSet(request.POST or None, initial=targets_initial, prefix="targets")

    def save(data):
        rows = [
            {"priority": t["priority"], "maintenance_type": t.get("maintenance_type", ""),
             "response_minutes": t.get("response_minutes"), "resolution_minutes": t.get("resolution_minutes")}
            for t in targets.cleaned_data if t and t.get("priority")
        ]
        if policy is None:
            return services.policy_create(tenant=request.tenant, actor=request.user, targets=rows, **data)
        return services.policy_update(policy=policy, actor=request.user, targets=rows, **data)

    return form_page(
        request, form, formsets=[targets], action="sla_policy.create" if policy is None else "sla_policy.update",
        obj=policy, template="sla/policy_form.html", context={"targets": targets, "policy": policy}, save=save,
        success=lambda saved: _("Policy %(name)s saved.") % {"name": saved.name},
        success_url=lambda saved: reverse("sla-policy-detail", args=[saved.code]),
    )


@tenant_required()
def policy_create(request):
    return _policy_form_page(request, None)


@tenant_required()
def policy_edit(request, policy_code: str):
    policy = selectors.policy_get(tenant=request.tenant, viewer=request.membership, code=policy_code)
    return _policy_form_page(request, policy)


@tenant_required()
def policy_detail(request, policy_code: str):
    """The policy's targets, and a simulator that shows where a ticket's deadlines
    would fall and why (explainability)."""
    policy = selectors.policy_get(tenant=request.tenant, viewer=request.membership, code=policy_code)
    simulation = None
    error = ""
    start_text = request.GET.get("start", "")
    priority = request.GET.get("priority", "P1")
    mtype = request.GET.get("maintenance_type", "")
    if start_text:
        # Every refusal is a sentence of the viewer's language: the parser's and the
        # clock's own messages (English, technical) never reach the page.
        try:
            start = datetime.fromisoformat(start_text.strip())
        except ValueError:
            error = _("Give the start as a date and a time, for example 2026-03-02 09:30.")
        else:
            if priority not in Priority.values or (mtype and mtype not in MaintenanceType.values):
                error = _("Unknown priority or maintenance type.")
            else:
                try:
                    if timezone.is_naive(start):
                        start = timezone.make_aware(start, selectors.calendar_clock(policy.calendar).tz)
                    simulation = selectors.policy_simulate(policy=policy, start=start, priority=priority,
                                                           maintenance_type=mtype)
                except (ValueError, OverflowError):
                    error = _("The deadlines cannot be computed from this start: choose a date between 1990 and 2100.")
    return render(request, "sla/policy_detail.html", {
        "policy": policy, "targets": _target_rows(policy), "simulation": simulation, "error": error,
        "start": start_text, "priority": priority, "maintenance_type": mtype,
        "priorities": Priority.choices, "maintenance_types": MaintenanceType.choices,
        "can_edit": can(request.membership, "sla_policy.update", policy),
    })


@tenant_required(action="sla.read")
def priority_matrix(request):
    matrix = selectors.priority_matrix(tenant=request.tenant)
    form = MatrixForm(request.POST or None, matrix=matrix)
    levels = Level.choices
    grid = [(impact_label, [(form[f"{impact}__{urgency}"], matrix[(impact, urgency)]) for urgency, _u in levels])
            for impact, impact_label in levels]
    return form_page(
        request, form, action="priority_matrix.set", readers_see_page=True, template="sla/priority_matrix.html",
        context={"grid": grid, "levels": levels, "can_edit": can(request.membership, "priority_matrix.set")},
        save=lambda _data: services.priority_matrix_set(tenant=request.tenant, actor=request.user, cells=form.cells()),
        success=_("Priority matrix saved."), success_url="sla-priority-matrix-page",
    )

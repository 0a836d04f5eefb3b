"""Portal pages for calendars, SLA policies and the priority matrix (provider staff
read; tenant administrators edit)."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.decorators import tenant_required
from portal.forms_util import apply_errors
from portal.models import PROVIDER_ROLES
from portal.permissions import TENANT_ADMINS, has_role
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


def _require_admin(request) -> None:
    if not has_role(request.membership, TENANT_ADMINS):
        raise PermissionDenied


@tenant_required(roles=PROVIDER_ROLES)
def calendar_list(request):
    calendars = selectors.calendar_list(tenant=request.tenant, viewer=request.membership)
    rows = [(c, selectors.calendar_versions(c)[-1]) for c in calendars]
    return render(request, "sla/calendar_list.html", {"rows": rows})


@tenant_required(roles=TENANT_ADMINS)
def calendar_create(request):
    form = CalendarForm(request.POST or None, initial={"timezone": "Europe/Paris"})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            calendar = services.calendar_create(
                tenant=request.tenant, actor=request.user, code=d["code"], name=d["name"], description=d["description"],
                timezone_name=d["timezone"], always_open=d["always_open"], hours=d["hours"], holidays=d["holiday_list"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Calendar %(name)s created.") % {"name": calendar.name})
            return redirect("sla-calendar-detail", calendar_code=calendar.code)
    return render(request, "sla/calendar_form.html", {"form": form, "calendar": None, "weekdays": WEEKDAYS})


@tenant_required()
def calendar_detail(request, calendar_code: str):
    calendar = selectors.calendar_get(tenant=request.tenant, viewer=request.membership, code=calendar_code)
    versions = selectors.calendar_versions(calendar)
    current = versions[-1]
    import_form = ImportHolidaysForm(request.POST or None, initial={
        "country": "FR", "first_year": timezone.now().year, "last_year": timezone.now().year + 2})
    if request.method == "POST":
        _require_admin(request)
        if import_form.is_valid():
            try:
                services.calendar_import_holidays(calendar=calendar, actor=request.user, **import_form.cleaned_data)
            except ValidationError as exc:
                apply_errors(import_form, exc)
            else:
                messages.success(request, _("Public holidays added."))
                return redirect("sla-calendar-detail", calendar_code=calendar.code)
    week = [(WEEKDAY_LABELS[d], current.hours.get(d, [])) for d in WEEKDAYS]
    return render(request, "sla/calendar_detail.html", {
        "calendar": calendar, "current": current, "versions": list(reversed(versions)), "week": week,
        "import_form": import_form, "can_edit": has_role(request.membership, TENANT_ADMINS),
    })


@tenant_required()
def calendar_edit(request, calendar_code: str):
    calendar = selectors.calendar_get(tenant=request.tenant, viewer=request.membership, code=calendar_code)
    _require_admin(request)
    current = selectors.calendar_versions(calendar)[-1]
    form = CalendarForm(request.POST or None, initial=CalendarForm.initial_for(calendar, current))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.calendar_update(
                calendar=calendar, actor=request.user, code=d["code"], name=d["name"], description=d["description"],
                timezone_name=d["timezone"], always_open=d["always_open"], hours=d["hours"], holidays=d["holiday_list"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Calendar saved. New hours apply from now on; time already counted is kept."))
            return redirect("sla-calendar-detail", calendar_code=d["code"])
    return render(request, "sla/calendar_form.html", {"form": form, "calendar": calendar, "weekdays": WEEKDAYS})


@tenant_required(roles=PROVIDER_ROLES)
def policy_list(request):
    policies = selectors.policy_list(tenant=request.tenant, viewer=request.membership)
    return render(request, "sla/policy_list.html", {"policies": policies})


def _target_rows(policy):
    return [
        {"target": t, "response": format_duration(t.response_minutes), "resolution": format_duration(t.resolution_minutes)}
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
    if request.method == "POST" and form.is_valid() and targets.is_valid():
        rows = [
            {"priority": t["priority"], "maintenance_type": t.get("maintenance_type", ""),
             "response_minutes": t.get("response_minutes"), "resolution_minutes": t.get("resolution_minutes")}
            for t in targets.cleaned_data if t and t.get("priority")
        ]
        try:
            if policy is None:
                policy = services.policy_create(tenant=request.tenant, actor=request.user, targets=rows, **form.cleaned_data)
            else:
                policy = services.policy_update(policy=policy, actor=request.user, targets=rows, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Policy %(name)s saved.") % {"name": policy.name})
            return redirect("sla-policy-detail", policy_code=policy.code)
    return render(request, "sla/policy_form.html", {"form": form, "targets": targets, "policy": policy})


@tenant_required(roles=TENANT_ADMINS)
def policy_create(request):
    return _policy_form_page(request, None)


@tenant_required()
def policy_edit(request, policy_code: str):
    policy = selectors.policy_get(tenant=request.tenant, viewer=request.membership, code=policy_code)
    _require_admin(request)
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
        try:
            start = datetime.fromisoformat(start_text)
            if timezone.is_naive(start):
                start = timezone.make_aware(start, selectors.calendar_clock(policy.calendar).tz)
            if priority not in Priority.values or (mtype and mtype not in MaintenanceType.values):
                raise ValueError(_("Unknown priority or maintenance type."))
            simulation = selectors.policy_simulate(policy=policy, start=start, priority=priority, maintenance_type=mtype)
        except ValueError as exc:
            error = str(exc) or _("Invalid start.")
    return render(request, "sla/policy_detail.html", {
        "policy": policy, "targets": _target_rows(policy), "simulation": simulation, "error": error,
        "start": start_text, "priority": priority, "maintenance_type": mtype,
        "priorities": Priority.choices, "maintenance_types": MaintenanceType.choices,
        "can_edit": has_role(request.membership, TENANT_ADMINS),
    })


@tenant_required(roles=PROVIDER_ROLES)
def priority_matrix(request):
    matrix = selectors.priority_matrix(tenant=request.tenant)
    form = MatrixForm(request.POST or None, matrix=matrix)
    if request.method == "POST":
        _require_admin(request)
        if form.is_valid():
            try:
                services.priority_matrix_set(tenant=request.tenant, actor=request.user, cells=form.cells())
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Priority matrix saved."))
                return redirect("sla-priority-matrix-page")
    levels = Level.choices
    grid = [(impact_label, [(form[f"{impact}__{urgency}"], matrix[(impact, urgency)]) for urgency, _u in levels])
            for impact, impact_label in levels]
    return render(request, "sla/priority_matrix.html", {
        "form": form, "grid": grid, "levels": levels, "can_edit": has_role(request.membership, TENANT_ADMINS)})

"""Portal forms for calendars, policies and the priority matrix. They parse input;
validation that needs the tenant or the clock happens in the services."""

from __future__ import annotations

import re
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.forms_util import TableRowForm
from sla.models import WEEKDAYS, BusinessCalendar, Level, MaintenanceType, Priority

WEEKDAY_LABELS = {
    "mon": _("Monday"), "tue": _("Tuesday"), "wed": _("Wednesday"), "thu": _("Thursday"),
    "fri": _("Friday"), "sat": _("Saturday"), "sun": _("Sunday"),
}
_INTERVAL = re.compile(r"^\s*(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})\s*$")
_DURATION = re.compile(r"^\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*(?:m|min)?)?\s*$", re.IGNORECASE)


def parse_intervals(text: str) -> list[list[str]]:
    """'09:00-12:00, 14:00-18:00' -> [['09:00', '12:00'], ['14:00', '18:00']]."""
    out = []
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        m = _INTERVAL.match(part)
        if not m:
            raise ValidationError(_("“%(part)s” is not an interval: write HH:MM-HH:MM, separated by commas.") % {"part": part})
        out.append([m.group(1).zfill(5), m.group(2).zfill(5)])
    return out


def format_intervals(spans) -> str:
    return ", ".join(f"{a}-{b}" for a, b in spans or [])


def parse_holidays(text: str) -> list[dict[str, str]]:
    """One holiday per line: 'YYYY-MM-DD name'."""
    out = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        day, _sep, name = line.partition(" ")
        try:
            date.fromisoformat(day)
        except ValueError as exc:
            raise ValidationError(_("Line %(n)s: “%(day)s” is not a date (YYYY-MM-DD).") % {"n": number, "day": day}) from exc
        out.append({"date": day, "name": name.strip()})
    return out


def parse_duration(text: str) -> int | None:
    """'240', '4h', '1h30', '90m' -> minutes; '' -> None (no SLA)."""
    text = (text or "").strip()
    if not text:
        return None
    m = _DURATION.match(text)
    if not m or not (m.group(1) or m.group(2)):
        raise ValidationError(_("“%(v)s” is not a duration: write minutes (240) or hours (4h, 1h30).") % {"v": text})
    return int(m.group(1) or 0) * 60 + int(m.group(2) or 0)


def format_duration(minutes: int | None) -> str:
    if minutes is None:
        return ""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest}m"
    return f"{hours}h{rest:02d}" if rest else f"{hours}h"


class CalendarForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=60, help_text=_("Short identifier used in URLs, e.g. fr-business-hours"))
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    timezone = forms.CharField(label=_("Time zone"), max_length=64, initial="Europe/Paris", help_text=_("IANA zone, e.g. Europe/Paris"))
    always_open = forms.BooleanField(label=_("Open 24/7"), required=False)
    holidays = forms.CharField(
        label=_("Holidays"), required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One per line: YYYY-MM-DD and a name."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for day in WEEKDAYS:
            self.fields[f"hours_{day}"] = forms.CharField(
                label=WEEKDAY_LABELS[day], required=False, help_text=_("e.g. 09:00-12:00, 14:00-18:00 (empty: closed)")
            )

    def clean(self):
        data = super().clean()
        hours = {}
        for day in WEEKDAYS:
            try:
                spans = parse_intervals(data.get(f"hours_{day}", ""))
            except ValidationError as exc:
                self.add_error(f"hours_{day}", exc)
                continue
            if spans:
                hours[day] = spans
        data["hours"] = hours
        try:
            data["holiday_list"] = parse_holidays(data.get("holidays", ""))
        except ValidationError as exc:
            self.add_error("holidays", exc)
        return data

    @classmethod
    def initial_for(cls, calendar: BusinessCalendar, version) -> dict:
        initial = {
            "code": calendar.code, "name": calendar.name, "description": calendar.description,
            "timezone": version.timezone, "always_open": version.always_open,
            "holidays": "\n".join(f"{h['date']} {h.get('name', '')}".strip() for h in version.holidays),
        }
        for day in WEEKDAYS:
            initial[f"hours_{day}"] = format_intervals(version.hours.get(day))
        return initial


class ImportHolidaysForm(forms.Form):
    country = forms.CharField(label=_("Country"), max_length=3, initial="FR", help_text=_("ISO 3166 code, e.g. FR"))
    first_year = forms.IntegerField(label=_("From year"), min_value=1990, max_value=2100)
    last_year = forms.IntegerField(label=_("To year"), min_value=1990, max_value=2100)


class PolicyForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=60)
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    calendar = forms.ModelChoiceField(label=_("Coverage calendar"), queryset=BusinessCalendar.objects.none())
    warning_percent = forms.IntegerField(label=_("Warning at (% of target)"), min_value=1, max_value=99, initial=80)
    availability_target = forms.DecimalField(label=_("Availability target (%)"), required=False, max_digits=6, decimal_places=3)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, calendars, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["calendar"].queryset = calendars


class TargetForm(TableRowForm):
    priority = forms.ChoiceField(label=_("Priority"), choices=[("", "—"), *Priority.choices], required=False)
    maintenance_type = forms.ChoiceField(
        label=_("Maintenance type"), choices=[("", _("Any")), *MaintenanceType.choices], required=False
    )
    response = forms.CharField(label=_("Response"), required=False, help_text=_("e.g. 60, 4h, 1h30; empty: no SLA"))
    resolution = forms.CharField(label=_("Resolution"), required=False)

    def clean(self):
        data = super().clean()
        for name in ("response", "resolution"):
            try:
                data[f"{name}_minutes"] = parse_duration(data.get(name, ""))
            except ValidationError as exc:
                self.add_error(name, exc)
        return data


TargetFormSet = forms.formset_factory(TargetForm, extra=3, max_num=40)


class MatrixForm(forms.Form):
    def __init__(self, *args, matrix: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for impact in Level.values:
            for urgency in Level.values:
                name = _("Priority for impact %(impact)s and urgency %(urgency)s") % {
                    "impact": Level(impact).label, "urgency": Level(urgency).label}
                self.fields[f"{impact}__{urgency}"] = forms.ChoiceField(
                    choices=Priority.choices, initial=matrix[(impact, urgency)], label=f"{impact} × {urgency}",
                    widget=forms.Select(attrs={"aria-label": name}),
                )

    def cells(self) -> dict[tuple[str, str], str]:
        return {tuple(k.split("__")): v for k, v in self.cleaned_data.items()}

"""Display helpers of the billing pages: minutes as hours, an invoice's unit in words."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

register = template.Library()


@register.filter
def hours(minutes) -> str:
    """Signed minutes as "12 h 30" ("−1 h 15" below zero; "0 h" for none)."""
    if minutes in (None, ""):
        return "—"
    minutes = int(minutes)
    sign = "−" if minutes < 0 else ""
    h, m = divmod(abs(minutes), 60)
    return f"{sign}{h} h {m:02d}" if m else f"{sign}{h} h"


@register.filter
def unit_label(unit: str) -> str:
    return {
        "month": pgettext("invoice unit", "month"),
        "ticket": pgettext("invoice unit", "ticket"),
        "hour": pgettext("invoice unit", "hour"),
        "unit": pgettext("invoice unit", "unit"),
    }.get(unit, unit)


@register.filter
def quantity(value) -> str:
    """A line's quantity without the trailing zeros of its 4 decimals."""
    if value in (None, ""):
        return ""
    value = Decimal(value)
    normal = value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()
    return number_format(normal)


@register.filter
def metric_label(metric: str) -> str:
    return {"response": _("response"), "resolution": _("resolution")}.get(metric, metric)

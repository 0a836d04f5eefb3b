"""Human words in templates (portal.formatting): every page, e-mail and PDF that shows
money, an SLA target or a recurrence goes through these filters.

    {% load human %}
    {{ invoice.gross|money:invoice.currency }}   → 1 608,00 € / €1,608.00
    {{ target.response_minutes|business_duration }}  → 28 business hours
    {{ plan.rrule|recurrence }}                  → first Monday of every month
"""

from __future__ import annotations

from django import template

from portal import formatting

register = template.Library()


@register.filter
def money(value, currency="EUR") -> str:
    return formatting.money(value, currency or "EUR")


@register.filter
def business_duration(minutes, day_minutes=None) -> str:
    return formatting.business_duration(minutes, day_minutes=int(day_minutes) if day_minutes else None)


@register.filter
def duration(minutes) -> str:
    """A length of time in localised units: "1 h 30", "45 min" ("j" for days in French)."""
    return formatting.duration(minutes or 0)


@register.filter
def recurrence(rule) -> str:
    return formatting.recurrence_words(rule or "")


@register.filter
def short_date(value) -> str:
    return formatting.short_date(value)

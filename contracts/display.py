"""Contract values in human words: what an amendment changes, written as the contract
PDF writes it (the same money, number and date formats) — for the amendment PDF and the
confirmation of an amendment on the contract page."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from portal import formatting

# The fields of an amendment's snapshot that are amounts in the contract's currency.
MONEY_FIELDS = {"monthly_fee", "hourly_rate"}


def shown_value(field, value, contract) -> str | None:
    """A value of an amendment's snapshot written as the contract writes it (the same
    money, number and date formats as the contract PDF)."""
    if value in (None, ""):
        return None
    if field.name in MONEY_FIELDS:
        return formatting.money(value, contract.currency)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    internal = field.get_internal_type()
    if internal == "DecimalField":
        return formatting.number(value, field.decimal_places)
    if internal == "DateField":
        try:
            return formatting.short_date(date.fromisoformat(str(value)))
        except ValueError:
            return str(value)
    if internal == "BooleanField":
        return _("yes") if value in (True, "true", "True", 1) else _("no")
    if field.name.endswith("_minutes"):
        return formatting.hours(int(value))
    return str(value)

"""Numbers, durations and recurrences in human words, in the active language.

One place for what every page, e-mail and PDF shows: amounts with their currency
(Babel, CLDR data: ``1 450,00 €`` in French, ``€1,450.00`` in English), SLA targets in
business hours or business days (never "1680 min"), dates in the one format of each
language, and preventive-plan recurrences (RFC 5545 RRULE) as a sentence.

Pure functions of their arguments and the active language (`django.utils.translation`).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from babel.numbers import format_currency, format_decimal
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

# The Babel locale of each language of the portal (settings.LANGUAGES).
LOCALES = {"fr": "fr_FR", "en": "en_GB"}


def locale() -> str:
    language = (translation.get_language() or "fr").split("-")[0]
    return LOCALES.get(language, "fr_FR")


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None


def money(value, currency: str | None = "EUR") -> str:
    """An amount with its currency in the active language: "1 450,00 €" / "€1,450.00"
    (always two decimals, grouped). None or "" → "—"."""
    amount = _decimal(value)
    if amount is None:
        return "—"
    currency = (currency or "EUR").upper()
    return format_currency(amount, currency, locale=locale(), currency_digits=True, format_type="standard")


def number(value, places: int = 2) -> str:
    """A plain number grouped per language ("1 450,5")."""
    amount = _decimal(value)
    if amount is None:
        return "—"
    return format_decimal(amount, format=f"#,##0.{'#' * places}" if places else "#,##0", locale=locale())


def short_date(value: date | datetime | None) -> str:
    """The one date format of the active language (SHORT_DATE_FORMAT of portal/formats)."""
    if not value:
        return ""
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def hours(minutes) -> str:
    """Minutes of work as "12 h 30" ("0 h" for none)."""
    h, m = divmod(int(minutes or 0), 60)
    return f"{h} h {m:02d}" if m else f"{h} h"


def duration(minutes: int) -> str:
    """A length of time in localised units: "2 d 3 h", "1 h 59", "25 min" ("j" in French)."""
    minutes = max(0, int(minutes))
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    d, h, m = pgettext("unit: days", "d"), pgettext("unit: hours", "h"), pgettext("unit: minutes", "min")
    if days:
        return f"{days}\u00a0{d} {hours}\u00a0{h}" if hours else f"{days}\u00a0{d}"
    if hours:
        return f"{hours}\u00a0{h}\u00a0{mins:02d}" if mins else f"{hours}\u00a0{h}"
    return f"{mins}\u00a0{m}"


def business_duration(minutes, *, day_minutes: int | None = None) -> str:
    """An SLA target in business time: "45 business minutes", "4 business hours", "1 h 30 business",
    or — when the calendar's working day is known and the target is whole days of it —
    "3 business days". None → "—"."""
    if minutes is None or minutes == "":
        return "—"
    minutes = int(minutes)
    if day_minutes and minutes >= day_minutes and minutes % day_minutes == 0:
        days = minutes // day_minutes
        return ngettext("%(n)s business day", "%(n)s business days", days) % {"n": days}
    if minutes < 60:
        return ngettext("%(n)s business minute", "%(n)s business minutes", minutes) % {"n": minutes}
    hours, rest = divmod(minutes, 60)
    if rest:
        return _("%(h)s h %(m)02d business") % {"h": hours, "m": rest}
    return ngettext("%(n)s business hour", "%(n)s business hours", hours) % {"n": hours}


# ============================================================================ recurrences

_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _weekday_name(code: str) -> str:
    return {
        "MO": pgettext("weekday in a sentence", "Monday"), "TU": pgettext("weekday in a sentence", "Tuesday"),
        "WE": pgettext("weekday in a sentence", "Wednesday"), "TH": pgettext("weekday in a sentence", "Thursday"),
        "FR": pgettext("weekday in a sentence", "Friday"), "SA": pgettext("weekday in a sentence", "Saturday"),
        "SU": pgettext("weekday in a sentence", "Sunday"),
    }[code]


def _ordinal(n: int) -> str | None:
    return {
        1: pgettext("nth weekday", "first"), 2: pgettext("nth weekday", "second"),
        3: pgettext("nth weekday", "third"), 4: pgettext("nth weekday", "fourth"),
        -1: pgettext("nth weekday", "last"),
    }.get(n)


def _month_name(n: int) -> str:
    return formats.date_format(date(2000, n, 1), "F").lower() if translation.get_language() == "fr" \
        else formats.date_format(date(2000, n, 1), "F")


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return _("%(first)s and %(last)s") % {"first": ", ".join(items[:-1]), "last": items[-1]}


def _parse(rule: str) -> dict[str, str]:
    parts = {}
    for chunk in (rule or "").strip().removeprefix("RRULE:").split(";"):
        if not chunk.strip():
            continue
        key, sep, value = chunk.partition("=")
        if not sep:
            raise ValueError(chunk)
        parts[key.strip().upper()] = value.strip().upper()
    return parts


def recurrence_words(rule: str) -> str:
    """An RRULE as a sentence: FREQ=MONTHLY;BYDAY=1MO → "first Monday of every month"
    ("premier lundi de chaque mois"). What it does not know how to say is returned as
    written (the rule itself), never guessed."""
    try:
        return _recurrence_words(_parse(rule)) or rule
    except (ValueError, KeyError):
        return rule


def _recurrence_words(p: dict[str, str]) -> str | None:
    known = {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYMONTH", "COUNT", "UNTIL", "WKST"}
    if set(p) - known:
        return None
    freq = p.get("FREQ")
    interval = int(p.get("INTERVAL", "1") or 1)
    days = [d for d in p.get("BYDAY", "").split(",") if d]
    monthdays = [int(d) for d in p.get("BYMONTHDAY", "").split(",") if d]
    months = [int(m) for m in p.get("BYMONTH", "").split(",") if m]
    nth_days = []
    plain_days = []
    for d in days:
        code, prefix = d[-2:], d[:-2]
        if code not in _WEEKDAYS:
            return None
        if prefix:
            n = int(prefix)
            if _ordinal(n) is None:
                return None
            nth_days.append((n, code))
        else:
            plain_days.append(code)
    if freq == "DAILY" and not days and not monthdays and not months:
        text = _("every day") if interval == 1 else _("every %(n)s days") % {"n": interval}
    elif freq == "WEEKLY" and not nth_days and not monthdays and not months:
        names = _join([_weekday_name(d) for d in plain_days])
        if interval == 1:
            text = _("every %(days)s") % {"days": names} if names else _("every week")
        else:
            text = (_("every %(n)s weeks on %(days)s") % {"n": interval, "days": names} if names
                    else _("every %(n)s weeks") % {"n": interval})
    elif freq == "MONTHLY" and not months and not (nth_days and (plain_days or monthdays)):
        period = _("of every month") if interval == 1 else _("of every %(n)s months") % {"n": interval}
        if nth_days:
            what = _join([_("%(nth)s %(day)s") % {"nth": _ordinal(n), "day": _weekday_name(c)} for n, c in nth_days])
        elif monthdays and not plain_days:
            if any(d < 1 for d in monthdays):
                if monthdays != [-1]:
                    return None
                what = _("the last day")
            else:
                what = _("day %(days)s") % {"days": _join([str(d) for d in monthdays])}
        elif not plain_days and not monthdays:
            return _("every month") if interval == 1 else _("every %(n)s months") % {"n": interval}
        else:
            return None
        text = f"{what} {period}"
    elif freq == "YEARLY" and not days and len(months) == 1 and len(monthdays) == 1 and monthdays[0] > 0:
        text = _("every year on %(day)s %(month)s") % {"day": monthdays[0], "month": _month_name(months[0])}
    else:
        return None
    if "COUNT" in p:
        count = int(p["COUNT"])
        text += ngettext(", %(n)s time", ", %(n)s times", count) % {"n": count}
    if "UNTIL" in p:
        until = p["UNTIL"][:8]
        text += _(", until %(day)s") % {"day": short_date(date(int(until[:4]), int(until[4:6]), int(until[6:8])))}
    return text

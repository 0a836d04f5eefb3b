"""Validation shared by every app, the API and the pages: what input the portal
accepts at all (no control characters, dates in a sensible range, ISO codes) and the
size of free text. The API fields (`portal.api.fields`) and the form fields
(`portal.forms_util`) are built on these, so each rule is written once."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

import pycountry
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

__all__ = [
    "DATE_MAX", "DATE_MIN", "TEXT_MAX_LENGTH", "ValidationError", "control_character", "strip_control_characters",
    "unstorable_character", "validate_country", "validate_currency", "validate_date_in_range",
    "validate_datetime_in_range",
]

# Dates a maintenance contract, a ticket or a token may carry. Outside this range a
# date is a typing error (0026 for 2026) or a probe, and term arithmetic past year
# 9999 would overflow (contracts.terms).
DATE_MIN = date(1990, 1, 1)
DATE_MAX = date(2100, 12, 31)
DATETIME_MIN = datetime.combine(DATE_MIN, time.min, tzinfo=UTC)
DATETIME_MAX = datetime.combine(DATE_MAX, time.max, tzinfo=UTC)

# Free text typed by people (ticket descriptions, messages): room for a long log
# excerpt, not for a file (files are attachments).
TEXT_MAX_LENGTH = 20_000

# C0 control characters and DEL, except tab, line feed and carriage return. PostgreSQL
# cannot store NUL at all; the others are never typed by a person.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Lone UTF-16 surrogates (possible in JSON escapes) cannot be encoded for the database,
# and PostgreSQL refuses NUL in text.
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")


def control_character(value: str) -> str | None:
    """The first character of `value` the portal refuses (a control character or a
    lone surrogate), or None."""
    match = _CONTROL.search(value) or _SURROGATE.search(value)
    return match.group() if match else None


def unstorable_character(value: str) -> str | None:
    """The first character of `value` the database cannot store (NUL, a lone
    surrogate), or None."""
    match = _UNSTORABLE.search(value)
    return match.group() if match else None


def strip_control_characters(value: str) -> str:
    """`value` without control characters (tab and line breaks kept)."""
    return _SURROGATE.sub("", _CONTROL.sub("", value))


# The same bounds as DATE_MIN and DATE_MAX, written out for the translators.
DATE_RANGE_MESSAGE = _("Give a date between 1990-01-01 and 2100-12-31.")


def validate_date_in_range(value: date) -> None:
    if isinstance(value, datetime):
        value = value.date()
    if not DATE_MIN <= value <= DATE_MAX:
        raise ValidationError(DATE_RANGE_MESSAGE, code="date_out_of_range")


def validate_datetime_in_range(value: datetime) -> None:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    if not DATETIME_MIN <= value <= DATETIME_MAX:
        raise ValidationError(DATE_RANGE_MESSAGE, code="date_out_of_range")


def validate_country(value: str) -> None:
    """An ISO 3166-1 alpha-2 code (pycountry's list, kept with the standard)."""
    if not value or len(value) != 2 or pycountry.countries.get(alpha_2=value.upper()) is None:
        raise ValidationError(
            _("“%(value)s” is not a country code (ISO 3166, two letters, e.g. FR).") % {"value": value},
            code="invalid_country",
        )


# Codes of ISO 4217 that are no money to be paid in: "no currency" and "testing".
_NOT_A_CURRENCY = {"XXX", "XTS"}


def validate_currency(value: str) -> None:
    """An ISO 4217 alphabetic code (pycountry's list, kept with the standard)."""
    code = (value or "").upper()
    if len(code) != 3 or code in _NOT_A_CURRENCY or pycountry.currencies.get(alpha_3=code) is None:
        raise ValidationError(
            _("“%(value)s” is not a currency code (ISO 4217, three letters, e.g. EUR).") % {"value": value},
            code="invalid_currency",
        )

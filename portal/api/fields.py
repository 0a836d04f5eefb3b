"""Serializer fields with the portal's input rules (portal.validators), used by every
serializer of the API: dates between 1990 and 2100, free text with a size limit and no
control characters, choices that answer null rather than "" when unset."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from portal import validators

_RANGE = _("Between 1990-01-01 and 2100-12-31.")


def _check(validator, value) -> None:
    try:
        validator(value)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.messages, code=exc.code) from exc


class DateField(serializers.DateField):
    """A date between 1990-01-01 and 2100-12-31."""

    def __init__(self, **kwargs):
        if not kwargs.get("read_only"):
            kwargs.setdefault("help_text", _RANGE)
        super().__init__(**kwargs)

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        _check(validators.validate_date_in_range, day)
        return day


class DateTimeField(serializers.DateTimeField):
    """An instant between 1990-01-01 and 2100-12-31 (UTC)."""

    def __init__(self, **kwargs):
        if not kwargs.get("read_only"):
            kwargs.setdefault("help_text", _RANGE)
        super().__init__(**kwargs)

    def to_internal_value(self, value):
        # Year 1 or 9999 with an offset overflows while DRF converts it to UTC: refuse a
        # year far outside the range before parsing (the exact check follows).
        if isinstance(value, str) and value[:4].isdigit() and not 1989 <= int(value[:4]) <= 2101:
            raise serializers.ValidationError(validators.DATE_RANGE_MESSAGE, code="date_out_of_range")
        moment = super().to_internal_value(value)
        _check(validators.validate_datetime_in_range, moment)
        return moment


class PlainTextField(serializers.CharField):
    """Free text typed by a person: at most 20,000 characters, control characters other
    than tab and line breaks removed."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", validators.TEXT_MAX_LENGTH)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = validators.strip_control_characters(data)
        return super().to_internal_value(data)


class BlankAsNullChoiceField(serializers.ChoiceField):
    """A read-only choice stored as "" while unset, answered as null (the enum of the
    schema has no "" in it)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return None if value in ("", None) else super().to_representation(value)


class ModelSerializer(serializers.ModelSerializer):
    # ModelSerializer whose model dates and date-times get the portal's range. (A
    # comment, not a docstring: drf-spectacular would describe every component with it.)

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateField: DateField,
        models.DateTimeField: DateTimeField,
    }


def refuse_unread_fields(serializer: serializers.Serializer, attrs: dict) -> None:
    """Refuse writable fields that were sent but could not be read. A list or an object
    sent as one plain form field ("holidays=2026-12-24") is otherwise dropped without
    a word by DRF's form parsing, and a partial update would silently ignore it."""
    sent = getattr(serializer, "initial_data", None) or {}
    unread = [name for name, field in serializer.fields.items()
              if not field.read_only and name in sent and field.source not in attrs and name not in attrs]
    if unread:
        raise serializers.ValidationError({name: [_(
            "This value could not be read: send it as JSON, or as indexed form fields (e.g. holidays[0]date).")]
            for name in unread})

"""Helpers shared by the portal's form views, and the form fields that carry the
portal's input rules (portal.validators; the API has the same in portal.api.fields)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal import validators


def apply_errors(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: under the field it names when the
    form has that field, else as a form-level error."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def message_errors(request, exc: ValidationError) -> None:
    """Show a service's ValidationError as flash messages (for POST-only actions that
    redirect back to the page instead of re-rendering a form)."""
    from django.contrib import messages

    groups = exc.message_dict.values() if hasattr(exc, "error_dict") else [exc.messages]
    for group in groups:
        for message in group:
            messages.error(request, message)


class TableRowForm(forms.Form):
    """A form shown as one row of a table (the forms of a formset): its inputs have no
    <label> beside them, so each is named by its label and row for screen readers."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        index = (self.prefix or "").rsplit("-", 1)[-1]
        for field in self.fields.values():
            if field.widget.is_hidden:
                continue
            name = (_("%(label)s, row %(row)s") % {"label": field.label, "row": int(index) + 1}
                    if index.isdigit() else field.label)
            field.widget.attrs.setdefault("aria-label", name)


# ---------------------------------------------------------------------- form fields


class BoundedDateField(forms.DateField):
    """A date between 1990-01-01 and 2100-12-31."""

    default_validators = [validators.validate_date_in_range]


class BoundedDateTimeField(forms.DateTimeField):
    """An instant between 1990-01-01 and 2100-12-31."""

    default_validators = [validators.validate_datetime_in_range]

    def to_python(self, value):
        # Year 1 or 9999 overflows while Django makes it aware: refuse it first.
        if isinstance(value, str) and value.strip()[:4].isdigit() and not 1989 <= int(value.strip()[:4]) <= 2101:
            raise forms.ValidationError(validators.DATE_RANGE_MESSAGE, code="date_out_of_range")
        return super().to_python(value)


class PlainTextField(forms.CharField):
    """Free text typed by a person: at most 20,000 characters, control characters other
    than tab and line breaks removed."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", validators.TEXT_MAX_LENGTH)
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return validators.strip_control_characters(value) if value else value

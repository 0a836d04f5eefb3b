"""Helpers shared by the portal's form views."""

from __future__ import annotations

from django.core.exceptions import ValidationError


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

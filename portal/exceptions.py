"""Errors raised by services. Interfaces (API, portal) turn them into responses.

Services raise Django's `ValidationError` for bad input (with a dict naming the
fields), `PermissionDenied` when the role may not act, and `Http404` (through
`portal.tenancy.get_for_tenant`) for anything outside the tenant.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError  # noqa: F401  (re-exported)


class ApplicationError(Exception):
    """A refused action that is not about one field (e.g. a forbidden state change)."""

    def __init__(self, message: str, *, code: str = "refused", extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.extra = extra or {}


class ConflictError(ApplicationError):
    """The action lost a race or the object is in a state that forbids it (HTTP 409)."""

    def __init__(self, message: str, *, code: str = "conflict", extra: dict | None = None):
        super().__init__(message, code=code, extra=extra)


class UnprocessableError(ApplicationError):
    """Well-formed, but contradicts what the server already holds, e.g. a replayed
    idempotency key with another content (HTTP 422). `extra["fields"]` names the fields."""

    def __init__(self, message: str, *, code: str = "unprocessable", extra: dict | None = None):
        super().__init__(message, code=code, extra=extra)

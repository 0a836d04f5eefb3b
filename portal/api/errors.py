"""One error shape for every API error:

    {"error": {"status": 400, "code": "invalid", "message": "…", "fields": {"siret": ["…"]}}}

`fields` is present for validation errors and names each bad field.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from portal.api.idempotency import IdempotentReplay, replay_response
from portal.exceptions import ApplicationError, ConflictError, UnprocessableError

logger = logging.getLogger(__name__)


def error_body(status_code: int, code: str, message: str, fields: dict | None = None) -> dict:
    body: dict = {"status": status_code, "code": code, "message": message}
    if fields:
        body["fields"] = fields
    return {"error": body}


def _flatten(detail) -> dict[str, list[str]]:
    """DRF's nested error details as {"field": [messages]}, nested fields dotted."""
    out: dict[str, list[str]] = {}

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list) and value and all(isinstance(v, (dict, list)) for v in value):
            for index, inner in enumerate(value):
                if inner:
                    walk(f"{prefix}.{index}", inner)
        else:
            items = value if isinstance(value, list) else [value]
            out.setdefault(prefix or "non_field_errors", []).extend(str(v) for v in items)

    walk("", detail)
    return out


def validation_fields(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {("non_field_errors" if k == "__all__" else k): v for k, v in exc.message_dict.items()}
    return {"non_field_errors": exc.messages}


def exception_handler(exc, context):
    if isinstance(exc, IdempotentReplay):
        return replay_response(exc.row)
    if isinstance(exc, DjangoValidationError):
        fields = validation_fields(exc)
        return Response(error_body(400, "invalid", _first_message(fields), fields), status=400)
    if isinstance(exc, Http404):
        return Response(error_body(404, "not_found", _("Not found.")), status=404)
    if isinstance(exc, DjangoPermissionDenied):
        message = str(exc) or _("You do not have permission to perform this action.")
        return Response(error_body(403, "permission_denied", message), status=403)
    if isinstance(exc, UnprocessableError):
        return Response(error_body(422, exc.code, exc.message, exc.extra.get("fields")), status=422)
    if isinstance(exc, ConflictError):
        return Response(error_body(409, exc.code, exc.message), status=409)
    if isinstance(exc, ApplicationError):
        return Response(error_body(400, exc.code, exc.message, exc.extra.get("fields")), status=400)

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: Django's 500 handler answers (JSON for /api/)
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        response.data = error_body(400, "invalid", _first_message(fields), fields)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        if isinstance(exc, exceptions.NotFound):
            detail, code = _("Not found."), "not_found"
        response.data = error_body(response.status_code, str(code), str(detail))
    return response


def _first_message(fields: dict[str, list[str]]) -> str:
    for name, messages in fields.items():
        if messages:
            return messages[0] if name == "non_field_errors" else f"{name}: {messages[0]}"
    return _("Invalid input.")


def json_404(request, exception=None):
    return JsonResponse(error_body(404, "not_found", _("Not found.")), status=status.HTTP_404_NOT_FOUND)


def json_500(request):
    return JsonResponse(error_body(500, "server_error", _("Server error.")), status=500)

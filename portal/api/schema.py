"""The OpenAPI schema's AutoSchema (settings: DEFAULT_SCHEMA_CLASS). Two rules are
stated here once for every operation, instead of per view:

* errors: every operation documents the 4xx it can answer, each with the one error
  component (`Error`, the shape of portal.api.errors): 400 for a body or a query to
  validate, 401/403 for every operation behind authentication, 404 for an object named
  in the path or a page past the last, 409 for an action on an object (its state
  forbids it, or someone else acted first), 422 for a replay whose content differs from
  the first request (an `idempotency_key` in the body), 429 where the view throttles;
* pagination: only the `list` action pages its results. The detail actions that
  answer a list (messages, versions, documents…) answer a plain array."""

from __future__ import annotations

from drf_spectacular import openapi
from drf_spectacular.plumbing import force_instance
from rest_framework import permissions, serializers

WRITE_METHODS = ("POST", "PUT", "PATCH")


class ErrorBodySerializer(serializers.Serializer):
    status = serializers.IntegerField(help_text="The HTTP status, repeated.")
    code = serializers.CharField(help_text="A stable code for programs, e.g. invalid, not_found, permission_denied.")
    message = serializers.CharField(help_text="What went wrong, in the user's language.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False,
        help_text="For validation errors: each refused field (nested fields dotted, e.g. targets.0.priority) "
                  "with its messages; non_field_errors for the request as a whole.",
    )


class ErrorSerializer(serializers.Serializer):
    """The one shape of every API error."""

    error = ErrorBodySerializer()


ERRORS = {
    400: "Invalid input or a refused action: `fields` names each refused field and says why.",
    401: "Not authenticated: no valid token or session.",
    403: "Authenticated, but this role may not do this.",
    404: "Not found: no such object in your tenant (or not visible to you), or a page past the last.",
    409: "Conflict: the object's state forbids the action, or another user changed it first.",
    422: "A retried request (same idempotency_key) whose content differs from the first one.",
    429: "Too many requests: wait as long as the Retry-After header says.",
}


class AutoSchema(openapi.AutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation["responses"]
        ref = self.resolve_serializer(ErrorSerializer, "response").ref
        for code in self._error_codes(operation):
            responses.setdefault(str(code), {
                "content": {"application/json": {"schema": ref}}, "description": ERRORS[code]})
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _error_codes(self, operation: dict) -> list[int]:
        params = operation.get("parameters", [])
        in_path = any(p["in"] == "path" for p in params)
        query = {p["name"] for p in params if p["in"] == "query"}
        codes = []
        if self.method in WRITE_METHODS or query:
            codes.append(400)
        if not any(isinstance(p, permissions.AllowAny) for p in self.view.get_permissions()):
            codes += [401, 403]
        if in_path or "page" in query:
            codes.append(404)
        if self.method == "POST" and in_path:
            codes.append(409)
        if self.method in WRITE_METHODS and "idempotency_key" in self._request_fields():
            codes.append(422)
        if self.view.get_throttles():
            codes.append(429)
        return codes

    def _request_fields(self) -> set[str]:
        serializer = force_instance(self.get_request_serializer())
        return set(serializer.fields) if isinstance(serializer, serializers.Serializer) else set()

    def _get_paginator(self):
        # DRF pages only in ListModelMixin.list; the detail actions answer plain arrays.
        if getattr(self.view, "action", "list") != "list":
            return None
        return super()._get_paginator()

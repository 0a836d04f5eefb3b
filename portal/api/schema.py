"""The OpenAPI schema's AutoSchema (settings: DEFAULT_SCHEMA_CLASS). These rules are
stated here once for every operation, instead of per view:

* errors: every operation documents the 4xx it can answer, each with the one error
  component (`Error`, the shape of portal.api.errors): 400 for a body or a query to
  validate, 401/403 for every operation behind authentication, 404 for an object named
  in the path or a page past the last, 409 for a POST (the object's state forbids it,
  someone else acted first, or the same Idempotency-Key is still being processed), 412
  for a stale If-Match, 422 for a replay whose content differs from the first request
  (Idempotency-Key header, or an `idempotency_key` in the body), 429 where the view
  throttles;
* retries and concurrency: the `Idempotency-Key` header on every POST and the
  `Idempotent-Replayed` header on its answers, `ETag` on detail answers and `If-Match`
  on the writes of those objects (portal/api/idempotency.py);
* pagination: only the `list` action pages its results. The detail actions that
  answer a list (messages, versions, documents…) answer a plain array."""

from __future__ import annotations

from drf_spectacular import openapi
from drf_spectacular.plumbing import force_instance
from rest_framework import permissions, serializers

from portal.api import idempotency
from portal.api.idempotency import ConditionalMixin

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
    412: "Precondition failed: the If-Match ETag is not the object's current one (someone changed it since).",
    422: "A retried request (same Idempotency-Key header, or same idempotency_key field) whose content differs "
         "from the first one.",
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
        self._document_retries_and_concurrency(operation, responses)
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _conditional(self) -> bool:
        return isinstance(self.view, ConditionalMixin)

    def _document_retries_and_concurrency(self, operation: dict, responses: dict) -> None:
        """The headers of portal/api/idempotency.py: Idempotency-Key on every POST (and
        the replay header on its answers), ETag on detail answers, If-Match on writes."""
        parameters = operation.setdefault("parameters", [])
        success = [code for code in responses if code.startswith("2")]
        if self.method == "POST":
            parameters.append({
                "in": "header", "name": idempotency.HEADER, "required": False,
                "schema": {"type": "string", "minLength": 1, "maxLength": idempotency.MAX_KEY_LENGTH,
                           "pattern": "^[\\x20-\\x7e]+$"},
                "description": "Makes the POST safe to retry: a retry with the same key and the same body within "
                               "24 hours gets the first response again (with `Idempotent-Replayed: true`) "
                               "instead of acting twice; the same key with another body answers 422. Keys are "
                               "per token (per user for a session). Use a new UUID per intended action.",
                "example": "3f1c9a4e-2b7d-4d8e-9a51-0c2f6b8e7d10"})
            for code in success:
                responses[code].setdefault("headers", {})[idempotency.REPLAYED_HEADER] = {
                    "schema": {"type": "string", "enum": ["true"]},
                    "description": "Present when this is the stored response to an earlier request with the "
                                   "same Idempotency-Key."}
        if not self._conditional():
            return
        if self.method == "GET" and getattr(self.view, "action", None) == "retrieve":
            for code in success:
                responses[code].setdefault("headers", {})["ETag"] = {
                    "schema": {"type": "string"},
                    "description": "The version of this object as you read it: send it back in If-Match to "
                                   "change the object only if nobody changed it since."}
        if self.method in ("PUT", "PATCH", "DELETE") and any(p["in"] == "path" for p in parameters):
            parameters.append({
                "in": "header", "name": "If-Match", "required": False, "schema": {"type": "string"},
                "description": "The ETag of the object as you last read it: if it changed since, the write is "
                               "refused with 412 and nothing is changed. Without it, the write is not checked.",
                "example": '"5d41402abc4b2a76b9719d911017c592"'})
            responses.setdefault("412", {
                "content": {"application/json": {"schema": self.resolve_serializer(ErrorSerializer, "response").ref}},
                "description": ERRORS[412]})

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
        if self.method == "POST":
            codes += [409, 422]  # 409: a state that forbids it, or the same Idempotency-Key still in progress
        elif self.method in WRITE_METHODS and "idempotency_key" in self._request_fields():
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

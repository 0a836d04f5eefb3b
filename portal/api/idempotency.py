"""Safe retries and concurrency for the whole API, written once.

* `Idempotency-Key` on POST: the first response to a key is stored (PostgreSQL, in the
  transaction of the write itself, so a write and its stored response commit or vanish
  together) and replayed, with `Idempotent-Replayed: true`, to a retry with the same key
  and the same body. The same key with another body answers 422. Keys are per token (per
  user for a browser session) and kept 24 hours. Two concurrent requests with one key do
  not both write: the second waits on the first's row, then gets its response.
* `ETag` on detail answers and `If-Match` on PUT/PATCH/DELETE (`ConditionalMixin`):
  a write whose `If-Match` is not the object's current ETag answers 412; the object's row
  is locked from that check to the end of the write, so there is no lost update. A write
  without `If-Match` is still allowed.

Where it hooks in: `ApiWriteTransactionMiddleware` opens the transaction around such a
request and stores the response; the API's permission layer (`IsTenantMember`, after
authentication and the role and scope checks) claims the key, so an unauthenticated or
refused caller never reads or reserves anybody's key.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from portal.exceptions import ConflictError, UnprocessableError
from portal.models import ApiToken, IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
TTL = timedelta(hours=24)
MAX_KEY_LENGTH = 255
WRITE_METHODS = ("PUT", "PATCH", "DELETE")
_REQUEST_ATTR = "idempotency_row"
_KEPT_HEADERS = ("Location", "Content-Type")


class IdempotentReplay(Exception):
    """Raised while checking permissions: answer with the stored response instead."""

    def __init__(self, row: IdempotencyKey):
        super().__init__(row.key)
        self.row = row


class PreconditionFailed(exceptions.APIException):
    status_code = 412
    default_detail = gettext_lazy("The object changed since you read it: read it again (its ETag), then retry.")
    default_code = "precondition_failed"


def owner_of(request) -> str:
    token = getattr(request, "auth", None)
    if isinstance(token, ApiToken):
        return f"token:{token.pk}"
    return f"user:{request.user.pk}"


def _canonical(data):
    if hasattr(data, "lists"):  # a QueryDict, with files
        return {key: [_canonical(v) for v in values] for key, values in sorted(data.lists())}
    if isinstance(data, dict):
        return {str(k): _canonical(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_canonical(v) for v in data]
    if hasattr(data, "chunks"):  # an upload: its name, size and content
        digest = hashlib.sha256()
        for chunk in data.chunks():
            digest.update(chunk)
        data.seek(0)
        return {"file": data.name, "size": data.size, "sha256": digest.hexdigest()}
    return data


def fingerprint(request) -> str:
    body = json.dumps(_canonical(request.data), sort_keys=True, default=str, ensure_ascii=True)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _key(request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not key or len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        raise serializers.ValidationError({HEADER: [
            _("Give 1 to %(max)s printable ASCII characters, e.g. a UUID.") % {"max": MAX_KEY_LENGTH}]})
    return key


def claim(request) -> None:
    """For a POST with an Idempotency-Key: reserve the key for this request, or raise
    `IdempotentReplay` with the first response, or 422 when the body differs."""
    if request.method != "POST":
        return
    key = _key(request)
    if key is None:
        return
    owner, print_ = owner_of(request), fingerprint(request)
    IdempotencyKey.objects.filter(owner=owner, key=key, created_at__lt=timezone.now() - TTL).delete()
    try:
        with transaction.atomic():
            row = IdempotencyKey.objects.create(owner=owner, key=key, fingerprint=print_)
    except IntegrityError:
        row = IdempotencyKey.objects.get(owner=owner, key=key)  # committed by the first request
        if row.fingerprint != print_:
            raise UnprocessableError(
                _("This Idempotency-Key was used for another request in the last 24 hours: use a new key "
                  "for a new request."), code="idempotency_key_reused", extra={"fields": {HEADER: [
                    _("Already used with another body.")]}}) from None
        if row.status_code is None:
            raise ConflictError(_("A request with this Idempotency-Key is still being processed: retry "
                                  "in a moment."), code="idempotency_in_progress") from None
        raise IdempotentReplay(row) from None
    inner = getattr(request, "_request", request)
    setattr(inner, _REQUEST_ATTR, row)


def replay_response(row: IdempotencyKey) -> Response:
    response = Response(row.response, status=row.status_code)
    for name, value in (row.headers or {}).items():
        if name != "Content-Type":
            response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


def purge_expired(*, now=None) -> int:
    """Delete the keys older than 24 hours (Celery beat, hourly)."""
    now = now or timezone.now()
    deleted, _rows = IdempotencyKey.objects.filter(created_at__lt=now - TTL).delete()
    return deleted


class ApiWriteTransactionMiddleware:
    """One transaction around an API POST sent with an Idempotency-Key, and around an API
    write sent with If-Match: the write, the stored response and the row lock of the
    If-Match check share it. A 5xx rolls it all back (the key is then free again)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self._wanted(request):
            return self.get_response(request)
        with transaction.atomic():
            response = self.get_response(request)
            row = getattr(request, _REQUEST_ATTR, None)
            if response.status_code >= 500:
                transaction.set_rollback(True)
            elif row is not None:
                self._store(row, response)
        return response

    @staticmethod
    def _wanted(request) -> bool:
        if not request.path.startswith("/api/"):
            return False
        return (request.method == "POST" and HEADER in request.headers) or (
            request.method in WRITE_METHODS and "If-Match" in request.headers)

    @staticmethod
    def _store(row: IdempotencyKey, response) -> None:
        content = getattr(response, "content", b"") or b""
        try:
            body = json.loads(content) if content else None
        except ValueError:
            body = None
        row.status_code = response.status_code
        row.response = body
        row.headers = {name: response[name] for name in _KEPT_HEADERS if response.has_header(name)}
        row.save(update_fields=["status_code", "response", "headers"])


# ---------------------------------------------------------------------- ETag / If-Match


def etag_of(data) -> str:
    body = json.dumps(data, sort_keys=True, default=str, ensure_ascii=True)
    return '"%s"' % hashlib.sha256(body.encode()).hexdigest()[:32]  # noqa: UP031


def _matches(header: str, current: str) -> bool:
    if header.strip() == "*":
        return True
    candidates = [tag.strip().removeprefix("W/") for tag in header.split(",")]
    return current in candidates


class ConditionalMixin:
    """For viewsets with a detail GET (`retrieve`): `ETag` on that answer, and `If-Match`
    honoured on PUT/PATCH/DELETE of the object and of its sub-resources (the contract's
    scope and clauses): the ETag is the object's detail answer as this viewer reads it."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if (request.method == "GET" and getattr(self, "action", None) == "retrieve"
                and response.status_code == 200 and isinstance(getattr(response, "data", None), dict)):
            response["ETag"] = etag_of(response.data)
        return response

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        header = request.headers.get("If-Match")
        if request.method in WRITE_METHODS and header is not None and self._lookup_given():
            current = self.current_etag(request)
            if not _matches(header, current):
                raise PreconditionFailed()

    def _lookup_given(self) -> bool:
        # The writes of these viewsets are all on one object (PUT/PATCH/DELETE of a list
        # do not exist), named in the path.
        return hasattr(self, "retrieve") and bool(self.kwargs)

    def current_etag(self, request) -> str:
        """The object's ETag, its row locked until the end of the request's transaction."""
        obj = self.get_object()
        if transaction.get_connection().in_atomic_block:
            list(type(obj)._default_manager.select_for_update().filter(pk=obj.pk).values_list("pk"))
        action = self.action
        self.action = "retrieve"
        try:
            response = self.retrieve(request, *self.args, **self.kwargs)
        finally:
            self.action = action
        return etag_of(response.data)

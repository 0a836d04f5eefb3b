"""Webhooks: recording events, signing, the receiver address check (SSRF) and delivery.

Recording (`record_event`, the `portal.events` sink): in the transaction of the change,
one `WebhookEvent` and one `WebhookDelivery` per active subscription to that event type;
a delivery task is queued after commit, and the sweep (`webhooks-deliver` in
portal/celery.py, every minute) sends what is due whatever the broker did.

Delivering (`webhook_deliver`): claim due deliveries (SELECT … FOR UPDATE SKIP LOCKED, a
lease), and for each, outside any transaction: resolve the receiver's host, refuse it
when an address is not public (loopback, private, link-local, … — unless
`WEBHOOKS_ALLOW_PRIVATE_NETWORKS`, on in development), then POST to that very address
(no second resolution between the check and the call) with short timeouts. A 2xx answer
delivers it; anything else is retried with exponential back-off and jitter until the
event is 24 hours old, then the delivery is failed. A subscription whose deliveries have
all failed for 3 days is disabled and its tenant's administrators are told by e-mail.

Signature: `X-Portal-Signature: t=<unix time>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>`;
`verify_signature` is what a receiver does (and what the tests' receiver does).
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import random
import secrets
import socket
import ssl
import time
from collections import Counter
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from integrations.models import (
    DeliveryState,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)
from portal.outbox import worker_name
from portal.prepared import PreparedSelect

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Portal-Signature"
RETRY_FOR = timedelta(hours=24)
DISABLE_AFTER = timedelta(days=3)
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)
LEASE = timedelta(minutes=5)
BATCH = 20
PER_RUN = 200
RESPONSE_READ_LIMIT = 4096
TEST_EVENT = "webhook.test"


# ---------------------------------------------------------------------- signing


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The signature header's value for `body` sent at `timestamp` (Unix seconds)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify_signature(secret: str, header: str, body: bytes, *, now: float | None = None,
                     tolerance: int = 300) -> bool:
    """What a receiver checks: a `v1` HMAC of "<t>." + body that matches (compared in
    constant time), with `t` within `tolerance` seconds of now (replays refused)."""
    parts: dict[str, list[str]] = {}
    for item in (header or "").split(","):
        key, _sep, value = item.strip().partition("=")
        parts.setdefault(key, []).append(value)
    try:
        timestamp = int(parts.get("t", [""])[0])
    except ValueError:
        return False
    if abs((now if now is not None else time.time()) - timestamp) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, candidate) for candidate in parts.get("v1", []))


# ---------------------------------------------------------------------- the receiver's address (SSRF)


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_loopback or ip.is_link_local or ip.is_private
                                 or ip.is_reserved or ip.is_unspecified)


def _url_error(message: str) -> ValidationError:
    return ValidationError({"url": [message]})


def resolve_target(url: str) -> tuple[str, str, int, list[str]]:
    """(scheme, host, port, addresses) of a receiver URL, every address checked: raises a
    ValidationError on `url` for what may not be called (a private address outside
    development, a scheme other than http(s), credentials in the URL, a name that does
    not resolve)."""
    try:
        parts = urlsplit(url or "")
        port = parts.port
    except ValueError:
        raise _url_error(_("Enter a valid URL.")) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _url_error(_("The receiver URL must start with https:// (or http://) and name a host."))
    if getattr(settings, "WEBHOOKS_REQUIRE_HTTPS", False) and parts.scheme != "https":
        raise _url_error(_("The receiver URL must use https://."))
    if parts.username or parts.password:
        raise _url_error(_("Put no user name or password in the receiver URL: check the signature instead."))
    host = parts.hostname
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError, ValueError):
        raise _url_error(_("The receiver's host name does not resolve.")) from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise _url_error(_("The receiver's host name does not resolve."))
    if not getattr(settings, "WEBHOOKS_ALLOW_PRIVATE_NETWORKS", False):
        if not all(_public(a) for a in addresses):
            raise _url_error(_("The receiver URL points at a private, loopback or link-local address: "
                               "webhooks are only sent to public addresses."))
    return parts.scheme, host, port, addresses


# ---------------------------------------------------------------------- recording


def _subscriptions(tenant_ids):
    return WebhookSubscription.objects.filter(tenant_id__in=tenant_ids, is_active=True).only(
        "pk", "tenant_id", "event_types")


_ONE_TENANT = PreparedSelect(lambda v: _subscriptions([v["tenant_id"]]), tenant_id=int)


def record_events(events) -> list[WebhookEvent]:
    """The `portal.events` sink: each event and its deliveries, in the caller's
    transaction, when at least one active subscription wants it (else nothing is
    written). One query for the batch when nobody subscribed."""
    tenants = {e.tenant_id for e in events}
    subscriptions: dict[int, list[WebhookSubscription]] = {}
    if len(tenants) == 1:  # one change's event (a new ticket): the statement compiled once per process
        found = _ONE_TENANT.fetch(tenant_id=next(iter(tenants)))
    else:
        found = _subscriptions(tenants)
    for s in found:
        subscriptions.setdefault(s.tenant_id, []).append(s)
    wanted = [(e, [s for s in subscriptions.get(e.tenant_id, []) if e.event_type in (s.event_types or [])])
              for e in events]
    wanted = [(e, subs) for e, subs in wanted if subs]
    if not wanted:
        return []
    return _write_events(wanted)


def _write_events(wanted) -> list[WebhookEvent]:
    """`wanted`: (event (tenant_id, event_type, payload), its subscriptions) pairs."""
    now = timezone.now()
    rows = WebhookEvent.objects.bulk_create([
        WebhookEvent(tenant_id=e.tenant_id, event_type=e.event_type, payload=e.payload, created_at=now)
        for e, _subs in wanted])
    deliveries = WebhookDelivery.objects.bulk_create([
        WebhookDelivery(tenant_id=row.tenant_id, event=row, subscription=s, next_attempt_at=now)
        for row, (_e, subs) in zip(rows, wanted, strict=True) for s in subs])
    from integrations.tasks import webhook_deliver_task
    from portal.celery import enqueue_on_commit

    enqueue_on_commit(webhook_deliver_task, [d.pk for d in deliveries])
    return rows


def body_of(event: WebhookEvent, tenant_slug: str) -> bytes:
    return json.dumps({
        "id": str(event.uid), "type": event.event_type, "created_at": event.created_at.isoformat(),
        "tenant": tenant_slug, "data": event.payload,
    }, separators=(",", ":"), sort_keys=True).encode()


# ---------------------------------------------------------------------- delivering


def backoff(attempts: int, *, rng: random.Random | None = None) -> timedelta:
    """The wait after `attempts` failed calls: 30 s, 1, 2, 4 … minutes, at most an hour,
    each drawn between half and all of it (jitter, so receivers coming back are not hit
    by every sender at once)."""
    full = min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_CAP)
    return full * (rng or random).uniform(0.5, 1.0)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to an address already checked, with the certificate checked for the host name."""

    def __init__(self, address: str, port: int, *, server_hostname: str, timeout: float):
        super().__init__(address, port, timeout=timeout, context=ssl.create_default_context())
        self._server_hostname = server_hostname

    def connect(self):
        sock = socket.create_connection((self.host, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self._server_hostname)


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float) -> int:
    """POST `body` to `url` at its checked address; returns the status code. Raises
    ValidationError (address refused) or OSError (network, timeout)."""
    scheme, host, port, addresses = resolve_target(url)
    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    address = addresses[0]
    if scheme == "https":
        conn = _PinnedHTTPSConnection(address, port, server_hostname=host, timeout=timeout)
    else:
        conn = http.client.HTTPConnection(address, port, timeout=timeout)
    host_header = host if ":" not in host else f"[{host}]"
    if parts.port:
        host_header += f":{parts.port}"
    try:
        conn.request("POST", target, body=body, headers={**headers, "Host": host_header})
        response = conn.getresponse()
        response.read(RESPONSE_READ_LIMIT)
        return response.status
    finally:
        conn.close()


def webhook_claim(*, now: datetime, worker: str, limit: int = BATCH, ids: list[int] | None = None) -> list[WebhookDelivery]:
    with transaction.atomic():
        due = (WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
               .filter(state=DeliveryState.PENDING, next_attempt_at__lte=now)
               .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)))
        if ids is not None:
            due = due.filter(pk__in=ids)
        rows = list(due.select_related("event", "subscription", "tenant").order_by("next_attempt_at", "pk")[:limit])
        if rows:
            WebhookDelivery.objects.filter(pk__in=[r.pk for r in rows]).update(claimed_until=now + LEASE,
                                                                                claimed_by=worker)
    return rows


def webhook_deliver(*, now: datetime | None = None, ids: list[int] | None = None, worker: str | None = None,
                    limit: int = PER_RUN) -> Counter:
    """Deliver the due deliveries (only `ids` when given), batch after batch. Returns a
    count per outcome: delivered, retry, failed, cancelled."""
    worker = worker or worker_name()
    report: Counter = Counter()
    while sum(report.values()) < limit:
        rows = webhook_claim(now=now or timezone.now(), worker=worker, ids=ids,
                             limit=min(BATCH, limit - sum(report.values())))
        if not rows:
            break
        for row in rows:
            report[_deliver_one(row, now=now, worker=worker)] += 1
    return report


def _deliver_one(row: WebhookDelivery, *, now: datetime | None, worker: str) -> str:
    mine = WebhookDelivery.objects.filter(pk=row.pk, claimed_by=worker, state=DeliveryState.PENDING)
    subscription = row.subscription
    if not subscription.is_active:
        mine.update(state=DeliveryState.CANCELLED, claimed_until=None, claimed_by="",
                    last_error="subscription disabled")
        return "cancelled"
    started = time.monotonic()
    at = now or timezone.now()
    timestamp = int(at.timestamp())
    body = body_of(row.event, row.tenant.slug)
    headers = {
        "Content-Type": "application/json", "User-Agent": f"{settings.PORTAL_NAME} webhooks",
        "X-Portal-Event": row.event.event_type, "X-Portal-Event-Id": str(row.event.uid),
        "X-Portal-Delivery": str(row.pk), SIGNATURE_HEADER: sign(subscription.secret, body, timestamp),
    }
    status, error = None, ""
    try:
        status = post(subscription.url, body, headers, timeout=settings.WEBHOOKS_TIMEOUT)
    except ValidationError as exc:
        error = "; ".join(exc.message_dict.get("url", [str(exc)]))
    except (OSError, http.client.HTTPException) as exc:
        error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    duration = int((time.monotonic() - started) * 1000)
    attempts = row.attempts + 1
    WebhookAttempt.objects.create(tenant_id=row.tenant_id, delivery=row, number=attempts, status_code=status,
                                  duration_ms=duration, error=error[:500], created_at=at)
    if status is not None and 200 <= status < 300:
        mine.update(state=DeliveryState.DELIVERED, attempts=attempts, last_status_code=status, last_error="",
                    delivered_at=at, claimed_until=None, claimed_by="")
        WebhookSubscription.objects.filter(pk=subscription.pk, failing_since__isnull=False).update(failing_since=None)
        return "delivered"
    error = error or _("The receiver answered %(status)s.") % {"status": status}
    final = at - row.event.created_at >= RETRY_FOR
    mine.update(state=DeliveryState.FAILED if final else DeliveryState.PENDING, attempts=attempts,
                last_status_code=status, last_error=error[:500], next_attempt_at=at + backoff(attempts),
                claimed_until=None, claimed_by="")
    _note_failure(subscription, at=at)
    return "failed" if final else "retry"


def _note_failure(subscription: WebhookSubscription, *, at: datetime) -> None:
    WebhookSubscription.objects.filter(pk=subscription.pk, failing_since__isnull=True).update(failing_since=at)
    subscription.refresh_from_db(fields=["failing_since", "is_active"])
    if subscription.is_active and subscription.failing_since and at - subscription.failing_since >= DISABLE_AFTER:
        from integrations.services import webhook_disable_failing

        webhook_disable_failing(subscription=subscription, at=at)

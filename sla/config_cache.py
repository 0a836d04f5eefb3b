"""A tenant's SLA configuration (priority matrix, policies' targets, calendars' clocks),
read once per process and kept while the tenant's configuration token is unchanged.

Every write to the configuration (post_save/post_delete of its models, and the services'
bulk writes through `touch`) gives the tenant a new token in the shared cache, at once and
again at commit, so every process reads the new configuration on its next request: a
process that read the old rows under the uncommitted token drops them at commit. Ticket
creation then asks no query of the SLA tables (one cache read instead of three queries).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.cache import cache
from django.db import transaction

_KEY = "sla-config:{}"
_entries: dict[int, tuple[str, dict[str, Any]]] = {}


def _token(tenant_id: int) -> str:
    key = _KEY.format(tenant_id)
    token = cache.get(key)
    if token is None:  # first read, or the cache was emptied: a fresh token, whoever sets it first
        cache.add(key, uuid.uuid4().hex, timeout=None)
        token = cache.get(key) or ""
    return token


def touch(tenant_id: int) -> None:
    """The tenant's SLA configuration changed: now, and again once the change is committed."""

    def bump():
        cache.set(_KEY.format(tenant_id), uuid.uuid4().hex, timeout=None)
        _entries.pop(tenant_id, None)

    bump()
    transaction.on_commit(bump)


def entry(tenant_id: int) -> dict[str, Any]:
    """The tenant's configuration as this process holds it, under the token read now: a
    caller reading several parts of it (ticket creation: the matrix, the targets, the
    clock) passes it to each as `entry=`, for one read of the shared cache instead of one
    per part."""
    return _entry(tenant_id)


def _entry(tenant_id: int) -> dict[str, Any]:
    token = _token(tenant_id)
    held = _entries.get(tenant_id)
    if held is None or held[0] != token or not token:
        if len(_entries) > 1024:
            _entries.clear()
        held = (token, {"targets": {}, "clocks": {}})
        if token:
            _entries[tenant_id] = held
    return held[1]


def priority_matrix(tenant_id: int, *, entry: dict[str, Any] | None = None) -> dict[tuple[str, str], str]:
    from sla.selectors import priority_matrix as read

    if entry is None:
        entry = _entry(tenant_id)
    if "matrix" not in entry:
        entry["matrix"] = read(tenant=tenant_id)
    return entry["matrix"]


def targets(policy, *, entry: dict[str, Any] | None = None) -> list:
    """The policy's targets (as `policy.targets.all()`)."""
    held = (entry if entry is not None else _entry(policy.tenant_id))["targets"]
    if policy.pk not in held:
        held[policy.pk] = list(policy.targets.all())
    return held[policy.pk]


def clock(calendar, *, entry: dict[str, Any] | None = None):
    """The pure versioned clock of a calendar (`sla.selectors.calendar_clock`)."""
    from sla.selectors import calendar_clock

    held = (entry if entry is not None else _entry(calendar.tenant_id))["clocks"]
    if calendar.pk not in held:
        held[calendar.pk] = calendar_clock(calendar)
    return held[calendar.pk]


def policy_clock(tenant_id: int, policy_id: int, *, entry: dict[str, Any] | None = None):
    """The clock of the policy `policy_id`'s calendar, without reading the policy again
    while the tenant's configuration is unchanged (a list of tickets showing their SLA
    badges: the queue, the dashboards)."""
    from sla.models import SlaPolicy

    held = (entry if entry is not None else _entry(tenant_id)).setdefault("policy_clocks", {})
    if policy_id not in held:
        policy = SlaPolicy.objects.select_related("calendar").get(tenant_id=tenant_id, pk=policy_id)
        held[policy_id] = clock(policy.calendar, entry=entry)
    return held[policy_id]


def connect() -> None:
    """Every save or delete of the configuration's rows gives their tenant a new token (a
    calendar's own row holds nothing kept here: the clock is the versions'; a policy's
    calendar is, by `policy_clock`)."""
    from django.db.models.signals import post_delete, post_save

    from sla.models import CalendarVersion, PriorityMatrixCell, SlaPolicy, SlaTarget

    def changed(sender, instance, **kwargs):
        touch(instance.tenant_id)

    for model in (CalendarVersion, PriorityMatrixCell, SlaPolicy, SlaTarget):
        post_save.connect(changed, sender=model, dispatch_uid=f"sla-config-{model.__name__}", weak=False)
        post_delete.connect(changed, sender=model, dispatch_uid=f"sla-config-delete-{model.__name__}", weak=False)

"""Writing the audit log. Services call `audit_log` for every change a user makes."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable
from typing import Any

from django.db import models

from portal.models import AuditEvent
from portal.tenancy import current_ip


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The values of `fields` on `instance`, as JSON-friendly values (FKs by id)."""
    out = {}
    for name in fields:
        field = instance._meta.get_field(name)
        attname = getattr(field, "attname", name)
        out[name] = _jsonable(getattr(instance, attname))
    return out


def changed(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """`{field: [old, new]}` for the fields whose value changed."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def audit_log(
    *,
    tenant,
    actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_ref: str | None = None,
    changes: dict | None = None,
    organization=None,
) -> AuditEvent:
    """Append one event. `action` is `<entity>.<verb>` (e.g. `organization.update`).

    The IP comes from the request being served (None for tasks and commands)."""
    event = audit_event(tenant=tenant, actor=actor, action=action, obj=obj, object_type=object_type,
                        object_ref=object_ref, changes=changes, organization=organization)
    event.save(force_insert=True)
    return event


def audit_event(
    *,
    tenant,
    actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_ref: str | None = None,
    changes: dict | None = None,
    organization=None,
) -> AuditEvent:
    """The event `audit_log` appends, built but not saved: a service that writes many
    rows at once (the monthly run's batches) appends theirs with `audit_log_many`."""
    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_ref = object_ref or str(getattr(obj, "reference", None) or obj.pk)
    return AuditEvent(
        tenant=tenant,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=(getattr(actor, "email", "") or "system") if actor is not None else "system",
        action=action,
        object_type=object_type or "",
        object_ref=object_ref or "",
        organization=organization,
        changes=_jsonable(changes or {}),
        ip_address=current_ip.get(),
    )


def audit_log_many(events: list[AuditEvent]) -> list[AuditEvent]:
    """Append events built by `audit_event`, in one statement."""
    return AuditEvent.objects.bulk_create(events) if events else []

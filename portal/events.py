"""Business events announced to the world outside (webhooks): the hook the lower apps call.

A service that changes something announces it with `emit(tenant_id=…, event_type=…,
payload=…)` inside its own transaction, like it writes its e-mails to the outbox: the
listeners registered with `@event_sink` (the top app `integrations` stores one event row
and one delivery per matching webhook subscription) write their rows in that same
transaction, so an event is recorded if and only if the change commits. Nothing is sent
in the request: the deliveries are made by a worker after the commit.

The foundation knows no listener: without one (an app not installed) `emit` does nothing.
The payload is a small JSON object of the moment (references, statuses, amounts as
strings), built by the emitter; it must not hold personal data beyond what the tenant
already sees.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from django.utils.translation import gettext_lazy as _

# Every event type the portal announces, with its label (the subscription form, the API's enum).
EVENT_TYPES: dict[str, str] = {
    "ticket.created": _("Ticket created"),
    "ticket.updated": _("Ticket updated"),
    "ticket.resolved": _("Ticket resolved"),
    "sla.warning": _("SLA warning"),
    "sla.breach": _("SLA breach"),
    "contract.activated": _("Contract activated"),
    "contract.renewal_due": _("Contract renewal due"),
    "contract.terminated": _("Contract terminated"),
    "invoice.issued": _("Invoice issued"),
    "invoice.paid": _("Invoice paid"),
    "invoice.overdue": _("Invoice overdue"),
}

class Event(NamedTuple):
    tenant_id: int
    event_type: str
    payload: dict


EventSink = Callable[[list[Event]], None]
_SINKS: list[EventSink] = []


def event_sink(fn: EventSink) -> EventSink:
    """Register a listener `fn(events)` (an app's ready()); it gets the events in batches."""
    if fn not in _SINKS:
        _SINKS.append(fn)
    return fn


def emit_many(events: list[Event]) -> None:
    """Announce several events at once (the SLA scan: a few queries for the whole batch,
    not per event), in the caller's transaction."""
    unknown = {e.event_type for e in events} - set(EVENT_TYPES)
    if unknown:
        raise LookupError(f"unknown event types {sorted(unknown)}: add them to portal.events.EVENT_TYPES")
    if events:
        for sink in _SINKS:
            sink(events)


def emit(*, tenant_id: int, event_type: str, payload: dict) -> None:
    """Announce `event_type` in the caller's transaction (call it inside it)."""
    emit_many([Event(tenant_id, event_type, payload)])

"""The bridge between tickets and the pure SLA state (`sla.state`).

`ticket_sla_evaluate` maps a ticket's history rows to `sla.state.Event`s and evaluates
them; `ticket_sla_refresh` writes the result into the ticket's cache columns (queue
order, scan index). `sla_scan` is the periodic pass: one indexed query picks the tickets
whose next check is due, each is re-evaluated, and warnings and breaches are recorded as
`SlaEvent` rows keyed (ticket, metric, kind, target version), so nothing is recorded or
notified twice however often or concurrently it runs (SLA.md R15).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from django.db import connection, transaction

from sla import state as sla_state
from sla.models import SlaPolicy
from sla.selectors import calendar_clock
from tickets.models import SlaEvent, Ticket, TicketEvent, TicketEventKind, TicketStatus

_clock_cache: dict[tuple[int, Any], Any] = {}


def _clock(policy):
    """The versioned clock of a policy's calendar, cached by the calendar's last version
    (a new version changes the key, so an edit is seen at once)."""
    versions = list(policy.calendar.versions.all())
    key = (policy.calendar_id, tuple((v.pk, v.effective_from) for v in versions))
    clock = _clock_cache.get(key)
    if clock is None:
        if len(_clock_cache) > 256:
            _clock_cache.clear()
        clock = _clock_cache[key] = calendar_clock(policy.calendar)
    return clock


class EventRow(NamedTuple):
    """The columns of a `TicketEvent` the clock reads (the scan's rows)."""

    pk: int
    kind: str
    at: datetime
    from_value: str
    to_value: str
    response_minutes: int | None
    resolution_minutes: int | None


def state_events(ticket: Ticket, rows: Iterable[TicketEvent | EventRow]) -> list[sla_state.Event]:
    """The ticket's history as the pure module's events, in time order."""
    out: list[sla_state.Event] = []
    for row in sorted(rows, key=lambda r: (r.at, r.pk or 0)):
        if row.kind == TicketEventKind.CREATED:
            out.append(sla_state.Event(at=row.at, kind="created", response_minutes=row.response_minutes,
                                       resolution_minutes=row.resolution_minutes))
        elif row.kind == TicketEventKind.PRIORITY:
            out.append(sla_state.Event(at=row.at, kind="target_changed", response_minutes=row.response_minutes,
                                       resolution_minutes=row.resolution_minutes))
        elif row.kind == TicketEventKind.RESPONDED:
            out.append(sla_state.Event(at=row.at, kind="responded"))
        elif row.kind == TicketEventKind.STATUS:
            old, new = row.from_value, row.to_value
            if old == TicketStatus.WAITING_ON_CLIENT and new != TicketStatus.WAITING_ON_CLIENT:
                out.append(sla_state.Event(at=row.at, kind="resumed"))
            if new == TicketStatus.WAITING_ON_CLIENT:
                out.append(sla_state.Event(at=row.at, kind="paused"))
            elif new == TicketStatus.RESOLVED:
                out.append(sla_state.Event(at=row.at, kind="resolved"))
            elif new == TicketStatus.CLOSED:
                out.append(sla_state.Event(at=row.at, kind="closed"))
            elif old == TicketStatus.RESOLVED and new == TicketStatus.IN_PROGRESS:
                out.append(sla_state.Event(at=row.at, kind="reopened"))
    return out


def ticket_sla_evaluate(ticket: Ticket, *, now: datetime, events: Sequence[TicketEvent] | None = None,
                        clock=None):
    """The ticket's `sla.state.TicketSla` at `now`, or None without an SLA policy."""
    policy = ticket.sla_policy
    if policy is None:
        return None
    rows = list(events) if events is not None else list(ticket.events.all())
    return sla_state.evaluate(calendar=clock or _clock(policy), events=state_events(ticket, rows), now=now,
                              warning_percent=policy.warning_percent)


def _metric_json(metric) -> dict | None:
    if metric is None:
        return None
    iso = lambda d: d.isoformat() if d else None  # noqa: E731
    return {
        "target_minutes": metric.target_minutes, "target_version": metric.target_version, "state": metric.state,
        "breached": metric.breached, "deadline": iso(metric.deadline), "warning_at": iso(metric.warning_at),
        "breached_at": iso(metric.breached_at), "completed_at": iso(metric.completed_at),
        "elapsed_business_minutes": metric.elapsed_business_minutes,
        "remaining_business_minutes": metric.remaining_business_minutes,
    }


def apply_sla(ticket: Ticket, result) -> list[str]:
    """Copy an evaluation into the ticket's cache columns; returns the changed fields."""
    if result is None:
        values: dict[str, Any] = {"response_deadline": None, "resolution_deadline": None, "sla_due_at": None,
                                  "sla_breached": False, "sla_paused": False, "sla_warning": False,
                                  "sla_next_check_at": None, "sla_state": {}}
    else:
        metrics = [m for m in (result.response, result.resolution) if m is not None]
        running = [m.deadline for m in metrics if m.state == "running" and m.deadline is not None]
        values = {
            "response_deadline": result.response.deadline if result.response else None,
            "resolution_deadline": result.resolution.deadline if result.resolution else None,
            "sla_due_at": min(running) if running else None,
            "sla_breached": any(m.breached for m in metrics),
            "sla_paused": result.paused,
            "sla_warning": any(m.warning_due for m in metrics),
            "sla_next_check_at": result.next_due_at,
            "sla_state": {"response": _metric_json(result.response), "resolution": _metric_json(result.resolution),
                          "paused": result.paused},
        }
    changed = [k for k, v in values.items() if getattr(ticket, k) != v]
    for k, v in values.items():
        setattr(ticket, k, v)
    return changed


def ticket_sla_refresh(ticket: Ticket, *, now: datetime, save: bool = True) -> Any:
    """Re-evaluate from the history and store the cache; records due warnings and
    breaches. Returns the evaluation."""
    result = ticket_sla_evaluate(ticket, now=now)
    changed = apply_sla(ticket, result)
    if save and changed:
        Ticket.objects.filter(pk=ticket.pk, tenant_id=ticket.tenant_id).update(
            **{k: getattr(ticket, k) for k in changed})
    if result is not None:
        record_sla_events(ticket, result)
    return result


def tickets_follow_calendar(sender, *, tenant_id: int, calendar_id: int, **kwargs) -> None:
    """Receiver of `sla.signals.calendar_changed` (connected in `TicketsConfig.ready`):
    once the edit commits, re-evaluate in the background the open tickets whose policy
    uses the calendar, so their deadlines follow the new hours (SLA.md R16)."""
    from portal.celery import enqueue_on_commit
    from tickets.tasks import tickets_recompute_for_calendar_task

    enqueue_on_commit(tickets_recompute_for_calendar_task, tenant_id, calendar_id)


def _wanted_events(result) -> list[tuple[str, str, int, datetime]]:
    """(metric, kind, target version, at) of the warnings and breaches due in `result`."""
    wanted = []
    for metric in (result.response, result.resolution):
        if metric is None:
            continue
        if metric.breached and metric.breached_at is not None:
            wanted.append((metric.metric, "breach", metric.target_version, metric.breached_at))
        elif metric.warning_due and metric.warning_at is not None:
            wanted.append((metric.metric, "warning", metric.target_version, metric.warning_at))
    return wanted


def _record(rows: list[tuple[Ticket, tuple[str, str, int, datetime]]]) -> list[SlaEvent]:
    """Insert the events that do not exist yet, in bulk, and write their e-mails to the
    outbox in the same transaction (so a recorded breach is never left unannounced).

    Existing keys are read first (one query) so that the normal case inserts only new
    rows; a concurrent scan that inserted the same keys meanwhile is absorbed by
    ignore_conflicts, and the e-mails are keyed by the event's natural key in the
    outbox, so nobody is notified twice either way."""
    if not rows:
        return []
    ticket_ids = {t.pk for t, _ in rows}
    existing = set(SlaEvent.objects.filter(ticket_id__in=ticket_ids).values_list(
        "ticket_id", "metric", "kind", "target_version"))
    new = [SlaEvent(tenant_id=t.tenant_id, ticket=t, metric=m, kind=k, target_version=v, at=at)
           for t, (m, k, v, at) in rows if (t.pk, m, k, v) not in existing]
    if not new:
        return []
    SlaEvent.objects.bulk_create(new, ignore_conflicts=True, batch_size=1000)
    from tickets.notifications import sla_events_notify

    sla_events_notify(new)
    from portal.events import Event, emit_many

    emit_many([Event(e.tenant_id, f"sla.{e.kind}", {
        "ticket": {"reference": e.ticket.reference, "title": e.ticket.title, "status": e.ticket.status,
                   "priority": e.ticket.priority},
        "metric": e.metric, "at": e.at.isoformat()}) for e in new])
    return new


def record_sla_events(ticket: Ticket, result) -> list[SlaEvent]:
    """Record the warnings and breaches due in `result`; each once per key (R12, R15).
    Returns the rows created now (the ones to notify)."""
    return _record([(ticket, w) for w in _wanted_events(result)])


def sla_scan(*, now: datetime, batch: int = 5000) -> int:
    """One pass of the periodic scan: every ticket whose next check is due (one indexed
    query, across tenants), re-evaluated with its history fetched in one more query,
    then written back with bulk statements — a handful of queries per pass.

    The due rows are locked for the pass (FOR UPDATE SKIP LOCKED): a service changing a
    ticket waits for the pass instead of racing it (so a stale evaluation can never be
    written or record a wrong breach), and two concurrent scans share the work instead
    of doing it twice. Returns the number of tickets evaluated."""
    with transaction.atomic():
        due = list(
            Ticket.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(sla_next_check_at__lte=now)
            .order_by("sla_next_check_at")[:batch]
        )
        # Their few policies (with calendars) once each, not once per ticket: the clock of
        # each policy is built once below.
        policies = SlaPolicy.objects.select_related("calendar").in_bulk(
            {t.sla_policy_id for t in due if t.sla_policy_id is not None})
        for ticket in due:
            if ticket.sla_policy_id is not None:
                ticket.sla_policy = policies[ticket.sla_policy_id]
        # The history of all of them in one query, as plain tuples: the clock reads six
        # columns, and building thousands of model instances cost a third of a pass.
        history: dict[int, list[EventRow]] = {t.pk: [] for t in due}
        for ticket_id, *values in (
            TicketEvent.objects.filter(ticket_id__in=list(history)).order_by("at", "id")
            .values_list("ticket_id", *EventRow._fields).iterator(chunk_size=5000)
        ):
            history[ticket_id].append(EventRow(*values))
        clocks: dict[int, Any] = {}
        changed_rows: list[Ticket] = []
        wanted: list[tuple[Ticket, tuple[str, str, int, datetime]]] = []
        for ticket in due:
            clock = None
            if ticket.sla_policy_id is not None:
                clock = clocks.get(ticket.sla_policy_id)
                if clock is None:
                    clock = clocks[ticket.sla_policy_id] = _clock(ticket.sla_policy)
            result = ticket_sla_evaluate(ticket, now=now, events=history[ticket.pk], clock=clock)
            if apply_sla(ticket, result):
                changed_rows.append(ticket)
            if result is not None:
                wanted.extend((ticket, w) for w in _wanted_events(result))
        _write_cache(changed_rows)
        _record(wanted)
    return len(due)


CACHE_COLUMNS = ("response_deadline", "resolution_deadline", "sla_due_at", "sla_breached", "sla_paused",
                 "sla_warning", "sla_next_check_at", "sla_state")


def _write_cache(tickets: list[Ticket]) -> None:
    """Write the SLA cache columns of many tickets. On PostgreSQL one
    `UPDATE … FROM (VALUES …)` per 1,000 rows (Django's bulk_update builds a CASE per
    column and row, which measured ~0.3 ms a row); elsewhere bulk_update."""
    if not tickets:
        return
    if connection.vendor != "postgresql":
        Ticket.objects.bulk_update(tickets, list(CACHE_COLUMNS), batch_size=500)
        return
    sql_types = ("timestamptz", "timestamptz", "timestamptz", "boolean", "boolean", "boolean", "timestamptz", "jsonb")
    columns = ", ".join(f"{c} = v.{c}" for c in CACHE_COLUMNS)
    casts = ", ".join(f"%s::{t}" for t in ("bigint", *sql_types))
    with connection.cursor() as cursor:
        for start in range(0, len(tickets), 1000):
            chunk = tickets[start:start + 1000]
            values = ", ".join(f"({casts})" for _ in chunk)
            params: list[Any] = []
            for t in chunk:
                params.append(t.pk)
                params.extend(getattr(t, c) for c in CACHE_COLUMNS[:-1])
                params.append(json.dumps(t.sla_state))
            cursor.execute(
                f"UPDATE tickets_ticket AS t SET {columns}, updated_at = now() "  # noqa: S608 — fixed column names
                f"FROM (VALUES {values}) AS v(id, {', '.join(CACHE_COLUMNS)}) WHERE t.id = v.id",
                params,
            )

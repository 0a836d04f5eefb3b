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

from portal.bulk import ids_in, pg_array
from sla import config_cache
from sla import state as sla_state
from sla.models import SlaPolicy
from sla.selectors import calendar_clock
from tickets.models import SlaEvent, Ticket, TicketEvent, TicketEventKind, TicketStatus
from tickets.notifications import SlaEventKey

# The tenant's SLA configuration read once per process (sla.config_cache; tests clear it).
_clock_cache: dict[Any, Any] = config_cache._entries


def _clock(policy, config=None):
    """The versioned clock of a policy's calendar. With the calendar's versions in hand
    (prefetched: the ticket page), cached by those versions; else kept while the tenant's
    SLA configuration is unchanged (sla.config_cache: a new calendar version gives it a
    new token, so an edit is seen at once) without reading the versions."""
    calendar = policy.calendar
    if "versions" not in getattr(calendar, "_prefetched_objects_cache", {}):
        return config_cache.clock(calendar, entry=config)
    key = (policy.calendar_id, tuple((v.pk, v.effective_from) for v in calendar.versions.all()))
    by_versions = _clock_cache.setdefault("by-versions", {})
    clock = by_versions.get(key)
    if clock is None:
        if len(by_versions) > 256:
            by_versions.clear()
        clock = by_versions[key] = calendar_clock(calendar)
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
                        clock=None, config=None):
    """The ticket's `sla.state.TicketSla` at `now`, or None without an SLA policy.
    `config`: the tenant's `sla.config_cache.entry`, when the caller holds it."""
    policy = ticket.sla_policy
    if policy is None:
        return None
    rows = list(events) if events is not None else list(ticket.events.all())
    return sla_state.evaluate(calendar=clock or _clock(policy, config), events=state_events(ticket, rows), now=now,
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
    values = cache_values(result)
    changed = [k for k, v in values.items() if getattr(ticket, k) != v]
    for k, v in values.items():
        setattr(ticket, k, v)
    return changed


def cache_values(result) -> dict[str, Any]:
    """The cache columns (CACHE_COLUMNS) an evaluation gives."""
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
    return values


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


class TicketFacts(NamedTuple):
    """What recording a ticket's SLA events reads of it (the webhook payload's fields)."""

    pk: int
    tenant_id: int
    reference: str
    title: str
    status: str
    priority: str


def _facts(ticket: Ticket) -> TicketFacts:
    return TicketFacts(ticket.pk, ticket.tenant_id, ticket.reference, ticket.title, ticket.status, ticket.priority)


def _record(rows: list[tuple[TicketFacts, tuple[str, str, int, datetime]]], *,
            existing: set | None = None) -> list[SlaEventKey]:
    """Insert the events that do not exist yet, in bulk, and write their e-mails to the
    outbox and their webhook events in the same transaction (so a recorded breach is
    never left unannounced).

    Existing keys are read first (one query) so that the normal case inserts only new
    rows; a concurrent scan that inserted the same keys meanwhile is absorbed by the
    insert (ON CONFLICT DO NOTHING), and only the rows it inserted are announced (on
    PostgreSQL; elsewhere the e-mails are keyed by the event's natural key in the
    outbox), so nobody is notified twice either way. Plain values throughout: a first
    pass of the scan records thousands (one INSERT per table, no instance per row)."""
    if not rows:
        return []
    if existing is None:  # the keys already recorded (the scan reads them itself)
        existing = _existing_events({t.pk for t, _ in rows})
    new = {(t.pk, m, k, v): (t, at) for t, (m, k, v, at) in rows if (t.pk, m, k, v) not in existing}
    if not new:
        return []
    from portal.bulk import insert_values

    inserted = insert_values(
        SlaEvent, ("tenant_id", "ticket_id", "metric", "kind", "target_version", "at"),
        [(t.tenant_id, pk, m, k, v, at) for (pk, m, k, v), (t, at) in new.items()],
        ignore_conflicts=True, returning=("ticket_id", "metric", "kind", "target_version"))
    inserted_keys = set(inserted)
    recorded = [SlaEventKey(t.tenant_id, *key) for key, (t, _at) in new.items() if key in inserted_keys]
    from tickets.notifications import sla_events_notify

    sla_events_notify(recorded)
    from portal.events import Event, emit_many

    emit_many([Event(t.tenant_id, f"sla.{k}", {
        "ticket": {"reference": t.reference, "title": t.title, "status": t.status, "priority": t.priority},
        "metric": m, "at": at.isoformat()}) for (_pk, m, k, _v), (t, at) in new.items() if (_pk, m, k, _v)
        in inserted_keys])
    return recorded


def _existing_events(ticket_ids) -> set[tuple[int, str, str, int]]:
    return set(SlaEvent.objects.filter(**ids_in("ticket_id", ticket_ids)).values_list(
        "ticket_id", "metric", "kind", "target_version"))


def record_sla_events(ticket: Ticket, result) -> list[SlaEventKey]:
    """Record the warnings and breaches due in `result`; each once per key (R12, R15).
    Returns the keys of the rows created now (the ones notified)."""
    return _record([(_facts(ticket), w) for w in _wanted_events(result)])


def sla_scan(*, now: datetime, batch: int = 5000) -> int:
    """One pass of the periodic scan: every ticket whose next check is due (one indexed
    query, across tenants), re-evaluated with its history fetched in one more query,
    then written back with bulk statements — a handful of queries per pass.

    The due rows are locked for the pass (FOR UPDATE SKIP LOCKED): a service changing a
    ticket waits for the pass instead of racing it (so a stale evaluation can never be
    written or record a wrong breach), and two concurrent scans share the work instead
    of doing it twice. Returns the number of tickets evaluated."""
    with transaction.atomic():
        # Plain rows, no model instances: the clock reads the policy and the history, the
        # cache columns are compared and written back in bulk.
        due = list(
            Ticket.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(sla_next_check_at__lte=now)
            .order_by("sla_next_check_at")
            .values_list(*SCAN_COLUMNS)[:batch]
        )
        # Their few policies (with calendars) once each, not once per ticket: the clock of
        # each policy is built once below.
        policies = SlaPolicy.objects.select_related("calendar").in_bulk(
            {row[2] for row in due if row[2] is not None})
        # The history of all of them in one query, as plain tuples: the clock reads six
        # columns, and building thousands of model instances cost a third of a pass.
        history: dict[int, list[EventRow]] = {row[0]: [] for row in due}
        for ticket_id, *values in (
            TicketEvent.objects.filter(**ids_in("ticket_id", history)).order_by("at", "id")
            .values_list("ticket_id", *EventRow._fields).iterator(chunk_size=5000)
        ):
            history[ticket_id].append(EventRow(*values))
        clocks: dict[int, Any] = {}
        changed_rows: list[tuple[int, dict[str, Any]]] = []
        wanted: list[tuple[tuple, tuple[str, str, int, datetime]]] = []
        for row in due:
            pk, policy_id = row[0], row[2]
            result = None
            if policy_id is not None:
                policy = policies[policy_id]
                clock = clocks.get(policy_id)
                if clock is None:
                    clock = clocks[policy_id] = _clock(policy)
                result = sla_state.evaluate(calendar=clock, events=state_events(None, history[pk]), now=now,
                                            warning_percent=policy.warning_percent)
            values = cache_values(result)
            if any(current != values[name] for name, current in zip(CACHE_COLUMNS, row[-len(CACHE_COLUMNS):],
                                                                    strict=True)):
                changed_rows.append((pk, values))
            if result is not None:
                wanted.extend((row, w) for w in _wanted_events(result))
        _write_cache_values(changed_rows)
        if wanted:
            # The warnings and breaches not recorded yet are recorded, e-mailed and announced.
            existing = _existing_events({row[0] for row, _w in wanted})
            fresh = [(row, w) for row, w in wanted if (row[0], w[0], w[1], w[2]) not in existing]
            if fresh:
                _record([(TicketFacts(*row[:2], *row[3:7]), w) for row, w in fresh], existing=existing)
    return len(due)


CACHE_COLUMNS = ("response_deadline", "resolution_deadline", "sla_due_at", "sla_breached", "sla_paused",
                 "sla_warning", "sla_next_check_at", "sla_state")
# What the scan reads of a due ticket: the cache columns last (compared with the new ones).
SCAN_COLUMNS = ("id", "tenant_id", "sla_policy_id", "reference", "title", "status", "priority", *CACHE_COLUMNS)


def _write_cache(tickets: list[Ticket]) -> None:
    """Write the SLA cache columns of many tickets (their values as set on them)."""
    _write_cache_values([(t.pk, {c: getattr(t, c) for c in CACHE_COLUMNS}) for t in tickets])


def _write_cache_values(rows: list[tuple[int, dict[str, Any]]]) -> None:
    """Write the SLA cache columns of many tickets, given as (pk, {column: value}). On
    PostgreSQL one `UPDATE … FROM (VALUES …)` per 1,000 rows (Django's bulk_update
    builds a CASE per column and row, which measured ~0.3 ms a row); elsewhere
    bulk_update."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        tickets = []
        for pk, values in rows:
            ticket = Ticket(pk=pk)
            for name, value in values.items():
                setattr(ticket, name, value)
            tickets.append(ticket)
        Ticket.objects.bulk_update(tickets, list(CACHE_COLUMNS), batch_size=500)
        return
    # One statement, one array per column (unnest): the values are not spelled out one
    # parameter per cell.
    sql_types = ("timestamptz", "timestamptz", "timestamptz", "boolean", "boolean", "boolean", "timestamptz", "jsonb")
    columns = ", ".join(f"{c} = v.{c}" for c in CACHE_COLUMNS)
    arrays = ", ".join(f"%s::{t}[]" for t in ("bigint", *sql_types))
    # Each array as one literal (pg_array): a list parameter would be planned element by element.
    params: list[str] = [pg_array(pk for pk, _values in rows)]
    for name in CACHE_COLUMNS[:-1]:
        params.append(pg_array(values[name] for _pk, values in rows))
    params.append(pg_array(json.dumps(values["sla_state"]) for _pk, values in rows))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE tickets_ticket AS t SET {columns}, updated_at = now() "  # noqa: S608 — fixed column names
            f"FROM unnest({arrays}) AS v(id, {', '.join(CACHE_COLUMNS)}) WHERE t.id = v.id",
            params,
        )

"""A ticket's SLA state, recomputed from its history (SLA.md R7–R15). Pure Python.

No Django, no clock of its own: the caller passes the ticket's events and ``now``.
Nothing is kept as a drifting counter; every field is derived again from the history
with :mod:`sla.clock`.

Public face::

    from sla.state import Event, evaluate, explain

    events = [
        Event(at=t0, kind="created", response_minutes=240, resolution_minutes=1440),
        Event(at=t1, kind="paused"),        # status became waiting_on_client
        Event(at=t2, kind="resumed"),       # status left waiting_on_client
        Event(at=t3, kind="responded"),     # first client-visible provider reply, or "take charge"
        Event(at=t4, kind="target_changed", response_minutes=60, resolution_minutes=480),
        Event(at=t5, kind="resolved"),
        Event(at=t6, kind="reopened"),
        Event(at=t7, kind="closed"),
    ]
    sla = evaluate(calendar=cal, events=events, now=now, warning_percent=80)   # -> TicketSla
    sla.response / sla.resolution      # MetricState, or None when the metric has no SLA
    sla.next_due_at                    # when the scan should look at this ticket again (R15)
    explain(calendar=cal, events=events, now=now, metric="resolution")   # -> timeline segments

Events (:class:`Event`) — the caller maps its own records to these kinds:

``created``
    First event, exactly once.  Carries the initial ``response_minutes`` and
    ``resolution_minutes`` (``None`` = "No SLA" for that metric, never 0).
``paused`` / ``resumed``
    The status entered / left *waiting on client* (R7).  Both metrics pause.
``responded``
    The first client-visible reply by a provider user or an explicit *take charge*
    (R8).  Only the first one counts; the caller must not send internal notes,
    automatic messages or client messages.
``resolved`` / ``reopened``
    R9, R11.  Resolving also completes a response metric still running (R9).  The span
    ``[resolved, reopened)`` is a pause of the resolution clock; the response metric is
    not re-armed.
``closed``
    Final (R11): any open pause ends, any running metric completes at that instant, and
    every later event is ignored.
``target_changed``
    A priority (or policy) change: carries the complete new pair of targets, ``None`` =
    no SLA.  R10: each metric is recomputed from the original start with the new
    target, keeping elapsed time and past pauses.

Redundant events are tolerated and ignored (a second ``responded``, ``paused`` while
paused, ``resumed`` while running, ``reopened`` while not resolved, ``paused`` while
resolved, anything after ``closed``) so that a service may record every status change
without filtering.  Structural errors raise ``ValueError``: events out of time order, a
naive datetime, a first event that is not ``created`` or a second ``created``, an unknown
kind, a negative or non-integer target, targets on other kinds, ``now`` before the last
event, a warning percent outside 0..100.

Semantics (R7–R13), as implemented:

* Deadline of a target version = ``calendar.deadline(start, N, pauses)`` from the ticket's
  creation, with every pause of that metric (waiting on client, and for the resolution
  the resolved→reopened gaps).  An open pause makes it unknown: ``deadline`` is ``None``
  while paused and remaining time is frozen.
* Breach (R8–R10): a version breaches when its deadline is passed while it is in force:
  ``deadline < min(next version's instant, completion or now)``.  ``breached_at`` is that
  deadline, never the evaluation time (R15); the first breach sticks for ever, whatever
  later versions say.  So a new deadline already in the past at a priority change is a
  breach at once, with ``breached_at`` = the recomputed deadline.  A response or
  resolution exactly on the deadline is met.
* A target change after the metric completed is kept in the versions with
  ``applied=False`` and does not judge it; for the resolution it takes effect if the
  ticket is reopened.  ``target_version`` (1-based, per metric) counts only real changes
  of that metric's target, so the worker's key (ticket, metric, kind, version) fires a
  warning again only when the target really changed (R12, R15).
* Warning (R12): ``warning_at`` is the first instant with counted >= floor(60·N·pct/100);
  ``warning_due`` is true when it has been reached, the metric is running (never while
  paused) and not breached (never after a breach).  The worker sends it once per
  (ticket, metric, target version).
* Precision (R13): ``elapsed = floor(counted / 60)``, ``remaining = floor((60·N − counted) /
  60)``, with counted exact to the microsecond.  ``remaining < 0`` implies ``breached``.
  The converse has two documented exceptions: (1) between a deadline on a closing instant
  and the next business instant the metric is already breached (the deadline has passed,
  R8/R9) but no business time has been counted past the target, so ``remaining`` is 0;
  (2) after a breach, a lowered target may leave remaining time positive — the breach
  is sticky (R10).
* "No SLA": a metric whose target is ``None`` (and that never breached) is ``None`` in
  :class:`TicketSla`.  If the target is removed after a breach, the metric stays with
  ``target_minutes=None``, ``breached=True`` and no deadline or remaining time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Literal

from sla.clock import BusinessCalendar, PauseSet, VersionedCalendar

__all__ = [
    "EVENT_KINDS",
    "METRICS",
    "RESOLUTION",
    "RESPONSE",
    "Event",
    "MetricState",
    "TargetChange",
    "TargetVersion",
    "TicketSla",
    "TimelineSegment",
    "evaluate",
    "explain",
]

RESPONSE = "response"
RESOLUTION = "resolution"
METRICS: tuple[str, str] = (RESPONSE, RESOLUTION)

CREATED, PAUSED, RESUMED, RESPONDED = "created", "paused", "resumed", "responded"
RESOLVED, REOPENED, CLOSED, TARGET_CHANGED = "resolved", "reopened", "closed", "target_changed"
EVENT_KINDS: frozenset[str] = frozenset(
    {CREATED, PAUSED, RESUMED, RESPONDED, RESOLVED, REOPENED, CLOSED, TARGET_CHANGED}
)

MetricName = Literal["response", "resolution"]
MetricStatus = Literal["running", "paused", "completed"]
SegmentKind = Literal["running", "outside_hours", "paused", "breached"]
Clock = BusinessCalendar | VersionedCalendar

_ONE_US = timedelta(microseconds=1)
_MIN_US = 60_000_000


def _check_aware(value: object, what: str) -> None:
    if not isinstance(value, datetime):
        raise ValueError(f"{what} must be an aware datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got naive datetime {value.isoformat()}")


def _check_target(value: object, what: str) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{what} must be a whole number of minutes or None (no SLA), got {value!r}")
    if value < 0:
        raise ValueError(f"{what} must be >= 0 (negative target {value}); use None for no SLA")


# --------------------------------------------------------------------------- data


@dataclass(frozen=True, slots=True)
class Event:
    """One fact of a ticket's history (see the module docstring for the kinds)."""

    at: datetime
    kind: str
    response_minutes: int | None = None
    resolution_minutes: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in EVENT_KINDS:
            raise ValueError(
                f"unknown event kind {self.kind!r} (expected one of {', '.join(sorted(EVENT_KINDS))})"
            )
        _check_aware(self.at, f"{self.kind} event 'at'")
        if self.kind in (CREATED, TARGET_CHANGED):
            _check_target(self.response_minutes, "response_minutes")
            _check_target(self.resolution_minutes, "resolution_minutes")
        elif self.response_minutes is not None or self.resolution_minutes is not None:
            raise ValueError(f"a {self.kind} event carries no targets (only created and target_changed do)")


@dataclass(frozen=True, slots=True)
class TargetChange:
    """Ticket-level history of targets: each ``created`` / ``target_changed`` event."""

    at: datetime
    response_minutes: int | None
    resolution_minutes: int | None


@dataclass(frozen=True, slots=True)
class TargetVersion:
    """One target of one metric and what it gave (R10: history keeps each target)."""

    number: int  # 1-based per metric; increments only when this metric's target changes
    effective_at: datetime
    target_minutes: int | None
    applied: bool  # False: set after the metric had completed for good, so it judged nothing
    deadline: datetime | None  # recomputed from the original start; None if no target or paused
    warning_at: datetime | None
    breached_at: datetime | None  # set on the version under which the metric breached


@dataclass(frozen=True, slots=True)
class MetricState:
    """What the API shows for one metric (R14), plus what the worker needs (R12, R15)."""

    metric: str  # "response" | "resolution"
    target_minutes: int | None  # the target in force (None only after a sticky breach)
    target_version: int  # number of the TargetVersion in force
    state: str  # "running" | "paused" | "completed"
    breached: bool  # sticky
    deadline: datetime | None  # None while paused (R7)
    warning_at: datetime | None
    warning_due: bool  # warning reached, running, not breached: send once per target_version
    breached_at: datetime | None
    completed_at: datetime | None
    elapsed_business_seconds: int
    elapsed_business_minutes: int
    remaining_business_minutes: int | None  # signed, floor division (R13)
    versions: tuple[TargetVersion, ...]

    @property
    def met(self) -> bool | None:
        """True/False once completed (met iff not breached), None while still open."""
        return None if self.state != "completed" else not self.breached


@dataclass(frozen=True, slots=True)
class TicketSla:
    """The SLA state of a ticket at ``evaluated_at``."""

    response: MetricState | None
    resolution: MetricState | None
    next_due_at: datetime | None  # earliest future warning/deadline of a running metric (R15)
    target_history: tuple[TargetChange, ...]
    paused: bool  # waiting on client at evaluated_at
    closed: bool
    evaluated_at: datetime

    def metric(self, name: str) -> MetricState | None:
        if name == RESPONSE:
            return self.response
        if name == RESOLUTION:
            return self.resolution
        raise ValueError(f"unknown metric {name!r} (expected 'response' or 'resolution')")


@dataclass(frozen=True, slots=True)
class TimelineSegment:
    """A piece of a metric's timeline (see :func:`explain`)."""

    start: datetime
    end: datetime
    kind: str  # "running" | "outside_hours" | "paused" | "breached"
    projected: bool  # after now: where the deadline will be if nothing else happens
    counted_seconds: int  # business seconds counted in this segment (telescoping floors)
    cumulative_seconds: int  # counted since the start, at the end of this segment

    @property
    def cumulative_minutes(self) -> int:
        return self.cumulative_seconds // 60

    @property
    def counted_minutes(self) -> int:
        """Minutes counted here; the segments' minutes add up to the elapsed minutes."""
        return self.cumulative_seconds // 60 - (self.cumulative_seconds - self.counted_seconds) // 60


# --------------------------------------------------------------------------- history


class _Version:
    __slots__ = ("at", "target", "number", "applied")

    def __init__(self, at: datetime, target: int | None, number: int, applied: bool) -> None:
        self.at = at
        self.target = target
        self.number = number
        self.applied = applied


class _MetricInput:
    """What the history says about one metric, before any clock arithmetic."""

    __slots__ = ("name", "versions", "pauses", "completed_at", "paused_since")

    def __init__(self, name: str) -> None:
        self.name = name
        self.versions: list[_Version] = []
        self.pauses: PauseSet = PauseSet()
        self.completed_at: datetime | None = None
        self.paused_since: datetime | None = None


class _History:
    __slots__ = ("start", "metrics", "target_history", "paused", "closed")

    def __init__(self) -> None:
        self.start: datetime
        self.metrics: dict[str, _MetricInput] = {}
        self.target_history: list[TargetChange] = []
        self.paused = False
        self.closed = False


def _add_version(metric: _MetricInput, at: datetime, target: int | None, applied: bool) -> None:
    if metric.versions and metric.versions[-1].target == target:
        return  # unchanged target: not a new version
    metric.versions.append(_Version(at, target, len(metric.versions) + 1, applied))


def _derive(events: Sequence[Event], now: datetime) -> _History:
    """Validate the history and reduce it to per-metric versions, pauses and completion."""
    _check_aware(now, "now")
    if not events:
        raise ValueError("a ticket's history needs at least its 'created' event")
    for index, event in enumerate(events):
        if not isinstance(event, Event):
            raise ValueError(f"event #{index} must be an sla.state.Event, got {type(event).__name__}")
        if index and event.at < events[index - 1].at:
            raise ValueError(
                f"events must be in time order: #{index} ({event.kind} at {event.at.isoformat()}) is before"
                f" #{index - 1} ({events[index - 1].kind} at {events[index - 1].at.isoformat()})"
            )
        if (event.kind == CREATED) != (index == 0):
            raise ValueError(
                "the first event must be 'created'"
                if index == 0
                else f"event #{index}: a ticket is created only once"
            )
    if now < events[-1].at:
        raise ValueError(f"now ({now.isoformat()}) is before the last event ({events[-1].at.isoformat()})")

    history = _History()
    created = events[0]
    history.start = created.at
    response, resolution = _MetricInput(RESPONSE), _MetricInput(RESOLUTION)
    history.metrics = {RESPONSE: response, RESOLUTION: resolution}
    _add_version(response, created.at, created.response_minutes, True)
    _add_version(resolution, created.at, created.resolution_minutes, True)
    history.target_history.append(
        TargetChange(created.at, created.response_minutes, created.resolution_minutes)
    )

    waits: list[tuple[datetime, datetime]] = []  # waiting-on-client pauses (both metrics)
    gaps: list[tuple[datetime, datetime]] = []  # resolved -> reopened (resolution only)
    wait_since: datetime | None = None
    resolved_since: datetime | None = None
    closed_at: datetime | None = None

    for event in events[1:]:
        kind, at = event.kind, event.at
        if kind == PAUSED:
            if wait_since is None and resolved_since is None:
                wait_since = at
        elif kind == RESUMED:
            if wait_since is not None:
                waits.append((wait_since, at))
                wait_since = None
        elif kind == RESPONDED:
            if response.completed_at is None:
                response.completed_at = at
        elif kind == RESOLVED:
            if resolved_since is None:
                if wait_since is not None:  # leaving waiting_on_client for resolved
                    waits.append((wait_since, at))
                    wait_since = None
                resolved_since = at
                if response.completed_at is None:  # R9: resolving completes the response
                    response.completed_at = at
        elif kind == REOPENED:
            if resolved_since is not None:
                gaps.append((resolved_since, at))  # R11: the gap counts as a pause
                resolved_since = None
                for version in resolution.versions:  # changes made while resolved now apply
                    version.applied = True
        elif kind == TARGET_CHANGED:
            history.target_history.append(TargetChange(at, event.response_minutes, event.resolution_minutes))
            _add_version(response, at, event.response_minutes, response.completed_at is None)
            _add_version(resolution, at, event.resolution_minutes, resolved_since is None)
        else:  # CLOSED: final
            if wait_since is not None:
                waits.append((wait_since, at))
                wait_since = None
            if response.completed_at is None:
                response.completed_at = at
            closed_at = at
            break

    if resolved_since is not None:
        resolution.completed_at = resolved_since
    elif closed_at is not None:
        resolution.completed_at = closed_at
    history.closed = closed_at is not None
    history.paused = wait_since is not None

    for metric, own_pauses in ((response, waits), (resolution, waits + gaps)):
        pauses: list[tuple[datetime, datetime | None]] = list(own_pauses)
        if wait_since is not None:
            if metric.completed_at is None:
                metric.paused_since = wait_since
                pauses.append((wait_since, None))  # open: the clock is stopped from there on
            elif metric.completed_at > wait_since:
                pauses.append((wait_since, metric.completed_at))  # completed while waiting
        metric.pauses = PauseSet(pauses)
    return history


# --------------------------------------------------------------------------- evaluation


def _threshold_seconds(target: int, percent: Fraction) -> int:
    """floor(60·N·pct/100) seconds (R12), in integers."""
    return (60 * target * percent.numerator) // (100 * percent.denominator)


def _evaluate_metric(
    calendar: Clock, start: datetime, metric: _MetricInput, now: datetime, percent: Fraction
) -> MetricState | None:
    pauses = metric.pauses
    completed_at = metric.completed_at
    end = completed_at if completed_at is not None else now
    status: MetricStatus
    if completed_at is not None:
        status = "completed"
    elif metric.paused_since is not None:
        status = "paused"
    else:
        status = "running"

    applied = [v for v in metric.versions if v.applied]
    # every deadline and warning of the metric in a single walk of the clock
    targeted = [v for v in applied if v.target is not None]
    budgets = [v.target * 60 for v in targeted] + [_threshold_seconds(v.target, percent) for v in targeted]
    instants = calendar.reach_many(start, budgets, pauses) if budgets else []
    deadlines: dict[int, datetime | None] = {v.number: instants[i] for i, v in enumerate(targeted)}
    warnings: dict[int, datetime | None] = {
        v.number: instants[len(targeted) + i] for i, v in enumerate(targeted)
    }
    breached_at: datetime | None = None
    breach_number = 0
    for i, version in enumerate(applied):
        deadline = deadlines.get(version.number)
        if deadline is None:
            continue
        in_force_until = end if i + 1 == len(applied) else min(applied[i + 1].at, end)
        if deadline < in_force_until:
            breached_at, breach_number = deadline, version.number
            break  # the first breach sticks

    current = applied[-1]
    target = current.target
    if target is None and breached_at is None:
        return None  # "No SLA"

    counted_us = calendar.business_time(start, end, pauses) // _ONE_US
    deadline = deadlines.get(current.number)
    warning_at = warnings.get(current.number)
    if completed_at is not None and warning_at is not None and warning_at > completed_at:
        warning_at = None  # never reached before completion
    remaining = None if target is None else (target * _MIN_US - counted_us) // _MIN_US

    versions = tuple(
        TargetVersion(
            number=v.number,
            effective_at=v.at,
            target_minutes=v.target,
            applied=v.applied,
            deadline=deadlines.get(v.number),
            warning_at=warnings.get(v.number),
            breached_at=breached_at if v.number == breach_number else None,
        )
        for v in metric.versions
    )
    return MetricState(
        metric=metric.name,
        target_minutes=target,
        target_version=current.number,
        state=status,
        breached=breached_at is not None,
        deadline=None if status == "paused" else deadline,
        warning_at=warning_at,
        warning_due=(
            status == "running" and breached_at is None and warning_at is not None and warning_at <= now
        ),
        breached_at=breached_at,
        completed_at=completed_at,
        elapsed_business_seconds=counted_us // 1_000_000,
        elapsed_business_minutes=counted_us // _MIN_US,
        remaining_business_minutes=remaining,
        versions=versions,
    )


def _parse_percent(warning_percent: object) -> Fraction:
    if isinstance(warning_percent, bool) or not isinstance(warning_percent, int | float | Fraction):
        raise ValueError(f"warning_percent must be a number between 0 and 100, got {warning_percent!r}")
    if warning_percent != warning_percent or not 0 <= warning_percent <= 100:
        raise ValueError(f"warning_percent must be between 0 and 100, got {warning_percent!r}")
    return Fraction(warning_percent)


def evaluate(
    *,
    calendar: Clock,
    events: Sequence[Event],
    now: datetime,
    warning_percent: int | float | Fraction = 80,
) -> TicketSla:
    """The SLA state of a ticket at ``now`` from its full history (see the module docstring)."""
    percent = _parse_percent(warning_percent)
    history = _derive(events, now)
    states = {
        name: _evaluate_metric(calendar, history.start, history.metrics[name], now, percent)
        for name in METRICS
    }
    due: list[datetime] = []
    for state in states.values():
        if state is None or state.state != "running" or state.breached:
            continue
        if state.warning_at is not None and state.warning_at > now:
            due.append(state.warning_at)
        if state.deadline is not None and state.deadline >= now:
            due.append(state.deadline)  # the breach fires at the first instant after it
    return TicketSla(
        response=states[RESPONSE],
        resolution=states[RESOLUTION],
        next_due_at=min(due) if due else None,
        target_history=tuple(history.target_history),
        paused=history.paused,
        closed=history.closed,
        evaluated_at=now,
    )


def explain(
    *,
    calendar: Clock,
    events: Sequence[Event],
    now: datetime,
    metric: str,
    warning_percent: int | float | Fraction = 80,
) -> tuple[TimelineSegment, ...]:
    """The timeline of one metric: why its deadline is where it is.

    Segments cover ``[created, end)`` where ``end`` is the completion instant, or ``now``;
    for a running metric not yet breached they go on (``projected=True``) up to the
    deadline.  Kinds: ``running`` (business time counted against the target),
    ``breached`` (business time counted after the breach instant), ``paused`` (business
    time inside a pause — waiting on client, or resolved before a reopen — which is
    exactly what moved the deadline, R7) and ``outside_hours`` (closed hours and holidays,
    paused or not).  A metric without SLA has an empty timeline.
    """
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r} (expected 'response' or 'resolution')")
    percent = _parse_percent(warning_percent)
    history = _derive(events, now)
    data = history.metrics[metric]
    state = _evaluate_metric(calendar, history.start, data, now, percent)
    if state is None:
        return ()
    end = state.completed_at if state.completed_at is not None else now
    if (
        state.state == "running"
        and not state.breached
        and state.deadline is not None
        and state.deadline > end
    ):
        end = state.deadline
    # cut the calendar's segments at now (projection) and at the breach instant
    cuts = sorted({c for c in (now, state.breached_at) if c is not None and history.start < c < end})
    kind_names = {"business": "running", "closed": "outside_hours", "paused": "paused"}
    segments: list[TimelineSegment] = []
    counted_us = 0
    for seg_start, seg_end, kind in calendar.segments(history.start, end, data.pauses):
        bounds = [seg_start, *(c for c in cuts if seg_start < c < seg_end), seg_end]
        for lo, hi in zip(bounds, bounds[1:], strict=False):
            name = kind_names[kind]
            if name == "running" and state.breached_at is not None and lo >= state.breached_at:
                name = "breached"
            before_s = counted_us // 1_000_000
            if kind == "business":
                # in UTC: subtracting two datetimes of the same zone gives wall-clock time
                counted_us += (hi.astimezone(UTC) - lo.astimezone(UTC)) // _ONE_US
            after_s = counted_us // 1_000_000
            segments.append(
                TimelineSegment(
                    start=lo,
                    end=hi,
                    kind=name,
                    projected=lo >= now,
                    counted_seconds=after_s - before_s,
                    cumulative_seconds=after_s,
                )
            )
    return tuple(segments)

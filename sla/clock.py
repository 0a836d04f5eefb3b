"""The SLA business-time clock (SLA.md R1–R7, R12, R13, R16). Pure Python.

No Django import, no settings, and no clock of its own: every instant is passed in.
Everything here derives from one function, ``counted(a, t)``: the real seconds in
``[a, t)`` that are business time and not inside a pause.

Public face::

    cal = BusinessCalendar(tz="Europe/Paris",
                           hours={"mon": [("09:00", "12:00"), ("14:00", "18:00")]},
                           holidays=[date(2026, 12, 25)])
    always = BusinessCalendar.always_open(tz="Europe/Paris")
    cal = BusinessCalendar.from_dict({"tz": ..., "hours": ..., "holidays": [...]})

    cal.deadline(start, minutes, pauses=())                # R2, R3, R7 -> aware datetime
    cal.warning_at(start, minutes, percent=80, pauses=())  # R12 -> aware datetime
    cal.business_seconds(start, end, pauses=())            # counted(start, end), floored -> int
    cal.business_time(start, end, pauses=())               # the same, exact -> timedelta
    cal.reach(start, seconds, pauses=())                   # the primitive behind deadline/warning
    cal.reach_many(start, [seconds, ...], pauses=())       # several budgets in one walk
    cal.is_business_time(instant) / cal.next_business_instant(instant)
    cal.segments(start, end, pauses=())                    # (start, end, "business"|"closed"|"paused")

    VersionedCalendar([(None, old_cal), (edited_at, new_cal)])   # R16: same interface

Conventions
-----------
* Instants are aware datetimes (naive ones are refused); results are returned in the
  calendar's zone.  Internally everything is integer microseconds since the Unix epoch,
  so nothing is lost to float rounding and seconds (and microseconds) are kept (R13).
* ``pauses`` is an iterable of ``(start, end)`` aware datetimes, half-open, merged when
  they overlap or touch, or a prepared :class:`PauseSet`.  An ``end`` of ``None`` is an
  open pause (the clock is stopped from ``start`` on): accepted by :meth:`reach`,
  :meth:`business_time`/:meth:`business_seconds` and :meth:`segments`; :meth:`deadline`
  and :meth:`warning_at` refuse it because the deadline is unknown while paused (R7).
* ``deadline(N)`` is the first instant at which ``60*N`` seconds have been counted.  A
  target that fits exactly stays at the closing instant (R2).  ``N = 0`` gives the first
  business, unpaused instant at or after start (R3).  One decision of ours where SLA.md
  is silent: when the budget runs out at the very instant a pause begins (a pause or a
  resolution that starts exactly on the deadline), the deadline is carried to the first
  counting instant after that pause — the resumed clock has zero budget left, which R3
  puts at its first business instant.  So a deadline never lies inside a pause, and a
  ticket resolved exactly on its deadline and later reopened is not breached by the
  reopening itself (R11).  Without that coincidence this is exactly "the first instant
  t with counted(start, t) >= 60*N".

Two pitfalls of Python's aware datetimes, for callers (and why everything here is
computed in integer microseconds):

* ``==`` between datetimes of *different* zones is always False when one of them is a
  wall-clock time repeated in autumn (PEP 495), even for the same instant; ``<``/``>``
  are fine.  Compare ``a.astimezone(UTC) == b.astimezone(UTC)``.
* ``b - a`` for two datetimes of the *same* zone is wall-clock time, not elapsed time,
  across a DST change.  Convert to UTC first.

Time zones and DST (R6)
-----------------------
Hours are wall-clock hours in the calendar's zone; the set of business instants is,
literally as SLA.md defines it, the set of instants whose local wall-clock time falls in
``[start, end)`` of an interval of their local weekday on a non-holiday local date.  Each
local interval is converted to UTC instant ranges as the exact preimage of that set, using
the zone's real offsets on both sides of any transition:

* A bound that does not exist (inside the spring-forward gap) maps to the transition
  instant: Paris ``02:30–04:00`` on 2026-03-29 lasts 1 h (03:00–04:00 CEST) and
  ``00:00–06:00`` lasts 5 h.
* Wall-clock times repeated in autumn count every time they occur: Paris ``00:00–06:00``
  on 2026-10-25 lasts 7 h, and ``02:30–04:00`` that day is the two instant ranges whose
  wall clock reads 02:30–03:00 (CEST, 30 min) and 02:30–04:00 (CET, 1 h 30) = 2 h.
  (The wall-clock times 02:00–02:30 CET are not in the interval even though they come
  after its first 02:30: they read 02:xx < 02:30.)
* So counted time is always real elapsed seconds, a daytime calendar is untouched by a
  night-time change, and 24x7 counts real time (1380 minutes on a spring-forward day).

Offsets are sampled every 6 hours of UTC time and transitions located by bisection to
the second (tzdata transitions fall on whole seconds); two transitions that cancel each
other within 6 hours would be missed — no zone in tzdata does that.

Speed
-----
No walk minute by minute: the weekly hours are minute offsets per weekday; each UTC day's
business ranges (and their total) are computed once per calendar and cached, and a walk
goes UTC day by UTC day, skipping whole days by their cached total.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "WEEKDAYS",
    "BusinessCalendar",
    "PauseSet",
    "VersionedCalendar",
]

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_US = 1_000_000  # microseconds per second: the internal unit is the microsecond
_MIN_US = 60 * _US
_DAY_US = 86_400 * _US
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_ONE_US = timedelta(microseconds=1)
_SAMPLE_S = 6 * 3600  # offset sampling step, seconds (see module docstring)
_MAX_EMPTY_DAYS = 3660  # a walk that meets ten years without business time gives up
_TIME_RE = re.compile(r"^(\d{2}):(\d{2})$")
# Instants outside 1900..9998 are refused: zone arithmetic near year 1 or 9999 overflows.
_MIN_US_SUPPORTED = (date(1900, 1, 1).toordinal() - _EPOCH_ORDINAL) * _DAY_US
_MAX_US_SUPPORTED = (date(9999, 1, 1).toordinal() - _EPOCH_ORDINAL) * _DAY_US

Interval = tuple[int, int]  # [start, end) in microseconds


# --------------------------------------------------------------------------- helpers


def _to_us(value: Any, what: str) -> int:
    """Aware datetime -> integer microseconds since the epoch (exact)."""
    if not isinstance(value, datetime):
        raise ValueError(f"{what} must be an aware datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got naive datetime {value.isoformat()}")
    return (value - _EPOCH) // _ONE_US


def _check_range(us: int) -> None:
    if not _MIN_US_SUPPORTED <= us <= _MAX_US_SUPPORTED:
        raise ValueError("instant outside the supported range (years 1900 to 9998)")


def _to_dt(us: int, tz: ZoneInfo) -> datetime:
    _check_range(us)
    return (_EPOCH + timedelta(microseconds=us)).astimezone(tz)


def _parse_minutes(value: Any, what: str) -> int:
    """Whole minutes >= 0 (targets are whole minutes, R13)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{what} must be a whole number of minutes, got {value!r}")
    if value < 0:
        raise ValueError(f"{what} must be >= 0 (negative target {value})")
    return value


def _parse_percent(value: Any) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, int | float | Fraction):
        raise ValueError(f"percent must be a number between 0 and 100, got {value!r}")
    if value != value or not 0 <= value <= 100:  # NaN fails the first test
        raise ValueError(f"percent must be between 0 and 100, got {value!r}")
    return Fraction(value)


def _parse_hhmm(value: Any, where: str) -> int:
    """'HH:MM' -> minutes after local midnight; '24:00' is returned as 1440."""
    if not isinstance(value, str):
        raise ValueError(f"{where}: bad time {value!r}, expected a 'HH:MM' string")
    match = _TIME_RE.match(value)
    if match is None:
        raise ValueError(f"{where}: bad time {value!r}, expected 'HH:MM'")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if (hours, minutes) == (24, 0):
        return 1440
    if hours > 23 or minutes > 59:
        raise ValueError(f"{where}: bad time {value!r}, expected 'HH:MM' between 00:00 and 24:00")
    return hours * 60 + minutes


def _format_hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _parse_day(name: str, spec: Any) -> tuple[tuple[int, int], ...]:
    """Validate one weekday's intervals; return them sorted, touching ones merged."""
    if isinstance(spec, str | bytes) or not isinstance(spec, Iterable):
        raise ValueError(f"hours[{name!r}] must be a list of ['HH:MM', 'HH:MM'] pairs, got {spec!r}")
    parsed: list[tuple[int, int]] = []
    for index, pair in enumerate(spec):
        where = f"hours[{name!r}][{index}]"
        if isinstance(pair, str | bytes) or not isinstance(pair, Sequence) or len(pair) != 2:
            raise ValueError(f"{where} must be a pair ('HH:MM', 'HH:MM'), got {pair!r}")
        if pair[0] == "24:00":
            raise ValueError(f"{where}: '24:00' is allowed only as the end of an interval")
        begin, end = _parse_hhmm(pair[0], where), _parse_hhmm(pair[1], where)
        if begin >= end:
            raise ValueError(
                f"{where}: reversed or empty interval {pair[0]}–{pair[1]} (start must be before end;"
                " write a night shift as 22:00–24:00 and 00:00–06:00 on the next day)"
            )
        parsed.append((begin, end))
    parsed.sort()
    merged: list[tuple[int, int]] = []
    for begin, end in parsed:
        if merged and begin < merged[-1][1]:
            prev = merged[-1]
            raise ValueError(
                f"hours[{name!r}]: overlapping intervals {_format_hhmm(prev[0])}–{_format_hhmm(prev[1])}"
                f" and {_format_hhmm(begin)}–{_format_hhmm(end)}"
            )
        if merged and begin == merged[-1][1]:  # [09:00,12:00) + [12:00,14:00) = [09:00,14:00)
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((begin, end))
    return tuple(merged)


def _parse_holiday(value: Any) -> date:
    if isinstance(value, Mapping):  # {"date": "2026-12-25", "name": "Noël"}, as stored by the models
        if "date" not in value:
            raise ValueError(f"bad holiday {value!r}, expected a 'date' key")
        value = value["date"]
    if isinstance(value, datetime):
        raise ValueError(f"holiday {value!r} must be a date, not a datetime")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"bad holiday {value!r}, expected 'YYYY-MM-DD'") from None
    raise ValueError(f"bad holiday {value!r}, expected a date or 'YYYY-MM-DD'")


def _load_zone(tz: Any) -> ZoneInfo:
    if isinstance(tz, ZoneInfo):
        return tz
    if not isinstance(tz, str) or not tz:
        raise ValueError(f"tz must be an IANA time zone name, got {tz!r}")
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {tz!r} (expected an IANA name such as 'Europe/Paris')") from None


def _merge(spans: list[Interval]) -> list[Interval]:
    """Sort and merge overlapping or touching [start, end) spans."""
    spans.sort()
    out: list[Interval] = []
    for a, b in spans:
        if out and a <= out[-1][1]:
            if b > out[-1][1]:
                out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


# --------------------------------------------------------------------------- pauses


class PauseSet:
    """Validated, merged pauses in microseconds; reusable across calls (no re-parsing).

    ``spans`` are sorted, disjoint, non-touching ``(start_us, end_us)``; only the last one
    may have ``end_us = None`` (an open pause: the clock is stopped from there on).
    """

    __slots__ = ("spans", "is_open")

    def __init__(self, pauses: Iterable[tuple[datetime, datetime | None]] = ()) -> None:
        if isinstance(pauses, PauseSet):
            self.spans: tuple[tuple[int, int | None], ...] = pauses.spans
            self.is_open: bool = pauses.is_open
            return
        closed: list[Interval] = []
        open_from: int | None = None
        for index, pause in enumerate(pauses):
            try:
                begin, end = pause
            except (TypeError, ValueError):
                raise ValueError(f"pause #{index} must be a (start, end) pair, got {pause!r}") from None
            a = _to_us(begin, f"pause #{index} start")
            if end is None:
                open_from = a if open_from is None else min(open_from, a)
                continue
            b = _to_us(end, f"pause #{index} end")
            if b < a:
                raise ValueError(
                    f"pause #{index} is reversed: end {end.isoformat()} is before start {begin.isoformat()}"
                )
            if b > a:  # an empty pause (paused and resumed at once) changes nothing
                closed.append((a, b))
        merged = _merge(closed)
        if open_from is not None:
            # everything from the open pause on is paused: it swallows later closed pauses
            while merged and merged[-1][1] >= open_from:
                open_from = min(open_from, merged.pop()[0])
            self.spans = (*merged, (open_from, None))
        else:
            self.spans = tuple(merged)
        self.is_open = open_from is not None

    @classmethod
    def of(cls, pauses: Iterable[tuple[datetime, datetime | None]] | PauseSet = ()) -> PauseSet:
        return pauses if isinstance(pauses, PauseSet) else cls(pauses)

    def __repr__(self) -> str:
        return f"PauseSet({self.spans!r})"


# --------------------------------------------------------------------------- the walk


class _Clock:
    """The interval arithmetic shared by every calendar kind.

    Subclasses provide ``_utc_day(k)``: the sorted, disjoint business ranges inside UTC
    day ``k`` (microseconds ``[k*DAY, (k+1)*DAY)``) and their total length, and ``tz``.
    """

    tz: ZoneInfo

    def _utc_day(self, k: int) -> tuple[tuple[Interval, ...], int]:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- public interface -------------------------------------------------------------

    def deadline(
        self,
        start: datetime,
        minutes: int,
        pauses: Iterable[tuple[datetime, datetime | None]] | PauseSet = (),
    ) -> datetime:
        """First instant with ``counted(start, t) >= 60*minutes`` (R2; R3 for 0; R7)."""
        minutes = _parse_minutes(minutes, "minutes")
        return self._closed_reach(start, minutes * 60 * _US, pauses, "deadline")

    def warning_at(
        self,
        start: datetime,
        minutes: int,
        percent: int | float | Fraction = 80,
        pauses: Iterable[tuple[datetime, datetime | None]] | PauseSet = (),
    ) -> datetime:
        """First instant with ``counted >= floor(60*minutes*percent/100)`` seconds (R12)."""
        minutes = _parse_minutes(minutes, "minutes")
        threshold_s = int(60 * minutes * _parse_percent(percent) / 100)  # floor: both >= 0
        return self._closed_reach(start, threshold_s * _US, pauses, "warning")

    def reach(
        self,
        start: datetime,
        seconds: int | timedelta,
        pauses: Iterable[tuple[datetime, datetime | None]] | PauseSet = (),
    ) -> datetime | None:
        """First instant at which ``seconds`` of business time have been counted.

        The primitive behind :meth:`deadline` and :meth:`warning_at`, with the same R2/R3
        semantics.  Returns ``None`` when an open pause stops the clock before that.
        """
        need = self._need_us(seconds)
        start_us = _to_us(start, "start")
        found = self._reach_us(start_us, need, PauseSet.of(pauses).spans)
        return None if found is None else _to_dt(found, self.tz)

    def reach_many(
        self,
        start: datetime,
        seconds: Sequence[int | timedelta],
        pauses: Iterable[tuple[datetime, datetime | None]] | PauseSet = (),
    ) -> list[datetime | None]:
        """:meth:`reach` for several budgets at once, in one walk (used for a ticket's
        deadlines and warnings); results in the order of ``seconds``."""
        needs = [self._need_us(value) for value in seconds]
        start_us = _to_us(start, "start")
        found = self._reach_many_us(start_us, needs, PauseSet.of(pauses).spans)
        tz = self.tz
        return [None if value is None else _to_dt(value, tz) for value in found]

    def business_time(
        self,
        start: datetime,
        end: datetime,
        pauses: Iterable[tuple[datetime, datetime | None]] | PauseSet = (),
    ) -> timedelta:
        """``counted(start, end)`` exactly (microseconds kept)."""
        start_us, end_us = _to_us(start, "start"), _to_us(end, "end")
        if end_us < start_us:
            raise ValueError(f"end {end.isoformat()} is before start {start.isoformat()}")
        return timedelta(microseconds=self._counted_us(start_us, end_us, PauseSet.of(pauses).spans))

    def business_seconds(
        self,
        start: datetime,
        end: datetime,
        pauses: Iterable[tuple[datetime, datetime | None]] | PauseSet = (),
    ) -> int:
        """``counted(start, end)`` in whole seconds (floored)."""
        return self.business_time(start, end, pauses) // timedelta(seconds=1)

    def is_business_time(self, instant: datetime) -> bool:
        """Whether ``instant`` is business time (no pauses involved)."""
        us = _to_us(instant, "instant")
        ranges, _ = self._utc_day(us // _DAY_US)
        return any(a <= us < b for a, b in ranges)

    def next_business_instant(self, instant: datetime) -> datetime:
        """The first business instant at or after ``instant``."""
        return self.deadline(instant, 0)

    def segments(
        self,
        start: datetime,
        end: datetime,
        pauses: Iterable[tuple[datetime, datetime | None]] | PauseSet = (),
    ) -> Iterator[tuple[datetime, datetime, str]]:
        """Cover ``[start, end)`` with maximal ``(seg_start, seg_end, kind)`` pieces.

        ``kind`` is ``"business"`` (counted), ``"paused"`` (business time inside a pause:
        exactly what moved the deadline, R7) or ``"closed"`` (outside business hours or a
        holiday, paused or not — a pause there changes nothing).
        """
        start_us, end_us = _to_us(start, "start"), _to_us(end, "end")
        if end_us < start_us:
            raise ValueError(f"end {end.isoformat()} is before start {start.isoformat()}")
        spans = PauseSet.of(pauses).spans
        tz = self.tz
        for a, b, kind in self._segments_us(start_us, end_us, spans):
            yield _to_dt(a, tz), _to_dt(b, tz), kind

    # -- internals ----------------------------------------------------------------------

    @staticmethod
    def _need_us(seconds: int | timedelta) -> int:
        if isinstance(seconds, timedelta):
            need = seconds // _ONE_US
        elif isinstance(seconds, int) and not isinstance(seconds, bool):
            need = seconds * _US
        else:
            raise ValueError(f"seconds must be an int or a timedelta, got {seconds!r}")
        if need < 0:
            raise ValueError(f"seconds must be >= 0, got {seconds!r}")
        return need

    def _closed_reach(self, start: datetime, need: int, pauses: Any, what: str) -> datetime:
        start_us = _to_us(start, "start")
        spans = PauseSet.of(pauses)
        if spans.is_open:
            raise ValueError(f"open pause (end None): the {what} is unknown while paused (R7); use reach()")
        found = self._reach_us(start_us, need, spans.spans)
        assert found is not None  # only an open pause can stop the clock for good
        return _to_dt(found, self.tz)

    def _reach_us(self, start: int, need: int, pauses: Sequence[tuple[int, int | None]]) -> int | None:
        return self._reach_many_us(start, (need,), pauses)[0]

    def _reach_many_us(
        self, start: int, needs: Sequence[int], pauses: Sequence[tuple[int, int | None]]
    ) -> list[int | None]:
        """For each budget in ``needs``, the instant it runs out; one walk for all of them.

        The walk goes through the counting stretches (business and not paused) from
        ``start``.  In a stretch ``[a, b)`` with ``counted`` microseconds already counted,
        a budget ``n`` runs out at ``a + (n - counted)`` if that is before ``b``; exactly at
        ``b`` it stays at ``b`` (R2) unless a pause begins at ``b``: then it stays pending
        and lands on the start of the next counting stretch (the carry-over of the module
        docstring).  A zero budget lands on the first counting instant (R3).  Budgets
        still pending when an open pause begins get ``None``.
        """
        _check_range(start)
        results: list[int | None] = [None] * len(needs)
        order = sorted(range(len(needs)), key=needs.__getitem__)
        n_needs = len(order)
        if not n_needs:
            return results
        oi = 0  # order[oi] is the smallest budget still pending
        counted = 0
        n_pauses = len(pauses)
        pi = 0
        while pi < n_pauses and (pe := pauses[pi][1]) is not None and pe <= start:
            pi += 1
        k = start // _DAY_US
        cursor = start
        empty_days = 0
        utc_day = self._utc_day
        while True:
            ranges, total = utc_day(k)
            if not ranges:
                empty_days += 1
                if empty_days > _MAX_EMPTY_DAYS:
                    raise ValueError(
                        f"no business time in the {_MAX_EMPTY_DAYS} days after {_to_dt(start, self.tz).isoformat()}"
                        " (check the calendar's hours and holidays)"
                    )
            else:
                empty_days = 0
                day_end = (k + 1) * _DAY_US
                if (
                    needs[order[oi]] - counted > total
                    and cursor <= ranges[0][0]
                    and (pi == n_pauses or pauses[pi][0] >= day_end)
                ):
                    counted += total  # the whole day counts and finishes no budget
                else:
                    for a, b in ranges:
                        if b <= cursor:
                            continue
                        if a < cursor:
                            a = cursor
                        while a < b:
                            if pi < n_pauses:
                                ps, pe = pauses[pi]
                                if pe is not None and pe <= a:
                                    pi += 1
                                    continue
                                if ps <= a:  # a is paused
                                    if pe is None:
                                        return results  # stopped for good: the rest stays None
                                    a = pe
                                    continue
                                seg_end = ps if ps < b else b
                            else:
                                seg_end = b
                            length = seg_end - a
                            while oi < n_needs and needs[order[oi]] - counted < length:
                                results[order[oi]] = a + needs[order[oi]] - counted
                                oi += 1
                            if not (pi < n_pauses and pauses[pi][0] == seg_end):
                                while oi < n_needs and needs[order[oi]] - counted == length:
                                    results[order[oi]] = seg_end
                                    oi += 1
                            if oi == n_needs:
                                return results
                            counted += length
                            a = seg_end
            k += 1
            cursor = k * _DAY_US
            if cursor > _MAX_US_SUPPORTED:
                raise ValueError("instant outside the supported range (years 1900 to 9998)")

    def _business_us(self, a: int, b: int) -> int:
        """Business microseconds in ``[a, b)``, pauses ignored."""
        if a >= b:
            return 0
        _check_range(a)
        _check_range(b)
        k0, k1 = a // _DAY_US, (b - 1) // _DAY_US
        utc_day = self._utc_day
        total = 0
        for k in (k0, k1) if k1 > k0 else (k0,):
            for s, e in utc_day(k)[0]:
                if s < a:
                    s = a
                if e > b:
                    e = b
                if s < e:
                    total += e - s
        for k in range(k0 + 1, k1):
            total += utc_day(k)[1]
        return total

    def _counted_us(self, a: int, b: int, pauses: Sequence[tuple[int, int | None]]) -> int:
        """``counted(a, b)``: business microseconds in ``[a, b)`` outside the pauses (one pass)."""
        if not pauses:
            return self._business_us(a, b)
        if a >= b:
            return 0
        _check_range(a)
        _check_range(b)
        n_pauses = len(pauses)
        pi = 0
        while pi < n_pauses and (pe := pauses[pi][1]) is not None and pe <= a:
            pi += 1
        utc_day = self._utc_day
        total = 0
        for k in range(a // _DAY_US, (b - 1) // _DAY_US + 1):
            ranges, day_total = utc_day(k)
            if not ranges:
                continue
            day_lo = k * _DAY_US
            day_hi = day_lo + _DAY_US
            if a <= day_lo and day_hi <= b and (pi == n_pauses or pauses[pi][0] >= day_hi):
                total += day_total  # whole day inside the span, no pause in it
                continue
            for s, e in ranges:
                if s < a:
                    s = a
                if e > b:
                    e = b
                while s < e:
                    while pi < n_pauses and (pe := pauses[pi][1]) is not None and pe <= s:
                        pi += 1
                    if pi == n_pauses or pauses[pi][0] >= e:
                        total += e - s
                        break
                    ps, pe = pauses[pi]
                    if ps > s:
                        total += ps - s
                    if pe is None:
                        return total  # an open pause: nothing counts any more
                    s = pe
        return total

    def _segments_us(
        self, a: int, b: int, pauses: Sequence[tuple[int, int | None]]
    ) -> Iterator[tuple[int, int, str]]:
        if a >= b:
            return
        _check_range(a)
        _check_range(b)
        pieces: list[tuple[int, int, str]] = []

        def emit(s: int, e: int, kind: str) -> None:
            if s >= e:
                return
            if pieces and pieces[-1][2] == kind and pieces[-1][1] == s:
                pieces[-1] = (pieces[-1][0], e, kind)
            else:
                pieces.append((s, e, kind))

        cursor = a
        for k in range(a // _DAY_US, (b - 1) // _DAY_US + 1):
            for s, e in self._utc_day(k)[0]:
                s, e = max(s, a), min(e, b)
                if s >= e:
                    continue
                emit(cursor, s, "closed")
                # split the business range [s, e) by the pauses
                pos = s
                for ps, pe in pauses:
                    pe_ = e if pe is None else pe
                    if pe_ <= pos:
                        continue
                    if ps >= e:
                        break
                    emit(pos, max(pos, ps), "business")
                    pos = max(pos, ps)
                    stop = min(e, pe_)
                    emit(pos, stop, "paused")
                    pos = stop
                emit(pos, e, "business")
                cursor = e
        emit(cursor, b, "closed")
        yield from pieces


# --------------------------------------------------------------------------- calendars


class BusinessCalendar(_Clock):
    """Weekly wall-clock hours in an IANA zone, minus holidays (local dates), or 24x7.

    ``hours`` maps weekday names (``mon`` … ``sun``, case-insensitive) to lists of
    ``("HH:MM", "HH:MM")`` pairs (tuples or JSON lists); weekdays not named are closed.
    Intervals are half-open, ``start < end``, may not overlap within a day, and ``24:00``
    is allowed as an end only.  Instances are immutable, hashable and compare by value.
    """

    def __init__(
        self,
        tz: str | ZoneInfo,
        hours: Mapping[str, Iterable[Sequence[str]]] | None = None,
        holidays: Iterable[date | str] = (),
        *,
        _always_open: bool = False,
    ) -> None:
        self.tz = _load_zone(tz)
        self._always = _always_open
        week: list[tuple[tuple[int, int], ...]] = [()] * 7
        if _always_open:
            week = [((0, 1440),)] * 7
        else:
            if not isinstance(hours, Mapping):
                raise ValueError(f"hours must be a mapping of weekday names to intervals, got {hours!r}")
            for name, spec in hours.items():
                key = name.lower() if isinstance(name, str) else name
                if key not in WEEKDAYS:
                    raise ValueError(f"unknown weekday name {name!r} (expected one of {', '.join(WEEKDAYS)})")
                week[WEEKDAYS.index(key)] = _parse_day(key, spec)
            if not any(week):
                raise ValueError("calendar has no open interval at all: name at least one weekday with hours")
        if isinstance(holidays, str | bytes) or not isinstance(holidays, Iterable):
            raise ValueError(f"holidays must be a list of dates, got {holidays!r}")
        self._week: tuple[tuple[tuple[int, int], ...], ...] = tuple(week)
        self.holidays: frozenset[date] = frozenset(_parse_holiday(h) for h in holidays)
        if _always_open and self.holidays:
            raise ValueError("an always-open (24x7) calendar has no holidays")
        self._holiday_days = frozenset(h.toordinal() - _EPOCH_ORDINAL for h in self.holidays)
        # caches, filled lazily; safe to share between threads (values are deterministic)
        self._offsets: dict[int, tuple[int, tuple[tuple[int, int], ...]]] = {}
        self._local_days: dict[int, tuple[Interval, ...]] = {}
        self._days: dict[int, tuple[tuple[Interval, ...], int]] = {}

    # -- construction -------------------------------------------------------------------

    @classmethod
    def always_open(cls, tz: str | ZoneInfo = "UTC") -> BusinessCalendar:
        """24x7: every instant is business time; counts real elapsed time."""
        return cls(tz, _always_open=True)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BusinessCalendar:
        """Build from the JSON form ``{"tz", "hours", "holidays"}`` or ``{"tz", "always_open": true}``.

        ``timezone`` is accepted for ``tz``, and holidays may be ``"YYYY-MM-DD"`` strings,
        dates or ``{"date": ..., "name": ...}`` mappings.
        """
        if not isinstance(data, Mapping):
            raise ValueError(f"calendar must be a mapping, got {data!r}")
        unknown = set(data) - {"tz", "timezone", "hours", "holidays", "always_open"}
        if unknown:
            raise ValueError(f"unknown calendar keys: {', '.join(sorted(map(str, unknown)))}")
        if ("tz" in data) == ("timezone" in data):
            raise ValueError("calendar needs a 'tz' (IANA time zone name; 'timezone' is accepted too)")
        tz = data["tz"] if "tz" in data else data["timezone"]
        if data.get("always_open"):
            if data.get("hours") or data.get("holidays"):
                raise ValueError("an always-open calendar takes no hours or holidays")
            return cls.always_open(tz)
        return cls(tz, data.get("hours") or {}, data.get("holidays") or ())

    def to_dict(self) -> dict[str, Any]:
        """The JSON form accepted by :meth:`from_dict`."""
        if self._always:
            return {"tz": self.tz.key, "always_open": True}
        return {
            "tz": self.tz.key,
            "hours": {
                WEEKDAYS[i]: [[_format_hhmm(a), _format_hhmm(b)] for a, b in day]
                for i, day in enumerate(self._week)
                if day
            },
            "holidays": [h.isoformat() for h in sorted(self.holidays)],
        }

    @property
    def is_always_open(self) -> bool:
        return self._always

    @property
    def weekly_hours(self) -> dict[str, tuple[tuple[int, int], ...]]:
        """Per weekday, the (merged) intervals as minutes after local midnight."""
        return {WEEKDAYS[i]: day for i, day in enumerate(self._week)}

    def _key(self) -> tuple[Any, ...]:
        return (self.tz.key, self._always, self._week, self.holidays)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BusinessCalendar) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        if self._always:
            return f"BusinessCalendar.always_open(tz={self.tz.key!r})"
        return f"BusinessCalendar.from_dict({self.to_dict()!r})"

    # -- zone offsets -------------------------------------------------------------------

    def _offset_at(self, second: int) -> int:
        """UTC offset (microseconds) in force at the instant ``second`` (epoch seconds)."""
        offset = datetime.fromtimestamp(second, self.tz).utcoffset()
        assert offset is not None
        return offset // _ONE_US

    def _day_offsets(self, k: int) -> tuple[int, tuple[tuple[int, int], ...]]:
        """Offset at the start of UTC day ``k`` and the transitions ``(at_us, new_offset)`` inside it."""
        cached = self._offsets.get(k)
        if cached is not None:
            return cached
        base = k * 86_400
        samples = list(range(base, base + 86_400 + 1, _SAMPLE_S))
        offsets = [self._offset_at(s) for s in samples]
        changes: list[tuple[int, int]] = []
        for i in range(len(samples) - 1):
            lo, o_lo, hi, o_hi = samples[i], offsets[i], samples[i + 1], offsets[i + 1]
            while o_lo != o_hi:  # at least one transition in (lo, hi]: bisect to the second
                a, b = lo, hi
                while b - a > 1:
                    mid = (a + b) // 2
                    if self._offset_at(mid) == o_lo:
                        a = mid
                    else:
                        b = mid
                o_new = self._offset_at(b)
                if b < base + 86_400:  # a transition at the next midnight belongs to the next day
                    changes.append((b * _US, o_new))
                lo, o_lo = b, o_new
        result = (offsets[0], tuple(changes))
        self._offsets[k] = result
        return result

    def _offset_periods(self, lo: int, hi: int) -> list[tuple[int, int, int]]:
        """``(from_us, to_us, offset_us)`` periods of constant offset covering ``[lo, hi)``."""
        k0, k1 = lo // _DAY_US, (hi - 1) // _DAY_US
        first_offset, _ = self._day_offsets(k0)
        points: list[tuple[int, int]] = [(lo, first_offset)]
        for k in range(k0, k1 + 1):
            for at, offset in self._day_offsets(k)[1]:
                if lo < at < hi:
                    points.append((at, offset))
                elif at <= lo:
                    points[0] = (lo, offset)
        return [
            (at, points[i + 1][0] if i + 1 < len(points) else hi, off) for i, (at, off) in enumerate(points)
        ]

    # -- business ranges --------------------------------------------------------------

    def _local_day(self, d: int) -> tuple[Interval, ...]:
        """UTC ranges of the business instants whose local date is day ``d`` (days since 1970-01-01).

        Exact preimage of the local intervals under "instant -> local wall clock": within
        each period of constant offset ``o``, the instants are ``[L1 - o, L2 - o)`` clipped
        to the period (see the module docstring for what that means around DST changes).
        """
        cached = self._local_days.get(d)
        if cached is not None:
            return cached
        intervals = self._week[(d + 3) % 7]  # 1970-01-01 was a Thursday
        result: tuple[Interval, ...] = ()
        if intervals and d not in self._holiday_days:
            midnight = d * _DAY_US  # local midnight, as a naive wall-clock value
            # offsets are within ±24 h, so the instants lie within a day of the local date
            periods = self._offset_periods(midnight - _DAY_US, midnight + 2 * _DAY_US)
            spans: list[Interval] = []
            for begin, end in intervals:
                wall_lo, wall_hi = midnight + begin * _MIN_US, midnight + end * _MIN_US
                for p_lo, p_hi, offset in periods:
                    s = max(p_lo, wall_lo - offset)
                    e = min(p_hi, wall_hi - offset)
                    if s < e:
                        spans.append((s, e))
            result = tuple(_merge(spans))
        self._local_days[d] = result
        return result

    def _utc_day(self, k: int) -> tuple[tuple[Interval, ...], int]:
        cached = self._days.get(k)
        if cached is not None:
            return cached
        lo, hi = k * _DAY_US, (k + 1) * _DAY_US
        if self._always:
            result: tuple[tuple[Interval, ...], int] = (((lo, hi),), _DAY_US)
        else:
            spans: list[Interval] = []
            for d in range(k - 1, k + 2):  # offsets are within ±24 h: only these local dates reach day k
                for s, e in self._local_day(d):
                    s, e = max(s, lo), min(e, hi)
                    if s < e:
                        spans.append((s, e))
            merged = _merge(spans)
            result = (tuple(merged), sum(e - s for s, e in merged))
        if len(self._days) > 100_000:  # bound the memory of a long-lived calendar
            self._days.clear()
            self._local_days.clear()
            self._offsets.clear()
        self._days[k] = result
        return result


class VersionedCalendar(_Clock):
    """A calendar that was edited over time (R16): each version rules from its instant on.

    ``versions`` is a list of ``(effective_from, calendar)`` in increasing order; the first
    ``effective_from`` may be ``None`` (since always).  Time already counted under an old
    version stays counted; the new hours apply from the moment of the edit.  Results are
    given in the zone of the latest version.
    """

    def __init__(self, versions: Sequence[tuple[datetime | None, BusinessCalendar]]) -> None:
        if not versions:
            raise ValueError("a versioned calendar needs at least one version")
        bounds: list[int | None] = []
        calendars: list[BusinessCalendar] = []
        for index, (since, calendar) in enumerate(versions):
            if not isinstance(calendar, BusinessCalendar):
                raise ValueError(f"version #{index} must be a BusinessCalendar, got {calendar!r}")
            if since is None:
                if index:
                    raise ValueError("only the first version may start at None (since always)")
                bounds.append(None)
            else:
                us = _to_us(since, f"version #{index} effective_from")
                previous = bounds[-1] if bounds else None
                if previous is not None and us <= previous:
                    raise ValueError(f"version #{index} must start after version #{index - 1}")
                bounds.append(us)
            calendars.append(calendar)
        self._bounds = bounds
        self._calendars = calendars
        self.tz = calendars[-1].tz
        self._days: dict[int, tuple[tuple[Interval, ...], int]] = {}

    def _utc_day(self, k: int) -> tuple[tuple[Interval, ...], int]:
        cached = self._days.get(k)
        if cached is not None:
            return cached
        lo, hi = k * _DAY_US, (k + 1) * _DAY_US
        spans: list[Interval] = []
        for i, calendar in enumerate(self._calendars):
            since = self._bounds[i]
            until = self._bounds[i + 1] if i + 1 < len(self._bounds) else None
            v_lo = lo if since is None else max(lo, since)
            v_hi = hi if until is None else min(hi, until)
            if v_lo >= v_hi:
                continue
            for s, e in calendar._utc_day(k)[0]:
                s, e = max(s, v_lo), min(e, v_hi)
                if s < e:
                    spans.append((s, e))
        merged = _merge(spans)
        result = (tuple(merged), sum(e - s for s, e in merged))
        self._days[k] = result
        return result

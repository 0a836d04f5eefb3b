"""Benchmark of the pure SLA clock and state (sla/clock.py, sla/state.py).

Run from the repository root:  .venv/bin/python bench/sla_bench.py
Prints the figures and writes var/bench/sla.json, a list of
{"name", "unit", "median", "p95", "p99", "goal", "met"}.

Caching: a calendar caches per-UTC-day business ranges (and zone offsets).  That is part
of the design, so the measured calendar is warm, as a long-lived process would have it;
the starts are varied (random minutes and seconds over months) so that no call can reuse
another call's result.  The cost of a first, cold call is printed too, for information.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sla.clock import BusinessCalendar  # noqa: E402
from sla.state import Event, evaluate  # noqa: E402

PARIS = ZoneInfo("Europe/Paris")
LUNCH_HOURS = {d: [("09:00", "12:00"), ("14:00", "18:00")] for d in ("mon", "tue", "wed", "thu", "fri")}
THREE_WEEKS = 15 * 7 * 60  # 15 business days of 7 hours, in minutes


def french_holidays() -> list[date]:
    try:
        import holidays
    except ImportError:  # the list for 2026–2027, should the package be missing
        return [
            date.fromisoformat(d)
            for d in (
                "2026-01-01 2026-04-06 2026-05-01 2026-05-08 2026-05-14 2026-05-25 2026-07-14 2026-08-15 "
                "2026-11-01 2026-11-11 2026-12-25 2027-01-01 2027-03-29 2027-05-01 2027-05-06 2027-05-08 "
                "2027-05-17 2027-07-14 2027-08-15 2027-11-01 2027-11-11 2027-12-25"
            ).split()
        ]
    return sorted(holidays.France(years=[2026, 2027]))


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def measure(call, arguments: list) -> list[float]:
    """Microseconds per call, one sample per argument."""
    for argument in arguments[:50]:  # warm-up: imports, first cache fills
        call(argument)
    samples = []
    clock = time.perf_counter_ns
    for argument in arguments:
        begin = clock()
        call(argument)
        samples.append((clock() - begin) / 1000)
    return samples


def result(name: str, samples: list[float], goal: float, with_p99: bool) -> dict:
    row = {
        "name": name,
        "unit": "µs",
        "calls": len(samples),
        "median": round(statistics.median(samples), 2),
        "p95": round(percentile(samples, 95), 2),
    }
    if with_p99:
        row["p99"] = round(percentile(samples, 99), 2)
    row["goal"] = goal
    row["met"] = row["median"] <= goal
    return row


def random_start(rng: random.Random, first: datetime, days: int) -> datetime:
    return first + timedelta(seconds=rng.randrange(days * 86400))


def twenty_events(start: datetime) -> list[Event]:
    """A busy ticket: pauses, a reply, two priority changes, a reopen, another pause."""
    start = start.astimezone(UTC)  # real-time arithmetic for the event instants
    events = [Event(start, "created", response_minutes=240, resolution_minutes=2880)]
    moment = start
    for _ in range(6):
        moment += timedelta(hours=3)
        events.append(Event(moment, "paused"))
        moment += timedelta(hours=20)
        events.append(Event(moment, "resumed"))
    moment += timedelta(hours=1)
    events.append(Event(moment, "responded"))
    moment += timedelta(hours=2)
    events.append(Event(moment, "target_changed", response_minutes=60, resolution_minutes=960))
    moment += timedelta(hours=5)
    events.append(Event(moment, "resolved"))
    moment += timedelta(days=1)
    events.append(Event(moment, "reopened"))
    moment += timedelta(hours=2)
    events.append(Event(moment, "target_changed", response_minutes=60, resolution_minutes=1440))
    moment += timedelta(hours=1)
    events.append(Event(moment, "paused"))
    moment += timedelta(hours=4)
    events.append(Event(moment, "resumed"))
    assert len(events) == 20
    return events


def main() -> int:
    rng = random.Random(2026)
    holidays = french_holidays()
    calendar = BusinessCalendar("Europe/Paris", LUNCH_HOURS, holidays)
    rows = []

    # deadline(): 3 weeks of business time from starts in March–May (DST on 29 March,
    # Easter Monday, 1, 8, 14 and 25 May) and October–November (DST on 25 October,
    # 1 and 11 November)
    starts = [
        random_start(rng, datetime(2026, 3, 1, tzinfo=PARIS), 90)
        if i % 2
        else random_start(rng, datetime(2026, 10, 1, tzinfo=PARIS), 60)
        for i in range(10_000)
    ]
    dst_changes = [datetime(2026, 3, 29, 1, tzinfo=UTC), datetime(2026, 10, 25, 1, tzinfo=UTC)]
    ends = [(s, calendar.deadline(s, THREE_WEEKS)) for s in starts[:1000]]
    crossing = sum(1 for s, e in ends if any(s.date() <= h <= e.date() for h in holidays))
    crossing_dst = sum(1 for s, e in ends if any(s < change < e for change in dst_changes))
    cold = BusinessCalendar("Europe/Paris", LUNCH_HOURS, holidays)
    begin = time.perf_counter_ns()
    cold.deadline(starts[0], THREE_WEEKS)
    cold_deadline = (time.perf_counter_ns() - begin) / 1000
    samples = measure(lambda s: calendar.deadline(s, THREE_WEEKS), starts)
    rows.append(result("deadline() 3-week target across holidays and DST", samples, 100, True))

    # business_seconds() over one year
    starts = [random_start(rng, datetime(2026, 1, 1, tzinfo=PARIS), 365) for _ in range(1000)]
    cold = BusinessCalendar("Europe/Paris", LUNCH_HOURS, holidays)
    begin = time.perf_counter_ns()
    cold.business_seconds(starts[0], starts[0] + timedelta(days=365))
    cold_year = (time.perf_counter_ns() - begin) / 1000
    samples = measure(lambda s: calendar.business_seconds(s, s + timedelta(days=365)), starts)
    rows.append(result("business_seconds() over a 1-year span", samples, 2000, True))

    # evaluate(): a ticket with 20 events, evaluated at varied instants
    tickets = [twenty_events(random_start(rng, datetime(2026, 3, 2, tzinfo=PARIS), 240)) for _ in range(50)]
    cases = [
        (events, events[-1].at + timedelta(minutes=rng.randrange(1, 5000)))
        for events in tickets
        for _ in range(40)
    ]
    samples = measure(lambda case: evaluate(calendar=calendar, events=case[0], now=case[1]), cases)
    rows.append(result("evaluate() ticket with 20 events", samples, 200, True))

    print(f"{'benchmark':52} {'median':>9} {'p95':>9} {'p99':>9} {'goal':>7}  met")
    for row in rows:
        print(
            f"{row['name']:52} {row['median']:>8.1f}µ {row['p95']:>8.1f}µ {row.get('p99', 0):>8.1f}µ"
            f" {row['goal']:>6}µ  {'yes' if row['met'] else 'NO'}"
        )
    print(
        f"(of the first 1000 3-week deadlines, {crossing / 10:.0f}% cross a holiday"
        f" and {crossing_dst / 10:.0f}% a DST change)"
    )
    print(
        f"(cold first call on a fresh calendar: deadline {cold_deadline:.0f} µs, one year {cold_year:.0f} µs)"
    )

    out = ROOT / "var" / "bench" / "sla.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
    print(f"written {out.relative_to(ROOT)}")
    return 0 if all(row["met"] for row in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""sla.clock: the worked examples, hand-written tables for every rule, an oracle, properties.

Pure tests: no database.  Instants are compared as instants, never as strings.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sla.clock import BusinessCalendar, PauseSet, VersionedCalendar
from tests.sla.conftest import (
    CALENDARS,
    PARIS,
    UTC,
    Oracle,
    calendar,
    example_calendar,
    instant,
    load_examples,
    parse_pauses,
    utc,
)

EXAMPLES = load_examples()
DEADLINE_CASES = EXAMPLES["deadline_cases"]
WARNING_CASES = [c for c in DEADLINE_CASES if "expected_warning" in c]
ELAPSED_CASES = EXAMPLES["elapsed_cases"]


def _ids(cases: list[dict[str, Any]]) -> list[str]:
    return [c["id"] for c in cases]


# =========================================================================== examples


@pytest.mark.parametrize("case", DEADLINE_CASES, ids=_ids(DEADLINE_CASES))
def test_it_matches_the_example_deadline(case):
    cal = BusinessCalendar.from_dict(example_calendar(case))
    got = cal.deadline(instant(case["start"]), case["minutes"], parse_pauses(case.get("pauses")))
    assert utc(got) == instant(case["expected_deadline"]), case["why"]


@pytest.mark.parametrize("case", WARNING_CASES, ids=_ids(WARNING_CASES))
def test_it_matches_the_example_warning(case):
    cal = BusinessCalendar.from_dict(example_calendar(case))
    got = cal.warning_at(
        instant(case["start"]), case["minutes"], case.get("warning_pct", 80), parse_pauses(case.get("pauses"))
    )
    assert utc(got) == instant(case["expected_warning"]), case["why"]


@pytest.mark.parametrize("case", ELAPSED_CASES, ids=_ids(ELAPSED_CASES))
def test_it_matches_the_example_elapsed_minutes(case):
    cal = BusinessCalendar.from_dict(example_calendar(case))
    seconds = cal.business_seconds(
        instant(case["start"]), instant(case["end"]), parse_pauses(case.get("pauses"))
    )
    assert seconds // 60 == case["expected_business_minutes"], case["why"]


@pytest.mark.parametrize("case", DEADLINE_CASES, ids=_ids(DEADLINE_CASES))
def test_it_has_examples_the_oracle_agrees_with(case):
    oracle = Oracle(example_calendar(case))
    got = oracle.deadline(instant(case["start"]), case["minutes"], parse_pauses(case.get("pauses")))
    assert utc(got) == instant(case["expected_deadline"])


def test_it_returns_datetimes_in_the_calendar_zone():
    got = calendar("office").deadline(instant("2026-06-10T08:00:00Z"), 60)
    assert got.tzinfo == PARIS
    assert utc(got) == instant("2026-06-10T11:00:00+02:00")


# =========================================================================== deadlines

# (id, calendar, start, minutes, pauses, expected deadline)
DEADLINES = [
    # R4 lunch breaks
    ("lunch-crosses-the-break", "lunch", "2026-06-10T11:30+02:00", 60, [], "2026-06-10T14:30+02:00"),
    ("lunch-start-inside-the-break", "lunch", "2026-06-10T12:30+02:00", 30, [], "2026-06-10T14:30+02:00"),
    ("lunch-fits-the-morning-exactly", "lunch", "2026-06-10T11:00+02:00", 60, [], "2026-06-10T12:00+02:00"),
    ("lunch-whole-day", "lunch", "2026-06-10T09:00+02:00", 420, [], "2026-06-10T18:00+02:00"),
    ("lunch-one-minute-more", "lunch", "2026-06-10T09:00+02:00", 421, [], "2026-06-11T09:01+02:00"),
    # R2 exactly at closing
    ("closing-exact-wednesday", "office", "2026-06-10T16:00+02:00", 120, [], "2026-06-10T18:00+02:00"),
    ("closing-exact-friday", "office", "2026-06-12T17:00+02:00", 60, [], "2026-06-12T18:00+02:00"),
    ("closing-plus-one-minute-friday", "office", "2026-06-12T17:00+02:00", 61, [], "2026-06-15T09:01+02:00"),
    # R1 starts out of hours
    ("start-before-opening", "office", "2026-06-10T07:30+02:00", 60, [], "2026-06-10T10:00+02:00"),
    ("start-at-midnight-full-day", "office", "2026-06-08T00:00+02:00", 540, [], "2026-06-08T18:00+02:00"),
    ("start-after-closing", "office", "2026-06-10T19:00+02:00", 60, [], "2026-06-11T10:00+02:00"),
    ("start-exactly-at-closing", "office", "2026-06-10T18:00+02:00", 30, [], "2026-06-11T09:30+02:00"),
    ("start-saturday", "office", "2026-06-13T10:00+02:00", 60, [], "2026-06-15T10:00+02:00"),
    ("start-sunday-last-minute", "office", "2026-06-14T23:59+02:00", 1, [], "2026-06-15T09:01+02:00"),
    # R5 holidays
    ("start-on-ascension-thursday", "office", "2026-05-14T10:00+02:00", 60, [], "2026-05-15T10:00+02:00"),
    ("across-may-day-and-weekend", "office", "2026-04-30T17:00+02:00", 120, [], "2026-05-04T10:00+02:00"),
    ("across-christmas", "office", "2026-12-24T17:00+01:00", 120, [], "2026-12-28T10:00+01:00"),
    ("across-new-year", "office", "2026-12-31T17:30+01:00", 60, [], "2027-01-04T09:30+01:00"),
    # multi-week targets
    ("three-weeks-lunch", "lunch", "2026-06-08T09:00+02:00", 15 * 420, [], "2026-06-26T18:00+02:00"),
    ("two-weeks-across-may-holidays", "office", "2026-05-04T09:00+02:00", 10 * 540, [], "2026-05-19T18:00+02:00"),
    ("three-weeks-across-dst-and-easter", "office", "2026-03-23T09:00+01:00", 15 * 540, [], "2026-04-13T18:00+02:00"),
    # R6 DST, daytime calendars untouched
    ("paris-spring-weekend", "office", "2026-03-27T17:00+01:00", 600, [], "2026-03-30T18:00+02:00"),
    ("paris-autumn-weekend", "office", "2026-10-23T17:00+02:00", 120, [], "2026-10-26T10:00+01:00"),
    ("new-york-spring-weekend", "new_york", "2026-03-06T16:00-05:00", 120, [], "2026-03-09T10:00-04:00"),
    ("new-york-autumn-weekend", "new_york", "2026-10-30T16:00-04:00", 120, [], "2026-11-02T10:00-05:00"),
    # R6 24x7 counts real time
    ("24x7-paris-spring-day-is-1380", "24x7_paris", "2026-03-29T00:00+01:00", 1380, [], "2026-03-30T00:00+02:00"),
    ("24x7-paris-spring-1440", "24x7_paris", "2026-03-29T00:00+01:00", 1440, [], "2026-03-30T01:00+02:00"),
    ("24x7-paris-autumn-day-is-1500", "24x7_paris", "2026-10-25T00:00+02:00", 1500, [], "2026-10-26T00:00+01:00"),
    ("24x7-new-york-spring", "24x7_new_york", "2026-03-08T00:00-05:00", 1380, [], "2026-03-09T00:00-04:00"),
    ("24x7-new-york-autumn", "24x7_new_york", "2026-11-01T00:30-04:00", 60, [], "2026-11-01T01:30-04:00"),
    ("24x7-new-york-autumn-repeat", "24x7_new_york", "2026-11-01T00:30-04:00", 120, [], "2026-11-01T01:30-05:00"),
    # R4 night shifts across midnight
    ("night-across-midnight", "night", "2026-06-10T23:00+02:00", 120, [], "2026-06-11T01:00+02:00"),
    ("night-start-in-the-day", "night", "2026-06-10T12:00+02:00", 180, [], "2026-06-11T01:00+02:00"),
    ("night-fits-the-shift-exactly", "night", "2026-06-10T22:00+02:00", 480, [], "2026-06-11T06:00+02:00"),
    ("night-one-shift-a-week", "monday_night", "2026-06-09T05:00+02:00", 120, [], "2026-06-15T23:00+02:00"),
    ("night-spring-shift-is-7h", "night", "2026-03-28T22:00+01:00", 420, [], "2026-03-29T06:00+02:00"),
    ("night-spring-next-shift", "night", "2026-03-28T22:00+01:00", 421, [], "2026-03-29T22:01+02:00"),
    ("night-autumn-shift-is-9h", "night", "2026-10-24T22:00+02:00", 540, [], "2026-10-25T06:00+01:00"),
    ("night-autumn-in-the-repeated-hour", "night", "2026-10-24T22:00+02:00", 270, [], "2026-10-25T02:30+02:00"),
    ("night-autumn-after-the-repeat", "night", "2026-10-24T22:00+02:00", 330, [], "2026-10-25T02:30+01:00"),
    # R7 pauses
    ("pause-inside", "office", "2026-06-10T09:00+02:00", 240,
     [("2026-06-10T10:00+02:00", "2026-06-10T11:30+02:00")], "2026-06-10T14:30+02:00"),
    ("pause-outside-hours", "office", "2026-06-10T17:00+02:00", 120,
     [("2026-06-10T19:00+02:00", "2026-06-11T08:00+02:00")], "2026-06-11T10:00+02:00"),
    ("pause-over-a-weekend", "office", "2026-06-12T17:00+02:00", 120,
     [("2026-06-12T17:30+02:00", "2026-06-15T09:30+02:00")], "2026-06-15T11:00+02:00"),
    ("pause-covering-the-start", "office", "2026-06-10T09:00+02:00", 60,
     [("2026-06-10T08:00+02:00", "2026-06-10T10:00+02:00")], "2026-06-10T11:00+02:00"),
    ("pauses-overlapping", "office", "2026-06-10T09:00+02:00", 60,
     [("2026-06-10T09:10+02:00", "2026-06-10T09:40+02:00"), ("2026-06-10T09:20+02:00", "2026-06-10T09:50+02:00")],
     "2026-06-10T10:40+02:00"),
    ("pauses-touching", "office", "2026-06-10T09:00+02:00", 60,
     [("2026-06-10T09:10+02:00", "2026-06-10T09:20+02:00"), ("2026-06-10T09:20+02:00", "2026-06-10T09:30+02:00")],
     "2026-06-10T10:20+02:00"),
    ("pause-nested-and-unsorted", "office", "2026-06-10T09:00+02:00", 60,
     [("2026-06-10T09:20+02:00", "2026-06-10T09:30+02:00"), ("2026-06-10T09:10+02:00", "2026-06-10T09:40+02:00")],
     "2026-06-10T10:30+02:00"),
    ("pause-in-lunch-break-changes-nothing", "lunch", "2026-06-10T11:00+02:00", 120,
     [("2026-06-10T12:00+02:00", "2026-06-10T14:00+02:00")], "2026-06-10T15:00+02:00"),
    ("pause-before-start-ignored", "office", "2026-06-10T10:00+02:00", 60,
     [("2026-06-09T10:00+02:00", "2026-06-09T12:00+02:00")], "2026-06-10T11:00+02:00"),
    ("pause-empty-ignored", "office", "2026-06-10T10:00+02:00", 60,
     [("2026-06-10T10:30+02:00", "2026-06-10T10:30+02:00")], "2026-06-10T11:00+02:00"),
    # our decision: a budget that runs out exactly where a pause begins is carried over
    ("pause-beginning-on-the-deadline-carries-it", "office", "2026-06-10T09:00+02:00", 60,
     [("2026-06-10T10:00+02:00", "2026-06-10T10:30+02:00")], "2026-06-10T10:30+02:00"),
    ("pause-beginning-on-a-closing-deadline", "office", "2026-06-10T16:00+02:00", 120,
     [("2026-06-10T18:00+02:00", "2026-06-10T20:00+02:00")], "2026-06-11T09:00+02:00"),
    ("pause-beginning-after-a-closing-deadline", "office", "2026-06-10T16:00+02:00", 120,
     [("2026-06-10T18:30+02:00", "2026-06-10T20:00+02:00")], "2026-06-10T18:00+02:00"),
    # R3 zero targets
    ("zero-inside-hours", "office", "2026-06-10T10:15+02:00", 0, [], "2026-06-10T10:15+02:00"),
    ("zero-at-opening", "office", "2026-06-10T09:00+02:00", 0, [], "2026-06-10T09:00+02:00"),
    ("zero-before-opening", "office", "2026-06-10T06:00+02:00", 0, [], "2026-06-10T09:00+02:00"),
    ("zero-at-closing", "office", "2026-06-10T18:00+02:00", 0, [], "2026-06-11T09:00+02:00"),
    ("zero-in-lunch-break", "lunch", "2026-06-10T12:30+02:00", 0, [], "2026-06-10T14:00+02:00"),
    ("zero-on-saturday", "office", "2026-06-13T10:00+02:00", 0, [], "2026-06-15T09:00+02:00"),
    ("zero-on-a-holiday", "office", "2026-07-14T10:00+02:00", 0, [], "2026-07-15T09:00+02:00"),
    ("zero-while-paused", "office", "2026-06-10T10:00+02:00", 0,
     [("2026-06-10T09:00+02:00", "2026-06-10T11:00+02:00")], "2026-06-10T11:00+02:00"),
    ("zero-24x7", "24x7_paris", "2026-06-13T03:17+02:00", 0, [], "2026-06-13T03:17+02:00"),
    # R13 seconds precision
    ("seconds-kept", "office", "2026-06-10T10:00:30+02:00", 60, [], "2026-06-10T11:00:30+02:00"),
    ("seconds-across-the-night", "office", "2026-06-10T17:59:59+02:00", 1, [], "2026-06-11T09:00:59+02:00"),
    ("seconds-in-pauses", "office", "2026-06-10T10:00:00+02:00", 1,
     [("2026-06-10T10:00:20+02:00", "2026-06-10T10:00:45+02:00")], "2026-06-10T10:01:25+02:00"),
    # inputs in other zones are instants like any other
    ("start-given-in-utc", "office", "2026-06-10T08:00:00Z", 60, [], "2026-06-10T11:00+02:00"),
    ("start-given-in-new-york", "office", "2026-06-10T04:00-04:00", 60, [], "2026-06-10T11:00+02:00"),
]  # fmt: skip


def _step(*texts: str) -> int:
    """Oracle step: a second when any input has seconds, else a minute."""
    return 1 if any(instant(t).second for t in texts) else 60


@pytest.mark.parametrize(
    ("name", "cal", "start", "minutes", "pauses", "expected"), DEADLINES, ids=[row[0] for row in DEADLINES]
)
def test_it_computes_the_deadline(name, cal, start, minutes, pauses, expected):
    got = calendar(cal).deadline(instant(start), minutes, parse_pauses(pauses))
    assert utc(got) == instant(expected)


@pytest.mark.parametrize(
    ("name", "cal", "start", "minutes", "pauses", "expected"), DEADLINES, ids=[row[0] for row in DEADLINES]
)
def test_it_has_deadline_expectations_the_oracle_agrees_with(name, cal, start, minutes, pauses, expected):
    step = _step(start, *(t for pair in pauses for t in pair))
    got = Oracle(CALENDARS[cal]).deadline(instant(start), minutes, parse_pauses(pauses), step=step)
    assert utc(got) == instant(expected)


def test_it_keeps_microseconds():
    start = datetime(2026, 6, 10, 10, 0, 0, 250_000, tzinfo=PARIS)
    assert utc(calendar("office").deadline(start, 1)) == datetime(
        2026, 6, 10, 10, 1, 0, 250_000, tzinfo=PARIS
    )


@pytest.mark.parametrize(
    ("pct", "expected"),
    [
        (80, "2026-06-10T09:48+02:00"),
        (0, "2026-06-10T09:00+02:00"),
        (100, "2026-06-10T10:00+02:00"),
        (50, "2026-06-10T09:30+02:00"),
        (33, "2026-06-10T09:19:48+02:00"),  # floor(60*60*33/100) = 1188 s
        (12.5, "2026-06-10T09:07:30+02:00"),
    ],
)
def test_it_computes_the_warning_in_business_time(pct, expected):
    got = calendar("office").warning_at(instant("2026-06-10T09:00+02:00"), 60, pct)
    assert utc(got) == instant(expected)


def test_it_floors_the_warning_threshold_to_the_second():
    # floor(60 * 7 * 80 / 100) = 336 s = 5 min 36 s
    got = calendar("office").warning_at(instant("2026-06-10T09:00+02:00"), 7)
    assert utc(got) == instant("2026-06-10T09:05:36+02:00")


def test_it_puts_the_warning_after_closing_hours_into_the_next_day():
    got = calendar("office").warning_at(instant("2026-06-10T17:00+02:00"), 120)  # 96 min
    assert utc(got) == instant("2026-06-11T09:36+02:00")


def test_it_moves_the_warning_by_paused_business_time():
    pauses = parse_pauses([("2026-06-10T09:10+02:00", "2026-06-10T09:40+02:00")])
    got = calendar("office").warning_at(instant("2026-06-10T09:00+02:00"), 60, 80, pauses)
    assert utc(got) == instant("2026-06-10T10:18+02:00")


# =========================================================================== counted time

# (id, calendar, start, end, pauses, expected seconds)
COUNTS = [
    ("same-day", "office", "2026-06-10T10:00+02:00", "2026-06-10T12:30+02:00", [], 150 * 60),
    ("across-the-lunch-break", "lunch", "2026-06-10T11:00+02:00", "2026-06-10T15:00+02:00", [], 120 * 60),
    ("across-a-weekend", "office", "2026-06-12T17:00+02:00", "2026-06-15T10:00+02:00", [], 120 * 60),
    ("across-a-holiday", "office", "2026-07-13T17:00+02:00", "2026-07-15T10:00+02:00", [], 120 * 60),
    ("empty-span", "office", "2026-06-10T10:00+02:00", "2026-06-10T10:00+02:00", [], 0),
    ("closed-span", "office", "2026-06-13T00:00+02:00", "2026-06-15T09:00+02:00", [], 0),
    ("paris-spring-small-hours-5h", "paris_small_hours", "2026-03-29T00:00+01:00", "2026-03-29T12:00+02:00", [], 5 * 3600),
    ("paris-autumn-small-hours-7h", "paris_small_hours", "2026-10-25T00:00+02:00", "2026-10-25T12:00+01:00", [], 7 * 3600),
    ("new-york-spring-small-hours-5h", "new_york_small_hours", "2026-03-08T00:00-05:00", "2026-03-08T12:00-04:00", [], 5 * 3600),
    ("new-york-autumn-small-hours-7h", "new_york_small_hours", "2026-11-01T00:00-04:00", "2026-11-01T12:00-05:00", [], 7 * 3600),
    ("paris-summer-small-hours-6h", "paris_small_hours", "2026-06-14T00:00+02:00", "2026-06-14T12:00+02:00", [], 6 * 3600),
    # bounds inside the DST gap / repeated hour (see sla.clock's docstring)
    ("nonexistent-start-bound", "paris_in_the_gap", "2026-03-29T00:00+01:00", "2026-03-29T12:00+02:00", [], 3600),
    ("repeated-hour-bounds", "paris_in_the_gap", "2026-10-25T00:00+02:00", "2026-10-25T12:00+01:00", [], 2 * 3600),
    ("24x7-paris-spring-day", "24x7_paris", "2026-03-29T00:00+01:00", "2026-03-30T00:00+02:00", [], 1380 * 60),
    ("24x7-paris-autumn-day", "24x7_paris", "2026-10-25T00:00+02:00", "2026-10-26T00:00+01:00", [], 1500 * 60),
    ("24x7-new-york-spring-day", "24x7_new_york", "2026-03-08T00:00-05:00", "2026-03-09T00:00-04:00", [], 1380 * 60),
    ("24x7-with-a-pause", "24x7_paris", "2026-06-10T00:00+02:00", "2026-06-11T00:00+02:00",
     [("2026-06-10T10:00+02:00", "2026-06-10T12:00+02:00")], 22 * 3600),
    ("night-shift-across-midnight", "night", "2026-06-10T20:00+02:00", "2026-06-11T08:00+02:00", [], 8 * 3600),
    ("night-shift-spring", "night", "2026-03-28T20:00+01:00", "2026-03-29T08:00+02:00", [], 7 * 3600),
    ("night-shift-autumn", "night", "2026-10-24T20:00+02:00", "2026-10-25T08:00+01:00", [], 9 * 3600),
    ("pause-inside", "office", "2026-06-10T09:00+02:00", "2026-06-10T17:00+02:00",
     [("2026-06-10T10:00+02:00", "2026-06-10T11:30+02:00")], 390 * 60),
    ("pause-outside-hours", "office", "2026-06-10T09:00+02:00", "2026-06-11T12:00+02:00",
     [("2026-06-10T18:30+02:00", "2026-06-11T08:30+02:00")], 720 * 60),
    ("pause-over-a-weekend", "office", "2026-06-12T17:00+02:00", "2026-06-15T12:00+02:00",
     [("2026-06-12T17:30+02:00", "2026-06-15T09:30+02:00")], 180 * 60),
    ("pauses-overlapping", "office", "2026-06-10T09:00+02:00", "2026-06-10T12:00+02:00",
     [("2026-06-10T09:30+02:00", "2026-06-10T10:30+02:00"), ("2026-06-10T10:00+02:00", "2026-06-10T11:00+02:00")],
     90 * 60),
    ("pause-sticking-out-of-the-span", "office", "2026-06-10T10:00+02:00", "2026-06-10T12:00+02:00",
     [("2026-06-10T09:00+02:00", "2026-06-10T10:30+02:00"), ("2026-06-10T11:30+02:00", "2026-06-10T19:00+02:00")],
     60 * 60),
    ("seconds", "office", "2026-06-10T10:00:00+02:00", "2026-06-10T10:00:59+02:00", [], 59),
    ("seconds-across-closing", "office", "2026-06-10T17:59:30+02:00", "2026-06-11T09:00:15+02:00", [], 45),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "cal", "start", "end", "pauses", "expected"), COUNTS, ids=[row[0] for row in COUNTS]
)
def test_it_counts_business_seconds(name, cal, start, end, pauses, expected):
    assert calendar(cal).business_seconds(instant(start), instant(end), parse_pauses(pauses)) == expected


@pytest.mark.parametrize(
    ("name", "cal", "start", "end", "pauses", "expected"), COUNTS, ids=[row[0] for row in COUNTS]
)
def test_it_has_count_expectations_the_oracle_agrees_with(name, cal, start, end, pauses, expected):
    step = _step(start, end, *(t for pair in pauses for t in pair))
    got = Oracle(CALENDARS[cal]).business_seconds(
        instant(start), instant(end), parse_pauses(pauses), step=step
    )
    assert got == expected


def test_it_counts_a_whole_year_of_french_office_hours():
    # 261 weekdays in 2026, 9 of them public holidays: 252 days of 9 hours
    seconds = calendar("office").business_seconds(
        instant("2026-01-01T00:00+01:00"), instant("2027-01-01T00:00+01:00")
    )
    assert seconds == 252 * 9 * 3600


def test_it_floors_microseconds_in_business_seconds():
    start = datetime(2026, 6, 10, 10, 0, 0, 600_000, tzinfo=PARIS)
    end = datetime(2026, 6, 10, 10, 0, 2, 500_000, tzinfo=PARIS)
    assert calendar("office").business_seconds(start, end) == 1
    assert calendar("office").business_time(start, end) == timedelta(seconds=1, microseconds=900_000)


def test_it_stops_counting_at_an_open_pause():
    pauses = [(instant("2026-06-10T10:00+02:00"), None)]
    seconds = calendar("office").business_seconds(
        instant("2026-06-10T09:00+02:00"), instant("2026-06-12T09:00+02:00"), pauses
    )
    assert seconds == 3600


def test_it_cannot_reach_a_target_past_an_open_pause():
    pauses = [(instant("2026-06-10T10:00+02:00"), None)]
    assert calendar("office").reach(instant("2026-06-10T09:00+02:00"), 7200, pauses) is None


def test_it_reaches_a_target_before_an_open_pause():
    pauses = [(instant("2026-06-10T10:00+02:00"), None)]
    got = calendar("office").reach(instant("2026-06-10T09:00+02:00"), 1800, pauses)
    assert utc(got) == instant("2026-06-10T09:30+02:00")


def test_it_reuses_a_prepared_pause_set():
    pauses = PauseSet(parse_pauses([("2026-06-10T10:00+02:00", "2026-06-10T11:30+02:00")]))
    cal = calendar("office")
    assert utc(cal.deadline(instant("2026-06-10T09:00+02:00"), 240, pauses)) == instant(
        "2026-06-10T14:30+02:00"
    )
    assert (
        cal.business_seconds(instant("2026-06-10T09:00+02:00"), instant("2026-06-10T17:00+02:00"), pauses)
        == 390 * 60
    )


# =========================================================================== helpers


@pytest.mark.parametrize(
    ("cal", "moment", "expected"),
    [
        ("office", "2026-06-10T09:00+02:00", True),
        ("office", "2026-06-10T17:59:59+02:00", True),
        ("office", "2026-06-10T18:00+02:00", False),
        ("office", "2026-06-10T08:59:59+02:00", False),
        ("office", "2026-06-13T10:00+02:00", False),
        ("office", "2026-07-14T10:00+02:00", False),
        ("lunch", "2026-06-10T13:00+02:00", False),
        ("night", "2026-06-10T23:59+02:00", True),
        ("night", "2026-06-11T00:00+02:00", True),
        ("night", "2026-06-11T06:00+02:00", False),
        ("24x7_paris", "2026-03-29T02:30+02:00", True),
        ("paris_in_the_gap", "2026-10-25T02:15+01:00", False),  # second 02:15: before 02:30
        ("paris_in_the_gap", "2026-10-25T02:45+01:00", True),
    ],
)
def test_it_tells_business_time(cal, moment, expected):
    assert calendar(cal).is_business_time(instant(moment)) is expected


@pytest.mark.parametrize(
    ("cal", "moment", "expected"),
    [
        ("office", "2026-06-10T10:00+02:00", "2026-06-10T10:00+02:00"),
        ("office", "2026-06-10T18:00+02:00", "2026-06-11T09:00+02:00"),
        ("office", "2026-06-12T19:00+02:00", "2026-06-15T09:00+02:00"),
        ("office", "2026-12-24T19:00+01:00", "2026-12-28T09:00+01:00"),
        ("paris_in_the_gap", "2026-03-28T12:00+01:00", "2026-03-29T03:00+02:00"),  # 02:30 does not exist
        ("monday_night", "2026-06-09T06:00+02:00", "2026-06-15T22:00+02:00"),
    ],
)
def test_it_finds_the_next_business_instant(cal, moment, expected):
    assert utc(calendar(cal).next_business_instant(instant(moment))) == instant(expected)


def test_it_explains_a_span_with_segments():
    pauses = parse_pauses([("2026-06-10T11:30+02:00", "2026-06-10T15:00+02:00")])
    got = list(
        calendar("lunch").segments(
            instant("2026-06-10T11:00+02:00"), instant("2026-06-11T10:00+02:00"), pauses
        )
    )
    assert [(utc(a), utc(b), kind) for a, b, kind in got] == [
        (instant("2026-06-10T11:00+02:00"), instant("2026-06-10T11:30+02:00"), "business"),
        (instant("2026-06-10T11:30+02:00"), instant("2026-06-10T12:00+02:00"), "paused"),
        (instant("2026-06-10T12:00+02:00"), instant("2026-06-10T14:00+02:00"), "closed"),
        (instant("2026-06-10T14:00+02:00"), instant("2026-06-10T15:00+02:00"), "paused"),
        (instant("2026-06-10T15:00+02:00"), instant("2026-06-10T18:00+02:00"), "business"),
        (instant("2026-06-10T18:00+02:00"), instant("2026-06-11T09:00+02:00"), "closed"),
        (instant("2026-06-11T09:00+02:00"), instant("2026-06-11T10:00+02:00"), "business"),
    ]


def test_it_merges_a_night_shift_into_one_segment():
    got = list(
        calendar("night").segments(instant("2026-06-10T21:00+02:00"), instant("2026-06-11T07:00+02:00"))
    )
    assert [kind for _, _, kind in got] == ["closed", "business", "closed"]
    assert (utc(got[1][0]), utc(got[1][1])) == (
        instant("2026-06-10T22:00+02:00"),
        instant("2026-06-11T06:00+02:00"),
    )


def test_it_round_trips_the_json_form():
    spec = {
        "tz": "Europe/Paris",
        "hours": {"mon": [["09:00", "12:00"], ["14:00", "24:00"]], "sat": [["10:00", "11:00"]]},
        "holidays": ["2026-05-01", "2026-12-25"],
    }
    assert BusinessCalendar.from_dict(spec).to_dict() == spec


def test_it_accepts_tuples_dates_and_any_weekday_case():
    built = BusinessCalendar(
        tz="Europe/Paris", hours={"Mon": [("09:00", "18:00")]}, holidays=[date(2026, 12, 25)]
    )
    assert built == BusinessCalendar.from_dict(
        {"tz": "Europe/Paris", "hours": {"mon": [["09:00", "18:00"]]}, "holidays": ["2026-12-25"]}
    )


def test_it_accepts_the_stored_form_of_holidays_and_zone():
    stored = {
        "timezone": "Europe/Paris",
        "hours": {"mon": [["09:00", "18:00"]]},
        "holidays": [{"date": "2026-12-25", "name": "Noël"}],
    }
    assert BusinessCalendar.from_dict(stored).holidays == frozenset({date(2026, 12, 25)})


def test_it_reaches_several_budgets_in_one_walk():
    pauses = parse_pauses([("2026-06-10T10:00+02:00", "2026-06-10T10:30+02:00")])
    got = calendar("office").reach_many(instant("2026-06-10T09:00+02:00"), [7200, 0, 3600], pauses)
    assert [utc(g) for g in got] == [
        instant("2026-06-10T11:30+02:00"),
        instant("2026-06-10T09:00+02:00"),
        instant("2026-06-10T10:30+02:00"),  # runs out where the pause begins: carried
    ]


def test_it_compares_and_hashes_calendars_by_value():
    assert hash(calendar("office")) == hash(calendar("office"))
    assert calendar("office") != calendar("lunch")


def test_it_merges_touching_intervals_of_a_day():
    cal = BusinessCalendar("Europe/Paris", {"mon": [("14:00", "18:00"), ("09:00", "14:00")]})
    assert cal.weekly_hours["mon"] == ((540, 1080),)


def test_it_builds_an_always_open_calendar_from_json():
    cal = BusinessCalendar.from_dict({"tz": "Europe/Paris", "always_open": True})
    assert cal == BusinessCalendar.always_open(tz="Europe/Paris")
    assert cal.is_always_open


# =========================================================================== R16 edits


def test_it_keeps_time_counted_before_a_calendar_edit():
    edited_at = instant("2026-06-10T12:00+02:00")
    cal = VersionedCalendar([(None, calendar("office")), (edited_at, calendar("lunch"))])
    # office until noon (3 h from 09:00), lunch calendar after: 14:00 + 1 h
    assert utc(cal.deadline(instant("2026-06-10T09:00+02:00"), 240)) == instant("2026-06-10T15:00+02:00")


def test_it_applies_an_edit_from_its_instant_only():
    edited_at = instant("2026-06-10T13:00+02:00")
    cal = VersionedCalendar([(None, calendar("lunch")), (edited_at, calendar("office"))])
    # 09:00-12:00 lunch calendar, 13:00-18:00 office calendar
    seconds = cal.business_seconds(instant("2026-06-10T00:00+02:00"), instant("2026-06-11T00:00+02:00"))
    assert seconds == 8 * 3600


def test_it_refuses_versions_out_of_order():
    with pytest.raises(ValueError, match="must start after"):
        VersionedCalendar(
            [
                (instant("2026-06-10T13:00+02:00"), calendar("lunch")),
                (instant("2026-06-10T12:00+02:00"), calendar("office")),
            ]
        )


# =========================================================================== bad input

NAIVE = datetime(2026, 6, 10, 10, 0)
AWARE = instant("2026-06-10T10:00+02:00")


def _office():
    return calendar("office")


BAD_INPUT = [
    ("naive-start", lambda: _office().deadline(NAIVE, 60), "start must be timezone-aware"),
    ("naive-warning-start", lambda: _office().warning_at(NAIVE, 60), "start must be timezone-aware"),
    ("naive-end", lambda: _office().business_seconds(AWARE, NAIVE), "end must be timezone-aware"),
    ("naive-pause", lambda: _office().deadline(AWARE, 60, [(NAIVE, AWARE)]), "pause #0 start must be timezone-aware"),
    ("naive-instant", lambda: _office().is_business_time(NAIVE), "instant must be timezone-aware"),
    ("date-not-datetime", lambda: _office().deadline(date(2026, 6, 10), 60), "start must be an aware datetime"),
    ("reversed-pause", lambda: _office().deadline(AWARE, 60, [(AWARE, AWARE - timedelta(hours=1))]), "pause #0 is reversed"),
    ("pause-not-a-pair", lambda: _office().deadline(AWARE, 60, [AWARE]), "pause #0 must be a \\(start, end\\) pair"),
    ("open-pause-for-a-deadline", lambda: _office().deadline(AWARE, 60, [(AWARE, None)]), "open pause"),
    ("negative-minutes", lambda: _office().deadline(AWARE, -5), "negative target -5"),
    ("fractional-minutes", lambda: _office().deadline(AWARE, 1.5), "whole number of minutes"),
    ("negative-warning-minutes", lambda: _office().warning_at(AWARE, -1), "negative target"),
    ("percent-above-100", lambda: _office().warning_at(AWARE, 60, 101), "percent must be between 0 and 100"),
    ("percent-below-0", lambda: _office().warning_at(AWARE, 60, -1), "percent must be between 0 and 100"),
    ("percent-not-a-number", lambda: _office().warning_at(AWARE, 60, "80"), "percent must be a number"),
    ("end-before-start", lambda: _office().business_seconds(AWARE, AWARE - timedelta(1)), "is before start"),
    ("negative-reach", lambda: _office().reach(AWARE, -1), "seconds must be >= 0"),
    ("unknown-zone", lambda: BusinessCalendar("Mars/Olympus_Mons", {"mon": [("09:00", "18:00")]}), "unknown time zone 'Mars/Olympus_Mons'"),
    ("empty-zone", lambda: BusinessCalendar("", {"mon": [("09:00", "18:00")]}), "tz must be an IANA time zone name"),
    ("unknown-weekday", lambda: BusinessCalendar("UTC", {"monday": [("09:00", "18:00")]}), "unknown weekday name 'monday'"),
    ("no-interval-at-all", lambda: BusinessCalendar("UTC", {}), "no open interval"),
    ("only-empty-days", lambda: BusinessCalendar("UTC", {"mon": [], "tue": []}), "no open interval"),
    ("reversed-interval", lambda: BusinessCalendar("UTC", {"mon": [("18:00", "09:00")]}), "reversed or empty interval 18:00–09:00"),
    ("empty-interval", lambda: BusinessCalendar("UTC", {"mon": [("09:00", "09:00")]}), "reversed or empty interval"),
    ("overlapping-intervals", lambda: BusinessCalendar("UTC", {"tue": [("09:00", "12:00"), ("11:00", "18:00")]}),
     "overlapping intervals 09:00–12:00 and 11:00–18:00"),
    ("24-as-a-start", lambda: BusinessCalendar("UTC", {"mon": [("24:00", "24:00")]}), "'24:00' is allowed only as the end"),
    ("hour-25", lambda: BusinessCalendar("UTC", {"mon": [("09:00", "25:00")]}), "bad time '25:00'"),
    ("minute-60", lambda: BusinessCalendar("UTC", {"mon": [("09:60", "18:00")]}), "bad time '09:60'"),
    ("single-digit-hour", lambda: BusinessCalendar("UTC", {"mon": [("9:00", "18:00")]}), "bad time '9:00', expected 'HH:MM'"),
    ("words", lambda: BusinessCalendar("UTC", {"mon": [("noon", "18:00")]}), "bad time 'noon'"),
    ("number-not-string", lambda: BusinessCalendar("UTC", {"mon": [(900, 1800)]}), "bad time 900"),
    ("triple-not-pair", lambda: BusinessCalendar("UTC", {"mon": [("09:00", "12:00", "18:00")]}), "must be a pair"),
    ("day-not-a-list", lambda: BusinessCalendar("UTC", {"mon": "09:00-18:00"}), "must be a list"),
    ("bad-holiday", lambda: BusinessCalendar("UTC", {"mon": [("09:00", "18:00")]}, ["2026-13-01"]), "bad holiday '2026-13-01'"),
    ("datetime-holiday", lambda: BusinessCalendar("UTC", {"mon": [("09:00", "18:00")]}, [AWARE]), "must be a date, not a datetime"),
    ("dict-without-tz", lambda: BusinessCalendar.from_dict({"hours": {"mon": [["09:00", "18:00"]]}}), "needs a 'tz'"),
    ("dict-unknown-key", lambda: BusinessCalendar.from_dict({"tz": "UTC", "hour": {}}), "unknown calendar keys: hour"),
    ("year-out-of-range", lambda: _office().deadline(datetime(9999, 6, 1, tzinfo=UTC), 60), "supported range"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "call", "message"), BAD_INPUT, ids=[row[0] for row in BAD_INPUT])
def test_it_refuses_bad_input_saying_what_is_wrong(name, call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_it_gives_up_on_a_calendar_without_business_time_for_years():
    closed = BusinessCalendar(
        "UTC", {"mon": [("09:00", "10:00")]}, [date(2026, 6, 8) + timedelta(weeks=w) for w in range(600)]
    )
    with pytest.raises(ValueError, match="no business time in the 3660 days"):
        closed.deadline(instant("2026-06-08T00:00Z"), 60)


# =========================================================================== properties

ZONES = [
    "Europe/Paris",
    "America/New_York",
    "UTC",
    "Australia/Lord_Howe",  # 30-minute DST shift
    "America/Santiago",  # DST changes at midnight
    "Pacific/Chatham",  # +12:45 / +13:45, changes at 02:45
    "Asia/Kolkata",
    "America/St_Johns",  # -03:30 / -02:30
]
# 2026 DST changes (local dates) of those zones, and ordinary days
AROUND = [
    datetime(2026, 3, 8, tzinfo=UTC),
    datetime(2026, 3, 29, tzinfo=UTC),
    datetime(2026, 4, 5, tzinfo=UTC),
    datetime(2026, 9, 6, tzinfo=UTC),
    datetime(2026, 9, 27, tzinfo=UTC),
    datetime(2026, 10, 4, tzinfo=UTC),
    datetime(2026, 10, 25, tzinfo=UTC),
    datetime(2026, 11, 1, tzinfo=UTC),
    datetime(2026, 6, 10, tzinfo=UTC),
]


@st.composite
def day_hours(draw):
    cuts = sorted(draw(st.sets(st.integers(0, 96).map(lambda q: q * 15), max_size=6)))
    if len(cuts) % 2:
        cuts = cuts[:-1]
    return [
        [f"{a // 60:02d}:{a % 60:02d}", f"{b // 60:02d}:{b % 60:02d}"]
        for a, b in zip(cuts[::2], cuts[1::2], strict=True)
    ]


@st.composite
def calendar_specs(draw):
    tz = draw(st.sampled_from(ZONES))
    if draw(st.integers(0, 9)) == 0:
        return {"tz": tz, "always_open": True}
    hours = {}
    for name in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"):
        intervals = draw(day_hours())
        if intervals:
            hours[name] = intervals
    assume(sum(len(v) for v in hours.values()) >= 2)
    holidays = draw(st.lists(st.integers(-3, 10), max_size=3))
    base = draw(st.sampled_from(AROUND)).date()
    return {
        "tz": tz,
        "hours": hours,
        "holidays": sorted({(base + timedelta(days=d)).isoformat() for d in holidays}),
    }


def _weekly_minutes(spec):
    if spec.get("always_open"):
        return 7 * 1440
    total = 0
    for intervals in spec["hours"].values():
        for a, b in intervals:
            total += Oracle._seconds(b) // 60 - Oracle._seconds(a) // 60
    return total


@st.composite
def scenarios(draw):
    spec = draw(calendar_specs())
    start = draw(st.sampled_from(AROUND)) + timedelta(minutes=draw(st.integers(-3 * 1440, 3 * 1440)))
    minutes = draw(st.integers(0, max(0, min(600, _weekly_minutes(spec) // 2))))
    pauses = []
    for _ in range(draw(st.integers(0, 3))):
        begin = start + timedelta(minutes=draw(st.integers(-600, 4 * 1440)))
        pauses.append((begin, begin + timedelta(minutes=draw(st.integers(0, 2 * 1440)))))
    return spec, start, minutes, pauses


PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY_SETTINGS
@given(scenarios())
def test_it_agrees_with_the_oracle_on_deadlines(scenario):
    spec, start, minutes, pauses = scenario
    expected = Oracle(spec).deadline(start, minutes, pauses)
    assert utc(BusinessCalendar.from_dict(spec).deadline(start, minutes, pauses)) == expected


@PROPERTY_SETTINGS
@given(scenarios(), st.integers(0, 100))
def test_it_agrees_with_the_oracle_on_warnings(scenario, pct):
    spec, start, minutes, pauses = scenario
    expected = Oracle(spec).reach(start, 60 * minutes * pct // 100, pauses)
    assert utc(BusinessCalendar.from_dict(spec).warning_at(start, minutes, pct, pauses)) == expected


@PROPERTY_SETTINGS
@given(scenarios(), st.integers(0, 4 * 1440))
def test_it_agrees_with_the_oracle_on_counted_time(scenario, span):
    spec, start, _, pauses = scenario
    end = start + timedelta(minutes=span)
    expected = Oracle(spec).business_seconds(start, end, pauses)
    assert BusinessCalendar.from_dict(spec).business_seconds(start, end, pauses) == expected


@settings(max_examples=300, deadline=None)
@given(calendar_specs(), st.sampled_from(AROUND), st.integers(-4 * 86400, 4 * 86400))
def test_it_agrees_with_the_oracle_on_business_instants(spec, base, offset):
    moment = base + timedelta(seconds=offset)
    assert BusinessCalendar.from_dict(spec).is_business_time(moment) is Oracle(spec).is_business(moment)


@settings(max_examples=200, deadline=None)
@given(scenarios(), st.integers(0, 60 * 86400), st.integers(0, 60 * 86400))
def test_it_adds_up_counted_time_over_adjacent_spans(scenario, first, second):
    spec, start, _, pauses = scenario
    cal = BusinessCalendar.from_dict(spec)
    middle, end = start + timedelta(seconds=first), start + timedelta(seconds=first + second)
    whole = cal.business_time(start, end, pauses)
    assert whole == cal.business_time(start, middle, pauses) + cal.business_time(middle, end, pauses)


@settings(max_examples=200, deadline=None)
@given(scenarios(), st.integers(0, 20_000))
def test_it_counts_exactly_the_target_up_to_the_deadline(scenario, minutes):
    spec, start, _, pauses = scenario
    cal = BusinessCalendar.from_dict(spec)
    deadline = cal.deadline(start, minutes, pauses)
    assert cal.business_seconds(start, deadline, pauses) == 60 * minutes


@settings(max_examples=200, deadline=None)
@given(scenarios(), st.integers(0, 5000), st.integers(1, 3 * 1440), st.integers(0, 3 * 1440))
def test_it_never_moves_a_deadline_earlier_for_a_pause(scenario, minutes, offset, length):
    spec, start, _, pauses = scenario
    cal = BusinessCalendar.from_dict(spec)
    extra = (start + timedelta(minutes=offset), start + timedelta(minutes=offset + length))
    assert cal.deadline(start, minutes, [*pauses, extra]) >= cal.deadline(start, minutes, pauses)


@settings(max_examples=150, deadline=None)
@given(scenarios(), st.lists(st.integers(0, 20_000), max_size=6))
def test_it_reaches_several_budgets_as_one_by_one(scenario, budgets):
    spec, start, _, pauses = scenario
    cal = BusinessCalendar.from_dict(spec)
    assert cal.reach_many(start, budgets, pauses) == [cal.reach(start, budget, pauses) for budget in budgets]


@settings(max_examples=150, deadline=None)
@given(scenarios(), st.integers(0, 6 * 1440))
def test_it_covers_a_span_with_segments_adding_up_to_counted_time(scenario, span):
    spec, start, _, pauses = scenario
    cal = BusinessCalendar.from_dict(spec)
    end = start + timedelta(minutes=span)
    segments = list(cal.segments(start, end, pauses))
    assert [utc(s) for s, _, _ in segments[:1]] == ([start] if span else [])
    assert [utc(e) for _, e, _ in segments[-1:]] == ([end] if span else [])
    assert all(utc(a[1]) == utc(b[0]) and a[2] != b[2] for a, b in zip(segments, segments[1:], strict=False))
    business = sum((utc(e) - utc(s) for s, e, kind in segments if kind == "business"), timedelta())
    assert business == cal.business_time(start, end, pauses)


OPENINGS = {  # local opening instants (weekdays in June 2026) of the named calendars
    "office": "2026-06-10T09:00:00+02:00",
    "lunch": "2026-06-10T14:00:00+02:00",
    "night": "2026-06-10T22:00:00+02:00",
    "new_york": "2026-06-10T09:00:00-04:00",
}
CLOSINGS = {
    "office": "2026-06-10T18:00:00+02:00",
    "lunch": "2026-06-10T12:00:00+02:00",
    "night": "2026-06-11T06:00:00+02:00",
    "new_york": "2026-06-10T17:00:00-04:00",
}


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(OPENINGS)), st.integers(-600, 600), st.integers(0, 600))
def test_it_agrees_with_the_oracle_to_the_second_near_an_opening(name, offset, seconds):
    start = instant(OPENINGS[name]) + timedelta(seconds=offset)
    expected = Oracle(CALENDARS[name]).reach(start, seconds, step=1)
    assert utc(calendar(name).reach(start, seconds)) == expected


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(CLOSINGS)), st.booleans(), st.integers(-900, 900), st.integers(0, 1200))
def test_it_agrees_with_the_oracle_to_the_second_on_counted_time(name, closing, offset, seconds):
    start = instant((CLOSINGS if closing else OPENINGS)[name]) + timedelta(seconds=offset)
    end = start + timedelta(seconds=seconds)
    expected = Oracle(CALENDARS[name]).business_seconds(start, end, step=1)
    assert calendar(name).business_seconds(start, end) == expected

"""Shared data for the SLA clock tests: named calendars and a naive, slow oracle.

No database, no Django.  The oracle is written independently of ``sla.clock``: it parses
the calendar's JSON form itself and, one step (a minute or a second) at a time, asks
``zoneinfo`` for the local wall-clock time of each instant.  It is only valid when every
boundary (hours, pauses, start, DST changes) falls on a multiple of the step.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sla.clock import BusinessCalendar

DATA = Path(__file__).parent / "data" / "sla_examples.json"
PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
UTC = ZoneInfo("UTC")

FR_2026 = [
    "2026-01-01", "2026-04-06", "2026-05-01", "2026-05-08", "2026-05-14", "2026-05-25",
    "2026-07-14", "2026-08-15", "2026-11-01", "2026-11-11", "2026-12-25", "2027-01-01",
]  # fmt: skip
WORKDAYS = ("mon", "tue", "wed", "thu", "fri")
EVERY_DAY = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

CALENDARS: dict[str, Any] = {
    "office": {
        "tz": "Europe/Paris",
        "hours": {d: [["09:00", "18:00"]] for d in WORKDAYS},
        "holidays": FR_2026,
    },
    "lunch": {
        "tz": "Europe/Paris",
        "hours": {d: [["09:00", "12:00"], ["14:00", "18:00"]] for d in WORKDAYS},
        "holidays": FR_2026,
    },
    "new_york": {
        "tz": "America/New_York",
        "hours": {d: [["09:00", "17:00"]] for d in WORKDAYS},
        "holidays": [],
    },
    # a night shift 22:00–06:00 every night: written 22:00–24:00 and 00:00–06:00
    "night": {
        "tz": "Europe/Paris",
        "hours": {d: [["00:00", "06:00"], ["22:00", "24:00"]] for d in EVERY_DAY},
    },
    # one shift Monday 22:00 -> Tuesday 06:00 only
    "monday_night": {
        "tz": "Europe/Paris",
        "hours": {"mon": [["22:00", "24:00"]], "tue": [["00:00", "06:00"]]},
    },
    "paris_small_hours": {"tz": "Europe/Paris", "hours": {"sun": [["00:00", "06:00"]]}},
    "paris_in_the_gap": {"tz": "Europe/Paris", "hours": {"sun": [["02:30", "04:00"]]}},
    "new_york_small_hours": {"tz": "America/New_York", "hours": {"sun": [["00:00", "06:00"]]}},
    "24x7_paris": {"tz": "Europe/Paris", "always_open": True},
    "24x7_new_york": {"tz": "America/New_York", "always_open": True},
}


def calendar(name_or_spec: str | dict[str, Any]) -> BusinessCalendar:
    spec = CALENDARS[name_or_spec] if isinstance(name_or_spec, str) else name_or_spec
    return BusinessCalendar.from_dict(spec)


def load_examples() -> dict[str, Any]:
    return json.loads(DATA.read_text())


def example_calendar(case: dict[str, Any]) -> dict[str, Any]:
    """The examples write 24x7 as the string "24x7" with a display zone."""
    if case["calendar"] == "24x7":
        return {"tz": case.get("display_tz", "UTC"), "always_open": True}
    return case["calendar"]


def instant(text: str) -> datetime:
    """An ISO instant with its offset; 'Z' allowed."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    assert value.tzinfo is not None, text
    return value


def utc(value: datetime) -> datetime:
    """Compare instants in UTC: Python's == between zones is False for a wall time that
    is repeated in autumn (PEP 495), even when both denote the same instant."""
    return value.astimezone(UTC)


def parse_pauses(pairs: list[list[str]] | None) -> list[tuple[datetime, datetime]]:
    return [(instant(a), instant(b)) for a, b in pairs or []]


# --------------------------------------------------------------------------- oracle


class Oracle:
    """Naive business-time oracle over one calendar given in its JSON form."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.tz = ZoneInfo(spec["tz"])
        self.always = bool(spec.get("always_open"))
        self.holidays = {date.fromisoformat(h) for h in spec.get("holidays", [])}
        self.hours: dict[int, list[tuple[int, int]]] = {}
        names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        for name, intervals in (spec.get("hours") or {}).items():
            self.hours[names.index(name)] = [(self._seconds(a), self._seconds(b)) for a, b in intervals]

    @staticmethod
    def _seconds(hhmm: str) -> int:
        h, m = hhmm.split(":")
        return int(h) * 3600 + int(m) * 60

    def is_business(self, moment: datetime) -> bool:
        if self.always:
            return True
        local = moment.astimezone(self.tz)
        if local.date() in self.holidays:
            return False
        second_of_day = local.hour * 3600 + local.minute * 60 + local.second
        return any(a <= second_of_day < b for a, b in self.hours.get(local.weekday(), []))

    @staticmethod
    def is_paused(moment: datetime, pauses: list[tuple[datetime, datetime]]) -> bool:
        return any(a <= moment < b for a, b in pauses)

    def counts(self, moment: datetime, pauses: list[tuple[datetime, datetime]]) -> bool:
        return self.is_business(moment) and not self.is_paused(moment, pauses)

    def business_seconds(
        self, start: datetime, end: datetime, pauses: list[tuple[datetime, datetime]] = (), step: int = 60
    ) -> int:
        moment, total, delta = start.astimezone(UTC), 0, timedelta(seconds=step)
        end = end.astimezone(UTC)
        while moment < end:
            if self.counts(moment, pauses):
                total += step
            moment += delta
        return total

    def reach(
        self,
        start: datetime,
        need_seconds: int,
        pauses: list[tuple[datetime, datetime]] = (),
        step: int = 60,
        max_days: int = 60,
    ) -> datetime:
        """First instant with counted >= need; if that instant is paused, or need is 0,
        the first counting instant from there (R3, and the carry-over decision)."""
        moment, counted, delta = start.astimezone(UTC), 0, timedelta(seconds=step)
        limit = moment + timedelta(days=max_days)
        if need_seconds > 0:
            while True:
                assert moment < limit, "oracle walked too far"
                if self.counts(moment, pauses):
                    if counted + step >= need_seconds:
                        moment += timedelta(seconds=need_seconds - counted)
                        break
                    counted += step
                moment += delta
        if need_seconds == 0 or self.is_paused(moment, pauses):
            while not self.counts(moment, pauses):
                assert moment < limit, "oracle walked too far"
                moment += delta
        return moment

    def deadline(self, start: datetime, minutes: int, pauses=(), step: int = 60) -> datetime:
        return self.reach(start, minutes * 60, list(pauses), step)

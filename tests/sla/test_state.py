"""sla.state: a ticket's SLA state from its history (SLA.md R7–R15). No database."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sla.clock import VersionedCalendar
from sla.state import Event, evaluate, explain
from tests.sla.conftest import CALENDARS, PARIS, Oracle, calendar, utc

OFFICE = calendar("office")  # Mon–Fri 09:00–18:00 Europe/Paris, French holidays


def at(text: str) -> datetime:
    """Paris wall-clock time, e.g. 'Wed 10:00' is 2026-06-10 10:00 (June: no DST change)."""
    days = {"Mon": 8, "Tue": 9, "Wed": 10, "Thu": 11, "Fri": 12, "Sat": 13, "Sun": 14, "Mon2": 15, "Tue2": 16}
    day, clock = text.split()
    hour, minute = clock.split(":")[:2]
    second = int(clock.split(":")[2]) if clock.count(":") == 2 else 0
    return datetime(2026, 6, days[day], int(hour), int(minute), second, tzinfo=PARIS)


def created(when: str, response: int | None = 60, resolution: int | None = 240) -> Event:
    return Event(at(when), "created", response_minutes=response, resolution_minutes=resolution)


def event(kind: str, when: str) -> Event:
    return Event(at(when), kind)


def changed(when: str, response: int | None, resolution: int | None) -> Event:
    return Event(at(when), "target_changed", response_minutes=response, resolution_minutes=resolution)


def sla(events, now: str, **kwargs):
    return evaluate(calendar=OFFICE, events=events, now=at(now), **kwargs)


def same(value: datetime | None, when: str | None) -> bool:
    if value is None or when is None:
        return value is None and when is None
    return utc(value) == utc(at(when))


# =========================================================================== R7 pauses


def test_it_pauses_the_response_while_waiting_on_client():
    events = [created("Wed 09:00"), event("paused", "Wed 09:30"), event("resumed", "Wed 10:30")]
    assert same(sla(events, "Wed 10:30").response.deadline, "Wed 11:00")


def test_it_pauses_the_resolution_while_waiting_on_client():
    events = [created("Wed 09:00"), event("paused", "Wed 09:30"), event("resumed", "Wed 10:30")]
    assert same(sla(events, "Wed 10:30").resolution.deadline, "Wed 14:00")


def test_it_hides_the_deadline_while_paused():
    metric = sla([created("Wed 09:00"), event("paused", "Wed 09:30")], "Wed 11:00").resolution
    assert (metric.state, metric.deadline) == ("paused", None)


def test_it_freezes_remaining_time_while_paused():
    events = [created("Wed 09:00"), event("paused", "Wed 09:30")]
    early, late = sla(events, "Wed 10:00").resolution, sla(events, "Mon2 17:00").resolution
    assert (early.remaining_business_minutes, late.remaining_business_minutes) == (210, 210)


def test_it_never_breaches_while_paused():
    metric = sla([created("Wed 09:00"), event("paused", "Wed 09:30")], "Tue2 17:00").response
    assert metric.breached is False


def test_it_ignores_a_pause_outside_business_hours():
    events = [created("Wed 17:00"), event("paused", "Wed 19:00"), event("resumed", "Thu 08:00")]
    assert same(sla(events, "Thu 08:00").resolution.deadline, "Thu 12:00")


def test_it_moves_the_deadline_by_the_paused_business_time_over_a_weekend():
    events = [created("Fri 17:00"), event("paused", "Fri 17:30"), event("resumed", "Mon2 09:30")]
    assert same(sla(events, "Mon2 09:30").response.deadline, "Mon2 10:00")


def test_it_ends_a_pause_when_the_ticket_is_resolved():
    events = [created("Wed 09:00"), event("paused", "Wed 09:30"), event("resolved", "Wed 11:00")]
    result = sla(events, "Wed 12:00")
    assert (result.paused, result.resolution.state, result.resolution.elapsed_business_minutes) == (
        False,
        "completed",
        30,
    )


def test_it_ignores_redundant_pause_and_resume_events():
    events = [
        created("Wed 09:00"),
        event("resumed", "Wed 09:10"),
        event("paused", "Wed 09:30"),
        event("paused", "Wed 09:45"),
        event("resumed", "Wed 10:30"),
    ]
    assert same(sla(events, "Wed 10:30").response.deadline, "Wed 11:00")


def test_it_schedules_nothing_while_paused():
    assert sla([created("Wed 09:00"), event("paused", "Wed 09:30")], "Wed 10:00").next_due_at is None


# =========================================================================== R8 response


@pytest.mark.parametrize(
    ("reply", "breached"),
    [("Wed 09:45", False), ("Wed 10:00", False), ("Wed 10:01", True), ("Thu 09:00", True)],
)
def test_it_judges_the_response_by_the_first_reply(reply, breached):
    metric = sla([created("Wed 09:00"), event("responded", reply)], "Thu 12:00").response
    assert (metric.state, metric.breached) == ("completed", breached)


def test_it_sets_breached_at_to_the_deadline_not_the_reply():
    metric = sla([created("Wed 09:00"), event("responded", "Wed 15:00")], "Thu 12:00").response
    assert same(metric.breached_at, "Wed 10:00")


def test_it_counts_only_the_first_response():
    events = [created("Wed 09:00"), event("responded", "Wed 09:30"), event("responded", "Wed 11:00")]
    assert same(sla(events, "Wed 12:00").response.completed_at, "Wed 09:30")


def test_it_breaches_a_running_response_after_its_deadline():
    metric = sla([created("Wed 09:00")], "Wed 10:00:30").response
    assert (metric.state, metric.breached, metric.remaining_business_minutes) == ("running", True, -1)


def test_it_does_not_breach_a_running_response_at_its_deadline():
    metric = sla([created("Wed 09:00")], "Wed 10:00").response
    assert (metric.breached, metric.remaining_business_minutes) == (False, 0)


def test_it_breaches_after_a_deadline_on_a_closing_instant_with_zero_remaining():
    # deadline Wed 18:00; at 19:00 the deadline has passed (R8) but no business time
    # has been counted past the target yet (R13): breached, remaining 0
    metric = sla([created("Wed 17:00")], "Wed 19:00").response
    assert (metric.breached, metric.remaining_business_minutes) == (True, 0)


def test_it_meets_a_zero_minute_response_only_at_the_first_business_instant():
    events = [created("Sat 10:00", response=0), event("responded", "Mon2 09:00")]
    assert sla(events, "Mon2 10:00").response.breached is False


# =========================================================================== R9 resolution


@pytest.mark.parametrize(
    ("resolved", "breached"),
    [("Wed 12:00", False), ("Wed 13:00", False), ("Wed 13:00:01", True), ("Thu 09:00", True)],
)
def test_it_judges_the_resolution_by_the_resolved_instant(resolved, breached):
    events = [created("Wed 09:00"), event("responded", "Wed 09:10"), event("resolved", resolved)]
    metric = sla(events, "Thu 12:00").resolution
    assert (metric.state, metric.breached) == ("completed", breached)


def test_it_completes_the_response_when_resolving_without_reply():
    metric = sla([created("Wed 09:00"), event("resolved", "Wed 09:40")], "Wed 12:00").response
    assert (metric.state, metric.breached) == ("completed", False)
    assert same(metric.completed_at, "Wed 09:40")


def test_it_breaches_the_response_when_resolving_late_without_reply():
    metric = sla([created("Wed 09:00"), event("resolved", "Wed 11:00")], "Wed 12:00").response
    assert (metric.breached, metric.elapsed_business_minutes) == (True, 120)


def test_it_reports_met_for_completed_metrics_only():
    result = sla([created("Wed 09:00"), event("responded", "Wed 09:10")], "Wed 10:00")
    assert (result.response.met, result.resolution.met) == (True, None)


# =========================================================================== R10 priority


def test_it_recomputes_from_the_original_start_on_a_target_change():
    events = [created("Wed 09:00", resolution=480), changed("Wed 10:00", 60, 120)]
    assert same(sla(events, "Wed 10:00").resolution.deadline, "Wed 11:00")


def test_it_keeps_past_pauses_on_a_target_change():
    events = [
        created("Wed 09:00", resolution=480),
        event("paused", "Wed 09:30"),
        event("resumed", "Wed 10:30"),
        changed("Wed 11:00", 60, 120),
    ]
    assert same(sla(events, "Wed 11:00").resolution.deadline, "Wed 12:00")


def test_it_breaches_at_once_when_the_new_deadline_has_passed():
    events = [created("Wed 09:00", resolution=480), changed("Wed 12:00", 60, 120)]
    metric = sla(events, "Wed 12:00").resolution
    assert metric.breached is True
    assert same(metric.breached_at, "Wed 11:00")


def test_it_keeps_a_breach_when_the_priority_is_lowered():
    events = [created("Wed 09:00", resolution=60), changed("Wed 10:30", 60, 480)]
    metric = sla(events, "Wed 10:30").resolution
    assert (metric.breached, metric.target_minutes, metric.remaining_business_minutes) == (True, 480, 390)
    assert same(metric.breached_at, "Wed 10:00")


def test_it_keeps_each_target_version():
    events = [
        created("Wed 09:00", resolution=480),
        changed("Wed 10:00", 60, 120),
        changed("Wed 10:30", 60, 240),
    ]
    metric = sla(events, "Wed 10:30").resolution
    assert [(v.number, v.target_minutes) for v in metric.versions] == [(1, 480), (2, 120), (3, 240)]
    assert metric.target_version == 3


def test_it_keeps_the_ticket_target_history():
    events = [created("Wed 09:00", resolution=480), changed("Wed 10:00", 60, 120)]
    history = sla(events, "Wed 10:00").target_history
    assert [(h.response_minutes, h.resolution_minutes) for h in history] == [(60, 480), (60, 120)]


def test_it_does_not_version_an_unchanged_target():
    events = [created("Wed 09:00", resolution=480), changed("Wed 10:00", 60, 120)]
    assert sla(events, "Wed 10:00").response.target_version == 1


def test_it_ignores_a_target_change_after_the_response():
    events = [created("Wed 09:00"), event("responded", "Wed 09:50"), changed("Wed 10:00", 15, 240)]
    metric = sla(events, "Wed 10:00").response
    assert (metric.breached, metric.target_minutes, [v.applied for v in metric.versions]) == (
        False,
        60,
        [True, False],
    )


def test_it_drops_a_metric_whose_target_is_removed():
    events = [created("Wed 09:00"), changed("Wed 09:30", None, 240)]
    assert sla(events, "Wed 09:30").response is None


def test_it_keeps_a_breached_metric_whose_target_is_removed():
    events = [created("Wed 09:00"), changed("Wed 11:00", None, 240)]
    metric = sla(events, "Wed 11:00").response
    assert (metric.breached, metric.target_minutes, metric.deadline, metric.remaining_business_minutes) == (
        True,
        None,
        None,
        None,
    )


def test_it_starts_a_metric_added_by_a_target_change_from_the_creation():
    events = [created("Wed 09:00", response=None), changed("Wed 09:30", 60, 240)]
    assert same(sla(events, "Wed 09:30").response.deadline, "Wed 10:00")


# =========================================================================== R11 reopen


def test_it_counts_resolved_to_reopened_as_a_pause():
    events = [created("Wed 09:00"), event("resolved", "Wed 10:00"), event("reopened", "Thu 10:00")]
    # 60 min counted before resolving; 180 left from Thu 10:00
    assert same(sla(events, "Thu 10:00").resolution.deadline, "Thu 13:00")


def test_it_resumes_the_same_resolution_clock_on_reopen():
    events = [created("Wed 09:00"), event("resolved", "Wed 10:00"), event("reopened", "Thu 10:00")]
    metric = sla(events, "Thu 11:00").resolution
    assert (metric.state, metric.elapsed_business_minutes, metric.completed_at) == ("running", 120, None)


def test_it_does_not_breach_a_ticket_resolved_on_its_deadline_by_reopening_it():
    events = [created("Wed 09:00"), event("resolved", "Wed 13:00"), event("reopened", "Wed 20:00")]
    metric = sla(events, "Wed 20:00").resolution
    assert (metric.breached, metric.remaining_business_minutes) == (False, 0)
    assert same(metric.deadline, "Thu 09:00")


def test_it_does_not_rearm_the_response_on_reopen():
    events = [created("Wed 09:00"), event("resolved", "Wed 09:30"), event("reopened", "Wed 11:00")]
    metric = sla(events, "Thu 17:00").response
    assert (metric.state, metric.breached) == ("completed", False)


def test_it_applies_a_target_change_made_while_resolved_after_reopening():
    events = [
        created("Wed 09:00"),
        event("resolved", "Wed 10:00"),
        changed("Wed 10:30", 60, 480),
        event("reopened", "Wed 11:00"),
    ]
    metric = sla(events, "Wed 11:00").resolution
    assert (metric.target_minutes, metric.target_version) == (480, 2)
    assert same(metric.deadline, "Wed 18:00")  # 60 used before resolving, 420 from 11:00


def test_it_treats_closed_as_final():
    events = [
        created("Wed 09:00"),
        event("resolved", "Wed 10:00"),
        event("closed", "Wed 11:00"),
        event("reopened", "Thu 09:00"),
    ]
    result = sla(events, "Fri 17:00")
    assert (result.closed, result.resolution.state) == (True, "completed")
    assert same(result.resolution.completed_at, "Wed 10:00")


def test_it_completes_running_metrics_when_closing_without_resolving():
    result = sla([created("Wed 09:00"), event("closed", "Wed 09:20")], "Thu 12:00")
    assert [(m.state, m.breached) for m in (result.response, result.resolution)] == [
        ("completed", False),
        ("completed", False),
    ]


# =========================================================================== R12 warning


def test_it_warns_at_80_percent_in_business_time():
    metric = sla([created("Fri 17:00", resolution=600)], "Fri 17:00").resolution
    assert same(metric.warning_at, "Mon2 16:00")


def test_it_uses_the_policy_warning_percent():
    metric = sla([created("Wed 09:00")], "Wed 09:00", warning_percent=50).response
    assert same(metric.warning_at, "Wed 09:30")


@pytest.mark.parametrize(("now", "due"), [("Wed 09:47", False), ("Wed 09:48", True), ("Wed 09:59", True)])
def test_it_marks_the_warning_due_once_reached(now, due):
    assert sla([created("Wed 09:00")], now).response.warning_due is due


def test_it_never_marks_the_warning_due_while_paused():
    events = [created("Wed 09:00"), event("paused", "Wed 09:50")]
    assert sla(events, "Wed 09:55").response.warning_due is False


def test_it_never_marks_the_warning_due_after_a_breach():
    assert sla([created("Wed 09:00")], "Wed 10:05").response.warning_due is False


def test_it_marks_the_warning_due_again_under_a_new_target_version():
    events = [created("Wed 09:00", response=240), changed("Wed 09:50", 60, 240)]
    metric = sla(events, "Wed 09:50").response
    assert (metric.warning_due, metric.target_version) == (True, 2)


def test_it_forgets_a_warning_not_reached_before_completion():
    metric = sla([created("Wed 09:00"), event("responded", "Wed 09:10")], "Wed 12:00").response
    assert (metric.warning_at, metric.warning_due) == (None, False)


# =========================================================================== R13, R14


@pytest.mark.parametrize(
    ("now", "elapsed", "remaining"),
    [
        ("Wed 09:00", 0, 60),
        ("Wed 09:00:59", 0, 59),
        ("Wed 09:01", 1, 59),
        ("Wed 09:59:59", 59, 0),
        ("Wed 10:00", 60, 0),
        ("Wed 10:00:01", 60, -1),
        ("Wed 10:01", 61, -1),
        ("Wed 10:01:01", 61, -2),
    ],
)
def test_it_floors_elapsed_and_remaining_minutes(now, elapsed, remaining):
    metric = sla([created("Wed 09:00")], now).response
    assert (metric.elapsed_business_minutes, metric.remaining_business_minutes) == (elapsed, remaining)


def test_it_has_no_metric_without_sla():
    result = sla([created("Wed 09:00", response=None, resolution=None)], "Wed 12:00")
    assert (result.response, result.resolution, result.next_due_at) == (None, None, None)


def test_it_treats_a_zero_target_as_a_target():
    metric = sla([created("Sat 10:00", response=0)], "Sat 11:00").response
    assert same(metric.deadline, "Mon2 09:00")


def test_it_shows_every_field_of_the_api():
    metric = sla([created("Wed 09:00")], "Wed 09:30").response
    assert (
        metric.target_minutes,
        metric.state,
        metric.breached,
        metric.breached_at,
        metric.completed_at,
    ) == (
        60,
        "running",
        False,
        None,
        None,
    )
    assert same(metric.deadline, "Wed 10:00") and same(metric.warning_at, "Wed 09:48")
    assert (metric.elapsed_business_minutes, metric.remaining_business_minutes) == (30, 30)


# =========================================================================== R15 next due


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ("Wed 09:00", "Wed 09:48"),  # response warning first
        ("Wed 09:48", "Wed 10:00"),  # warning due now: next is the response deadline
        ("Wed 10:00", "Wed 10:00"),  # the deadline itself is still to fire
        ("Wed 10:30", "Wed 12:12"),  # response breached: resolution warning (192 min)
        ("Wed 12:30", "Wed 13:00"),
        ("Wed 13:30", None),  # both breached
    ],
)
def test_it_schedules_the_next_due_instant(now, expected):
    assert same(sla([created("Wed 09:00")], now).next_due_at, expected)


def test_it_schedules_nothing_once_resolved():
    assert sla([created("Wed 09:00"), event("resolved", "Wed 09:30")], "Wed 09:30").next_due_at is None


# =========================================================================== R16


def test_it_accepts_a_calendar_edited_during_the_ticket():
    edited = VersionedCalendar([(None, OFFICE), (at("Wed 12:00"), calendar("lunch"))])
    result = evaluate(calendar=edited, events=[created("Wed 09:00", resolution=240)], now=at("Wed 12:00"))
    assert same(result.resolution.deadline, "Wed 15:00")


# =========================================================================== explain


def test_it_explains_where_the_deadline_comes_from():
    events = [created("Wed 16:00"), event("paused", "Wed 17:00"), event("resumed", "Thu 09:30")]
    timeline = explain(calendar=OFFICE, events=events, now=at("Thu 10:00"), metric="resolution")
    assert [(s.kind, s.projected, s.counted_minutes) for s in timeline] == [
        ("running", False, 60),
        ("paused", False, 0),
        ("outside_hours", False, 0),
        ("paused", False, 0),
        ("running", False, 30),
        ("running", True, 150),
    ]
    assert same(timeline[-1].end, "Thu 12:30") and timeline[-1].cumulative_minutes == 240


def test_it_marks_the_time_counted_after_a_breach():
    timeline = explain(calendar=OFFICE, events=[created("Wed 09:00")], now=at("Wed 10:30"), metric="response")
    assert [(s.kind, s.counted_minutes) for s in timeline] == [("running", 60), ("breached", 30)]


def test_it_explains_in_real_time_across_a_dst_change():
    events = [Event(datetime(2026, 3, 28, 12, 0, tzinfo=PARIS), "created", resolution_minutes=1440)]
    now = datetime(2026, 3, 29, 12, 0, tzinfo=PARIS)  # 23 real hours later
    timeline = explain(calendar=calendar("24x7_paris"), events=events, now=now, metric="resolution")
    assert [(s.kind, s.projected, s.counted_minutes) for s in timeline] == [
        ("running", False, 1380),
        ("running", True, 60),
    ]


def test_it_explains_nothing_for_a_metric_without_sla():
    events = [created("Wed 09:00", response=None)]
    assert explain(calendar=OFFICE, events=events, now=at("Wed 10:00"), metric="response") == ()


# =========================================================================== bad input

BAD_HISTORIES = [
    ("no-events", lambda: sla([], "Wed 09:00"), "at least its 'created' event"),
    ("not-created-first", lambda: sla([event("paused", "Wed 09:00")], "Wed 09:00"), "first event must be 'created'"),
    ("created-twice", lambda: sla([created("Wed 09:00"), created("Wed 10:00")], "Wed 10:00"), "created only once"),
    ("out-of-order", lambda: sla([created("Wed 10:00"), event("paused", "Wed 09:00")], "Wed 11:00"), "time order"),
    ("now-before-last-event", lambda: sla([created("Wed 10:00")], "Wed 09:00"), "now .* is before the last event"),
    ("naive-now", lambda: evaluate(calendar=OFFICE, events=[created("Wed 09:00")], now=datetime(2026, 6, 10)),
     "now must be timezone-aware"),
    ("naive-event", lambda: Event(datetime(2026, 6, 10), "created"), "must be timezone-aware"),
    ("unknown-kind", lambda: Event(at("Wed 09:00"), "escalated"), "unknown event kind 'escalated'"),
    ("negative-target", lambda: created("Wed 09:00", response=-1), "negative target -1"),
    ("fractional-target", lambda: created("Wed 09:00", response=1.5), "whole number of minutes"),
    ("target-on-a-pause", lambda: Event(at("Wed 09:00"), "paused", response_minutes=5), "carries no targets"),
    ("percent-above-100", lambda: sla([created("Wed 09:00")], "Wed 09:00", warning_percent=120), "between 0 and 100"),
    ("not-an-event", lambda: sla([("Wed 09:00", "created")], "Wed 09:00"), "must be an sla.state.Event"),
    ("unknown-metric", lambda: explain(calendar=OFFICE, events=[created("Wed 09:00")], now=at("Wed 09:00"),
                                       metric="uptime"), "unknown metric 'uptime'"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "call", "message"), BAD_HISTORIES, ids=[row[0] for row in BAD_HISTORIES])
def test_it_refuses_a_bad_history_saying_what_is_wrong(name, call, message):
    with pytest.raises(ValueError, match=message):
        call()


# =========================================================================== invariants

STARTS = st.sampled_from(
    [
        datetime(2026, 6, 8, 8, 0, tzinfo=PARIS),
        datetime(2026, 3, 23, 8, 0, tzinfo=PARIS),  # DST change on the 29th
        datetime(2026, 10, 19, 8, 0, tzinfo=PARIS),  # DST change on the 25th, holidays 1 and 11 Nov
    ]
)
STATE_CALENDARS = st.sampled_from(["office", "lunch", "night", "new_york", "24x7_paris"]).map(calendar)
TARGETS = st.sampled_from([None, 0, 15, 60, 240, 600, 1440])
STEP_KINDS = st.sampled_from(["paused", "resumed", "responded", "resolved", "reopened", "target_changed"])


@st.composite
def histories(draw, kinds=STEP_KINDS, max_steps=12):
    """Random (valid) histories; redundant events are part of the game."""
    cal = draw(STATE_CALENDARS)
    moment = draw(STARTS) + timedelta(minutes=draw(st.integers(0, 7 * 1440)))
    events = [Event(moment, "created", response_minutes=draw(TARGETS), resolution_minutes=draw(TARGETS))]
    for _ in range(draw(st.integers(0, max_steps))):
        moment += timedelta(minutes=draw(st.integers(0, 1500)))
        kind = draw(kinds)
        if kind == "target_changed":
            events.append(
                Event(moment, kind, response_minutes=draw(TARGETS), resolution_minutes=draw(TARGETS))
            )
        else:
            events.append(Event(moment, kind))
    now = moment + timedelta(minutes=draw(st.integers(0, 3000)), seconds=draw(st.integers(0, 59)))
    return cal, events, now


INVARIANTS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _metrics(result):
    return [m for m in (result.response, result.resolution) if m is not None]


@INVARIANTS
@given(histories(), st.integers(0, 3000), st.integers(0, 3000))
def test_it_never_moves_a_deadline_earlier_for_a_pause(history, offset, length):
    cal, events, now = history
    begin = events[0].at + timedelta(minutes=offset)
    end = begin + timedelta(minutes=length)
    assume(end <= now)
    # insert a pause (as the only waiting period, so events stay meaningful)
    plain = [e for e in events if e.kind not in ("paused", "resumed")]
    paused = sorted(
        [*plain, Event(begin, "paused"), Event(end, "resumed")], key=lambda e: (e.at, e.kind != "created")
    )
    before = evaluate(calendar=cal, events=plain, now=now)
    after = evaluate(calendar=cal, events=paused, now=now)
    for name in ("response", "resolution"):
        a, b = before.metric(name), after.metric(name)
        if a is None or b is None or a.deadline is None or b.deadline is None:
            continue
        assert utc(b.deadline) >= utc(a.deadline)


ON_TIME_HISTORIES = histories(kinds=st.sampled_from(["paused", "resumed", "responded"]), max_steps=6)


@INVARIANTS
@given(ON_TIME_HISTORIES, st.integers(0, 5000))
def test_it_never_breaches_a_ticket_resolved_on_time_later(history, later):
    cal, events, resolved_at = history
    resolved = [*events, Event(resolved_at, "resolved")]
    on_time = evaluate(calendar=cal, events=resolved, now=resolved_at).resolution
    assume(on_time is not None and not on_time.breached)
    later_on = resolved_at + timedelta(minutes=later)
    assert not evaluate(calendar=cal, events=resolved, now=later_on).resolution.breached


@INVARIANTS
@given(ON_TIME_HISTORIES, st.integers(0, 5000))
def test_it_never_breaches_a_ticket_resolved_on_time_by_reopening_it(history, reopen_after):
    cal, events, resolved_at = history
    resolved = [*events, Event(resolved_at, "resolved")]
    on_time = evaluate(calendar=cal, events=resolved, now=resolved_at).resolution
    assume(on_time is not None and not on_time.breached)
    reopened_at = resolved_at + timedelta(minutes=reopen_after)
    reopened = [*resolved, Event(reopened_at, "reopened")]
    assert not evaluate(calendar=cal, events=reopened, now=reopened_at).resolution.breached
    # resolved again before any more business time is used: still met, for good
    again = [*reopened, Event(reopened_at, "resolved")]
    assert not evaluate(calendar=cal, events=again, now=reopened_at + timedelta(days=30)).resolution.breached


@INVARIANTS
@given(histories(kinds=st.sampled_from(["paused", "resumed", "responded", "resolved", "reopened"])))
def test_it_has_negative_remaining_time_exactly_when_breached(history):
    # One target version.  The single gap: right after a deadline, in closed or paused
    # time, the metric is breached (its deadline has passed) but no business time has
    # been counted past the target yet, so remaining is 0, not negative (R13).
    cal, events, now = history
    for metric in _metrics(evaluate(calendar=cal, events=events, now=now)):
        if metric.state != "running":
            continue
        if metric.breached and metric.remaining_business_minutes >= 0:
            assert metric.remaining_business_minutes == 0
            assert metric.elapsed_business_seconds == 60 * metric.target_minutes
        else:
            assert (metric.remaining_business_minutes < 0) is metric.breached


@INVARIANTS
@given(histories(), st.sampled_from([None, 1440, 10_000]))
def test_it_keeps_a_breach_when_the_priority_is_lowered_afterwards(history, lower):
    cal, events, now = history
    first = evaluate(calendar=cal, events=events, now=now)
    lowered = evaluate(
        calendar=cal,
        events=[*events, Event(now, "target_changed", response_minutes=lower, resolution_minutes=lower)],
        now=now,
    )
    for name in ("response", "resolution"):
        before, after = first.metric(name), lowered.metric(name)
        if before is not None and before.breached:
            assert after is not None and after.breached
            assert utc(after.breached_at) == utc(before.breached_at)


@INVARIANTS
@given(histories())
def test_it_puts_the_warning_before_the_deadline(history):
    cal, events, now = history
    for metric in _metrics(evaluate(calendar=cal, events=events, now=now)):
        for version in metric.versions:
            if version.warning_at is not None and version.deadline is not None:
                assert utc(version.warning_at) <= utc(version.deadline)


@INVARIANTS
@given(histories(), st.integers(1, 5000))
def test_it_never_clears_a_breach_as_time_goes_on(history, minutes):
    cal, events, now = history
    first = evaluate(calendar=cal, events=events, now=now)
    later = evaluate(calendar=cal, events=events, now=now + timedelta(minutes=minutes))
    for name in ("response", "resolution"):
        if first.metric(name) is not None and first.metric(name).breached:
            assert later.metric(name).breached


@INVARIANTS
@given(histories())
def test_it_explains_a_timeline_adding_up_to_the_elapsed_time(history):
    cal, events, now = history
    result = evaluate(calendar=cal, events=events, now=now)
    for metric in _metrics(result):
        timeline = explain(calendar=cal, events=events, now=now, metric=metric.metric)
        counted = sum(s.counted_minutes for s in timeline if not s.projected)
        assert counted == metric.elapsed_business_minutes
        assert all(utc(a.end) == utc(b.start) for a, b in zip(timeline, timeline[1:], strict=False))


@INVARIANTS
@given(
    histories(kinds=st.sampled_from(["paused", "resumed"]), max_steps=8),
    st.sampled_from(["office", "night", "lunch"]),
)
def test_it_agrees_with_the_oracle_on_a_paused_ticket(history, name):
    _, events, now = history
    assume(events[0].resolution_minutes is not None)
    result = evaluate(calendar=calendar(name), events=events, now=now)
    assume(not result.paused)
    pauses, since = [], None
    for e in events[1:]:
        if e.kind == "paused" and since is None:
            since = e.at
        elif e.kind == "resumed" and since is not None:
            pauses.append((since, e.at))
            since = None
    expected = Oracle(CALENDARS[name]).deadline(events[0].at, events[0].resolution_minutes, pauses)
    assert utc(result.resolution.deadline) == expected

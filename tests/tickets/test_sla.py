"""tickets.sla through the services: the SLA of a ticket follows SLA.md R7–R11 as its
history grows. The `ticket` fixture is corrective P3 (response 240, resolution 960
business minutes), opened by cody on Monday 2026-05-04 at 10:00: response due Monday
16:00, resolution due Wednesday 12:00."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.tickets.factories import CAL, MON, NEXT_MON, T0, THU, TUE, WED, at
from tickets.models import SlaEvent, Ticket, TicketEvent
from tickets.services import ticket_change_status, ticket_reply, ticket_set_priority, ticket_take
from tickets.sla import ticket_sla_evaluate

pytestmark = pytest.mark.django_db


def fresh(ticket) -> Ticket:
    return Ticket.objects.select_related("sla_policy__calendar").get(pk=ticket.pk)


def metric(ticket, name: str) -> dict:
    return fresh(ticket).sla_state[name]


def instant(value: str | None) -> datetime | None:
    """The cache stores ISO strings: compare instants, not strings."""
    return datetime.fromisoformat(value) if value else None


def status(ticket, actor, to, *, now, reason=""):
    return ticket_change_status(ticket=ticket, actor=actor, status=to, reason=reason, now=now)


def waiting(ticket, bob, cody, *, since, until):
    """Taken at 10:05, waiting on the client from `since`, answered by the client at `until`."""
    ticket = ticket_take(ticket=ticket, actor=bob, now=at(MON, 10, 5))
    status(ticket, bob, "waiting_on_client", now=since)
    ticket_reply(ticket=ticket, actor=cody, body="Here is the log file.", now=until)
    return fresh(ticket)


# ---------------------------------------------------------------------- response (R8)


def test_it_meets_the_response_by_taking_the_ticket(ticket, bob):
    ticket_take(ticket=ticket, actor=bob, now=at(MON, 10, 5))

    response = metric(ticket, "response")
    assert (response["state"], response["breached"]) == ("completed", False)
    assert instant(response["completed_at"]) == at(MON, 10, 5)


def test_it_meets_the_response_by_the_first_public_reply_of_a_provider(ticket, bob):
    ticket_reply(ticket=ticket, actor=bob, body="Looking into it.", now=at(MON, 10, 20))

    response = metric(ticket, "response")
    assert response["state"] == "completed"
    assert instant(response["completed_at"]) == at(MON, 10, 20)
    assert fresh(ticket).status == "in_progress"


def test_it_does_not_meet_the_response_by_an_internal_note(ticket, bob):
    ticket_reply(ticket=ticket, actor=bob, body="Probably the fuser.", internal=True, now=at(MON, 10, 20))

    assert metric(ticket, "response")["state"] == "running"
    assert fresh(ticket).response_deadline == at(MON, 16)
    assert fresh(ticket).status == "new"
    assert not TicketEvent.objects.filter(ticket=ticket, kind="responded").exists()


def test_it_does_not_meet_the_response_by_a_client_message(ticket, cody):
    ticket_reply(ticket=ticket, actor=cody, body="It is urgent, please.", now=at(MON, 10, 20))

    assert metric(ticket, "response")["state"] == "running"
    assert not TicketEvent.objects.filter(ticket=ticket, kind="responded").exists()


def test_it_keeps_the_first_response(ticket, bob):
    ticket_take(ticket=ticket, actor=bob, now=at(MON, 10, 5))
    ticket_reply(ticket=ticket, actor=bob, body="Found it.", now=at(MON, 11))

    assert instant(metric(ticket, "response")["completed_at"]) == at(MON, 10, 5)
    assert TicketEvent.objects.filter(ticket=ticket, kind="responded").count() == 1


def test_it_meets_a_response_exactly_on_the_deadline(ticket, bob):
    ticket_take(ticket=ticket, actor=bob, now=at(MON, 16))

    assert metric(ticket, "response")["breached"] is False


def test_it_breaches_a_response_taken_after_the_deadline(ticket, bob):
    ticket_take(ticket=ticket, actor=bob, now=at(MON, 16, 1))

    response = metric(ticket, "response")
    assert response["breached"] is True
    assert instant(response["breached_at"]) == at(MON, 16)
    assert fresh(ticket).sla_breached is True


def test_it_completes_the_response_when_resolving_without_one(ticket, bob):
    status(ticket, bob, "resolved", now=at(MON, 10, 30))

    response = metric(ticket, "response")
    assert (response["state"], response["breached"]) == ("completed", False)
    assert instant(response["completed_at"]) == at(MON, 10, 30)


# ---------------------------------------------------------------------- pauses (R7)


def test_it_moves_the_deadline_by_the_paused_business_time_over_lunch(ticket, bob, cody):
    ticket = waiting(ticket, bob, cody, since=at(MON, 11, 30), until=at(MON, 14, 30))

    # Paused business time: 11:30–12:00 and 14:00–14:30, one hour: Wed 12:00 → Wed 15:00.
    assert ticket.resolution_deadline == at(WED, 15) == CAL.deadline(T0, 960, [(at(MON, 11, 30), at(MON, 14, 30))])


def test_it_moves_the_deadline_by_the_paused_business_time_overnight(ticket, bob, cody):
    ticket = waiting(ticket, bob, cody, since=at(MON, 17), until=at(TUE, 10))

    # Paused business time: Mon 17:00–18:00 and Tue 09:00–10:00: Wed 12:00 → Wed 16:00.
    assert ticket.resolution_deadline == at(WED, 16) == CAL.deadline(T0, 960, [(at(MON, 17), at(TUE, 10))])


def test_it_has_no_deadline_while_paused(ticket, bob):
    ticket_take(ticket=ticket, actor=bob, now=at(MON, 10, 5))
    status(ticket, bob, "waiting_on_client", now=at(MON, 11, 30))

    ticket = fresh(ticket)
    assert ticket.resolution_deadline is None
    assert (ticket.sla_paused, ticket.sla_due_at, ticket.sla_next_check_at) == (True, None, None)
    assert ticket.sla_state["resolution"]["state"] == "paused"


def test_it_freezes_the_remaining_time_while_paused(ticket, bob):
    ticket_take(ticket=ticket, actor=bob, now=at(MON, 10, 5))
    status(ticket, bob, "waiting_on_client", now=at(MON, 11, 30))

    later = ticket_sla_evaluate(fresh(ticket), now=at(TUE, 17))

    assert later.resolution.elapsed_business_minutes == 90
    assert later.resolution.remaining_business_minutes == 960 - 90
    assert later.resolution.breached is False


def test_it_resumes_when_the_client_replies(ticket, bob, cody):
    ticket = waiting(ticket, bob, cody, since=at(MON, 11, 30), until=at(MON, 14, 30))

    assert (ticket.status, ticket.sla_paused) == ("in_progress", False)
    last = TicketEvent.objects.filter(ticket=ticket, kind="status").last()
    assert (last.actor, last.from_value, last.to_value, last.at) == (cody, "waiting_on_client", "in_progress",
                                                                     at(MON, 14, 30))
    assert last.reason


def test_it_pauses_the_response_while_waiting_on_the_client(ticket):
    # Through the services a provider's first move also meets the response (R8); the
    # mapping of the history still pauses a response that is running.
    created = TicketEvent.objects.get(ticket=ticket)
    wait = TicketEvent(tenant=ticket.tenant, ticket=ticket, kind="status", at=at(MON, 11),
                       from_value="new", to_value="waiting_on_client")

    result = ticket_sla_evaluate(fresh(ticket), now=at(TUE, 12), events=[created, wait])

    assert (result.response.state, result.response.deadline) == ("paused", None)
    assert result.response.elapsed_business_minutes == 60
    assert result.response.breached is False


def test_it_does_not_breach_while_paused_past_the_deadline(ticket, bob):
    ticket_take(ticket=ticket, actor=bob, now=at(MON, 10, 5))
    status(ticket, bob, "waiting_on_client", now=at(MON, 11, 30))

    assert ticket_sla_evaluate(fresh(ticket), now=at(NEXT_MON, 12)).resolution.breached is False


# ---------------------------------------------------------------------- priority (R10)


def test_it_recomputes_the_deadline_from_the_original_start(ticket, bob):
    ticket_take(ticket=ticket, actor=bob, now=at(MON, 10, 5))

    ticket_set_priority(ticket=ticket, actor=bob, priority="P2", reason="VIP", now=at(MON, 11))

    # P2 resolution 480 min from Monday 10:00: 6 h on Monday, 2 h on Tuesday.
    assert fresh(ticket).resolution_deadline == at(TUE, 11) == CAL.deadline(T0, 480)
    assert fresh(ticket).sla_breached is False


def test_it_keeps_past_pauses_when_the_priority_changes(ticket, bob, cody):
    waiting(ticket, bob, cody, since=at(MON, 11, 30), until=at(MON, 14, 30))

    ticket_set_priority(ticket=ticket, actor=bob, priority="P2", reason="VIP", now=at(MON, 15))

    pauses = [(at(MON, 11, 30), at(MON, 14, 30))]
    assert fresh(ticket).resolution_deadline == at(TUE, 12) == CAL.deadline(T0, 480, pauses)


def test_it_breaches_at_once_when_the_raised_deadline_has_passed(ticket, bob):
    ticket_take(ticket=ticket, actor=bob, now=at(MON, 10, 5))

    ticket_set_priority(ticket=ticket, actor=bob, priority="P1", reason="Site down", now=at(TUE, 15))

    resolution = metric(ticket, "resolution")
    assert resolution["breached"] is True
    assert instant(resolution["breached_at"]) == at(MON, 16) == CAL.deadline(T0, 240)
    assert fresh(ticket).sla_breached is True


def test_it_records_the_breach_of_a_raised_priority_at_the_recomputed_deadline(ticket, bob):
    ticket_take(ticket=ticket, actor=bob, now=at(MON, 10, 5))

    ticket_set_priority(ticket=ticket, actor=bob, priority="P1", reason="Site down", now=at(TUE, 15))

    [event] = SlaEvent.objects.filter(ticket=ticket)
    assert (event.metric, event.kind, event.target_version, event.at) == ("resolution", "breach", 2, at(MON, 16))


def test_it_never_clears_a_breach_when_the_priority_is_lowered(ticket, bob):
    ticket_take(ticket=ticket, actor=bob, now=at(MON, 10, 5))
    ticket_set_priority(ticket=ticket, actor=bob, priority="P1", reason="Site down", now=at(TUE, 15))

    ticket_set_priority(ticket=ticket, actor=bob, priority="P4", reason="Workaround found", now=at(TUE, 15, 30))

    resolution = metric(ticket, "resolution")
    assert resolution["breached"] is True
    assert instant(resolution["breached_at"]) == at(MON, 16)
    assert resolution["remaining_business_minutes"] > 0
    assert fresh(ticket).resolution_deadline == at(THU, 15) == CAL.deadline(T0, 1440)
    assert fresh(ticket).sla_breached is True


def test_it_keeps_each_target_in_the_history(ticket, bob):
    ticket_set_priority(ticket=ticket, actor=bob, priority="P1", reason="Site down", now=at(MON, 11))
    ticket_set_priority(ticket=ticket, actor=bob, priority="P4", reason="Workaround", now=at(MON, 11, 30))

    result = ticket_sla_evaluate(fresh(ticket), now=at(MON, 11, 30))

    assert [v.target_minutes for v in result.resolution.versions] == [960, 240, 1440]
    assert [(c.response_minutes, c.resolution_minutes) for c in result.target_history] == [
        (240, 960), (60, 240), (480, 1440)]


# ---------------------------------------------------------------------- resolve, reopen (R9, R11)


def test_it_meets_the_resolution_when_resolved_before_the_deadline(ticket, bob):
    ticket_take(ticket=ticket, actor=bob, now=at(MON, 10, 5))

    status(ticket, bob, "resolved", now=at(WED, 11, 59))

    resolution = metric(ticket, "resolution")
    assert (resolution["state"], resolution["breached"]) == ("completed", False)


def test_it_does_not_breach_a_ticket_resolved_on_time_when_reopened_late(ticket, bob, cody):
    ticket_take(ticket=ticket, actor=bob, now=at(MON, 10, 5))
    status(ticket, bob, "resolved", now=at(MON, 17))

    status(ticket, cody, "in_progress", reason="Still offline", now=at(THU, 10))

    assert metric(ticket, "resolution")["breached"] is False
    assert fresh(ticket).sla_breached is False


def test_it_resumes_the_same_clock_on_reopen(ticket, bob, cody):
    ticket_take(ticket=ticket, actor=bob, now=at(MON, 10, 5))
    status(ticket, bob, "resolved", now=at(MON, 17))

    status(ticket, cody, "in_progress", reason="Still offline", now=at(THU, 10))

    # 300 min counted on Monday; [Mon 17:00, Thu 10:00) is a pause; 660 min left from
    # Thursday 10:00: 6 h Thursday, Friday a holiday, 5 h Monday the 11th.
    resolution = metric(ticket, "resolution")
    assert (resolution["elapsed_business_minutes"], resolution["remaining_business_minutes"]) == (300, 660)
    assert fresh(ticket).resolution_deadline == at(NEXT_MON, 16) == CAL.deadline(
        T0, 960, [(at(MON, 17), at(THU, 10))])


def test_it_does_not_rearm_the_response_on_reopen(ticket, bob, cody):
    ticket_take(ticket=ticket, actor=bob, now=at(MON, 10, 5))
    status(ticket, bob, "resolved", now=at(MON, 17))

    status(ticket, cody, "in_progress", reason="Still offline", now=at(THU, 10))

    response = metric(ticket, "response")
    assert (response["state"], instant(response["completed_at"])) == ("completed", at(MON, 10, 5))


def test_it_keeps_the_breach_of_a_ticket_resolved_late(ticket, bob, cody):
    ticket_take(ticket=ticket, actor=bob, now=at(MON, 10, 5))
    status(ticket, bob, "resolved", now=at(WED, 15))

    status(ticket, cody, "in_progress", reason="Still offline", now=at(THU, 10))

    resolution = metric(ticket, "resolution")
    assert resolution["breached"] is True
    assert instant(resolution["breached_at"]) == at(WED, 12)


def test_it_ends_the_clock_when_the_ticket_closes(ticket, bob, cody):
    ticket_take(ticket=ticket, actor=bob, now=at(MON, 10, 5))
    status(ticket, bob, "resolved", now=at(MON, 17))

    status(ticket, cody, "closed", now=at(NEXT_MON, 9))

    ticket = fresh(ticket)
    assert (ticket.sla_next_check_at, ticket.sla_due_at, ticket.sla_breached) == (None, None, False)
    assert instant(ticket.sla_state["resolution"]["completed_at"]) == at(MON, 17)


# ---------------------------------------------------------------------- calendar edit (R16)


def test_it_moves_an_open_tickets_deadline_when_its_calendar_changes(ticket, alice, django_capture_on_commit_callbacks):
    import time_machine

    from sla.services import calendar_update

    calendar = ticket.sla_policy.calendar
    all_day = {d: [["09:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
    with time_machine.travel(at(MON, 11), tick=False), django_capture_on_commit_callbacks(execute=True):
        calendar_update(calendar=calendar, actor=alice, now=at(MON, 11), hours=all_day)

    # 960 min from Monday 10:00: 1 h under the old hours, 7 h on Monday to 18:00, 8 h on Tuesday.
    assert fresh(ticket).resolution_deadline == at(TUE, 17)


def test_it_leaves_the_tickets_alone_when_only_the_calendars_name_changes(ticket, alice,
                                                                          django_capture_on_commit_callbacks):
    from sla.services import calendar_update

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        calendar_update(calendar=ticket.sla_policy.calendar, actor=alice, now=at(MON, 11), name="Renamed")

    assert callbacks == []
    assert fresh(ticket).resolution_deadline == at(WED, 12)

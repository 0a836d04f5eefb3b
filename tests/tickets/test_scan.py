"""tickets.sla.sla_scan: the periodic pass records warnings and breaches as `SlaEvent`
rows at the instant they happened, once per (ticket, metric, kind, target version), and
moves each ticket's next check forward (SLA.md R12, R15).

The `ticket` fixture (corrective P3, opened Monday 2026-05-04 10:00): response warning
Monday 15:12 (192 min), response deadline 16:00; resolution warning Tuesday 17:48
(768 min), deadline Wednesday 12:00."""

from __future__ import annotations

from unittest import mock

import pytest

from tests.tickets import factories as tf
from tests.tickets.factories import CAL, MON, T0, TUE, WED, at
from tickets.models import SlaEvent, Ticket
from tickets.services import ticket_change_status, ticket_set_priority, ticket_take
from tickets.sla import sla_scan

pytestmark = pytest.mark.django_db


def recorded(ticket) -> list[tuple[str, str, int]]:
    return sorted(SlaEvent.objects.filter(ticket=ticket).values_list("metric", "kind", "target_version"))


def next_check(ticket):
    return Ticket.objects.get(pk=ticket.pk).sla_next_check_at


def test_it_schedules_the_first_check_at_the_first_warning(ticket):
    assert ticket.sla_next_check_at == at(MON, 15, 12) == CAL.warning_at(T0, 240, percent=80)


def test_it_picks_only_the_tickets_due(ticket, cody, contract):
    later = tf.open_ticket(actor=cody, contract=contract, now=at(MON, 14))  # warning at 17:12

    assert sla_scan(now=at(MON, 15, 30)) == 1

    assert recorded(ticket) == [("response", "warning", 1)]
    assert recorded(later) == []
    assert next_check(later) == at(MON, 17, 12)


def test_it_picks_a_ticket_due_exactly_now(ticket):
    assert sla_scan(now=at(MON, 15, 12)) == 1

    assert recorded(ticket) == [("response", "warning", 1)]


def test_it_records_the_warning_at_the_warning_instant(ticket):
    sla_scan(now=at(MON, 15, 30))

    [warning] = SlaEvent.objects.filter(ticket=ticket)
    assert (warning.metric, warning.kind, warning.at) == ("response", "warning", at(MON, 15, 12))


def test_it_records_the_breach_at_the_deadline(ticket):
    sla_scan(now=at(MON, 15, 30))

    sla_scan(now=at(MON, 16, 30))

    breach = SlaEvent.objects.get(ticket=ticket, kind="breach")
    assert (breach.metric, breach.at) == ("response", at(MON, 16))
    assert Ticket.objects.get(pk=ticket.pk).sla_breached is True


def test_it_does_not_breach_on_the_deadline_itself(ticket):
    sla_scan(now=at(MON, 15, 30))

    sla_scan(now=at(MON, 16))

    assert recorded(ticket) == [("response", "warning", 1)]
    assert next_check(ticket) == at(MON, 16)  # looked at again on the next pass


def test_it_records_nothing_twice_when_run_twice(ticket):
    sla_scan(now=at(MON, 15, 30))

    assert sla_scan(now=at(MON, 15, 30)) == 0

    assert SlaEvent.objects.filter(ticket=ticket).count() == 1


def test_it_records_nothing_twice_when_a_concurrent_scan_saw_the_ticket_due(ticket):
    sla_scan(now=at(MON, 15, 30))
    Ticket.objects.filter(pk=ticket.pk).update(sla_next_check_at=at(MON, 15, 12))  # as read by the other scan

    assert sla_scan(now=at(MON, 15, 31)) == 1

    assert SlaEvent.objects.filter(ticket=ticket).count() == 1


def test_it_records_nothing_twice_with_a_later_now(ticket):
    sla_scan(now=at(MON, 15, 30))
    sla_scan(now=at(MON, 16, 30))

    sla_scan(now=at(WED, 13))
    sla_scan(now=at(WED, 14))

    assert recorded(ticket) == [("resolution", "breach", 1), ("response", "breach", 1),
                                ("response", "warning", 1)]
    breach = SlaEvent.objects.get(ticket=ticket, metric="resolution")
    assert breach.at == at(WED, 12)


def test_it_records_no_warning_after_a_breach(ticket):
    sla_scan(now=at(MON, 16, 30))  # first pass after the deadline: the warning is moot

    assert recorded(ticket) == [("response", "breach", 1)]


def test_it_schedules_no_check_while_paused(ticket, bob):
    ticket_take(ticket=ticket, actor=bob, now=at(MON, 10, 5))

    ticket_change_status(ticket=ticket, actor=bob, status="waiting_on_client", now=at(TUE, 9, 30))

    assert next_check(ticket) is None


def test_it_records_no_warning_while_paused(ticket, bob):
    ticket_take(ticket=ticket, actor=bob, now=at(MON, 10, 5))
    ticket_change_status(ticket=ticket, actor=bob, status="waiting_on_client", now=at(TUE, 9, 30))
    Ticket.objects.filter(pk=ticket.pk).update(sla_next_check_at=at(TUE, 17, 48))  # a stale check

    sla_scan(now=at(WED, 10))

    assert recorded(ticket) == []
    assert next_check(ticket) is None


def test_it_moves_the_next_check_forward(ticket):
    sla_scan(now=at(MON, 15, 30))
    assert next_check(ticket) == at(MON, 16)

    sla_scan(now=at(MON, 16, 30))
    assert next_check(ticket) == at(TUE, 17, 48) == CAL.warning_at(T0, 960, percent=80)


def test_it_clears_the_next_check_when_nothing_is_left_to_watch(ticket):
    sla_scan(now=at(WED, 13))  # both metrics breached

    assert next_check(ticket) is None


def test_it_warns_again_for_a_new_target(ticket, bob):
    sla_scan(now=at(MON, 15, 30))
    ticket_set_priority(ticket=ticket, actor=bob, priority="P4", reason="Not blocking", now=at(MON, 15, 35))

    sla_scan(now=at(TUE, 10))

    # P4 response: 480 min, warning at 384 min: 360 on Monday, then Tuesday 09:24.
    warning = SlaEvent.objects.get(ticket=ticket, metric="response", kind="warning", target_version=2)
    assert warning.at == at(TUE, 9, 24) == CAL.warning_at(T0, 480, percent=80)
    assert SlaEvent.objects.filter(ticket=ticket, kind="warning").count() == 2


def test_it_scans_every_tenant(ticket, carol, org_b1):
    contract_b = tf.active_contract(actor=carol, client=org_b1, policy=tf.sla_policy(org_b1.tenant))
    other = tf.open_ticket(actor=carol, contract=contract_b)

    assert sla_scan(now=at(MON, 15, 30)) == 2

    assert SlaEvent.objects.get(ticket=other).tenant == org_b1.tenant


def test_it_scans_many_tickets_in_a_bounded_number_of_queries(contract, cody, bob, django_assert_max_num_queries):
    for n in range(50):
        ticket = tf.open_ticket(actor=cody, contract=contract)
        for step in range(n % 5 * 2):  # 0 to 8 more history rows: the reads must not depend on them
            ticket_set_priority(ticket=ticket, actor=bob, priority="P2" if step % 2 == 0 else "P3",
                                reason="Reassessed", now=at(MON, 10, 1 + step))

    # 4 reads (tickets, their policies, their events, the calendar's versions once per
    # policy), then in one transaction: the bulk update of the cache columns, the existing
    # events, their bulk insert, and their e-mails and webhook events: one read of the
    # tickets' people, one of the technicians, one insert into the outbox. Nothing per ticket.
    with django_assert_max_num_queries(13):
        assert sla_scan(now=at(MON, 15, 30)) == 50

    assert SlaEvent.objects.filter(kind="warning", metric="response").count() == 50


def _scan_queries(now) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        sla_scan(now=now)
    return len(ctx.captured_queries)


def test_its_first_pass_asks_as_many_queries_for_2_events_as_for_40(contract, cody, bob):
    """Recording, e-mailing and announcing the events is one statement per table: the
    count of queries of a pass that records events does not depend on how many."""
    for _n in range(2):
        tf.open_ticket(actor=cody, contract=contract)
    few = _scan_queries(at(MON, 15, 30))  # 2 response warnings, their e-mails
    SlaEvent.objects.all().delete()
    for _n in range(38):
        tf.open_ticket(actor=cody, contract=contract)
    Ticket.objects.update(sla_next_check_at=at(MON, 15, 12))

    assert _scan_queries(at(MON, 15, 30)) == few
    assert SlaEvent.objects.filter(kind="warning", metric="response").count() == 40


def test_an_event_recorded_meanwhile_by_another_scan_is_not_announced_again(ticket):
    """A concurrent scan that recorded the same key after this one read the existing keys:
    the insert skips it and only the rows it inserted are e-mailed and announced."""
    from portal.models import OutboxMessage
    from tickets.sla import TicketFacts, _record

    sla_scan(now=at(MON, 15, 30))
    outbox = OutboxMessage.objects.count()
    facts = TicketFacts(ticket.pk, ticket.tenant_id, ticket.reference, ticket.title, ticket.status, ticket.priority)

    with mock.patch("portal.events.emit_many") as emit:
        recorded_now = _record([(facts, ("response", "warning", 1, at(MON, 15, 12)))], existing=set())

    assert recorded_now == []
    assert emit.call_args.args == ([],)
    assert OutboxMessage.objects.count() == outbox
    assert SlaEvent.objects.filter(ticket=ticket).count() == 1

"""tickets.services: opening a ticket, its workflow, replies, taking charge, priority,
interventions and the automatic closing. Instants are passed in (`now=`); expected
deadlines are computed by hand on the calendar of `tests/tickets/factories.py` and
checked against the pure clock where it helps."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from contracts.models import CoveredItem
from contracts.services import contracts as contract_services
from portal.exceptions import ApplicationError, ConflictError, UnprocessableError
from sla.services import priority_matrix_set
from tests.tickets import factories as tf
from tests.tickets.factories import CAL, FRI, MON, NEXT_MON, T0, THU, TUE, WED, at
from tickets.models import Intervention, SlaEvent, Ticket, TicketEvent, TicketMessage
from tickets.services import (
    TRANSITIONS,
    intervention_log,
    ticket_assign,
    ticket_change_status,
    ticket_reply,
    ticket_set_priority,
    ticket_take,
    tickets_assign_bulk,
    tickets_autoclose,
)

pytestmark = pytest.mark.django_db


def fields(excinfo) -> set[str]:
    return set(excinfo.value.message_dict)


def nothing_saved() -> bool:
    return not Ticket.objects.exists() and not TicketEvent.objects.exists()


def events(ticket, kind=None) -> list[TicketEvent]:
    qs = TicketEvent.objects.filter(ticket=ticket).order_by("at", "id")
    return list(qs.filter(kind=kind) if kind else qs)


def move(ticket, actor, *statuses, now, reason=""):
    for status in statuses:
        ticket = ticket_change_status(ticket=ticket, actor=actor, status=status, reason=reason, now=now)
    return ticket


# ---------------------------------------------------------------------- create


def test_it_numbers_tickets_per_tenant(cody, bob, contract, carol, org_b1):
    policy_b = tf.sla_policy(org_b1.tenant)
    contract_b = tf.active_contract(actor=carol, client=org_b1, policy=policy_b)

    first = tf.open_ticket(actor=cody, contract=contract)
    second = tf.open_ticket(actor=cody, contract=contract)
    other_tenant = tf.open_ticket(actor=carol, contract=contract_b)

    assert (first.reference, second.reference) == ("TCK-000001", "TCK-000002")
    assert other_tenant.reference == "TCK-000001"


def test_it_takes_the_priority_from_the_tenant_matrix(cody, alice, contract):
    priority_matrix_set(tenant=contract.tenant, actor=alice, cells={("low", "low"): "P2"})

    ticket = tf.open_ticket(actor=cody, contract=contract, impact="low", urgency="low")

    assert ticket.priority == "P2"
    assert ticket.priority_reason == ""


def test_it_uses_the_itil_default_for_cells_not_set(cody, contract):
    ticket = tf.open_ticket(actor=cody, contract=contract, impact="high", urgency="high")

    assert ticket.priority == "P1"


def test_it_lets_a_provider_override_the_priority_with_a_reason(bob, contract):
    ticket = tf.open_ticket(actor=bob, contract=contract, priority="P1", priority_reason="Whole site down")

    assert (ticket.priority, ticket.priority_reason) == ("P1", "Whole site down")
    assert events(ticket)[0].to_value == "P1"
    assert events(ticket)[0].resolution_minutes == 240


def test_it_requires_a_reason_to_override_the_priority(bob, contract):
    with pytest.raises(ValidationError) as excinfo:
        tf.open_ticket(actor=bob, contract=contract, priority="P1", priority_reason="  ")

    assert fields(excinfo) == {"priority_reason"}
    assert nothing_saved()


def test_it_refuses_a_priority_set_by_a_client(cody, contract):
    with pytest.raises(ValidationError) as excinfo:
        tf.open_ticket(actor=cody, contract=contract, priority="P1", priority_reason="Urgent for us")

    assert fields(excinfo) == {"priority"}
    assert nothing_saved()


def test_it_computes_the_deadlines_at_creation(cody, contract):
    ticket = tf.open_ticket(actor=cody, contract=contract)

    # P3: 240 min → Mon 10:00–12:00 + 14:00–16:00; 960 min → 6 h Mon + 7 h Tue + 3 h Wed.
    assert ticket.response_deadline == at(MON, 16) == CAL.deadline(T0, 240)
    assert ticket.resolution_deadline == at(WED, 12) == CAL.deadline(T0, 960)
    assert ticket.sla_due_at == at(MON, 16)
    assert ticket.sla_next_check_at == at(MON, 15, 12)  # response warning: 192 min
    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.response_deadline, stored.resolution_deadline) == (at(MON, 16), at(WED, 12))


def test_it_skips_the_weekend_and_holidays_in_the_deadlines(cody, contract):
    ticket = tf.open_ticket(actor=cody, contract=contract, now=at(THU, 16))

    # Thu 16:00–18:00 (120), Friday the 8th is a holiday, then Monday the 11th 09:00–11:00.
    assert ticket.response_deadline == at(NEXT_MON, 11) == CAL.deadline(at(THU, 16), 240)


def test_it_counts_nothing_before_the_first_business_instant(cody, contract):
    ticket = tf.open_ticket(actor=cody, contract=contract, now=at(MON, 7, 30))

    # 240 min from the 09:00 opening: 09:00–12:00, then 14:00–15:00.
    assert ticket.response_deadline == at(MON, 15) == CAL.deadline(at(MON, 7, 30), 240)


def test_it_prefers_the_target_of_the_maintenance_type(cody, contract):
    ticket = tf.open_ticket(actor=cody, contract=contract, maintenance_type="curative")

    assert ticket.priority == "P3"
    assert ticket.response_deadline == at(MON, 10, 30)
    # 120 min from 10:00 ends exactly at the 12:00 closing, where it stays (R2).
    assert ticket.resolution_deadline == at(MON, 12) == CAL.deadline(T0, 120)
    assert (events(ticket)[0].response_minutes, events(ticket)[0].resolution_minutes) == (30, 120)


def test_it_uses_the_general_target_without_a_row_for_the_type(cody, contract):
    ticket = tf.open_ticket(actor=cody, contract=contract, maintenance_type="corrective")

    assert (events(ticket)[0].response_minutes, events(ticket)[0].resolution_minutes) == (240, 960)


def test_it_records_the_creation_with_its_actor(cody, contract):
    ticket = tf.open_ticket(actor=cody, contract=contract)

    [created] = events(ticket)
    assert (created.kind, created.actor, created.at, created.to_value) == ("created", cody, T0, "P3")
    assert ticket.requester == cody
    assert ticket.organization == contract.client


def test_it_lets_a_client_open_a_ticket_on_its_own_contract_only(cody, contract_a2):
    with pytest.raises(ValidationError) as excinfo:
        tf.open_ticket(actor=cody, contract=contract_a2)

    assert fields(excinfo) == {"contract"}
    assert nothing_saved()


def test_it_refuses_a_user_of_another_tenant_opening_a_ticket(carol, contract):
    with pytest.raises(PermissionDenied):
        tf.open_ticket(actor=carol, contract=contract)

    assert nothing_saved()


# What a contract takes is the contract's rule (contracts.rules, tests/contracts/test_rules.py):
# these check that opening a ticket asks it, with the tenant's setting, and saves nothing
# when it refuses.


def test_it_refuses_a_suspended_contract_naming_the_suspension(cody, amy, contract):
    contract_services.contract_suspend(contract=contract, actor=amy, reason="Unpaid invoice INV-2026-000042",
                                       now=at(MON, 8))
    contract.refresh_from_db()

    with pytest.raises(ValidationError) as excinfo:
        tf.open_ticket(actor=cody, contract=contract, maintenance_type="curative")

    [message] = excinfo.value.message_dict["contract"]
    assert "suspended" in message
    assert "Unpaid invoice INV-2026-000042" in message
    assert nothing_saved()


def test_it_accepts_curative_on_a_suspended_contract_when_the_tenant_allows_it(cody, amy, contract):
    contract_services.contract_suspend(contract=contract, actor=amy, reason="Unpaid invoice", now=at(MON, 8))
    contract.refresh_from_db()
    contract.tenant.allow_curative_when_suspended = True
    contract.tenant.save()

    ticket = tf.open_ticket(actor=cody, contract=contract, maintenance_type="curative")

    assert ticket.pk is not None
    assert ticket.resolution_deadline == at(MON, 12)


def test_it_refuses_a_maintenance_type_the_contract_does_not_cover(cody, contract):
    with pytest.raises(ValidationError) as excinfo:
        tf.open_ticket(actor=cody, contract=contract, maintenance_type="evolutive")

    assert fields(excinfo) == {"maintenance_type"}
    assert nothing_saved()


def test_it_refuses_a_preventive_ticket_outside_the_preventive_plan(bob, contract):
    with pytest.raises(ValidationError) as excinfo:
        tf.open_ticket(actor=bob, contract=contract, maintenance_type="preventive")

    assert fields(excinfo) == {"maintenance_type"}
    assert nothing_saved()


def test_it_accepts_a_preventive_ticket_from_the_preventive_plan(contract):
    ticket = tf.open_ticket(actor=None, contract=contract, maintenance_type="preventive", source="plan")

    assert (ticket.maintenance_type, ticket.source, ticket.requester) == ("preventive", "plan", None)


@pytest.mark.parametrize("field", ["title", "description"])
def test_it_refuses_an_empty_title_or_description(cody, contract, field):
    with pytest.raises(ValidationError) as excinfo:
        tf.open_ticket(actor=cody, contract=contract, **{field: "   "})

    assert fields(excinfo) == {field}
    assert nothing_saved()


def test_it_refuses_an_item_covered_by_another_contract(cody, contract, contract_a2):
    item = CoveredItem.objects.filter(contract=contract_a2).first()

    with pytest.raises(ValidationError) as excinfo:
        tf.open_ticket(actor=cody, contract=contract, covered_item=item)

    assert fields(excinfo) == {"covered_item"}
    assert nothing_saved()


def test_it_accepts_an_item_of_the_contract(cody, contract):
    item = CoveredItem.objects.filter(contract=contract).first()

    ticket = tf.open_ticket(actor=cody, contract=contract, covered_item=item)

    assert ticket.covered_item == item


def test_it_gives_the_number_back_when_creation_fails(cody, contract):
    with pytest.raises(ValidationError):
        tf.open_ticket(actor=cody, contract=contract, maintenance_type="evolutive")

    assert tf.open_ticket(actor=cody, contract=contract).reference == "TCK-000001"


# ---------------------------------------------------------------------- workflow

ALLOWED = sorted((old, new) for old, targets in TRANSITIONS.items() for new in targets)
PATHS = {  # how a provider brings a new ticket to each status
    "new": [], "in_progress": ["in_progress"], "waiting_on_client": ["waiting_on_client"],
    "resolved": ["resolved"], "closed": ["resolved", "closed"],
}


@pytest.mark.parametrize(("old", "new"), ALLOWED)
def test_it_allows_every_transition_of_the_workflow(ticket, bob, old, new):
    ticket = move(ticket, bob, *PATHS[old], now=at(MON, 10, 30))

    ticket = ticket_change_status(ticket=ticket, actor=bob, status=new, reason="Because", now=at(MON, 11))

    assert Ticket.objects.get(pk=ticket.pk).status == new
    last = events(ticket, "status")[-1]
    assert (last.actor, last.from_value, last.to_value, last.reason, last.at) == (bob, old, new, "Because",
                                                                                    at(MON, 11))


@pytest.mark.parametrize(("old", "new"), [("new", "closed"), ("closed", "in_progress"), ("closed", "resolved"),
                                          ("in_progress", "new"), ("in_progress", "closed"),
                                          ("waiting_on_client", "closed")])
def test_it_refuses_a_transition_outside_the_workflow(ticket, bob, old, new):
    ticket = move(ticket, bob, *PATHS[old], now=at(MON, 10, 30))
    before = len(events(ticket))

    with pytest.raises(ApplicationError) as excinfo:
        ticket_change_status(ticket=ticket, actor=bob, status=new, now=at(MON, 11))

    assert excinfo.value.code == "forbidden_transition"
    assert Ticket.objects.get(pk=ticket.pk).status == old
    assert len(events(ticket)) == before


def test_it_refuses_an_unknown_status(ticket, bob):
    with pytest.raises(ValidationError) as excinfo:
        ticket_change_status(ticket=ticket, actor=bob, status="archived", now=at(MON, 11))

    assert fields(excinfo) == {"status"}


def test_it_lets_the_client_accept_a_resolution(ticket, bob, cody):
    ticket = move(ticket, bob, "resolved", now=at(MON, 11))

    ticket = ticket_change_status(ticket=ticket, actor=cody, status="closed", now=at(MON, 15))

    assert (ticket.status, ticket.closed_at) == ("closed", at(MON, 15))
    last = events(ticket, "status")[-1]
    assert (last.actor, last.from_value, last.to_value) == (cody, "resolved", "closed")


def test_it_lets_the_client_reject_a_resolution_with_a_reason(ticket, bob, clara):
    ticket = move(ticket, bob, "resolved", now=at(MON, 11))

    ticket = ticket_change_status(ticket=ticket, actor=clara, status="in_progress", reason="Still offline",
                                  now=at(MON, 15))

    assert (ticket.status, ticket.resolved_at) == ("in_progress", None)
    last = events(ticket, "status")[-1]
    assert (last.actor, last.from_value, last.to_value, last.reason) == (clara, "resolved", "in_progress",
                                                                         "Still offline")


def test_it_requires_a_reason_to_reject_a_resolution(ticket, bob, cody):
    ticket = move(ticket, bob, "resolved", now=at(MON, 11))

    with pytest.raises(ValidationError) as excinfo:
        ticket_change_status(ticket=ticket, actor=cody, status="in_progress", reason=" ", now=at(MON, 15))

    assert fields(excinfo) == {"reason"}
    assert Ticket.objects.get(pk=ticket.pk).status == "resolved"


@pytest.mark.parametrize(("path", "status"), [([], "in_progress"), (["in_progress"], "resolved"),
                                              (["in_progress"], "waiting_on_client"),
                                              (["waiting_on_client"], "in_progress")])
def test_it_refuses_other_transitions_to_a_client(ticket, bob, cody, path, status):
    ticket = move(ticket, bob, *path, now=at(MON, 10, 30))
    before = len(events(ticket))

    with pytest.raises(PermissionDenied):
        ticket_change_status(ticket=ticket, actor=cody, status=status, reason="Please", now=at(MON, 11))

    assert len(events(ticket)) == before


def test_it_refuses_a_client_of_another_organisation_to_accept(ticket, bob, dora):
    ticket = move(ticket, bob, "resolved", now=at(MON, 11))

    with pytest.raises(PermissionDenied):
        ticket_change_status(ticket=ticket, actor=dora, status="closed", now=at(MON, 15))

    assert Ticket.objects.get(pk=ticket.pk).status == "resolved"


def test_it_refuses_a_user_of_another_tenant(ticket, carol):
    with pytest.raises(PermissionDenied):
        ticket_change_status(ticket=ticket, actor=carol, status="in_progress", now=at(MON, 11))


# ---------------------------------------------------------------------- take, reply


def test_it_assigns_the_ticket_to_the_technician_who_takes_it(ticket, bob):
    ticket = ticket_take(ticket=ticket, actor=bob, now=at(MON, 10, 5))

    assert (ticket.assignee, ticket.status) == (bob, "in_progress")
    assert [(e.kind, e.actor) for e in events(ticket)] == [
        ("created", ticket.requester), ("assigned", bob), ("status", bob), ("responded", bob)]


def test_it_refuses_a_second_technician_taking_a_taken_ticket(ticket, bob, tom):
    ticket_take(ticket=ticket, actor=bob, now=at(MON, 10, 5))
    before = len(events(ticket))

    with pytest.raises(ConflictError) as excinfo:
        ticket_take(ticket=ticket, actor=tom, now=at(MON, 10, 6))

    assert excinfo.value.code == "already_taken"
    assert Ticket.objects.get(pk=ticket.pk).assignee == bob
    assert len(events(ticket)) == before


def test_it_lets_the_assignee_take_again_without_a_new_event(ticket, bob):
    ticket_take(ticket=ticket, actor=bob, now=at(MON, 10, 5))
    before = len(events(ticket))

    ticket_take(ticket=ticket, actor=bob, now=at(MON, 10, 6))

    assert len(events(ticket)) == before


def test_it_refuses_a_client_taking_a_ticket(ticket, cody):
    with pytest.raises(PermissionDenied):
        ticket_take(ticket=ticket, actor=cody, now=at(MON, 10, 5))


def test_it_stores_a_reply_posted_twice_with_the_same_key_once(ticket, bob):
    first = ticket_reply(ticket=ticket, actor=bob, body="On it.", idempotency_key="k-1", now=at(MON, 10, 5))
    again = ticket_reply(ticket=ticket, actor=bob, body="On it.", idempotency_key="k-1", now=at(MON, 10, 9))

    assert again.pk == first.pk
    assert TicketMessage.objects.filter(ticket=ticket).count() == 1


def test_it_stores_the_same_text_by_the_same_author_within_seconds_once(ticket, cody):
    first = ticket_reply(ticket=ticket, actor=cody, body="Any news?", now=at(MON, 10, 5))
    again = ticket_reply(ticket=ticket, actor=cody, body="Any news?", now=at(MON, 10, 5, 3))

    assert again.pk == first.pk
    assert TicketMessage.objects.filter(ticket=ticket).count() == 1


def test_it_scopes_an_idempotency_key_to_its_author(ticket, bob, cody):
    note = ticket_reply(ticket=ticket, actor=bob, body="secret", internal=True, idempotency_key="1",
                        now=at(MON, 10, 5))
    reply = ticket_reply(ticket=ticket, actor=cody, body="any news?", idempotency_key="1", now=at(MON, 10, 6))

    assert reply.pk != note.pk
    assert (reply.author, reply.body, reply.internal) == (cody, "any news?", False)


def test_it_stores_the_same_text_by_two_authors_within_seconds_twice(ticket, cody, clara):
    ticket_reply(ticket=ticket, actor=cody, body="Any news?", now=at(MON, 10, 5))
    ticket_reply(ticket=ticket, actor=clara, body="Any news?", now=at(MON, 10, 5, 3))

    assert TicketMessage.objects.filter(ticket=ticket).count() == 2


def test_it_refuses_a_replay_naming_the_field_that_differs(ticket, cody):
    ticket_reply(ticket=ticket, actor=cody, body="Any news?", idempotency_key="k", now=at(MON, 10, 5))

    with pytest.raises(UnprocessableError) as excinfo:
        ticket_reply(ticket=ticket, actor=cody, body="Hello?", idempotency_key="k", now=at(MON, 10, 6))

    assert (excinfo.value.code, list(excinfo.value.extra["fields"])) == ("idempotency_mismatch", ["body"])


def test_it_lets_the_database_refuse_one_authors_key_twice(ticket, cody):
    TicketMessage.objects.create(tenant_id=ticket.tenant_id, ticket=ticket, author=cody, body="a", idempotency_key="k")

    with pytest.raises(IntegrityError), transaction.atomic():
        TicketMessage.objects.create(tenant_id=ticket.tenant_id, ticket=ticket, author=cody, body="b",
                                     idempotency_key="k")


def test_it_lets_the_database_store_one_key_for_two_authors(ticket, bob, cody):
    TicketMessage.objects.create(tenant_id=ticket.tenant_id, ticket=ticket, author=bob, body="a", idempotency_key="k")
    TicketMessage.objects.create(tenant_id=ticket.tenant_id, ticket=ticket, author=cody, body="b", idempotency_key="k")

    assert TicketMessage.objects.filter(idempotency_key="k").count() == 2


def test_it_stores_the_same_text_again_minutes_later(ticket, cody):
    ticket_reply(ticket=ticket, actor=cody, body="Any news?", now=at(MON, 10, 5))
    ticket_reply(ticket=ticket, actor=cody, body="Any news?", now=at(MON, 11, 5))

    assert TicketMessage.objects.filter(ticket=ticket).count() == 2


def test_it_refuses_an_empty_reply(ticket, bob):
    with pytest.raises(ValidationError) as excinfo:
        ticket_reply(ticket=ticket, actor=bob, body="  ", now=at(MON, 10, 5))

    assert fields(excinfo) == {"body"}


def test_it_refuses_an_internal_note_from_a_client(ticket, cody):
    with pytest.raises(PermissionDenied):
        ticket_reply(ticket=ticket, actor=cody, body="Secret", internal=True, now=at(MON, 10, 5))

    assert not TicketMessage.objects.exists()


def test_it_refuses_a_reply_from_another_organisation(ticket, dora):
    with pytest.raises(PermissionDenied):
        ticket_reply(ticket=ticket, actor=dora, body="Hello", now=at(MON, 10, 5))


def test_it_refuses_a_reply_on_a_closed_ticket(ticket, bob):
    move(ticket, bob, "resolved", "closed", now=at(MON, 11))

    with pytest.raises(ApplicationError) as excinfo:
        ticket_reply(ticket=ticket, actor=bob, body="One more thing", now=at(MON, 12))

    assert excinfo.value.code == "closed"


# ---------------------------------------------------------------------- assign


def test_it_assigns_a_ticket_to_a_member_of_the_team(ticket, alice, tom):
    ticket = ticket_assign(ticket=ticket, actor=alice, assignee=tom, now=at(MON, 11))

    assert Ticket.objects.get(pk=ticket.pk).assignee == tom
    last = events(ticket, "assigned")[-1]
    assert (last.actor, last.from_value, last.to_value, last.at) == (alice, "", tom.email, at(MON, 11))


@pytest.mark.parametrize("persona", ["clara", "carol"])
def test_it_refuses_to_assign_a_ticket_outside_the_team(request, ticket, alice, persona):
    with pytest.raises(ValidationError) as excinfo:
        ticket_assign(ticket=ticket, actor=alice, assignee=request.getfixturevalue(persona), now=at(MON, 11))

    assert fields(excinfo) == {"assignee"}
    assert Ticket.objects.get(pk=ticket.pk).assignee is None


def test_it_assigns_several_tickets(contract, cody, alice, tom, tenant_a):
    tickets = [tf.open_ticket(actor=cody, contract=contract) for _ in range(2)]

    assert tickets_assign_bulk(tenant=tenant_a, actor=alice, tickets=tickets, assignee=tom) == 2

    assert set(Ticket.objects.values_list("assignee", flat=True)) == {tom.pk}


# ---------------------------------------------------------------------- priority


def test_it_records_a_priority_change_with_its_new_targets(ticket, bob):
    ticket = ticket_set_priority(ticket=ticket, actor=bob, priority="P2", reason="VIP user", now=at(MON, 11))

    last = events(ticket, "priority")[-1]
    assert (last.actor, last.from_value, last.to_value, last.reason) == (bob, "P3", "P2", "VIP user")
    assert (last.response_minutes, last.resolution_minutes) == (120, 480)


def test_it_requires_a_reason_to_change_the_priority(ticket, bob):
    with pytest.raises(ValidationError) as excinfo:
        ticket_set_priority(ticket=ticket, actor=bob, priority="P1", reason="", now=at(MON, 11))

    assert fields(excinfo) == {"reason"}
    assert Ticket.objects.get(pk=ticket.pk).priority == "P3"


def test_it_refuses_a_priority_change_by_a_client(ticket, clara):
    with pytest.raises(PermissionDenied):
        ticket_set_priority(ticket=ticket, actor=clara, priority="P1", reason="Urgent", now=at(MON, 11))


# ---------------------------------------------------------------------- interventions

TODAY = at(WED, 17)  # the service checks the date against the clock: frozen there


def log(ticket, actor, **overrides):
    data = {"date": date(2026, 5, 6), "minutes": 90, "mode": "on_site", "description": "Replaced the fuser",
            "billable": False}
    data.update(overrides)
    with time_machine.travel(TODAY, tick=False):
        return intervention_log(ticket=ticket, actor=actor, **data)


def test_it_logs_an_intervention(ticket, bob):
    intervention = log(ticket, bob)

    stored = Intervention.objects.get(pk=intervention.pk)
    assert (stored.technician, stored.date, stored.minutes, stored.mode, stored.billable, stored.description) == (
        bob, date(2026, 5, 6), 90, "on_site", False, "Replaced the fuser")


@pytest.mark.parametrize(("field", "value"), [
    ("minutes", 0), ("minutes", -5), ("minutes", 1441), ("minutes", "60"), ("mode", "by_pigeon"),
    ("description", "  "), ("date", date(2026, 5, 8)), ("date", None),
])
def test_it_refuses_a_bad_intervention(ticket, bob, field, value):
    with pytest.raises(ValidationError) as excinfo:
        log(ticket, bob, **{field: value})

    assert fields(excinfo) == {field}
    assert not Intervention.objects.exists()


def test_it_accepts_a_full_day_intervention(ticket, bob):
    assert log(ticket, bob, minutes=1440).minutes == 1440


def test_it_refuses_an_intervention_logged_by_a_client(ticket, clara):
    with pytest.raises(PermissionDenied):
        log(ticket, clara)

    assert not Intervention.objects.exists()


def test_it_refuses_an_intervention_on_a_closed_ticket(ticket, bob):
    closed = move(ticket, bob, "resolved", "closed", now=at(MON, 11))

    with pytest.raises(ApplicationError) as excinfo:
        log(closed, bob)

    assert excinfo.value.code == "closed"
    assert not Intervention.objects.exists()


def test_it_refuses_an_intervention_on_a_ticket_closed_meanwhile(ticket, bob, cody):
    page = Ticket.objects.get(pk=ticket.pk)  # loaded by the technician's form while still open
    move(ticket, bob, "resolved", now=at(MON, 11))
    ticket_change_status(ticket=ticket, actor=cody, status="closed", now=at(MON, 12))

    with pytest.raises(ApplicationError) as excinfo:
        log(page, bob)

    assert excinfo.value.code == "closed"
    assert not Intervention.objects.exists()


# ---------------------------------------------------------------------- autoclose


def resolved_on(contract, bob, cody, when):
    ticket = tf.open_ticket(actor=cody, contract=contract, now=when - timedelta(hours=1))
    return move(ticket, bob, "resolved", now=when)


def test_it_closes_tickets_resolved_more_than_n_days_ago(contract, bob, cody, tenant_a):
    old = resolved_on(contract, bob, cody, at(MON, 11))

    count = tickets_autoclose(tenant=tenant_a, now=at(NEXT_MON, 12), days=7)

    old.refresh_from_db()
    assert count == 1
    assert (old.status, old.closed_at) == ("closed", at(NEXT_MON, 12))
    last = events(old, "status")[-1]
    assert (last.actor, last.from_value, last.to_value) == (None, "resolved", "closed")
    assert "7 days" in last.reason


def test_it_leaves_tickets_resolved_recently(contract, bob, cody, tenant_a):
    recent = resolved_on(contract, bob, cody, at(FRI, 11))

    count = tickets_autoclose(tenant=tenant_a, now=at(NEXT_MON, 12), days=7)

    assert count == 0
    assert Ticket.objects.get(pk=recent.pk).status == "resolved"
    assert events(recent)[-1].to_value == "resolved"


def test_it_closes_automatically_once(contract, bob, cody, tenant_a):
    old = resolved_on(contract, bob, cody, at(MON, 11))
    tickets_autoclose(tenant=tenant_a, now=at(NEXT_MON, 12), days=7)

    again = tickets_autoclose(tenant=tenant_a, now=at(NEXT_MON, 13), days=7)

    assert again == 0
    assert len(events(old, "status")) == 2  # resolved, closed


def test_it_closes_automatically_only_the_tenants_tickets(contract, bob, cody, tenant_b):
    old = resolved_on(contract, bob, cody, at(MON, 11))

    assert tickets_autoclose(tenant=tenant_b, now=at(NEXT_MON, 12), days=7) == 0
    assert Ticket.objects.get(pk=old.pk).status == "resolved"


def test_it_does_not_close_open_tickets(ticket, tenant_a):
    assert tickets_autoclose(tenant=tenant_a, now=at(NEXT_MON + 14, 12), days=7) == 0
    assert Ticket.objects.get(pk=ticket.pk).status == "new"


def test_it_keeps_the_sla_of_a_ticket_closed_automatically(contract, bob, cody, tenant_a):
    old = resolved_on(contract, bob, cody, at(TUE, 11))

    tickets_autoclose(tenant=tenant_a, now=at(NEXT_MON + 14, 12), days=7)

    old.refresh_from_db()
    assert datetime.fromisoformat(old.sla_state["resolution"]["completed_at"]) == at(TUE, 11)
    assert old.sla_breached is False
    assert not SlaEvent.objects.filter(ticket=old).exists()

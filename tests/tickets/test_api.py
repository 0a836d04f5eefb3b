"""/api/v1/tickets/: the queue and its filters, who sees what, opening a ticket, the
detail's SLA block (SLA.md R14), the workflow actions, messages, interventions,
attachments, history and the query counts. Tickets are built through the services
with explicit instants (the calendar and the week of tests/tickets/factories.py)."""

from __future__ import annotations

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.signals import template_rendered
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contracts.services import contracts as contract_services
from portal.models import OutboxMessage
from tests.tickets import factories as tf
from tests.tickets.api_helpers import (
    API,
    PDF,
    api_action,
    api_detail,
    body,
    error,
    refs,
    resolved_ticket,
    upload,
)
from tests.tickets.factories import MON, TUE, at
from tickets.models import Attachment, Intervention, Ticket, TicketMessage
from tickets.services import ticket_change_status, ticket_reply, ticket_take

pytestmark = pytest.mark.django_db

R14_FIELDS = {"target_minutes", "state", "breached", "deadline", "warning_at", "breached_at", "completed_at",
              "elapsed_business_minutes", "remaining_business_minutes"}


def new_ticket(payload: dict | None = None, **overrides) -> dict:
    data = {"title": "Mail server down", "description": "Nobody receives e-mail since 9:00.",
            "maintenance_type": "corrective", "impact": "high", "urgency": "high"}
    data.update(payload or {})
    data.update(overrides)
    return data


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# ------------------------------------------------------------------------ list


def test_it_lists_the_queue_breached_first_then_nearest_deadline_then_paused(api, bob, cody, contract):
    paused = tf.open_ticket(actor=cody, contract=contract, now=at(MON, 9))
    ticket_change_status(ticket=paused, actor=bob, status="waiting_on_client", now=at(MON, 9, 30))
    later = tf.open_ticket(actor=cody, contract=contract, now=at(MON, 14))  # response due Monday 18:00
    nearest = tf.open_ticket(actor=cody, contract=contract, now=at(MON, 11))  # response due Monday 17:00
    breached = tf.open_ticket(actor=cody, contract=contract, now=at(MON, 10))  # response due Monday 16:00
    ticket_take(ticket=breached, actor=bob, now=at(TUE, 10))  # late; resolution due Wednesday 12:00

    response = api.as_(bob).get(API)

    assert response.status_code == 200
    assert refs(response) == [breached.reference, nearest.reference, later.reference, paused.reference]


def test_it_filters_open_tickets(api, bob, cody, contract):
    still_open = tf.open_ticket(actor=cody, contract=contract)
    closed = resolved_ticket(client=cody, provider=bob, contract=contract)
    ticket_change_status(ticket=closed, actor=cody, status="closed", now=at(MON, 16))

    assert refs(api.as_(bob).get(API, {"open": "true"})) == [still_open.reference]


def test_it_filters_my_tickets(api, bob, tom, cody, contract):
    mine = tf.open_ticket(actor=cody, contract=contract)
    theirs = tf.open_ticket(actor=cody, contract=contract)
    ticket_take(ticket=mine, actor=bob, now=at(MON, 11))
    ticket_take(ticket=theirs, actor=tom, now=at(MON, 11))

    assert refs(api.as_(bob).get(API, {"mine": "true"})) == [mine.reference]


def test_it_filters_unassigned_tickets(api, bob, cody, contract):
    taken = tf.open_ticket(actor=cody, contract=contract)
    waiting = tf.open_ticket(actor=cody, contract=contract)
    ticket_take(ticket=taken, actor=bob, now=at(MON, 11))

    assert refs(api.as_(bob).get(API, {"unassigned": "true"})) == [waiting.reference]


def test_it_filters_by_client(api, bob, cody, dora, contract, contract_a2, org_a2):
    tf.open_ticket(actor=cody, contract=contract)
    a2 = tf.open_ticket(actor=dora, contract=contract_a2)

    assert refs(api.as_(bob).get(API, {"client": org_a2.reference})) == [a2.reference]


def test_it_filters_by_contract(api, bob, cody, dora, contract, contract_a2):
    a1 = tf.open_ticket(actor=cody, contract=contract)
    tf.open_ticket(actor=dora, contract=contract_a2)

    assert refs(api.as_(bob).get(API, {"contract": contract.reference})) == [a1.reference]


def test_it_filters_by_priority(api, bob, cody, contract):
    tf.open_ticket(actor=cody, contract=contract)  # P3
    urgent = tf.open_ticket(actor=cody, contract=contract, impact="high", urgency="high")  # P1

    assert refs(api.as_(bob).get(API, {"priority": "P1"})) == [urgent.reference]


def test_it_filters_by_maintenance_type(api, bob, cody, contract):
    tf.open_ticket(actor=cody, contract=contract)
    emergency = tf.open_ticket(actor=cody, contract=contract, maintenance_type="curative")

    assert refs(api.as_(bob).get(API, {"maintenance_type": "curative"})) == [emergency.reference]


def test_it_filters_by_status(api, bob, cody, contract):
    tf.open_ticket(actor=cody, contract=contract)
    waiting = tf.open_ticket(actor=cody, contract=contract)
    ticket_change_status(ticket=waiting, actor=bob, status="waiting_on_client", now=at(MON, 11))

    assert refs(api.as_(bob).get(API, {"status": "waiting_on_client"})) == [waiting.reference]


def test_it_filters_breached_tickets(api, bob, cody, contract):
    late = tf.open_ticket(actor=cody, contract=contract)
    on_time = tf.open_ticket(actor=cody, contract=contract)
    ticket_take(ticket=late, actor=bob, now=at(TUE, 10))
    ticket_take(ticket=on_time, actor=bob, now=at(MON, 11))

    assert refs(api.as_(bob).get(API, {"breached": "true"})) == [late.reference]


def test_it_filters_tickets_not_breached(api, bob, cody, contract):
    late = tf.open_ticket(actor=cody, contract=contract)
    on_time = tf.open_ticket(actor=cody, contract=contract)
    ticket_take(ticket=late, actor=bob, now=at(TUE, 10))
    ticket_take(ticket=on_time, actor=bob, now=at(MON, 11))

    assert refs(api.as_(bob).get(API, {"breached": "false"})) == [on_time.reference]


def test_it_filters_tickets_at_risk(api, bob, cody, contract):
    risky = tf.open_ticket(actor=cody, contract=contract)  # response warning Monday 15:12
    calm = tf.open_ticket(actor=cody, contract=contract, now=at(MON, 14))  # warning Monday 17:12
    for ticket in (risky, calm):  # an internal note re-evaluates the SLA without taking charge
        ticket_reply(ticket=ticket, actor=bob, body="Looking at the logs.", internal=True, now=at(MON, 15, 30))

    assert refs(api.as_(bob).get(API, {"at_risk": "true"})) == [risky.reference]


def test_it_searches_the_reference(api, bob, cody, contract):
    wanted = tf.open_ticket(actor=cody, contract=contract)
    tf.open_ticket(actor=cody, contract=contract)

    assert refs(api.as_(bob).get(API, {"search": wanted.reference})) == [wanted.reference]


def test_it_searches_the_title(api, bob, cody, contract):
    tf.open_ticket(actor=cody, contract=contract)
    vpn = tf.open_ticket(actor=cody, contract=contract, title="VPN refuses connections")

    assert refs(api.as_(bob).get(API, {"search": "vpn"})) == [vpn.reference]


def test_it_shows_a_client_admin_their_organisations_tickets(api, clara, cody, dora, contract, contract_a2):
    by_cody = tf.open_ticket(actor=cody, contract=contract)
    by_clara = tf.open_ticket(actor=clara, contract=contract, now=at(MON, 11))
    tf.open_ticket(actor=dora, contract=contract_a2)

    assert refs(api.as_(clara).get(API)) == [by_clara.reference, by_cody.reference]


def test_it_shows_a_client_user_only_the_tickets_they_opened(api, clara, cody, contract):
    by_cody = tf.open_ticket(actor=cody, contract=contract)
    tf.open_ticket(actor=clara, contract=contract, now=at(MON, 11))

    assert refs(api.as_(cody).get(API)) == [by_cody.reference]


def test_it_lists_nothing_of_another_tenant(api, carol, ticket):
    assert refs(api.as_(carol).get(API)) == []


def test_it_pins_the_list_query_count(api, bob, cody, contract, django_assert_num_queries):
    for _ in range(3):
        tf.open_ticket(actor=cody, contract=contract)
    client = api.as_(bob)

    with django_assert_num_queries(5):
        assert len(refs(client.get(API))) == 3


def test_it_lists_thirty_tickets_with_the_same_queries(api, bob, cody, contract, django_assert_num_queries):
    for _ in range(30):
        tf.open_ticket(actor=cody, contract=contract)
    client = api.as_(bob)

    with django_assert_num_queries(5):
        assert len(refs(client.get(API))) == 30


def test_it_counts_the_open_queue_beyond_its_first_page(api, bob, cody, contract):
    for _ in range(3):
        tf.open_ticket(actor=cody, contract=contract)

    data = api.as_(bob).get(API, {"open": "true", "page_size": "2"}).json()

    assert (data["count"], data["count_exact"], len(data["results"])) == (3, True, 2)


def _count_sql(client, params) -> str:
    with CaptureQueriesContext(connection) as captured:
        client.get(API, params)
    return next(q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT COUNT(*)"))


def test_it_counts_the_providers_open_queue_in_status_order(api, bob, cody, contract):
    # Along ticket_open_counts (tenant, status), not the queue's head, where the SLA
    # scan's updates leave their dead index entries (tickets.selectors.ticket_count_order).
    tf.open_ticket(actor=cody, contract=contract)

    assert 'ORDER BY "tickets_ticket"."status"' in _count_sql(api.as_(bob), {"open": "true"})


def test_it_counts_a_list_of_every_status_without_an_order(api, bob, cody, contract):
    tf.open_ticket(actor=cody, contract=contract)

    assert "ORDER BY" not in _count_sql(api.as_(bob), {})


def test_it_lists_each_ticket_as_the_ticket_serializer_shows_it(api, bob, cody, contract):
    from tickets.api.serializers import TicketSerializer

    taken = tf.open_ticket(actor=cody, contract=contract, now=at(MON, 9))
    ticket_take(ticket=taken, actor=bob, now=at(MON, 9, 30))
    ticket_change_status(ticket=taken, actor=bob, status="resolved", now=at(MON, 10))
    tf.open_ticket(actor=cody, contract=contract, now=at(MON, 11))

    listed = api.as_(bob).get(API).json()["results"]

    expected = TicketSerializer(Ticket.objects.all(), many=True).data
    assert len(listed) == 2
    assert sorted(listed, key=lambda r: r["reference"]) == sorted(
        [dict(row) for row in expected], key=lambda r: r["reference"])


# ---------------------------------------------------------------------- create


def test_it_opens_a_ticket_for_a_client(api, clara, contract):
    response = api.as_(clara).post(API, new_ticket(contract=contract.reference), format="json")

    assert response.status_code == 201
    ticket = Ticket.objects.get()
    assert response.json()["reference"] == ticket.reference
    assert ticket.reference.startswith("TCK-")
    assert (ticket.source, ticket.requester, ticket.organization_id) == ("api", clara, contract.client_id)


def test_it_sets_the_priority_from_the_matrix(api, clara, contract):
    response = api.as_(clara).post(API, new_ticket(contract=contract.reference, impact="medium", urgency="high"),
                                   format="json")

    assert response.json()["priority"] == "P2"


def test_it_computes_the_response_deadline_at_once(api, clara, contract):
    response = api.as_(clara).post(API, new_ticket(contract=contract.reference), format="json")

    sla = response.json()["sla"]
    assert sla["response"]["deadline"] is not None
    assert sla["response"]["target_minutes"] == 60  # P1
    assert sla["response"]["state"] == "running"


def test_it_renders_no_email_while_opening_a_ticket(api, cody, bob, contract, django_capture_on_commit_callbacks):
    rendered: list[str] = []

    def record(sender, template, context, **kwargs):
        rendered.append(template.name)

    template_rendered.connect(record)
    try:
        with django_capture_on_commit_callbacks(execute=False):  # what the worker does later is not the request's
            response = api.as_(cody).post(API, new_ticket(contract=contract.reference), format="json")
    finally:
        template_rendered.disconnect(record)

    assert response.status_code == 201
    assert [name for name in rendered if name.startswith("emails/")] == []
    assert mail.outbox == []
    assert sorted(OutboxMessage.objects.filter(kind="ticket.created").values_list("recipient", flat=True)) == [
        bob.email, cody.email]


def test_it_writes_a_new_tickets_emails_in_one_insert(api, cody, bob, tom, contract):
    with CaptureQueriesContext(connection) as queries:
        api.as_(cody).post(API, new_ticket(contract=contract.reference), format="json")

    inserts = [q for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "portal_outboxmessage"')]
    assert (len(inserts), OutboxMessage.objects.count()) == (1, 3)


def test_it_refuses_another_organisations_contract(api, clara, contract_a2):
    response = api.as_(clara).post(API, new_ticket(contract=contract_a2.reference), format="json")

    assert response.status_code == 400
    assert list(error(response)["fields"]) == ["contract"]
    assert not Ticket.objects.exists()


def test_it_refuses_an_unknown_contract(api, clara, contract):
    response = api.as_(clara).post(API, new_ticket(contract="CTR-2026-9999"), format="json")

    assert response.status_code == 400
    assert list(error(response)["fields"]) == ["contract"]


def test_it_refuses_a_suspended_contract(api, amy, clara, contract):
    contract_services.contract_suspend(contract=contract, actor=amy, reason="Unpaid invoices", now=at(MON, 9))

    response = api.as_(clara).post(API, new_ticket(contract=contract.reference), format="json")

    assert response.status_code == 400
    [message] = error(response)["fields"]["contract"]
    assert message.startswith("This contract is suspended (Unpaid invoices)")
    assert not Ticket.objects.exists()


def test_it_refuses_a_maintenance_type_the_contract_does_not_cover(api, clara, contract):
    response = api.as_(clara).post(API, new_ticket(contract=contract.reference, maintenance_type="evolutive"),
                                   format="json")

    assert response.status_code == 400
    assert list(error(response)["fields"]) == ["maintenance_type"]


def test_it_refuses_an_empty_description(api, clara, contract):
    response = api.as_(clara).post(API, new_ticket(contract=contract.reference, description=""), format="json")

    assert response.status_code == 400
    assert list(error(response)["fields"]) == ["description"]


def test_it_refuses_a_blank_description(api, clara, contract):
    response = api.as_(clara).post(API, new_ticket(contract=contract.reference, description="   "), format="json")

    assert response.status_code == 400
    assert list(error(response)["fields"]) == ["description"]


def test_it_refuses_a_priority_chosen_by_a_client(api, clara, contract):
    response = api.as_(clara).post(API, new_ticket(contract=contract.reference, priority="P1",
                                                   priority_reason="It is urgent"), format="json")

    assert response.status_code == 400
    assert list(error(response)["fields"]) == ["priority"]
    assert not Ticket.objects.exists()


def test_it_lets_staff_override_the_matrix_with_a_reason(api, bob, contract):
    response = api.as_(bob).post(API, new_ticket(contract=contract.reference, impact="low", urgency="low",
                                                 priority="P1", priority_reason="CEO's laptop"), format="json")

    assert response.status_code == 201
    assert (response.json()["priority"], response.json()["priority_reason"]) == ("P1", "CEO's laptop")


def test_it_refuses_an_item_of_another_contract(api, clara, contract, contract_a2):
    item = contract_a2.items.first()

    response = api.as_(clara).post(API, new_ticket(contract=contract.reference, covered_item=item.pk),
                                   format="json")

    assert response.status_code == 400
    assert list(error(response)["fields"]) == ["covered_item"]


def test_it_asks_staff_why_they_override_the_matrix(api, bob, contract):
    response = api.as_(bob).post(API, new_ticket(contract=contract.reference, priority="P1"), format="json")

    assert response.status_code == 400
    assert list(error(response)["fields"]) == ["priority_reason"]


# ---------------------------------------------------------------------- detail


def test_it_shows_the_r14_fields_of_each_metric(api, bob, ticket):
    sla = api.as_(bob).get(api_detail(ticket)).json()["sla"]

    assert set(sla) == {"response", "resolution"}
    assert set(sla["response"]) == R14_FIELDS
    assert set(sla["resolution"]) == R14_FIELDS


def test_it_shows_the_sla_state_of_the_ticket(api, bob, ticket):
    response = api.as_(bob).get(api_detail(ticket)).json()["sla"]["response"]

    assert response["target_minutes"] == 240
    assert response["state"] == "running"
    assert response["breached"] is False
    assert response["deadline"] == at(MON, 16).isoformat()
    assert response["warning_at"] == at(MON, 15, 12).isoformat()


def test_it_shows_no_deadline_while_paused(api, bob, ticket):
    ticket_change_status(ticket=ticket, actor=bob, status="waiting_on_client", now=at(MON, 11))

    resolution = api.as_(bob).get(api_detail(ticket)).json()["sla"]["resolution"]

    assert (resolution["state"], resolution["deadline"]) == ("paused", None)


def test_it_shows_a_client_their_ticket(api, cody, ticket):
    response = api.as_(cody).get(api_detail(ticket))

    assert response.status_code == 200
    assert response.json()["reference"] == ticket.reference


def test_it_hides_another_organisations_ticket(api, dora, ticket):
    assert api.as_(dora).get(api_detail(ticket)).status_code == 404


def test_it_hides_a_colleagues_ticket_from_a_client_user(api, clara, cody, contract):
    by_clara = tf.open_ticket(actor=clara, contract=contract)

    assert api.as_(cody).get(api_detail(by_clara)).status_code == 404


@pytest.mark.parametrize(("method", "suffix"), [
    ("get", ""), ("post", "take/"), ("post", "status/"), ("post", "priority/"), ("post", "assign/"),
    ("get", "messages/"), ("post", "messages/"), ("get", "interventions/"), ("post", "interventions/"),
    ("get", "attachments/"), ("post", "attachments/"), ("get", "history/"),
])
def test_it_hides_other_tenants_tickets(api, carol, ticket, method, suffix):
    client = api.as_(carol)
    url = f"{api_detail(ticket)}{suffix}"

    response = client.get(url) if method == "get" else client.post(url, {}, format="json")

    assert response.status_code == 404


def test_it_hides_other_tenants_attachments(api, carol, cody, ticket, media):
    attachment = _attach(ticket, cody)

    response = api.as_(carol).get(f"{api_detail(ticket)}attachments/{attachment.pk}/download/")

    assert response.status_code == 404


def test_it_pins_the_detail_query_count(api, bob, cody, ticket, django_assert_num_queries):
    ticket_reply(ticket=ticket, actor=cody, body="Any news?", now=at(MON, 11))
    client = api.as_(bob)

    with django_assert_num_queries(5):  # the fifth: the client's satisfaction rating (one indexed row)
        client.get(api_detail(ticket))


def test_it_reads_the_detail_in_as_many_queries_whatever_the_messages(api, bob, cody, ticket,
                                                                      django_assert_num_queries):
    for minute in range(20):
        ticket_reply(ticket=ticket, actor=cody, body=f"Any news? ({minute})", now=at(MON, 11, minute))
    client = api.as_(bob)

    with django_assert_num_queries(5):
        client.get(api_detail(ticket))


def test_it_pins_the_conversation_query_count(api, bob, cody, ticket, django_assert_num_queries):
    ticket_reply(ticket=ticket, actor=cody, body="Any news?", now=at(MON, 11))
    client = api.as_(bob)

    with django_assert_num_queries(6):
        assert len(client.get(api_action(ticket, "messages")).json()) == 1


def test_it_reads_a_long_conversation_with_the_same_queries(api, bob, cody, ticket, django_assert_num_queries):
    for minute in range(20):
        ticket_reply(ticket=ticket, actor=cody if minute % 2 else bob, body=f"Message {minute}",
                     now=at(MON, 11, minute))
    client = api.as_(bob)

    with django_assert_num_queries(6):
        assert len(client.get(api_action(ticket, "messages")).json()) == 20


# ------------------------------------------------------------------------ take


def test_it_takes_a_ticket(api, bob, ticket):
    response = api.as_(bob).post(api_action(ticket, "take"))

    assert response.status_code == 200
    assert (response.json()["assignee"], response.json()["status"]) == (bob.email, "in_progress")


def test_it_refuses_a_ticket_already_taken(api, bob, tom, ticket):
    api.as_(bob).post(api_action(ticket, "take"))

    response = api.as_(tom).post(api_action(ticket, "take"))

    assert response.status_code == 409
    assert error(response)["code"] == "already_taken"
    assert Ticket.objects.get(pk=ticket.pk).assignee == bob


def test_it_refuses_to_take_a_resolved_ticket(api, bob, cody, contract):
    ticket = resolved_ticket(client=cody, provider=bob, contract=contract)

    response = api.as_(bob).post(api_action(ticket, "take"))

    assert response.status_code == 400
    assert error(response)["code"] == "forbidden_transition"


def test_it_refuses_take_to_a_client(api, clara, ticket):
    assert api.as_(clara).post(api_action(ticket, "take")).status_code == 403


# ---------------------------------------------------------------------- status


def test_it_moves_a_ticket_along_the_workflow(api, bob, ticket):
    response = api.as_(bob).post(api_action(ticket, "status"), {"status": "waiting_on_client",
                                                                "reason": "Which printer?"}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "waiting_on_client"
    assert response.json()["sla_paused"] is True


def test_it_refuses_a_forbidden_transition(api, bob, ticket):
    response = api.as_(bob).post(api_action(ticket, "status"), {"status": "closed"}, format="json")

    assert response.status_code == 400
    assert error(response)["code"] == "forbidden_transition"
    assert Ticket.objects.get(pk=ticket.pk).status == "new"


def test_it_refuses_an_unknown_status(api, bob, ticket):
    response = api.as_(bob).post(api_action(ticket, "status"), {"status": "lost"}, format="json")

    assert response.status_code == 400
    assert list(error(response)["fields"]) == ["status"]


def test_it_lets_a_client_accept_a_resolution(api, bob, cody, contract):
    ticket = resolved_ticket(client=cody, provider=bob, contract=contract)

    response = api.as_(cody).post(api_action(ticket, "status"), {"status": "closed"}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "closed"


def test_it_lets_a_client_reject_a_resolution_with_a_reason(api, bob, cody, contract):
    ticket = resolved_ticket(client=cody, provider=bob, contract=contract)

    response = api.as_(cody).post(api_action(ticket, "status"),
                                  {"status": "in_progress", "reason": "Still offline"}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "in_progress"


def test_it_asks_a_client_why_they_reject_a_resolution(api, bob, cody, contract):
    ticket = resolved_ticket(client=cody, provider=bob, contract=contract)

    response = api.as_(cody).post(api_action(ticket, "status"), {"status": "in_progress"}, format="json")

    assert response.status_code == 400
    assert list(error(response)["fields"]) == ["reason"]


def test_it_refuses_a_client_resolving_a_ticket(api, cody, ticket):
    response = api.as_(cody).post(api_action(ticket, "status"), {"status": "resolved"}, format="json")

    assert response.status_code == 403
    assert Ticket.objects.get(pk=ticket.pk).status == "new"


def test_it_refuses_a_client_closing_a_ticket_not_resolved(api, cody, ticket):
    response = api.as_(cody).post(api_action(ticket, "status"), {"status": "closed"}, format="json")

    assert response.status_code == 403


# -------------------------------------------------------------------- priority


def test_it_overrides_the_priority_with_a_reason(api, bob, ticket):
    response = api.as_(bob).post(api_action(ticket, "priority"), {"priority": "P1", "reason": "Whole floor"},
                                 format="json")

    assert response.status_code == 200
    assert (response.json()["priority"], response.json()["priority_reason"]) == ("P1", "Whole floor")
    assert response.json()["sla"]["response"]["target_minutes"] == 60


@pytest.mark.parametrize("payload", [{"priority": "P1"}, {"priority": "P1", "reason": ""},
                                     {"priority": "P1", "reason": "   "}])
def test_it_asks_for_the_reason_of_a_priority_change(api, bob, ticket, payload):
    response = api.as_(bob).post(api_action(ticket, "priority"), payload, format="json")

    assert response.status_code == 400
    assert list(error(response)["fields"]) == ["reason"]
    assert Ticket.objects.get(pk=ticket.pk).priority == "P3"


def test_it_refuses_a_priority_change_to_a_client(api, clara, ticket):
    response = api.as_(clara).post(api_action(ticket, "priority"), {"priority": "P1", "reason": "Urgent"},
                                   format="json")

    assert response.status_code == 403
    assert Ticket.objects.get(pk=ticket.pk).priority == "P3"


# ---------------------------------------------------------------------- assign


def test_it_assigns_a_ticket_to_a_team_member(api, bob, tom, ticket):
    response = api.as_(bob).post(api_action(ticket, "assign"), {"assignee": tom.email}, format="json")

    assert response.status_code == 200
    assert response.json()["assignee"] == tom.email


def test_it_unassigns_a_ticket(api, bob, ticket):
    ticket_take(ticket=ticket, actor=bob, now=at(MON, 11))

    response = api.as_(bob).post(api_action(ticket, "assign"), {"assignee": None}, format="json")

    assert response.json()["assignee"] is None


@pytest.mark.parametrize("email", ["nobody@a.test", "cody@a1.test", "carol@b.test"])
def test_it_refuses_an_assignee_outside_the_team(api, bob, cody, carol, ticket, email):
    response = api.as_(bob).post(api_action(ticket, "assign"), {"assignee": email}, format="json")

    assert response.status_code == 400
    assert list(error(response)["fields"]) == ["assignee"]
    assert Ticket.objects.get(pk=ticket.pk).assignee is None


def test_it_refuses_assignment_to_a_client(api, clara, bob, ticket):
    response = api.as_(clara).post(api_action(ticket, "assign"), {"assignee": bob.email}, format="json")

    assert response.status_code == 403


# -------------------------------------------------------------------- messages


@pytest.mark.parametrize("viewer", ["cody", "clara"])
def test_it_never_lists_internal_notes_to_clients(api, request, bob, ticket, viewer):
    ticket_reply(ticket=ticket, actor=bob, body="We will check the cabling.", now=at(MON, 11))
    ticket_reply(ticket=ticket, actor=bob, body="Client's switch is end of life.", internal=True, now=at(MON, 12))

    response = api.as_(request.getfixturevalue(viewer)).get(api_action(ticket, "messages"))

    assert [m["body"] for m in response.json()] == ["We will check the cabling."]


def test_it_lists_internal_notes_to_staff(api, bob, ticket):
    ticket_reply(ticket=ticket, actor=bob, body="Client's switch is end of life.", internal=True, now=at(MON, 12))

    response = api.as_(bob).get(api_action(ticket, "messages"))

    assert [(m["body"], m["internal"]) for m in response.json()] == [("Client's switch is end of life.", True)]


def test_it_posts_a_client_reply(api, cody, ticket):
    response = api.as_(cody).post(api_action(ticket, "messages"), {"body": "It blinks orange."}, format="json")

    assert response.status_code == 201
    assert (response.json()["author"], response.json()["internal"]) == (cody.email, False)


def test_it_refuses_an_internal_note_from_a_client(api, clara, ticket):
    response = api.as_(clara).post(api_action(ticket, "messages"), {"body": "Psst", "internal": True},
                                   format="json")

    assert response.status_code == 403
    assert not TicketMessage.objects.exists()


def test_it_stores_a_retried_message_once(api, cody, ticket):
    client = api.as_(cody)
    payload = {"body": "It blinks orange.", "idempotency_key": "c0ffee-1"}

    first = client.post(api_action(ticket, "messages"), payload, format="json")
    second = client.post(api_action(ticket, "messages"), payload, format="json")

    assert first.json()["id"] == second.json()["id"]
    assert TicketMessage.objects.count() == 1


def test_it_never_returns_a_technicians_note_to_a_client_reusing_its_key(api, bob, cody, ticket):
    api.as_(bob).post(api_action(ticket, "messages"), {"body": "secret", "internal": True, "idempotency_key": "1"},
                      format="json")

    response = api.as_(cody).post(api_action(ticket, "messages"), {"body": "any news?", "idempotency_key": "1"},
                                  format="json")

    assert response.status_code == 201
    assert (response.json()["author"], response.json()["body"], response.json()["internal"]) == (
        cody.email, "any news?", False)


def test_it_stores_a_clients_message_sent_with_the_key_of_a_technicians_note(api, bob, cody, ticket):
    api.as_(bob).post(api_action(ticket, "messages"), {"body": "secret", "internal": True, "idempotency_key": "1"},
                      format="json")

    api.as_(cody).post(api_action(ticket, "messages"), {"body": "any news?", "idempotency_key": "1"}, format="json")

    assert sorted(TicketMessage.objects.values_list("author__email", "body", "internal")) == [
        (bob.email, "secret", True), (cody.email, "any news?", False)]


def test_it_refuses_a_replay_with_another_body(api, cody, ticket):
    client = api.as_(cody)
    client.post(api_action(ticket, "messages"), {"body": "It blinks orange.", "idempotency_key": "k"}, format="json")

    response = client.post(api_action(ticket, "messages"), {"body": "Now it is red.", "idempotency_key": "k"},
                           format="json")

    assert response.status_code == 422
    assert (error(response)["code"], list(error(response)["fields"])) == ("idempotency_mismatch", ["body"])
    assert TicketMessage.objects.count() == 1


def test_it_refuses_a_replay_that_turns_a_note_into_a_reply(api, bob, ticket):
    client = api.as_(bob)
    client.post(api_action(ticket, "messages"), {"body": "Check the toner.", "internal": True, "idempotency_key": "k"},
                format="json")

    response = client.post(api_action(ticket, "messages"), {"body": "Check the toner.", "idempotency_key": "k"},
                           format="json")

    assert response.status_code == 422
    assert (error(response)["code"], list(error(response)["fields"])) == ("idempotency_mismatch", ["internal"])


def test_it_refuses_a_message_on_a_closed_ticket(api, bob, cody, contract):
    ticket = resolved_ticket(client=cody, provider=bob, contract=contract)
    ticket_change_status(ticket=ticket, actor=cody, status="closed", now=at(MON, 16))

    response = api.as_(cody).post(api_action(ticket, "messages"), {"body": "Thanks!"}, format="json")

    assert response.status_code == 400
    assert error(response)["code"] == "closed"


def test_it_refuses_an_empty_message(api, cody, ticket):
    response = api.as_(cody).post(api_action(ticket, "messages"), {"body": ""}, format="json")

    assert response.status_code == 400
    assert list(error(response)["fields"]) == ["body"]


# --------------------------------------------------------------- interventions


def intervention(**overrides) -> dict:
    data = {"date": timezone.localdate().isoformat(), "minutes": 45, "mode": "remote", "billable": True,
            "description": "Restarted the print spooler."}
    data.update(overrides)
    return data


def test_it_logs_an_intervention(api, bob, ticket):
    response = api.as_(bob).post(api_action(ticket, "interventions"), intervention(), format="json")

    assert response.status_code == 201
    assert (response.json()["technician"], response.json()["minutes"]) == (bob.email, 45)
    assert Intervention.objects.get().ticket == ticket


def test_it_lists_the_interventions(api, bob, cody, ticket):
    api.as_(bob).post(api_action(ticket, "interventions"), intervention(), format="json")

    response = api.as_(cody).get(api_action(ticket, "interventions"))

    assert [i["minutes"] for i in response.json()] == [45]


def test_it_refuses_an_intervention_of_zero_minutes(api, bob, ticket):
    response = api.as_(bob).post(api_action(ticket, "interventions"), intervention(minutes=0), format="json")

    assert response.status_code == 400
    assert list(error(response)["fields"]) == ["minutes"]
    assert not Intervention.objects.exists()


def test_it_refuses_an_intervention_logged_by_a_client(api, clara, ticket):
    response = api.as_(clara).post(api_action(ticket, "interventions"), intervention(), format="json")

    assert response.status_code == 403
    assert not Intervention.objects.exists()


# ----------------------------------------------------------------- attachments


def _attach(ticket, actor, name="report.pdf", content=PDF):
    from tickets.attachments import attachment_add

    return attachment_add(ticket=ticket, actor=actor, upload=upload(name, content))


def test_it_uploads_a_pdf(api, cody, ticket, media):
    response = api.as_(cody).post(api_action(ticket, "attachments"),
                                  {"file": upload("report.pdf", PDF, "application/pdf")}, format="multipart")

    assert response.status_code == 201
    assert (response.json()["filename"], response.json()["size"]) == ("report.pdf", len(PDF))
    assert Attachment.objects.get().ticket == ticket


def test_it_downloads_the_same_bytes(api, bob, cody, ticket, media):
    client = api.as_(cody)
    uploaded = client.post(api_action(ticket, "attachments"), {"file": upload("report.pdf", PDF)},
                           format="multipart").json()

    response = api.as_(bob).get(f"{api_detail(ticket)}attachments/{uploaded['id']}/download/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert body(response) == PDF


def test_it_lists_the_attachments(api, bob, cody, ticket, media):
    _attach(ticket, cody)

    response = api.as_(bob).get(api_action(ticket, "attachments"))

    assert [(a["filename"], a["content_type"]) for a in response.json()] == [("report.pdf", "application/pdf")]


def test_it_refuses_an_executable(api, cody, ticket, media):
    response = api.as_(cody).post(api_action(ticket, "attachments"),
                                  {"file": upload("setup.exe", b"MZ\x90\x00" + b"\x00" * 60)}, format="multipart")

    assert response.status_code == 400
    assert list(error(response)["fields"]) == ["file"]
    assert not Attachment.objects.exists()


def test_it_refuses_a_pdf_that_is_not_one(api, cody, ticket, media):
    response = api.as_(cody).post(api_action(ticket, "attachments"),
                                  {"file": upload("invoice.pdf", b"MZ\x90\x00 an executable in disguise")},
                                  format="multipart")

    assert response.status_code == 400
    assert list(error(response)["fields"]) == ["file"]
    assert not any(path.is_file() for path in media.rglob("*"))


def test_it_refuses_a_file_over_the_size_limit(api, cody, ticket, media, settings):
    settings.UPLOAD_MAX_BYTES = 1000

    response = api.as_(cody).post(api_action(ticket, "attachments"),
                                  {"file": upload("big.pdf", PDF + b"0" * 1000)}, format="multipart")

    assert response.status_code == 400
    assert list(error(response)["fields"]) == ["file"]
    assert not Attachment.objects.exists()


def test_it_hides_an_attachment_from_another_organisations_client(api, cody, dora, ticket, media):
    attachment = _attach(ticket, cody)

    response = api.as_(dora).get(f"{api_detail(ticket)}attachments/{attachment.pk}/download/")

    assert response.status_code == 404


def test_it_hides_an_internal_notes_attachment_from_clients(api, bob, cody, ticket, media):
    from tickets.attachments import attachment_add

    note = ticket_reply(ticket=ticket, actor=bob, body="Config dump", internal=True, now=at(MON, 11))
    attachment = attachment_add(ticket=ticket, actor=bob, upload=upload("dump.txt", b"password=hunter2"),
                                message=note)

    response = api.as_(cody).get(f"{api_detail(ticket)}attachments/{attachment.pk}/download/")

    assert response.status_code == 404
    assert api.as_(cody).get(api_action(ticket, "attachments")).json() == []


# --------------------------------------------------------------------- history


def test_it_shows_the_history(api, bob, ticket):
    ticket_take(ticket=ticket, actor=bob, now=at(MON, 11))

    response = api.as_(bob).get(api_action(ticket, "history"))

    assert [(e["kind"], e["to_value"]) for e in response.json()] == [
        ("created", "P3"), ("assigned", bob.email), ("status", "in_progress"), ("responded", "")]


# ----------------------------------------------------- validation a user would expect (issue 8, defect 8)

NOON_MAY_4 = at(MON, 12)


@pytest.mark.parametrize(("day", "accepted"), [
    ("2025-05-03", False), ("2025-05-04", True), ("2026-05-05", True), ("2026-05-06", False), ("2099-01-01", False),
])
def test_it_accepts_an_intervention_from_a_year_back_to_tomorrow(api, bob, ticket, day, accepted):
    with time_machine.travel(NOON_MAY_4, tick=False):
        response = api.as_(bob).post(api_action(ticket, "interventions"), intervention(date=day), format="json")

    assert response.status_code == (201 if accepted else 400), response.content
    if not accepted:
        assert list(error(response)["fields"]) == ["date"]


def test_it_judges_an_intervention_date_in_the_calendar_zone(api, bob, ticket, settings):
    # 23:30 UTC on Monday: already Tuesday in Paris (the calendar's zone), still Monday
    # in New York (the portal's zone here). Wednesday is "tomorrow" in Paris.
    settings.TIME_ZONE = "America/New_York"
    with time_machine.travel("2026-05-04T23:30:00Z", tick=False):
        response = api.as_(bob).post(api_action(ticket, "interventions"), intervention(date="2026-05-06"),
                                     format="json")

    assert response.status_code == 201, response.content


def test_it_refuses_a_description_of_more_than_20000_characters(api, cody, contract):
    response = api.as_(cody).post(API, new_ticket(contract=contract.reference, description="x" * 20_001),
                                  format="json")

    assert response.status_code == 400
    assert list(error(response)["fields"]) == ["description"]
    assert not Ticket.objects.exists()


def test_it_accepts_a_description_of_20000_characters(api, cody, contract):
    response = api.as_(cody).post(API, new_ticket(contract=contract.reference, description="x" * 20_000),
                                  format="json")

    assert response.status_code == 201


def test_it_strips_control_characters_from_a_description(api, cody, contract):
    response = api.as_(cody).post(API, new_ticket(contract=contract.reference,
                                                  description="Beep\x07 \x1b[31mred\x1b[0m\tand\r\nnext line"),
                                  format="json")

    assert response.status_code == 201
    assert Ticket.objects.get().description == "Beep [31mred[0m\tand\r\nnext line"


def test_it_refuses_a_message_of_more_than_20000_characters(api, cody, ticket):
    response = api.as_(cody).post(api_action(ticket, "messages"), {"body": "x" * 20_001}, format="json")

    assert response.status_code == 400
    assert list(error(response)["fields"]) == ["body"]
    assert not TicketMessage.objects.exists()


def test_it_strips_control_characters_from_a_message(api, cody, ticket):
    response = api.as_(cody).post(api_action(ticket, "messages"), {"body": "Still\x08 down\x0c\n"}, format="json")

    assert response.status_code == 201
    assert TicketMessage.objects.get().body == "Still down"


@pytest.mark.parametrize("earlier", [1, 6])
def test_it_opens_a_ticket_in_a_pinned_number_of_queries(api, cody, bob, tom, contract, earlier,
                                                          django_assert_num_queries):
    client = api.as_(cody)
    for _ in range(earlier):  # the first warms the sequence row and the caches; the others add history
        client.post(API, new_ticket(contract=contract.reference), format="json")

    # session, user, membership, contract (with its client, SLA policy, calendar and
    # whether it covers the type asked, in one SELECT), savepoint pair, sequence, ticket,
    # its event, the recipients and their outbox rows, the tenant's webhook subscriptions:
    # the priority matrix, the SLA target and the calendar's versions are the process's
    # (sla.config_cache); no read-back, no rating read for the answer (a new ticket has
    # none), no UPDATE after the INSERT, no e-mail (20 before, 16 with the SLA reads, 31
    # with the e-mails delivered in the request, 13 with the maintenance type apart).
    with django_assert_num_queries(12):
        response = client.post(API, new_ticket(contract=contract.reference), format="json")
    assert response.status_code == 201


@pytest.mark.parametrize("who", ["cody", "bob"])
def test_it_answers_a_new_ticket_as_its_detail_serializer_reads_it_back(api, request, who, bob, contract):
    # The 201 is built from the service's ticket through one serializer instance per
    # process (portal.api.visibility.represent): the same answer as a fresh serializer
    # given the ticket read back, for a client (no priority reason) and for the provider.
    import json

    from rest_framework.renderers import JSONRenderer

    from portal.api.visibility import for_viewer
    from portal.tenancy import membership_for
    from tickets.api.serializers import TicketDetailSerializer
    from tickets.selectors import ticket_get

    user = request.getfixturevalue(who)
    response = api.as_(user).post(API, new_ticket(contract=contract.reference), format="json")

    assert response.status_code == 201
    viewer = membership_for(user)
    ticket = ticket_get(tenant=viewer.tenant, viewer=viewer, reference=response.json()["reference"])
    expected = json.loads(JSONRenderer().render(for_viewer(viewer, TicketDetailSerializer)(ticket).data))
    assert list(response.json()) == list(expected)
    assert response.json() == expected
    assert ("priority_reason" in expected) is (who == "bob")

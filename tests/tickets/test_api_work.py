"""POST /api/v1/tickets/{ref}/work/: the ticket page's composer in one call (reply or
note, next status, time spent), through the same service (tickets.services.ticket_work)
and policy as the page."""

from __future__ import annotations

import pytest
import time_machine

from tests.tickets.api_helpers import api_action, error
from tests.tickets.factories import MON, at
from tickets.models import Intervention, TicketMessage
from tickets.services import ticket_take

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(at(MON, 11), tick=False):
        yield


@pytest.fixture
def taken(ticket, bob):
    return ticket_take(ticket=ticket, actor=bob, now=at(MON, 10, 5))


def test_it_replies_logs_the_time_and_resolves_in_one_call(api, bob, taken):
    response = api.as_(bob).post(api_action(taken, "work"), {
        "body": "Toner replaced.", "next_status": "resolved", "minutes": 45, "mode": "on_site"}, format="json")

    assert response.status_code == 200
    assert (response.json()["status"], Intervention.objects.get(ticket=taken).minutes) == ("resolved", 45)


def test_it_keeps_an_internal_note_from_the_client(api, bob, taken):
    api.as_(bob).post(api_action(taken, "work"), {"body": "Check the fuser.", "internal": True}, format="json")

    assert TicketMessage.objects.get(ticket=taken, body="Check the fuser.").internal is True


def test_it_refuses_to_wait_on_the_client_with_an_internal_note(api, bob, taken):
    response = api.as_(bob).post(api_action(taken, "work"), {
        "body": "Ask them.", "internal": True, "next_status": "waiting_on_client"}, format="json")

    assert (response.status_code, list(error(response)["fields"])) == (400, ["internal"])


def test_it_saves_nothing_when_the_duration_is_refused(api, bob, taken):
    api.as_(bob).post(api_action(taken, "work"), {"body": "Done.", "minutes": 0}, format="json")

    assert not TicketMessage.objects.filter(ticket=taken, body="Done.").exists()


def test_it_names_the_refused_duration(api, bob, taken):
    response = api.as_(bob).post(api_action(taken, "work"), {"body": "Done.", "minutes": 2000}, format="json")

    assert (response.status_code, list(error(response)["fields"])) == (400, ["minutes"])


def test_it_stores_a_retried_call_once(api, bob, taken):
    payload = {"body": "On my way.", "idempotency_key": "k-1"}
    for _ in range(2):
        api.as_(bob).post(api_action(taken, "work"), payload, format="json")

    assert TicketMessage.objects.filter(ticket=taken, body="On my way.").count() == 1


def test_it_refuses_the_composer_to_a_client(api, cody, taken):
    response = api.as_(cody).post(api_action(taken, "work"), {"body": "Hello"}, format="json")

    assert response.status_code == 403


def test_it_hides_another_tenants_ticket(api, carol, taken):
    response = api.as_(carol).post(api_action(taken, "work"), {"body": "Hello"}, format="json")

    assert response.status_code == 404

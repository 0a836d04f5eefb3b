"""The dashboards' ticket lists: a technician's shows its own most urgent tickets, the
other provider staff's every open ticket; the assignable team is asked to the policy."""

from __future__ import annotations

import pytest

from portal.selectors import users_who_may
from tests.tickets import factories as tf
from tickets.services import ticket_take

pytestmark = pytest.mark.django_db


@pytest.fixture
def taken_and_waiting(cody, bob, contract):
    taken = ticket_take(ticket=tf.open_ticket(actor=cody, contract=contract, title="Taken by bob"), actor=bob)
    waiting = tf.open_ticket(actor=cody, contract=contract, title="Nobody on it")
    return taken, waiting


def test_it_shows_a_technician_its_own_most_urgent_tickets(web, bob, taken_and_waiting):
    taken, waiting = taken_and_waiting
    mine = [t for t, _badge in web.as_(bob).get("/dashboard/").context["work"]["mine"]]
    assert (taken in mine, waiting in mine) == (True, False)


def test_it_shows_an_account_manager_every_urgent_ticket(web, amy, taken_and_waiting):
    taken, waiting = taken_and_waiting
    page = web.as_(amy).get("/dashboard/").content.decode()
    assert "Most urgent tickets" in page and "My most urgent tickets" not in page
    assert (taken.reference in page, waiting.reference in page) == (True, True)


def test_it_offers_the_staff_the_policy_lets_take_tickets_as_the_team(alice, amy, bob, cody, tenant_a, carol):
    assert set(users_who_may(tenant=tenant_a, action="ticket.take")) == {alice, amy, bob}

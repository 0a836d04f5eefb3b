"""The organisation page: its contracts, open tickets (the tickets app's panel), people
with their roles, and contacts."""

from __future__ import annotations

import pytest

from portal import people
from tests.factories import ContactFactory
from tests.tickets import factories as tf

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract(tenant_a, org_a1, amy):
    return tf.active_contract(actor=amy, client=org_a1, policy=tf.sla_policy(tenant_a))


def _page(web, user, org):
    return web.as_(user).get(f"/organizations/{org.reference}/").content.decode()


def test_it_shows_the_organisations_contracts(web, amy, org_a1, contract):
    assert contract.reference in _page(web, amy, org_a1)


def test_it_shows_the_open_tickets(web, amy, cody, org_a1, contract):
    ticket = tf.open_ticket(actor=cody, contract=contract, title="Scanner jammed")
    assert ticket.reference in _page(web, amy, org_a1)


def test_it_shows_the_people_with_their_roles(web, amy, clara, cody, org_a1):
    body = _page(web, amy, org_a1)
    assert clara.email in body and "Client administrator" in body and cody.email in body


def test_it_does_not_show_another_organisations_people(web, amy, dora, org_a1):
    assert dora.email not in _page(web, amy, org_a1)


def test_it_shows_the_contacts(web, amy, org_a1):
    contact = ContactFactory(organization=org_a1, last_name="Qwerty")
    assert contact.last_name in _page(web, amy, org_a1)


def test_it_shows_open_invitations_to_those_who_manage_people(web, alice, org_a1, tenant_a):
    people.invitation_create(tenant=tenant_a, actor=alice, email="soon@a1.test", role="client_user",
                             organization=org_a1)
    assert "soon@a1.test" in _page(web, alice, org_a1)


def test_it_hides_open_invitations_from_a_client_user(web, alice, cody, org_a1, tenant_a):
    people.invitation_create(tenant=tenant_a, actor=alice, email="soon@a1.test", role="client_user",
                             organization=org_a1)
    assert "soon@a1.test" not in _page(web, cody, org_a1)


def test_a_tenant_admin_invites_a_client_user_from_the_page(web, alice, org_a1):
    response = web.as_(alice).post(f"/organizations/{org_a1.reference}/invite/",
                                   {"email": "new@a1.test", "role": "client_user", "language": "fr"})
    assert response.status_code == 302 and org_a1.invitations.get().email == "new@a1.test"


def test_the_page_invite_offers_client_roles_only(web, alice, org_a1):
    body = web.as_(alice).get(f"/organizations/{org_a1.reference}/invite/").content.decode()
    assert 'value="client_admin"' in body and 'value="technician"' not in body

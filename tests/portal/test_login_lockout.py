"""Login lockout (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords for one account
from one address, that account is refused from that address, even with the right
password, until the cool-off ends or a tenant administrator unlocks it."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from portal.models import AuditEvent

PASSWORD = "secret-pass-123"  # tests.factories.UserFactory
LIMIT = 5  # the default of LOGIN_FAILURE_LIMIT
LOCKED = "Too many failed attempts"
URL = "/security/lockouts/"


def attempt(client, user, password: str, ip: str = "203.0.113.7"):
    return client.post("/login/", {"username": user.email, "password": password}, REMOTE_ADDR=ip)


def fail(client, user, times: int = LIMIT, ip: str = "203.0.113.7") -> None:
    for _ in range(times):
        attempt(client, user, "wrong-password", ip=ip)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_it_refuses_the_right_password_after_five_failures(client, alice):
    fail(client, alice)
    attempt(client, alice, PASSWORD)
    assert not logged_in(client)


def test_it_tells_the_user_on_the_login_page_that_the_account_is_locked(client, alice):
    fail(client, alice)
    response = attempt(client, alice, PASSWORD)
    body = response.content.decode()
    assert response.status_code == 429
    assert LOCKED in body and "15 minutes" in body
    assert 'name="password"' in body  # the login page, not a bare error page


def test_it_shows_the_lockout_message_in_french(client, alice, settings):
    from django.utils import translation

    fail(client, alice)
    with translation.override("fr"):
        response = client.post("/login/", {"username": alice.email, "password": PASSWORD},
                               REMOTE_ADDR="203.0.113.7", HTTP_ACCEPT_LANGUAGE="fr")
    assert "Trop de tentatives" in response.content.decode()


def test_it_still_logs_in_after_fewer_failures_than_the_limit(client, alice):
    fail(client, alice, times=LIMIT - 1)
    attempt(client, alice, PASSWORD)
    assert logged_in(client)


def test_it_counts_failures_again_from_zero_after_a_successful_login(client, alice):
    fail(client, alice, times=LIMIT - 1)
    attempt(client, alice, PASSWORD)
    client.logout()
    fail(client, alice, times=LIMIT - 1)
    attempt(client, alice, PASSWORD)
    assert logged_in(client)


def test_it_locks_the_account_whatever_the_case_of_the_email(client, alice):
    for i in range(LIMIT):
        email = alice.email.upper() if i % 2 else alice.email
        client.post("/login/", {"username": email, "password": "wrong"}, REMOTE_ADDR="203.0.113.7")
    attempt(client, alice, PASSWORD)
    assert not logged_in(client)


def test_it_locks_the_account_only_from_the_address_that_failed(client, alice):
    # Per account AND address: an attacker cannot lock a user out of the office.
    fail(client, alice, ip="203.0.113.7")
    attempt(client, alice, PASSWORD, ip="198.51.100.20")
    assert logged_in(client)


def test_it_lets_the_user_in_again_after_the_cool_off(client, alice):
    fail(client, alice)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16)):
        attempt(client, alice, PASSWORD)
    assert logged_in(client)


def test_it_follows_the_configured_limit(client, alice, settings):
    settings.AXES_FAILURE_LIMIT = 2
    fail(client, alice, times=2)
    attempt(client, alice, PASSWORD)
    assert not logged_in(client)


# --------------------------------------------------------------------------- unlock page


def test_it_lists_the_locked_members_of_the_tenant_to_its_admin(web, alice, cody):
    fail(web, cody)
    web.logout()
    response = web.as_(alice).get(URL)
    assert response.status_code == 200
    assert cody.email in response.content.decode()


def test_it_does_not_list_a_member_below_the_limit(web, alice, cody):
    fail(web, cody, times=LIMIT - 1)
    response = web.as_(alice).get(URL)
    assert cody.email not in response.content.decode()


def test_it_does_not_list_the_locked_users_of_another_tenant(web, carol, cody):
    fail(web, cody)
    response = web.as_(carol).get(URL)
    assert response.status_code == 200
    assert cody.email not in response.content.decode()


def test_it_unlocks_a_member_who_can_then_log_in(client, alice, cody):
    fail(client, cody)
    client.force_login(alice)
    response = client.post(URL + "unlock/", {"email": cody.email})
    assert response.status_code == 302
    client.logout()
    attempt(client, cody, PASSWORD)
    assert logged_in(client)
    assert client.session["_auth_user_id"] == str(cody.pk)


def test_it_audits_the_unlock(client, alice, cody, tenant_a):
    fail(client, cody)
    client.force_login(alice)
    client.post(URL + "unlock/", {"email": cody.email})
    event = AuditEvent.objects.get(tenant=tenant_a, action="user.unlock")
    assert (event.actor, event.object_ref) == (alice, cody.email)


def test_it_answers_404_when_another_tenants_admin_unlocks_a_member(client, carol, cody):
    fail(client, cody)
    client.force_login(carol)
    response = client.post(URL + "unlock/", {"email": cody.email})
    assert response.status_code == 404
    client.logout()
    attempt(client, cody, PASSWORD)
    assert not logged_in(client)


def test_it_answers_404_for_an_unknown_email(client, alice):
    client.force_login(alice)
    assert client.post(URL + "unlock/", {"email": "nobody@nowhere.test"}).status_code == 404


@pytest.mark.parametrize("persona", ["amy", "bob", "clara"])
def test_it_refuses_the_lockout_page_to_other_roles(web, request, persona):
    client = web.as_(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403
    assert client.post(URL + "unlock/", {"email": "x@y.test"}).status_code == 403

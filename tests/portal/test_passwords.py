"""Forgotten and changed passwords: Django's own views and validators, the reset e-mail
through the outbox in the person's language."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from portal.models import AuditEvent, OutboxMessage
from portal.outbox import outbox_deliver

pytestmark = pytest.mark.django_db

OLD, NEW = "Old-password-1234", "Brand-new-pass-5678"


@pytest.fixture
def bob_with_password(bob):
    bob.set_password(OLD)
    bob.save()
    return bob


def _reset_link(client, email: str) -> str:
    client.post("/password/reset/", {"email": email})
    outbox_deliver()
    return re.search(r"http://\S+(/password/reset/\S+/\S+/)", mail.outbox[-1].body).group(1)


def test_the_login_page_links_to_forgot_password(client):
    assert 'href="/password/reset/"' in client.get("/login/").content.decode()


def test_asking_for_a_reset_writes_an_email_to_the_outbox(client, bob_with_password):
    client.post("/password/reset/", {"email": "BOB@a.test"})
    assert OutboxMessage.objects.filter(kind="password.reset", user=bob_with_password).count() == 1


def test_an_unknown_address_gets_the_same_answer_and_no_email(client, db):
    response = client.post("/password/reset/", {"email": "nobody@x.test"})
    assert response.status_code == 302 and not OutboxMessage.objects.exists()


def test_a_deactivated_user_gets_no_reset_email(client, bob_with_password):
    bob_with_password.is_active = False
    bob_with_password.save()
    client.post("/password/reset/", {"email": bob_with_password.email})
    assert not OutboxMessage.objects.exists()


def test_the_reset_email_is_in_the_users_language(client, bob_with_password):
    bob_with_password.language = "fr"
    bob_with_password.save()
    _reset_link(client, bob_with_password.email)
    assert mail.outbox[-1].subject == "Choisir un nouveau mot de passe"


def test_the_reset_link_sets_a_new_password(client, bob_with_password):
    link = _reset_link(client, bob_with_password.email)
    form_url = client.get(link).url
    client.post(form_url, {"new_password1": NEW, "new_password2": NEW})
    bob_with_password.refresh_from_db()
    assert bob_with_password.check_password(NEW)


def test_the_reset_refuses_a_password_djangos_validators_refuse(client, bob_with_password):
    form_url = client.get(_reset_link(client, bob_with_password.email)).url
    response = client.post(form_url, {"new_password1": "123456789", "new_password2": "123456789"})
    assert response.status_code == 200 and "entirely numeric" in response.content.decode()


def test_a_reset_is_audited(client, bob_with_password):
    form_url = client.get(_reset_link(client, bob_with_password.email)).url
    client.post(form_url, {"new_password1": NEW, "new_password2": NEW})
    assert AuditEvent.objects.get(action="user.password").changes == {"how": "reset"}


def test_a_used_reset_link_answers_404(client, bob_with_password):
    link = _reset_link(client, bob_with_password.email)
    client.post(client.get(link).url, {"new_password1": NEW, "new_password2": NEW})
    assert client.get(link).status_code == 404


def test_the_preferences_link_to_change_password(web, bob):
    assert 'href="/account/password/"' in web.as_(bob).get("/account/").content.decode()


def test_changing_the_password_needs_the_current_one(web, bob_with_password):
    response = web.as_(bob_with_password).post("/account/password/", {
        "old_password": "wrong", "new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 200 and not AuditEvent.objects.filter(action="user.password").exists()


def test_changing_the_password_keeps_the_session(web, bob_with_password):
    client = web.as_(bob_with_password)
    client.post("/account/password/", {"old_password": OLD, "new_password1": NEW, "new_password2": NEW})
    assert client.get("/account/").status_code == 200

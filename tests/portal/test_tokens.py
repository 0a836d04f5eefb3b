"""Personal API tokens: /api/v1/tokens/, Bearer authentication, the security e-mail."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from portal import services
from portal.models import ApiToken, AuditEvent, Membership, OutboxMessage
from portal.tasks import outbox_deliver_task

URL = "/api/v1/tokens/"
ME = "/api/v1/me/"


def bearer(api, raw: str):
    api.logout()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return api


@pytest.fixture
def alice_token(alice):
    token, raw = services.api_token_create(user=alice, name="Monitoring")
    return token, raw


# --------------------------------------------------------------------------- create


def test_it_creates_a_token_and_returns_the_secret_once(api, alice):
    response = api.as_(alice).post(URL, {"name": "Monitoring"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert re.fullmatch(r"mpt_[0-9a-f]{12}_[A-Za-z0-9-]{40,}", body["token"])
    assert body["token"].split("_")[1] == body["prefix"]
    assert "token" not in api.get(f"{URL}{body['prefix']}/").json()


def test_it_stores_only_the_sha256_of_the_secret(api, alice):
    raw = api.as_(alice).post(URL, {"name": "Monitoring"}, format="json").json()["token"]
    _, prefix, secret = raw.split("_")
    row = ApiToken.objects.filter(prefix=prefix).values().get()
    assert row["digest"] == hashlib.sha256(secret.encode()).hexdigest()
    assert not any(secret in str(value) for value in row.values())


def test_it_keeps_the_secret_out_of_the_audit_log(api, alice):
    raw = api.as_(alice).post(URL, {"name": "Monitoring"}, format="json").json()["token"]
    secret = raw.split("_")[2]
    assert all(secret not in str(v) for v in AuditEvent.objects.values().get().values())


def test_it_audits_the_creation_of_a_token(api, alice):
    body = api.as_(alice).post(URL, {"name": "Monitoring"}, format="json", REMOTE_ADDR="192.0.2.9").json()
    event = AuditEvent.objects.get(action="api_token.create")
    assert (event.actor, event.object_ref, event.ip_address) == (alice, body["prefix"], "192.0.2.9")
    assert event.changes["name"] == "Monitoring"


def test_it_names_a_missing_token_name(api, alice):
    response = api.as_(alice).post(URL, {"name": ""}, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["name"]
    assert not ApiToken.objects.exists()


def test_it_refuses_an_expiry_in_the_past(api, alice):
    past = (timezone.now() - timedelta(days=1)).isoformat()
    response = api.as_(alice).post(URL, {"name": "Old", "expires_at": past}, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["expires_at"]
    assert not ApiToken.objects.exists()


def test_it_lets_a_client_user_create_a_token(api, cody):
    response = api.as_(cody).post(URL, {"name": "Scripts"}, format="json")
    assert response.status_code == 201
    assert ApiToken.objects.get().tenant == Membership.objects.get(user=cody).tenant


# --------------------------------------------------------------------------- the security e-mail


def test_it_sends_the_security_email_once_the_token_is_committed(api, alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        api.as_(alice).post(URL, {"name": "Monitoring"}, format="json")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [alice.email]
    assert "Monitoring" in mail.outbox[0].subject


def test_it_keeps_the_secret_out_of_the_security_email(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        token, raw = services.api_token_create(user=alice, name="Monitoring")
    message = mail.outbox[0]
    bodies = [message.subject, message.body, *(content for content, _ in message.alternatives)]
    assert any(token.prefix in body for body in bodies)
    assert not any(raw.split("_")[2] in body for body in bodies)


def test_it_sends_no_email_before_the_transaction_commits(api, alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        api.as_(alice).post(URL, {"name": "Monitoring"}, format="json")
    assert len(callbacks) == 1
    assert mail.outbox == []


def test_it_sends_the_security_email_once_even_if_the_task_runs_twice(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.api_token_create(user=alice, name="Monitoring")
    outbox_deliver_task()
    assert len(mail.outbox) == 1
    assert OutboxMessage.objects.get().state == "sent"


def test_it_does_nothing_when_the_token_is_gone(alice, alice_token):
    token, _ = alice_token
    token.delete()
    outbox_deliver_task()
    assert mail.outbox == []


def test_it_sends_nothing_for_a_token_id_of_another_tenant(alice, alice_token, tenant_b):
    OutboxMessage.objects.update(tenant=tenant_b)  # a row naming another tenant's token
    outbox_deliver_task()
    assert mail.outbox == []


# --------------------------------------------------------------------------- Bearer authentication


def test_it_authenticates_a_bearer_token_with_the_users_tenant_and_role(api, alice, alice_token):
    _, raw = alice_token
    response = bearer(api, raw).get(ME)
    assert response.status_code == 200
    body = response.json()
    assert (body["email"], body["tenant_slug"], body["role"], body["organization"]) == (
        alice.email, "tenant-a", "tenant_admin", None
    )


def test_it_gives_a_client_token_its_organization(api, clara, org_a1):
    _, raw = services.api_token_create(user=clara, name="Scripts")
    body = bearer(api, raw).get(ME).json()
    assert (body["role"], body["organization"]) == ("client_admin", org_a1.reference)


def test_it_scopes_a_bearer_token_to_its_tenant(api, carol, org_a1, org_b1):
    _, raw = services.api_token_create(user=carol, name="Scripts")
    response = bearer(api, raw).get("/api/v1/organizations/")
    assert [row["reference"] for row in response.json()["results"]] == [org_b1.reference]


def test_it_marks_when_a_token_was_last_used(api, alice_token):
    token, raw = alice_token
    bearer(api, raw).get(ME)
    token.refresh_from_db()
    assert token.last_used_at is not None


def _assert_401(response):
    assert response.status_code == 401
    assert response.json()["error"]["status"] == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_it_refuses_a_revoked_token(api, alice, alice_token):
    token, raw = alice_token
    services.api_token_revoke(token=token, actor=alice)
    _assert_401(bearer(api, raw).get(ME))


def test_it_refuses_an_expired_token(api, alice_token):
    token, raw = alice_token
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    _assert_401(bearer(api, raw).get(ME))


def test_it_accepts_a_token_before_its_expiry(api, alice):
    _, raw = services.api_token_create(user=alice, name="Short", expires_at=timezone.now() + timedelta(hours=1))
    assert bearer(api, raw).get(ME).status_code == 200


def test_it_refuses_a_wrong_secret_with_a_valid_prefix(api, alice_token):
    token, raw = alice_token
    _assert_401(bearer(api, f"mpt_{token.prefix}_{'x' * 43}").get(ME))


@pytest.mark.parametrize("raw", ["garbage", "mpt_only-two", "xyz_abc_def", "mpt_a_b_c"])
def test_it_refuses_a_malformed_token(api, db, raw):
    _assert_401(bearer(api, raw).get(ME))


def test_it_refuses_a_bearer_header_without_a_token(api, db):
    api.credentials(HTTP_AUTHORIZATION="Bearer")
    _assert_401(api.get(ME))


def test_it_refuses_the_token_of_a_user_who_moved_to_another_tenant(api, alice, alice_token, tenant_b):
    _, raw = alice_token
    Membership.objects.filter(user=alice).update(tenant=tenant_b)
    _assert_401(bearer(api, raw).get(ME))


def test_it_refuses_the_token_of_a_user_who_lost_the_membership(api, alice, alice_token):
    _, raw = alice_token
    Membership.objects.filter(user=alice).delete()
    _assert_401(bearer(api, raw).get(ME))


def test_it_refuses_the_token_of_a_deactivated_user(api, alice, alice_token):
    _, raw = alice_token
    type(alice).objects.filter(pk=alice.pk).update(is_active=False)
    _assert_401(bearer(api, raw).get(ME))


def test_it_refuses_the_token_of_a_deactivated_tenant(api, alice_token, tenant_a):
    _, raw = alice_token
    type(tenant_a).objects.filter(pk=tenant_a.pk).update(is_active=False)
    _assert_401(bearer(api, raw).get(ME))


# --------------------------------------------------------------------------- list and revoke


def test_it_lists_only_the_users_own_tokens(api, alice, amy, alice_token):
    services.api_token_create(user=amy, name="Amy's")
    response = api.as_(alice).get(URL)
    assert [row["name"] for row in response.json()["results"]] == ["Monitoring"]


def test_it_lists_tokens_without_their_secret_or_digest(api, alice, alice_token):
    row = api.as_(alice).get(URL).json()["results"][0]
    assert set(row) == {"prefix", "name", "scopes", "created_at", "last_used_at", "last_used_ip", "expires_at",
                        "revoked_at"}


def test_it_revokes_a_token(api, alice, alice_token):
    token, _ = alice_token
    response = api.as_(alice).delete(f"{URL}{token.prefix}/")
    assert response.status_code == 204
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_it_audits_the_revocation_of_a_token(api, alice, alice_token):
    token, _ = alice_token
    api.as_(alice).delete(f"{URL}{token.prefix}/")
    event = AuditEvent.objects.get(action="api_token.revoke")
    assert (event.actor, event.object_ref) == (alice, token.prefix)


def test_it_audits_a_second_revocation_only_once(api, alice, alice_token):
    token, _ = alice_token
    client = api.as_(alice)
    client.delete(f"{URL}{token.prefix}/")
    client.delete(f"{URL}{token.prefix}/")
    assert AuditEvent.objects.filter(action="api_token.revoke").count() == 1


def test_it_hides_another_users_token_from_revocation(api, amy, alice_token):
    token, _ = alice_token
    response = api.as_(amy).delete(f"{URL}{token.prefix}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    token.refresh_from_db()
    assert token.revoked_at is None


def test_it_hides_other_tenants_token(api, carol, alice_token):
    token, _ = alice_token
    assert api.as_(carol).get(f"{URL}{token.prefix}/").status_code == 404
    assert api.as_(carol).delete(f"{URL}{token.prefix}/").status_code == 404


def test_it_refuses_anonymous_users_on_the_token_list(api, db):
    assert api.get(URL).status_code == 401


# --------------------------------------------------------------------------- the tokens page


def test_it_shows_a_token_created_on_the_page_once(web, alice):
    response = web.as_(alice).post("/account/tokens/", {"name": "Monitoring", "scopes": ["tickets:read"]})
    assert response.status_code == 200
    raw = response.context["secret"]
    assert raw.startswith("mpt_") and raw in response.content.decode()
    assert raw not in web.get("/account/tokens/").content.decode()


def test_it_revokes_a_token_from_the_page(web, alice, alice_token):
    token, _ = alice_token
    response = web.as_(alice).post(f"/account/tokens/{token.prefix}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_it_hides_another_users_token_from_the_revoke_page(web, amy, alice_token):
    token, _ = alice_token
    assert web.as_(amy).post(f"/account/tokens/{token.prefix}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None

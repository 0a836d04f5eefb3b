"""Two-factor authentication (django-otp TOTP and recovery codes): enrolling, the login's
second step, the tenant's requirement for provider staff, and the admin's reset."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal import people, two_factor
from portal.exceptions import ApplicationError
from portal.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "Old-password-1234"


def _code(device) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def _enrol(user) -> list[str]:
    device = two_factor.two_factor_begin(user=user)
    return two_factor.two_factor_confirm(user=user, code=_code(device))


@pytest.fixture
def bob_with_password(bob):
    bob.set_password(PASSWORD)
    bob.save()
    return bob


def test_the_setup_page_shows_a_qr_code_as_inline_svg(web, bob):
    body = web.as_(bob).get("/account/two-factor/").content.decode()
    assert '<svg class="qr"' in body and "style=" not in body.split('<svg class="qr"')[1].split("</svg>")[0]


def test_a_wrong_first_code_leaves_it_off(bob):
    two_factor.two_factor_begin(user=bob)
    with pytest.raises(ValidationError):
        two_factor.two_factor_confirm(user=bob, code="000000")
    assert two_factor.two_factor_enabled(bob) is False


def test_confirming_gives_ten_recovery_codes(bob):
    assert len(set(_enrol(bob))) == 10


def test_the_page_shows_the_recovery_codes_once(web, bob):
    client = web.as_(bob)
    client.get("/account/two-factor/")
    device = two_factor.pending_device(bob)
    body = client.post("/account/two-factor/", {"op": "confirm", "code": _code(device)}).content.decode()
    codes = re.findall(r"<li>([a-z0-9]{8})</li>", body)
    assert len(codes) == 10 and codes[0] not in client.get("/account/two-factor/").content.decode()


def test_enabling_is_audited(bob):
    _enrol(bob)
    assert AuditEvent.objects.filter(action="user.two_factor_enable", actor=bob).exists()


def test_login_asks_for_the_code_after_the_password(client, bob_with_password):
    _enrol(bob_with_password)
    response = client.post("/login/", {"username": bob_with_password.email, "password": PASSWORD})
    assert response.url == "/login/code/" and "_auth_user_id" not in client.session


def test_the_right_code_logs_in(client, bob_with_password):
    _enrol(bob_with_password)
    device = TOTPDevice.objects.get(user=bob_with_password)
    device.last_t = -1
    device.save()
    client.post("/login/", {"username": bob_with_password.email, "password": PASSWORD})
    client.post("/login/code/", {"code": _code(device)})
    assert client.session["_auth_user_id"] == str(bob_with_password.pk)


def test_a_recovery_code_logs_in_once(client, bob_with_password):
    code = _enrol(bob_with_password)[0]
    client.post("/login/", {"username": bob_with_password.email, "password": PASSWORD})
    client.post("/login/code/", {"code": code})
    client.logout()
    client.post("/login/", {"username": bob_with_password.email, "password": PASSWORD})
    response = client.post("/login/code/", {"code": code})
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_a_wrong_code_does_not_log_in(client, bob_with_password):
    _enrol(bob_with_password)
    client.post("/login/", {"username": bob_with_password.email, "password": PASSWORD})
    response = client.post("/login/code/", {"code": "000000"})
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_too_many_wrong_codes_send_back_to_the_password(client, bob_with_password):
    _enrol(bob_with_password)
    client.post("/login/", {"username": bob_with_password.email, "password": PASSWORD})
    for _ in range(5):
        response = client.post("/login/code/", {"code": "000000"})
    assert response.url == "/login/"


def test_the_code_page_without_a_password_step_goes_to_login(client, db):
    assert client.get("/login/code/").url == "/login/"


def test_the_lockout_still_refuses_a_locked_account_before_the_code(client, bob_with_password, settings):
    _enrol(bob_with_password)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": bob_with_password.email, "password": "wrong"})
    response = client.post("/login/", {"username": bob_with_password.email, "password": PASSWORD})
    assert response.status_code == 429


def test_a_tenant_requiring_it_sends_staff_to_the_setup_first(web, bob, tenant_a):
    tenant_a.two_factor_required = True
    tenant_a.save()
    assert web.as_(bob).get("/tickets/").url == "/account/two-factor/"


def test_a_tenant_requiring_it_lets_enrolled_staff_through(web, bob, tenant_a):
    tenant_a.two_factor_required = True
    tenant_a.save()
    _enrol(bob)
    assert web.as_(bob).get("/tickets/").status_code == 200


def test_the_requirement_does_not_concern_clients(web, cody, tenant_a):
    tenant_a.two_factor_required = True
    tenant_a.save()
    assert web.as_(cody).get("/tickets/").status_code == 200


def test_the_requirement_answers_a_session_api_call_with_403(api, bob, tenant_a):
    tenant_a.two_factor_required = True
    tenant_a.save()
    response = api.as_(bob).get("/api/v1/me/")
    assert response.status_code == 403 and response.json()["error"]["code"] == "two_factor_required"


def test_required_two_factor_cannot_be_turned_off(bob, tenant_a):
    _enrol(bob)
    tenant_a.two_factor_required = True
    tenant_a.save()
    with pytest.raises(ApplicationError):
        two_factor.two_factor_disable(user=bob)


def test_the_settings_page_turns_the_requirement_on(web, alice, tenant_a):
    web.as_(alice).post("/settings/", {"contract_reminder_days": "30, 7", "ticket_autoclose_days": "7",
                                       "two_factor_required": "on"})
    tenant_a.refresh_from_db()
    assert tenant_a.two_factor_required is True


def test_a_tenant_admin_resets_a_members_two_factor(alice, bob):
    _enrol(bob)
    people.member_reset_two_factor(member=bob.membership, actor=alice)
    assert two_factor.two_factor_enabled(bob) is False


def test_the_reset_is_audited(alice, bob):
    _enrol(bob)
    people.member_reset_two_factor(member=bob.membership, actor=alice)
    assert AuditEvent.objects.filter(action="member.two_factor_reset", object_ref=bob.email).exists()


def test_a_tenant_admin_resets_a_members_two_factor_through_the_api(api, alice, bob):
    _enrol(bob)
    response = api.as_(alice).post(f"/api/v1/members/{bob.membership.pk}/reset-two-factor/")
    assert (response.status_code, two_factor.two_factor_enabled(bob)) == (200, False)


def test_a_technician_may_not_reset_a_members_two_factor_through_the_api(api, alice, bob):
    _enrol(alice)
    assert api.as_(bob).post(f"/api/v1/members/{alice.membership.pk}/reset-two-factor/").status_code in (403, 404)


def test_another_tenant_does_not_find_the_member_to_reset(api, carol, bob):
    _enrol(bob)
    assert api.as_(carol).post(f"/api/v1/members/{bob.membership.pk}/reset-two-factor/").status_code == 404

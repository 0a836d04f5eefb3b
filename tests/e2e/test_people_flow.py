"""People and access in real Chromium: a tenant admin invites a technician, who sets a
password from the e-mailed link and is logged in; forgotten password from the login
page through the e-mailed link; two-factor enrolment and a login with a code.
Screenshots at 1366 and 390 px, in English and French."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.models import Invitation, OutboxMessage

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "browser-pass-123"
NEW_PASSWORD = "Another-browser-pass-456"


def login(page, email, password=PASSWORD):
    page.context.clear_cookies()
    page.goto(page.base + "/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")


def shots(page, shot, name: str) -> None:
    """The current page at 1366 and 390 px, in English and French."""
    for lang in ("en", "fr"):
        page.context.add_cookies([{"name": "django_language", "value": lang, "url": page.base}])
        for width in (1366, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.reload()
            shot(page, f"{name}-{lang}-{width}")
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 1, f"{name} {lang} {width}px overflows by {overflow}px"
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": page.base}])
    page.set_viewport_size({"width": 1280, "height": 900})
    page.reload()


def _link(body: str, path: str) -> str:
    return re.search(r"https?://\S+?(" + re.escape(path) + r"\S+)", body).group(1)


@pytest.fixture
def admin(alice, bob):
    for user in (alice, bob):
        user.set_password(PASSWORD)
        user.save()
    return alice


def test_a_tenant_admin_invites_a_technician_who_sets_a_password_and_logs_in(page, admin, shot):
    login(page, admin.email)
    page.wait_for_url("**/dashboard/")
    page.click("header nav >> text=People")
    page.click("text=Invite a staff member")
    page.fill("#id_email", "tess@a.test")
    page.select_option("#id_role", "technician")
    page.select_option("#id_language", "fr")
    page.click("main button[type=submit]")
    page.wait_for_url("**/people/")
    assert "tess@a.test" in page.inner_text("main")
    shots(page, shot, "people-1-list")

    assert OutboxMessage.objects.filter(kind="invitation", recipient="tess@a.test").exists()
    message = next(m for m in mail.outbox if "tess@a.test" in m.to)
    assert "invité" in message.subject  # the invitee's language
    link = _link(message.body, "/invitation/")

    page.context.clear_cookies()
    page.goto(page.base + link)
    shots(page, shot, "people-2-accept-invitation")
    page.fill("#id_full_name", "Tess Tech")
    page.fill("#id_password1", "password")
    page.fill("#id_password2", "password")
    page.click("main button[type=submit]")
    assert "too common" in page.inner_text("main")  # Django's validators
    page.fill("#id_password1", NEW_PASSWORD)
    page.fill("#id_password2", NEW_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/dashboard/")
    assert "Tess Tech" in page.inner_text("header")
    assert Invitation.objects.get(email="tess@a.test").accepted_at is not None

    login(page, "tess@a.test", NEW_PASSWORD)
    page.wait_for_url("**/dashboard/")


def test_a_forgotten_password_is_reset_from_the_login_page(page, admin, bob, shot):
    page.goto(page.base + "/login/")
    page.click("text=Forgot your password?")
    page.fill("#id_email", bob.email)
    page.click("main button[type=submit]")
    page.wait_for_url("**/password/reset/sent/")
    shot(page, "password-1-sent")
    message = next(m for m in mail.outbox if bob.email in m.to)
    page.goto(page.base + _link(message.body, "/password/reset/"))
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    shot(page, "password-2-choose")
    page.click("main button[type=submit]")
    page.wait_for_url("**/password/reset/done/")
    login(page, bob.email, NEW_PASSWORD)
    page.wait_for_url("**/dashboard/")


def _code(device) -> str:
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


def test_a_user_turns_on_two_factor_and_logs_in_with_a_code(page, admin, bob, shot):
    login(page, bob.email)
    page.wait_for_url("**/dashboard/")
    page.goto(page.base + "/account/")
    page.click("text=Two-factor authentication")
    assert page.locator("svg.qr").is_visible()
    shots(page, shot, "two-factor-1-setup")
    device = TOTPDevice.objects.get(user=bob, confirmed=False)
    page.fill("#id_code", _code(device))
    page.click("text=Turn on")
    codes = page.locator("ul.recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    shot(page, "two-factor-2-recovery-codes")

    # The enrolment used this 30-second step's code; a person logs in later, with the next one.
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    login(page, bob.email)
    page.wait_for_url("**/login/code/")
    shot(page, "two-factor-3-code")
    page.fill("#id_code", _code(device))
    page.click("main button[type=submit]")
    page.wait_for_url("**/dashboard/")

    login(page, bob.email)  # a recovery code works instead, once
    page.wait_for_url("**/login/code/")
    page.fill("#id_code", codes[0])
    page.click("main button[type=submit]")
    page.wait_for_url("**/dashboard/")


def test_the_organisation_page_shows_its_people_and_a_client_admin_invites_a_colleague(page, admin, org_a1, clara,
                                                                                       cody, shot):
    clara.set_password(PASSWORD)
    clara.save()
    login(page, admin.email)
    page.wait_for_url("**/dashboard/")
    page.goto(page.base + f"/organizations/{org_a1.reference}/")
    assert clara.email in page.inner_text("main") and cody.email in page.inner_text("main")
    shots(page, shot, "organisation-page")

    login(page, clara.email)
    page.wait_for_url("**/dashboard/")
    page.click("header nav >> text=People")
    page.click("text=Invite a colleague")
    assert page.locator("#id_role option").all_inner_texts() == ["Client administrator", "Client user"]
    page.fill("#id_email", "colleague@a1.test")
    page.select_option("#id_role", "client_user")
    page.click("main button[type=submit]")
    page.wait_for_url("**/people/")
    assert Invitation.objects.get(email="colleague@a1.test").organization_id == org_a1.pk

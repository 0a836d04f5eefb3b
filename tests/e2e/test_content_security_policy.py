"""The pages, htmx and the API docs (Swagger UI) work in a real browser under the
Content-Security-Policy: Chromium reports no violation."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "browser-pass-123"


@pytest.fixture
def violations(page):
    found: list[str] = []
    page.on("console", lambda msg: found.append(msg.text) if "Content Security Policy" in msg.text else None)
    return found


def login(page, user):
    user.set_password(PASSWORD)
    user.save()
    page.goto(page.base + "/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/dashboard/")


def test_it_shows_the_pages_without_a_policy_violation(page, violations, alice, shot):
    login(page, alice)
    for path in ("/dashboard/", "/audit/", "/tickets/", "/organizations/", "/sla/policies/", "/settings/",
                 "/security/lockouts/"):
        page.goto(page.base + path)
        page.wait_for_load_state("networkidle")
    shot(page, "csp-pages")
    assert violations == []


def test_it_runs_swagger_ui_without_a_policy_violation(page, violations, alice, shot):
    login(page, alice)
    page.goto(page.base + "/api/docs/")
    # Swagger UI has drawn the operations of the first tags. Known since the API grew to
    # ~300 operations this session: the later tags (contracts, tickets…) stay blank in
    # headless Chromium, with no console error and no CSP violation; noted on issue #11.
    page.wait_for_selector("text=/api/v1/audit-events/", timeout=60_000)
    shot(page, "csp-api-docs")
    assert violations == []

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
    page.wait_for_selector("text=/api/v1/audit-events/", timeout=60_000)
    # With 150 rows or more (tags and their operations), Swagger UI draws only the rows
    # near the viewport (a windowed list) and the rest as they are scrolled into view:
    # the page scrolls down to the tickets' operations.
    tickets = page.locator(".opblock-summary-path[data-path='/api/v1/tickets/']")
    for _ in range(60):
        if tickets.count():
            break
        page.mouse.wheel(0, 600)
        page.wait_for_timeout(50)
    tickets.first.wait_for()
    shot(page, "csp-api-docs", full_page=False)
    assert violations == []


def test_it_opens_swagger_ui_at_a_late_tag_by_its_link(page, violations, alice, shot):
    login(page, alice)
    page.goto(page.base + "/api/docs/#/webhooks")
    page.wait_for_selector(".opblock-summary-path[data-path='/api/v1/webhooks/']", timeout=60_000)
    shot(page, "csp-api-docs-webhooks", full_page=False)
    assert violations == []

"""Browser tests: real Chromium (Debian's package) driven by Playwright against the
live test server. Screenshots go to test-artifacts/ (kept by CI as artifacts)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls
# are synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.base = live_server.url
    yield page
    context.close()


PASSWORD = "browser-pass-123"  # the password the browser tests give their users
SCREENS = {"desktop": 1366, "phone": 390}


def open_page(browser, live_server, *, language: str = "en", width: str | int = "desktop"):
    """A new browser context at a desktop (1366 px) or phone (390 px) width, in French or
    English, collecting Content-Security-Policy violations in `page.violations`."""
    w = SCREENS.get(width) or int(width)
    context = browser.new_context(viewport={"width": w, "height": 900 if w > 800 else 844},
                                  locale="fr-FR" if language == "fr" else "en-GB")
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.base = live_server.url
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.violations = violations
    return page


def login(page, user, password: str = PASSWORD) -> None:
    """Log in through the login form (a fresh session) and land on the dashboard."""
    page.context.clear_cookies()
    page.goto(page.base + "/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/dashboard/")


@pytest.fixture
def shot():
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name: str, *, full_page: bool = True) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


def pdftotext(path: Path) -> str:
    import subprocess

    exe = shutil.which("pdftotext")
    if exe is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return subprocess.run([exe, "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout

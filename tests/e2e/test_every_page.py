"""Every page of every role in real Chromium (tests/e2e/pages.py finds them):

* axe-core (from the pinned PyPI package axe-playwright-python, which ships axe.min.js:
  no network) finds no serious or critical accessibility violation, at 1366 px in
  French and at 390 px in English;
* nothing is wider than a 390 px phone screen, in French (the longest words): the
  document never scrolls sideways, with the menus folded or open;
* screenshots of the main pages per role at 1366 and 390 px, in French and English,
  with the header's menus open, and of a refused form, land in test-artifacts/ (look
  at them); a refused form's error summary takes the focus.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.conftest import ARTIFACTS
from tests.e2e.pages import ROLES, PageWorld, pages_for, session_cookies, unknown_parameters

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SERIOUS = ("serious", "critical")
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"
# For the report: the outermost elements that stick out on the right.
WIDEST = """() => Array.from(document.querySelectorAll('body *')).filter(el => {
  const r = el.getBoundingClientRect(), p = el.parentElement.getBoundingClientRect();
  return r.right > window.innerWidth + 1 && p.right <= window.innerWidth + 1;
}).slice(0, 4).map(el => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).trim().replace(/\\s+/g, '.') : ''))"""
# The main pages of each role, for the screenshots: (name, path maker).
MAIN_PAGES = {
    "tenant_admin": ["/dashboard/", "/tickets/", "/contracts/", "/invoices/", "/settings/", "contract", "ticket"],
    "account_manager": ["/dashboard/", "/contracts/", "/organizations/", "contract", "/contracts/new/"],
    "technician": ["/dashboard/", "/tickets/", "ticket"],
    "client_admin": ["/dashboard/", "/tickets/", "/tickets/new/", "ticket", "contract", "/invoices/"],
    "client_user": ["/dashboard/", "/tickets/", "/tickets/new/", "ticket"],
}


@pytest.fixture
def world(transactional_db) -> PageWorld:
    return PageWorld()


def open_as(browser, live_server, user, *, width: int, language: str):
    context = browser.new_context(viewport={"width": width, "height": 900 if width > 800 else 844},
                                  locale="fr-FR" if language == "fr" else "en-GB")
    if user is not None:
        context.add_cookies(session_cookies(user, live_server.url))
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.base = live_server.url
    return page


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:4]}"
            for v in results.response["violations"] if v["impact"] in SERIOUS]


def report(name: str, paths: list[str], found: dict) -> None:
    """What was checked and found, as an artifact beside the screenshots."""
    ARTIFACTS.mkdir(exist_ok=True)
    lines = [f"{len(paths)} pages checked, {len(found)} with a finding"]
    lines += [f"{path}: {'; '.join(map(str, items)) if isinstance(items, list) else items}"
              for path, items in found.items()]
    (ARTIFACTS / f"{name}.txt").write_text("\n".join(lines + ["", *paths]) + "\n")


def test_it_knows_every_page_parameter():
    assert not unknown_parameters(), "add these URL parameters to tests/e2e/pages.py VALUES"


@pytest.mark.parametrize(("width", "language"), [(1366, "fr"), (390, "en")])
@pytest.mark.parametrize("role", ROLES)
def test_axe_finds_no_serious_violation_on_any_page(browser, live_server, world, role, width, language):
    user = world.by_role[role]
    paths = pages_for(world, user)
    page = open_as(browser, live_server, user, width=width, language=language)
    found = {}
    for path in paths:
        page.goto(page.base + path)
        if violations := serious_violations(page):
            found[path] = violations
    page.context.close()
    report(f"axe-{role}-{width}-{language}", paths, found)
    assert len(paths) >= 5 and found == {}


@pytest.mark.parametrize("width", [1366, 390])
def test_axe_finds_no_serious_violation_on_the_pages_of_a_visitor(browser, live_server, world, width):
    page = open_as(browser, live_server, None, width=width, language="fr")
    found = {}
    for path in ("/login/", "/no-such-page/"):
        page.goto(page.base + path)
        if violations := serious_violations(page):
            found[path] = violations
    page.context.close()
    assert found == {}


@pytest.mark.parametrize("role", ROLES)
def test_no_page_is_wider_than_a_phone_in_french(browser, live_server, world, role):
    user = world.by_role[role]
    paths = pages_for(world, user)
    page = open_as(browser, live_server, user, width=390, language="fr")
    wider = {}
    for path in paths:
        page.goto(page.base + path)
        folded = page.evaluate(OVERFLOW)
        page.click("details.nav-menu > summary")
        page.click("details.user-menu > summary")
        opened = page.evaluate(OVERFLOW)
        if folded > 0 or opened > 0:
            wider[path] = (folded, opened, page.evaluate(WIDEST))
    page.context.close()
    report(f"overflow-{role}-390-fr", paths, wider)
    assert len(paths) >= 5 and wider == {}


def test_it_folds_the_sections_into_a_menu_on_a_phone(browser, live_server, world):
    page = open_as(browser, live_server, world.alice, width=390, language="fr")
    page.goto(page.base + "/dashboard/")
    folded = page.is_visible("header nav a[href='/tickets/']")
    page.click("details.nav-menu > summary")
    assert (folded, page.is_visible("header nav a[href='/tickets/']")) == (False, True)


def test_it_shows_the_sections_without_a_menu_on_a_desktop(browser, live_server, world):
    page = open_as(browser, live_server, world.alice, width=1366, language="fr")
    page.goto(page.base + "/dashboard/")
    assert (page.is_visible("header nav a[href='/tickets/']"), page.is_visible("details.nav-menu > summary")) == (
        True, False)


@pytest.mark.parametrize("role", ROLES)
def test_it_takes_screenshots_of_the_main_pages(browser, live_server, world, role):
    user = world.by_role[role]
    special = {"contract": f"/contracts/{world.active.reference}/", "ticket": f"/tickets/{world.ticket.reference}/"}
    paths = {name: special.get(name, name) for name in MAIN_PAGES[role]}
    taken = []
    for language in ("fr", "en"):
        for width in (1366, 390):
            page = open_as(browser, live_server, user, width=width, language=language)
            for name, path in paths.items():
                page.goto(page.base + path)
                slug = name.strip("/").replace("/", "-") or "home"
                target = ARTIFACTS / f"pages-{role}-{slug}-{width}-{language}.png"
                ARTIFACTS.mkdir(exist_ok=True)
                page.screenshot(path=str(target), full_page=True)
                taken.append(target)
            # The header's two menus, open.
            page.goto(page.base + "/dashboard/")
            for menu in ("nav-menu", "user-menu"):
                if page.is_visible(f"details.{menu} > summary"):
                    page.click(f"details.{menu} > summary")
                    target = ARTIFACTS / f"pages-{role}-{menu}-open-{width}-{language}.png"
                    page.screenshot(path=str(target))
                    taken.append(target)
            page.context.close()
    assert all(path.stat().st_size > 0 for path in taken)


@pytest.mark.parametrize(("width", "language"), [(1366, "en"), (390, "fr")])
def test_it_focuses_the_error_summary_of_a_refused_form(browser, live_server, world, width, language):
    page = open_as(browser, live_server, world.amy, width=width, language=language)
    page.goto(page.base + "/organizations/new/")
    page.fill("#id_siret", "73282932000075")
    page.click("main button[type=submit]")
    page.wait_for_selector(".error-summary")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"pages-form-errors-{width}-{language}.png"), full_page=True)
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")

"""The role dashboards and the contract page's lifecycle actions in a real browser: an
account manager terminates a contract through its confirmation ("Last day covered: ….
Confirm termination?"), and the dashboards of the technician, the account manager and
the tenant admin, with the contract page, at desktop and phone widths in French and
English, under the Content-Security-Policy (the charts are SVG images, no script)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from contracts.models import Contract
from contracts.services import contracts as contract_services
from tests.contracts import factories as cf
from tests.e2e.conftest import PASSWORD, login, open_page
from tests.tickets import factories as tf
from tickets.models import SlaEvent
from tickets.services import intervention_log, ticket_take

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(tenant_a, org_a1, org_a2, alice, amy, bob, cody):
    policy = tf.sla_policy(tenant_a)
    contract = tf.active_contract(actor=amy, client=org_a1, policy=policy, title="Infogérance du parc")
    cf.draft(actor=amy, client=org_a2, policy=policy, title="Maintenance des postes")
    cf.sent(actor=amy, client=org_a2, policy=policy, title="Maintenance du serveur")
    cf.active(actor=amy, client=org_a2, policy=policy, renewal="none", initial_months=13)
    today = timezone.localdate()
    # A year of tickets: taken in time, some breached, so that the charts show something.
    for back in range(11, -1, -1):
        month_start = (today.replace(day=1) - timedelta(days=31 * back)).replace(day=5)
        opened = datetime(month_start.year, month_start.month, 5, 10, tzinfo=tf.PARIS)
        for n in range(1 + back % 3):
            ticket = tf.open_ticket(actor=cody, contract=contract, now=opened, title=f"Incident {back}-{n}")
            if n == 0 and back % 4 == 1:
                SlaEvent.objects.create(tenant=tenant_a, ticket=ticket, metric="response", kind="breach",
                                        target_version=1, at=opened + timedelta(hours=4))
            if back:
                ticket_take(ticket=ticket, actor=bob, now=opened + timedelta(hours=5 if n == 0 else 1))
    mine = tf.open_ticket(actor=cody, contract=contract, title="Imprimante hors ligne")
    ticket_take(ticket=mine, actor=bob)
    intervention_log(ticket=mine, actor=bob, date=today, minutes=45, mode="remote", description="Spooler relancé")
    tf.open_ticket(actor=cody, contract=contract, title="Messagerie lente")
    for user in (alice, amy, bob):
        user.set_password(PASSWORD)
        user.save()
    return {"contract": contract, "admin": alice, "manager": amy, "technician": bob}




def test_it_terminates_a_contract_only_after_showing_the_last_day_covered(browser, live_server, world, shot):
    contract = world["contract"]
    page = open_page(browser, live_server)
    login(page, world["manager"])
    page.goto(page.base + f"/contracts/{contract.reference}/")
    page.click("#contract-actions > summary")
    page.click("#action-terminate > summary")
    notice = timezone.localdate()
    page.fill("#action-terminate input[name=notice_given_on]", notice.isoformat())
    page.select_option("#action-terminate select[name=given_by]", "client")
    page.select_option("#action-terminate select[name=reason]", "notice")
    shot(page, "contract-terminate-1-form")
    page.click("#action-terminate button[type=submit]")
    last_day = contract_services.contract_terminate_preview(
        contract=Contract.objects.get(pk=contract.pk), notice_given_on=notice, given_by="client", reason="notice")
    with_words = f"Last day covered: {last_day:%d/%m/%Y}."
    page.wait_for_selector(f"text={with_words}")
    shot(page, "contract-terminate-2-confirm")
    assert Contract.objects.get(pk=contract.pk).notice_given_on is None  # nothing recorded yet
    page.click("button:has-text('Confirm termination')")
    page.wait_for_selector("#ending-chip")
    shot(page, "contract-terminate-3-chip")
    assert page.inner_text("#ending-chip") == f"Terminated — ends {last_day:%d/%m/%Y}"
    assert Contract.objects.get(pk=contract.pk).end_date == last_day
    page.context.close()
    assert page.violations == []


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_it_shows_each_dashboard_and_the_contractopen_page(browser, live_server, world, shot, language, width):
    page = open_page(browser, live_server, language=language, width=width)
    charts_drawn = []
    for role in ("technician", "manager", "admin"):
        login(page, world[role])
        page.wait_for_load_state("networkidle")
        if role == "admin":
            for figures in page.locator("figure details").all():
                figures.evaluate("d => d.open = true")
        charts_drawn += page.evaluate("() => [...document.querySelectorAll('img.chart')]"
                                      ".map(i => i.complete && i.naturalWidth > 0)")
        shot(page, f"dashboard-{role}-{width}-{language}")
    page.goto(page.base + f"/contracts/{world['contract'].reference}/")
    page.click("#contract-actions > summary")
    page.click("#action-terminate > summary")
    shot(page, f"contract-actions-{width}-{language}")
    page.context.close()
    assert page.violations == [] and charts_drawn == [True, True, True]  # status, compliance, backlog

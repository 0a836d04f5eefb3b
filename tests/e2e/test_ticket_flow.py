"""A client opens a ticket with an attachment; a technician finds it in the queue,
takes it, replies, asks the client for information (the SLA pauses), the client
answers, the technician resolves and the client accepts. Screenshots of each step."""

from __future__ import annotations

from datetime import date

import pytest

from contracts.services import contracts as contract_services
from sla import services as sla_services
from tests.factories import OrganizationFactory
from tickets.models import Ticket

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "browser-pass-123"


@pytest.fixture
def setup(tenant_a, org_a1, alice, amy, bob, cody):
    provider = OrganizationFactory(tenant=tenant_a, kind="provider", legal_name="Acme Services SAS")
    calendar = sla_services.calendar_create(
        tenant=tenant_a, actor=alice, code="always", name="24/7", timezone_name="Europe/Paris", always_open=True)
    policy = sla_services.policy_create(
        tenant=tenant_a, actor=alice, code="critical", name="Critical 24/7", calendar=calendar,
        targets=[{"priority": p, "response_minutes": 60, "resolution_minutes": 240} for p in ("P1", "P2", "P3", "P4")])
    contract = contract_services.contract_create(
        tenant=tenant_a, actor=amy, client=org_a1, provider=provider, title="Infogérance", object="Maintenance",
        sla_policy=policy, start_date=date(2026, 1, 1), initial_months=12)
    contract_services.contract_set_scope(
        contract=contract, actor=amy, items=[{"category": "hardware", "name": "Serveur"}],
        maintenance_types=[{"maintenance_type": "corrective"}, {"maintenance_type": "curative"}])
    contract_services.contract_send(contract=contract, actor=amy)
    contract_services.contract_activate(contract=contract, actor=amy, signed_on=date(2026, 1, 1))
    for user in (bob, cody):
        user.set_password(PASSWORD)
        user.save()
    return {"tech": bob, "client": cody}


def login(page, user):
    page.context.clear_cookies()
    page.goto(page.base + "/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/dashboard/")


def test_it_works_a_ticket_from_request_to_acceptance(page, setup, shot, tmp_path):
    client, tech = setup["client"], setup["tech"]
    log = tmp_path / "error.log"
    log.write_text("Depuis ce matin : ERREUR 0x80070005 au démarrage du serveur.\n")

    login(page, client)
    page.goto(page.base + "/tickets/new/")
    page.select_option("#id_maintenance_type", "curative")
    page.select_option("#id_impact", "high")
    page.select_option("#id_urgency", "high")
    page.fill("#id_title", "Le serveur ne démarre plus")
    page.fill("#id_description", "Le serveur affiche une erreur au démarrage. Personne ne peut travailler.")
    page.set_input_files("#id_attachment", str(log))
    shot(page, "ticket-1-client-request")
    page.click("#submit-ticket")
    page.wait_for_selector("text=error.log")
    ticket = Ticket.objects.get()
    assert ticket.priority == "P1" and ticket.response_deadline is not None

    login(page, tech)
    page.goto(page.base + "/tickets/")
    first_row = page.locator("table.queue tbody tr").first
    assert ticket.reference in first_row.inner_text()
    shot(page, "ticket-2-queue")
    first_row.locator("button:has-text('Take')").click()
    page.goto(page.base + f"/tickets/{ticket.reference}/")
    page.fill("#id_body", "Bonjour, je prends la main à distance dans 5 minutes.")
    page.click("#send-reply")
    page.fill("form[action$='/wait/'] input[name=reason]", "Quel message exact s'affiche ?")
    page.click("#wait-client")
    page.wait_for_selector("text=Waiting on client")
    shot(page, "ticket-3-waiting-on-client")
    ticket.refresh_from_db()
    assert ticket.sla_paused and ticket.resolution_deadline is None

    login(page, client)
    page.goto(page.base + f"/tickets/{ticket.reference}/")
    page.fill("#id_body", "Le message est : « disque système introuvable ».")
    page.click("#send-reply")
    page.wait_for_selector("text=disque système introuvable")
    ticket.refresh_from_db()
    assert ticket.status == "in_progress" and not ticket.sla_paused

    login(page, tech)
    page.goto(page.base + f"/tickets/{ticket.reference}/")
    page.fill("form[action$='/resolve/'] input[name=reason]", "Disque remplacé, serveur redémarré.")
    page.click("#resolve-ticket")
    page.wait_for_selector("text=Resolved")
    shot(page, "ticket-4-resolved")

    login(page, client)
    page.goto(page.base + f"/tickets/{ticket.reference}/")
    shot(page, "ticket-5-client-sees-resolution")
    page.click("#accept-resolution")
    page.wait_for_selector("text=Closed")
    shot(page, "ticket-6-closed")
    ticket.refresh_from_db()
    assert ticket.status == "closed"
    assert ticket.sla_state["response"]["breached"] is False
    assert ticket.sla_state["resolution"]["breached"] is False

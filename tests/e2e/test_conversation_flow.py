"""The conversation carries the workflow, in real Chromium: the technician's "take,
reply, wait, log 45 min, resolve" on one page in at most 5 clicks (counted), the
client's request on one contract and on several, the client's rating from the page,
the client's home. Screenshots at 1366 and 390 px, in French and English."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import PASSWORD, login, open_page
from tests.tickets import factories as tf
from tickets.models import Intervention, Ticket, TicketMessage, TicketRating
from tickets.services import ticket_change_status, ticket_work

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
WIDTHS = ("1366", "390")


@pytest.fixture
def world(tenant_a, org_a1, alice, amy, bob, cody):
    policy = tf.sla_policy(tenant_a)
    contract = tf.active_contract(actor=amy, client=org_a1, policy=policy)
    for user in (bob, cody):
        user.set_password(PASSWORD)
        user.save()
    return {"tenant": tenant_a, "contract": contract, "policy": policy, "tech": bob, "client": cody,
            "manager": amy, "org": org_a1, "admin": alice}




def shots(browser, live_server, shot, user, path: str, name: str, *, ready: str = "h1"):
    """The page at 1366 and 390 px, in English and French; none overflows sideways."""
    for language in ("en", "fr"):
        for width in WIDTHS:
            page = open_page(browser, live_server, language=language, width=width)
            login(page, user)
            page.goto(page.base + path)
            page.wait_for_selector(ready)
            shot(page, f"{name}-{width}-{language}")
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{name} {width} {language}: {overflow}px wider than the screen"
            assert page.violations == []
            page.context.close()


def test_the_technician_takes_replies_waits_logs_and_resolves_in_five_clicks(browser, live_server, world, shot):
    ticket = tf.open_ticket(actor=world["client"], contract=world["contract"])
    page = open_page(browser, live_server)
    login(page, world["tech"])
    page.goto(page.base + f"/tickets/{ticket.reference}/")
    clicks = 0

    def click(selector: str) -> None:
        nonlocal clicks
        clicks += 1
        page.click(selector)

    click("#take-ticket")
    page.wait_for_selector("#composer")
    page.fill("#id_body", "Bonjour, quel message exact s'affiche sur l'imprimante ?")
    click("label[for=id_next_status_1]")  # wait for the client
    shot(page, "conversation-composer-wait")
    click("#composer-send")
    page.wait_for_selector(".badge.kind-question")
    assert Ticket.objects.get().status == "waiting_on_client"

    page.fill("#id_body", "Toner remplacé et tête nettoyée ; page de test imprimée correctement.")
    page.fill("#id_minutes", "45")
    click("label[for=id_next_status_2]")  # resolved
    click("#composer-send")
    page.wait_for_selector(".badge.kind-resolution")
    shot(page, "conversation-resolved-staff")

    ticket = Ticket.objects.get()
    assert clicks <= 5
    assert ticket.status == "resolved"
    assert list(Intervention.objects.values_list("minutes", "mode")) == [(45, "remote")]
    assert list(TicketMessage.objects.order_by("id").values_list("kind", flat=True)) == ["question", "resolution"]
    assert page.violations == []


def test_the_composer_and_the_resolution_at_every_width_and_language(browser, live_server, world, shot):
    ticket = tf.open_ticket(actor=world["client"], contract=world["contract"])
    shots(browser, live_server, shot, world["tech"], f"/tickets/{ticket.reference}/", "conversation-staff",
          ready="#composer")
    ticket_work(ticket=ticket, actor=world["tech"], body="Toner remplacé ; page de test imprimée.",
                next_status="resolved", minutes=45, mode="remote")
    shots(browser, live_server, shot, world["client"], f"/tickets/{ticket.reference}/", "conversation-client-solved",
          ready=".resolution")


def test_the_client_opens_a_request_on_their_only_contract(browser, live_server, world, shot):
    page = open_page(browser, live_server, language="fr")
    login(page, world["client"])
    page.click("#new-request")
    page.wait_for_selector("#submit-ticket")
    assert page.locator("select[name=contract]").count() == 0
    page.fill("#id_title", "L'imprimante n'imprime plus")
    page.fill("#id_description", "Depuis ce matin, elle affiche E-42.")
    page.select_option("#id_impact", "medium")
    page.select_option("#id_urgency", "high")
    page.click("#submit-ticket")
    page.wait_for_selector("text=L'imprimante n'imprime plus")

    ticket = Ticket.objects.get()
    assert (ticket.contract, ticket.requester) == (world["contract"], world["client"])
    assert page.violations == []


def test_the_client_opens_a_request_on_one_of_several_contracts(browser, live_server, world, shot, tmp_path):
    second = tf.active_contract(actor=world["manager"], client=world["org"], policy=world["policy"])
    item = second.items.order_by("pk").first()
    log = tmp_path / "erreur.txt"
    log.write_text("E-42\n")
    page = open_page(browser, live_server)
    login(page, world["client"])
    page.goto(page.base + "/tickets/new/")

    # Refused first (no description, no equipment, no contract): the text stays, the file is asked again.
    page.fill("#id_title", "Scanner jammed")
    page.set_input_files("#id_attachment", str(log))
    page.click("#submit-ticket")
    page.wait_for_selector("#attach-again")
    assert page.input_value("#id_title") == "Scanner jammed"
    shot(page, "request-refused-1366-en")

    page.fill("#id_description", "Paper jams at every page.")
    page.select_option("#id_covered_item", str(item.pk))
    page.set_input_files("#id_attachment", str(log))
    page.click("#submit-ticket")
    page.wait_for_selector("text=erreur.txt")

    ticket = Ticket.objects.get()
    assert (ticket.contract, ticket.covered_item) == (second, item)


def test_the_request_form_at_every_width_and_language(browser, live_server, world, shot):
    tf.active_contract(actor=world["manager"], client=world["org"], policy=world["policy"])
    shots(browser, live_server, shot, world["client"], "/tickets/new/", "request-form", ready="#submit-ticket")


def test_the_client_rates_a_closed_ticket_from_theopen_page(browser, live_server, world, shot):
    ticket = tf.open_ticket(actor=world["client"], contract=world["contract"])
    ticket_work(ticket=ticket, actor=world["tech"], body="Toner remplacé.", next_status="resolved")
    ticket_change_status(ticket=ticket, actor=world["client"], status="closed")
    page = open_page(browser, live_server, language="fr")
    login(page, world["client"])
    page.goto(page.base + f"/tickets/{ticket.reference}/")
    page.click("label.rate-good")
    page.fill("#id_comment", "Rapide et clair, merci.")
    shot(page, "rating-form-1366-fr")
    page.click("#send-rating")
    page.wait_for_selector(".badge.rating-good")

    assert list(TicketRating.objects.values_list("score", "comment")) == [("good", "Rapide et clair, merci.")]
    assert page.violations == []


def test_the_client_home_at_every_width_and_language(browser, live_server, world, shot):
    from tickets.desk import support_desk_update

    support_desk_update(tenant=world["tenant"], actor=world["admin"], phone="+33 1 23 45 67 89",
                        hours_note="Urgences : même numéro en dehors de ces horaires.")
    waiting = tf.open_ticket(actor=world["client"], contract=world["contract"], title="Écran noir")
    ticket_work(ticket=waiting, actor=world["tech"], body="Le poste est-il allumé ?", next_status="waiting_on_client")
    tf.open_ticket(actor=world["client"], contract=world["contract"], title="Imprimante lente")
    shots(browser, live_server, shot, world["client"], "/dashboard/", "client-home", ready="#support-card")


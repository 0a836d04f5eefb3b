"""The client's request form: subject → what happens → attachment → equipment; the
contract chosen for the client (the only one, or the equipment's), asked only
otherwise; impact and urgency in plain words (never P1–P4); after a refusal the typed
text stays and the page says the file must be attached again. And the queue: sortable
columns, refreshed every minute with its filters."""

from __future__ import annotations

import re

import pytest

from tests.tickets.api_helpers import PAGES, upload
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

NEW = f"{PAGES}new/"


def form(**overrides) -> dict:
    return {"title": "Printer offline", "description": "It shows E-42 since this morning.", "impact": "low",
            "urgency": "low", "maintenance_type": "corrective", **overrides}


def test_it_files_the_request_on_the_only_contract(web, cody, contract):
    web.as_(cody).post(NEW, form())

    assert Ticket.objects.get().contract == contract


def test_it_infers_the_contract_from_the_equipment(web, cody, contract, contract_a2_same_org):
    item = contract_a2_same_org.items.first()

    web.as_(cody).post(NEW, form(covered_item=str(item.pk)))

    assert (Ticket.objects.get().contract, Ticket.objects.get().covered_item) == (contract_a2_same_org, item)


def test_it_asks_for_the_contract_only_without_equipment_among_several(web, cody, contract, contract_a2_same_org):
    response = web.as_(cody).post(NEW, form())

    assert "contract" in response.context["form"].errors
    assert not Ticket.objects.exists()


def test_it_does_not_ask_for_the_contract_when_there_is_one(web, cody, contract):
    assert 'name="contract"' not in web.as_(cody).get(NEW).content.decode()


def test_it_lists_each_covered_item_once(web, cody, contract):
    shown = web.as_(cody).get(NEW).content.decode()

    for item in contract.items.all():
        assert shown.count(f'value="{item.pk}"') == 1


def test_it_maps_plain_words_to_the_priority(web, cody, contract):
    web.as_(cody).post(NEW, form(impact="high", urgency="high"))

    assert Ticket.objects.get().priority == "P1"


def test_it_never_shows_priority_codes_to_the_client(web, cody, contract):
    page = web.as_(cody).get(NEW).content.decode()
    # What a person reads: the text and the option values, not the random CSRF token
    # (64 random characters, which hold "P3" now and then).
    shown = re.sub(r'<input type="hidden" name="csrfmiddlewaretoken"[^>]*>', "", page)

    assert not re.search(r"\bP[1-4]\b", shown)


def test_it_keeps_the_text_and_asks_for_the_file_again_after_a_refusal(web, cody, contract, media):
    response = web.as_(cody).post(NEW, {**form(description=""), "title": "Scanner jammed",
                                        "attachment": upload("photo.pdf", b"%PDF-1.4 test")})

    shown = response.content.decode()
    assert 'value="Scanner jammed"' in shown and 'id="attach-again"' in shown


# ---------------------------------------------------------------------- the queue


def test_it_sorts_the_queue_by_a_column(web, bob, cody, contract):
    from tests.tickets import factories as tf

    tf.open_ticket(actor=cody, contract=contract, title="Bravo")
    tf.open_ticket(actor=cody, contract=contract, title="Alpha")

    response = web.as_(bob).get(PAGES, {"sort": "-ticket"})

    assert [r["title"] for r in response.context["rows"]] == ["Alpha", "Bravo"]


def test_it_refreshes_the_queue_every_minute_with_its_filters(web, bob, contract):
    shown = web.as_(bob).get(PAGES, {"priority": "P1", "sort": "client"}).content.decode()

    assert 'hx-trigger="every 60s" hx-include="#queue-filters"' in shown
    assert '<input type="hidden" name="sort" value="client">' in shown


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path

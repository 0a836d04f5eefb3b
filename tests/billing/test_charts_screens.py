"""The monthly report's charts on screens: a panel of the contract page and a card of
the client dashboard, each chart an SVG image served by a view (the strict CSP forbids
pygal's inline styles in the page), with a text alternative; only for who may read the
contract's reports."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from tests.billing import factories as bf

pytestmark = pytest.mark.django_db

NOW = "2026-04-10 10:00:00+00:00"  # March 2026 is the last month over


@pytest.fixture
def busy(contract, cody, bob):
    ticket = bf.ticket(actor=cody, contract=contract, day=date(2026, 3, 2))
    bf.work(ticket=ticket, actor=bob, day=date(2026, 3, 3), minutes=45)
    return contract


def _chart(contract, chart="compliance"):
    return reverse("contract-chart", args=[contract.reference, chart])


@time_machine.travel(NOW, tick=False)
def test_it_shows_the_charts_with_their_figures_on_the_contract_page(web, amy, busy):
    page = web.as_(amy).get(reverse("contract-detail", args=[busy.reference])).content.decode()
    assert (_chart(busy) in page, _chart(busy, "by_mode") in page, "03/2026" in page) == (True, True, True)


@time_machine.travel(NOW, tick=False)
def test_it_describes_each_chart_in_its_alternative_text(web, amy, busy):
    page = web.as_(amy).get(reverse("contract-detail", args=[busy.reference])).content.decode()
    assert "Remote 45 min" in page


@time_machine.travel(NOW, tick=False)
def test_it_serves_a_chart_as_an_svg_image_with_a_policy_of_its_own(web, amy, busy):
    response = web.as_(amy).get(_chart(busy, "by_type"))
    assert (response["Content-Type"].startswith("image/svg+xml"), b"<svg" in response.content,
            b"<script" in response.content, response["Content-Security-Policy"]) == (
        True, True, False, "default-src 'none'; style-src 'unsafe-inline'")


@time_machine.travel(NOW, tick=False)
def test_it_hides_a_chart_from_another_organisation(web, dora, busy):
    assert web.as_(dora).get(_chart(busy)).status_code == 404


@time_machine.travel(NOW, tick=False)
def test_it_answers_404_for_an_unknown_chart(web, amy, busy):
    assert web.as_(amy).get(_chart(busy, "pie")).status_code == 404


@time_machine.travel(NOW, tick=False)
def test_it_shows_the_client_a_compliance_card_on_its_dashboard(web, clara, busy):
    page = web.as_(clara).get(reverse("dashboard")).content.decode()
    assert (_chart(busy) in page, 'id="report-card"' in page) == (True, True)


@time_machine.travel(NOW, tick=False)
def test_it_shows_no_card_to_provider_staff(web, amy, busy):
    assert 'id="report-card"' not in web.as_(amy).get(reverse("dashboard")).content.decode()

"""A refused form, on every page (templates/snippets/form_fields.html, field.html,
form_errors.html): each error sits under its field, the field is marked aria-invalid and
described by its error, a summary at the top links to each error; the organisation's own
checks (SIRET, VAT number) come in the same round as the required fields."""

from __future__ import annotations

import pytest
from lxml import html

from contracts.models import Organization
from tests.factories import make_siret, vat_for_siret

pytestmark = pytest.mark.django_db
NEW = "/organizations/new/"


def form_data(**overrides) -> dict:
    siret = make_siret(4242)
    data = {
        "kind": "client", "legal_name": "Dupont Informatique SARL", "trade_name": "", "legal_form": "SARL",
        "siret": siret, "vat_number": vat_for_siret(siret), "address_line1": "5 rue du Port", "address_line2": "",
        "postal_code": "13002", "city": "Marseille", "country": "FR", "legal_rep_name": "", "legal_rep_title": "",
        "email": "", "phone": "", "is_active": "on", "notes": "",
    }
    return {**data, **overrides}


@pytest.fixture
def refused(web, amy):
    """The new-organisation page after a submit missing the name, with a wrong SIRET and VAT number."""
    response = web.as_(amy).post(NEW, form_data(legal_name="", siret="73282932000075", vat_number="FR00123456789"))
    assert response.status_code == 200
    return html.fromstring(response.content.decode())


def test_it_refuses_the_service_checks_in_the_same_round_as_the_required_fields(refused):
    assert {"legal_name", "siret", "vat_number"} <= {
        el.get("id").removeprefix("id_").removesuffix("_error") for el in refused.xpath('//ul[@class="errorlist"][@id]')}


def test_it_saves_nothing_from_a_refused_form(refused):
    assert not Organization.objects.exists()


def test_it_puts_each_error_under_its_field(refused):
    field = refused.get_element_by_id("id_siret").getparent()
    assert "field" in field.get("class").split() and field.xpath('ul[@class="errorlist"][@id="id_siret_error"]')


def test_it_marks_the_refused_field_as_invalid_and_described_by_its_error(refused):
    siret = refused.get_element_by_id("id_siret")
    assert (siret.get("aria-invalid"), "id_siret_error" in siret.get("aria-describedby").split()) == ("true", True)


def test_it_leaves_an_accepted_field_unmarked(refused):
    assert refused.get_element_by_id("id_city").get("aria-invalid") is None


def test_it_links_each_error_from_the_summary_at_the_top(refused):
    summary = refused.xpath('//form//div[@class="error-summary"]')[0]
    assert [a.get("href") for a in summary.iter("a")] == ["#id_legal_name", "#id_siret", "#id_vat_number"]


def test_it_puts_the_summary_before_the_fields(refused):
    form = refused.xpath('//form[contains(@class, "stacked")]')[0]
    first = form.xpath('.//div[@class="error-summary" or contains(concat(" ", @class, " "), " field ")]')[0]
    assert first.get("class") == "error-summary"


def test_it_wraps_no_field_in_a_paragraph(refused):
    assert not refused.xpath("//form//p/label | //form//p/input | //form//p/select | //form//p/textarea")


def test_it_shows_no_summary_on_a_form_not_yet_sent(web, amy):
    page = html.fromstring(web.as_(amy).get(NEW).content.decode())
    assert page.xpath('//form//div[contains(@class, "field")]') and not page.xpath('//div[@class="error-summary"]')


def test_it_keeps_the_edited_organisation_unchanged_when_the_form_is_refused(web, amy, org_a1):
    name = org_a1.legal_name
    web.as_(amy).post(f"/organizations/{org_a1.reference}/edit/",
                      form_data(legal_name="Renamed SAS", siret="73282932000075"))
    org_a1.refresh_from_db()
    assert org_a1.legal_name == name

"""The page frame (templates/base.html): the header folds into a "Menu" disclosure on
narrow screens, the API links sit in the account menu and only staff see them; the
favicon; the product's own 404 and 500 pages, translated, with a way back."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.utils import translation
from lxml import html

from portal.views_errors import server_error

pytestmark = pytest.mark.django_db
API_LINKS = {"/account/tokens/", "/api/docs/", "/api/schema/"}


def page(web, user, path: str = "/dashboard/"):
    return html.fromstring(web.as_(user).get(path).content.decode())


def links(element) -> set[str]:
    return {a.get("href") for a in element.iter("a")}


def test_it_puts_the_sections_in_a_menu_disclosure(web, alice):
    menu = page(web, alice).xpath('//header//details[contains(@class, "nav-menu")]')[0]
    assert menu.xpath("summary") and menu.xpath("nav//a")


@pytest.mark.parametrize("who", ["alice", "amy", "bob"])
def test_it_puts_the_api_links_in_the_staff_account_menu(web, who, request):
    menu = page(web, request.getfixturevalue(who)).xpath('//details[contains(@class, "user-menu")]')[0]
    assert API_LINKS <= links(menu)


@pytest.mark.parametrize("who", ["clara", "cody"])
def test_it_shows_no_api_link_to_a_client(web, who, request):
    assert not API_LINKS & links(page(web, request.getfixturevalue(who)))


def test_it_keeps_the_api_links_out_of_the_sections(web, alice):
    nav = page(web, alice).xpath("//nav")[0]
    assert not API_LINKS & links(nav)


def test_it_marks_the_current_section(web, alice):
    current = page(web, alice, "/tickets/").xpath('//nav//a[@aria-current="page"]')
    assert [a.get("href") for a in current] == ["/tickets/"]


def test_it_links_a_favicon_that_exists(web, alice):
    icons = page(web, alice).xpath('//link[@rel="icon"]/@href')
    assert icons and all((Path(settings.BASE_DIR) / "static" / Path(href).name).exists() for href in icons)


def test_it_sends_browsers_asking_for_favicon_ico_to_the_icon(client):
    response = client.get("/favicon.ico")
    assert (response.status_code, response["Location"].rsplit("/", 1)[-1].split(".")[0]) == (302, "favicon")


# ---------------------------------------------------------------------- error pages


def test_it_answers_an_unknown_address_with_its_own_404_page(web, alice):
    response = web.as_(alice).get("/no-such-page/")
    body = html.fromstring(response.content.decode())
    assert (response.status_code, body.xpath("//h1")[0].text_content()) == (404, "Page not found")


def test_it_offers_a_way_back_from_the_404_page(web, alice):
    body = html.fromstring(web.as_(alice).get("/no-such-page/").content.decode())
    assert "/dashboard/" in {a.get("href") for a in body.xpath("//main//a")}


def test_it_offers_the_login_page_from_the_404_page_to_a_visitor(client):
    body = html.fromstring(client.get("/no-such-page/").content.decode())
    assert "/login/" in {a.get("href") for a in body.xpath("//main//a")}


def test_it_shows_the_404_page_in_french(web, alice, settings):
    alice.language = "fr"
    alice.save()
    body = web.as_(alice).get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Page introuvable" in body


def test_it_renders_the_500_page_without_the_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = server_error(RequestFactory().get("/dashboard/"))
    assert (response.status_code, b'href="/"' in response.content) == (500, True)


def test_it_shows_the_500_page_in_the_language_of_the_request():
    with translation.override("fr"):
        response = server_error(RequestFactory().get("/dashboard/"))
    assert html.fromstring(response.content.decode()).xpath("//h1")[0].text_content() == (
        "Une erreur s’est produite de notre côté")

"""Browser pages of the portal app: login, language, error pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

PASSWORD = "secret-pass-123"  # tests.factories.UserFactory
FRENCH_CATALOG = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.mo"


def text(response) -> str:
    return response.content.decode()


# --------------------------------------------------------------------------- login


def test_it_renders_the_login_page(web, db):
    response = web.get("/login/")
    assert response.status_code == 200
    assert 'name="username"' in text(response) and 'name="password"' in text(response)


def test_it_logs_a_user_in_and_redirects_to_the_dashboard(web, alice):
    response = web.post("/login/", {"username": alice.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    assert web.get("/dashboard/").status_code == 200


def test_it_accepts_the_email_in_any_case(web, alice):
    response = web.post("/login/", {"username": alice.email.upper(), "password": PASSWORD})
    assert response.status_code == 302


def test_it_shows_an_error_for_a_wrong_password(web, alice):
    response = web.post("/login/", {"username": alice.email, "password": "wrong-password"})
    assert response.status_code == 200
    assert "Wrong e-mail or password." in text(response)
    assert "_auth_user_id" not in web.session


def test_it_shows_the_same_error_for_an_unknown_email(web, db):
    response = web.post("/login/", {"username": "nobody@nowhere.test", "password": PASSWORD})
    assert "Wrong e-mail or password." in text(response)


def test_it_sends_a_logged_in_user_from_the_login_page_to_the_dashboard(web, alice):
    response = web.as_(alice).get("/login/")
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"


def test_it_logs_out_on_post(web, alice):
    client = web.as_(alice)
    response = client.post("/logout/")
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 302


# --------------------------------------------------------------------------- language


def test_it_switches_the_interface_to_french(web, alice):
    client = web.as_(alice)
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/dashboard/"})
    assert response["Location"] == "/dashboard/"
    dashboard = client.get("/dashboard/")
    assert '<html lang="fr">' in text(dashboard)
    assert dashboard["Content-Language"] == "fr"


def _french(msgid: str) -> str:
    with translation.override("fr"):
        return translation.gettext(msgid)


@pytest.mark.skipif(not FRENCH_CATALOG.exists(), reason="locale/fr/LC_MESSAGES/django.mo is not compiled (make messages)")
def test_it_shows_the_dashboard_in_french_after_switching(web, alice):
    heading = _french("Recent activity")
    if heading == "Recent activity":
        pytest.skip("the compiled French catalog does not translate 'Recent activity' yet")
    client = web.as_(alice)
    client.post("/i18n/setlang/", {"language": "fr", "next": "/dashboard/"})
    page = text(client.get("/dashboard/"))
    assert heading in page
    assert "Recent activity" not in page


def test_it_offers_the_language_switcher_on_the_login_page(web, db):
    page = text(web.get("/login/"))
    assert 'action="/i18n/setlang/"' in page
    assert 'value="fr"' in page and 'value="en"' in page


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize("path", ["/api/v1/no-such-thing/", "/api/v1/no-such-thing", "/api/nothing/"])
def test_it_answers_an_unknown_api_url_with_json_404(web, db, path):
    response = web.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": {"status": 404, "code": "not_found", "message": "Not found."}}


def test_it_answers_an_unknown_api_url_with_json_404_when_logged_in(web, alice):
    response = web.as_(alice).get("/api/v1/no-such-thing/")
    assert response.json()["error"]["code"] == "not_found"


def test_it_answers_an_unknown_page_with_an_html_404(web, db):
    response = web.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_it_answers_an_unexpected_api_error_with_json_500(api, alice, monkeypatch):
    def boom(**kwargs):
        raise RuntimeError("unexpected")

    monkeypatch.setattr("contracts.selectors.parties.organization_list", boom)
    client = api.as_(alice)
    client.raise_request_exception = False
    response = client.get("/api/v1/organizations/")
    assert response.status_code == 500
    assert response.json() == {"error": {"status": 500, "code": "server_error", "message": "Server error."}}


def test_it_answers_an_unexpected_page_error_with_the_html_500_page(web, alice, monkeypatch):
    def boom(**kwargs):
        raise RuntimeError("unexpected")

    monkeypatch.setattr("contracts.selectors.parties.organization_list", boom)
    client = web.as_(alice)
    client.raise_request_exception = False
    response = client.get("/organizations/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")

"""Input the database cannot store (NUL, C0 control characters, lone surrogates) is
refused with a 400 in one place: the middleware for the path, the query string and
form-encoded fields; the API's parsers for JSON (and form) bodies, naming the field."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from contracts.models import Organization
from sla.models import BusinessCalendar

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_as():
    def as_(user):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        return client

    return as_


def error(response) -> dict:
    return response.json()["error"]


def test_it_refuses_a_nul_byte_in_an_api_filter_with_400_naming_the_parameter(client_as, cody):
    response = client_as(cody).get("/api/v1/tickets/?search=%00")
    assert response.status_code == 400
    assert error(response)["code"] == "invalid"
    assert list(error(response)["fields"]) == ["search"]


@pytest.mark.parametrize("page", ["/tickets/?q=%00", "/contracts/?client=a%00b", "/organizations/?q=%00"])
def test_it_refuses_a_nul_byte_in_a_page_filter_with_a_plain_400_page(client_as, cody, page):
    response = client_as(cody).get(page)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "control character" in response.content.decode()


def test_it_refuses_a_nul_byte_in_an_audit_filter(client_as, alice):
    assert client_as(alice).get("/audit/?actor=%00").status_code == 400


@pytest.mark.parametrize("value", ["%01", "%07", "%1B", "%7F"])
def test_it_refuses_other_control_characters_in_a_filter(client_as, cody, value):
    assert client_as(cody).get(f"/api/v1/tickets/?search=a{value}").status_code == 400


def test_it_refuses_a_control_character_in_a_parameter_name(client_as, cody):
    response = client_as(cody).get("/api/v1/tickets/?se%00arch=x")
    assert response.status_code == 400


def test_it_accepts_tabs_and_line_breaks_in_a_filter(client_as, cody):
    assert client_as(cody).get("/api/v1/tickets/?search=a%09b%0D%0Ac").status_code == 200


def test_it_refuses_a_nul_byte_in_the_path(client_as, cody):
    response = client_as(cody).get("/api/v1/tickets/TCK%00/")
    assert response.status_code == 400
    assert error(response)["code"] == "invalid"


def test_it_refuses_a_nul_byte_in_a_posted_form_field_and_saves_nothing(client_as, amy):
    response = client_as(amy).post("/organizations/new/", {"legal_name": "Dupont\x00", "kind": "client"})
    assert response.status_code == 400
    assert "legal_name" in response.content.decode()
    assert not Organization.objects.exists()


def test_it_refuses_a_nul_byte_in_a_form_encoded_api_body(client_as, alice, org_a1):
    response = client_as(alice).generic("PATCH", f"/api/v1/organizations/{org_a1.reference}/", "city=Par%00is",
                                        content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert list(error(response)["fields"]) == ["city"]
    org_a1.refresh_from_db()
    assert org_a1.city == "Paris"


def test_it_refuses_a_nul_byte_in_a_json_string_naming_the_field(client_as, alice):
    body = {"code": "office", "name": "Office", "timezone": "Europe/Paris", "hours": {"mon": [["09:00\u0000", "12:00"]]}}
    response = client_as(alice).post("/api/v1/sla/calendars/", json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert list(error(response)["fields"]) == ["hours.mon.0.0"]
    assert not BusinessCalendar.objects.exists()


def test_it_refuses_a_nul_byte_in_a_json_key(client_as, alice):
    body = {"code": "office", "name": "Office", "timezone": "Europe/Paris", "hours": {"mo\u0000n": []}}
    response = client_as(alice).post("/api/v1/sla/calendars/", json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert "hours" in error(response)["fields"]


def test_it_refuses_a_lone_surrogate_in_a_json_string(client_as, alice, org_a1):
    response = client_as(alice).patch(f"/api/v1/organizations/{org_a1.reference}/", '{"kind": "\\ud800"}',
                                      content_type="application/json")
    assert response.status_code == 400
    assert list(error(response)["fields"]) == ["kind"]

"""portal.pages.form_page: the form page written once (GET shows the form; POST
validates, calls the service, shows its refusal on the form or redirects with a
message), asking the policy first when the page names an action."""

from __future__ import annotations

from unittest import mock

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.test import RequestFactory

from portal.exceptions import ApplicationError
from portal.pages import form_page
from portal.tenancy import membership_for


class NameForm(forms.Form):
    name = forms.CharField()


def request_as(user, method: str = "get", data: dict | None = None):
    request = getattr(RequestFactory(), method)("/page/", data or {})
    request.user = user
    request.membership = membership_for(user)
    request.tenant = request.membership.tenant
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


@pytest.fixture
def rendered():
    """What the page would render: the template and its context."""
    with mock.patch("portal.pages.render", side_effect=lambda request, template, context: HttpResponse(
            template, headers={"X-Context": ",".join(sorted(context))})) as render:
        yield render


def page(request, save=None, **options):
    defaults = {"template": "name.html", "save": save or (lambda data: data["name"]), "success": "Saved.",
                "success_url": "/done/"}
    return form_page(request, NameForm(request.POST or None), **{**defaults, **options})


def context_of(render) -> dict:
    return render.call_args.args[2]


def test_it_shows_the_form_on_get(amy, rendered):
    response = page(request_as(amy))
    assert (response.status_code, response.content, response["X-Context"]) == (200, b"name.html", "form")


def test_it_redirects_with_a_message_after_the_service(amy, rendered):
    request = request_as(amy, "post", {"name": "Acme"})
    response = page(request)
    assert (response.status_code, response["Location"]) == (302, "/done/")
    assert [str(m) for m in get_messages(request)] == ["Saved."]


def test_it_makes_the_message_and_the_url_from_what_the_service_returned(amy, rendered):
    request = request_as(amy, "post", {"name": "Acme"})
    response = page(request, success=lambda name: f"{name} saved.", success_url=lambda name: f"/orgs/{name}/")
    assert (response["Location"], [str(m) for m in get_messages(request)]) == ("/orgs/Acme/", ["Acme saved."])


def test_it_does_not_call_the_service_with_an_invalid_form(amy, rendered):
    save = mock.Mock()
    page(request_as(amy, "post", {"name": ""}), save=save)
    assert (save.called, context_of(rendered)["form"].errors["name"]) == (False, ["This field is required."])


def test_it_shows_a_validation_error_under_its_field(amy, rendered):
    def save(data):
        raise ValidationError({"name": ["Taken."]})

    page(request_as(amy, "post", {"name": "Acme"}), save=save)
    assert context_of(rendered)["form"].errors == {"name": ["Taken."]}


def test_it_shows_a_refused_action_above_the_fields(amy, rendered):
    def save(data):
        raise ApplicationError("Not in this state.")

    page(request_as(amy, "post", {"name": "Acme"}), save=save)
    assert context_of(rendered)["form"].non_field_errors() == ["Not in this state."]


def test_it_lets_a_refusal_of_the_service_through(amy, rendered):
    def save(data):
        raise PermissionDenied

    with pytest.raises(PermissionDenied):
        page(request_as(amy, "post", {"name": "Acme"}), save=save)


def test_it_answers_with_its_own_response_when_asked(amy, rendered):
    response = page(request_as(amy, "post", {"name": "Acme"}), respond=lambda name: HttpResponse(f"made {name}"))
    assert (response.status_code, response.content) == (200, b"made Acme")


def test_it_adds_the_context_and_names_the_form(amy, rendered):
    page(request_as(amy), context={"org": "A1"}, form_name="import_form")
    assert sorted(context_of(rendered)) == ["import_form", "org"]


def test_it_refuses_the_page_to_a_role_the_policy_denies(bob, rendered):
    with pytest.raises(PermissionDenied):
        page(request_as(bob), action="organization.create")


def test_it_shows_a_readers_page_to_a_role_that_may_not_act(bob, rendered):
    response = page(request_as(bob), action="priority_matrix.set", readers_see_page=True)
    assert response.status_code == 200


def test_it_refuses_a_readers_page_post_before_calling_the_service(bob, rendered):
    save = mock.Mock()
    with pytest.raises(PermissionDenied):
        page(request_as(bob, "post", {"name": "x"}), save=save, action="priority_matrix.set", readers_see_page=True)
    assert save.called is False

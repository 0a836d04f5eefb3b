"""portal.api.errors: one error shape for every API error."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions

from portal.api.errors import exception_handler, json_500
from portal.exceptions import ApplicationError, ConflictError


def handle(exc):
    response = exception_handler(exc, {})
    return response.status_code, response.data["error"]


def test_it_turns_a_model_validation_error_into_named_fields():
    status, error = handle(DjangoValidationError({"siret": ["Bad SIRET."], "city": ["Required."]}))
    assert status == 400
    assert error == {
        "status": 400, "code": "invalid", "message": "siret: Bad SIRET.",
        "fields": {"siret": ["Bad SIRET."], "city": ["Required."]},
    }


def test_it_names_errors_of_the_whole_object_non_field_errors():
    _, error = handle(DjangoValidationError({"__all__": ["Dates overlap."]}))
    assert error["fields"] == {"non_field_errors": ["Dates overlap."]}
    assert error["message"] == "Dates overlap."


def test_it_turns_a_plain_validation_error_into_non_field_errors():
    _, error = handle(DjangoValidationError("Nope."))
    assert error["fields"] == {"non_field_errors": ["Nope."]}


def test_it_dots_the_names_of_nested_fields():
    _, error = handle(exceptions.ValidationError({"cells": [{}, {"impact": ["Unknown."]}], "name": ["Required."]}))
    assert error["fields"] == {"cells.1.impact": ["Unknown."], "name": ["Required."]}


def test_it_answers_a_permission_error_with_403():
    status, error = handle(PermissionDenied("Your role does not allow this action."))
    assert (status, error["code"], error["message"]) == (403, "permission_denied", "Your role does not allow this action.")


def test_it_answers_404_without_saying_why():
    status, error = handle(Http404("No Organization matches the given query."))
    assert (status, error) == (404, {"status": 404, "code": "not_found", "message": "Not found."})


def test_it_answers_a_conflict_with_409():
    status, error = handle(ConflictError("Already closed.", code="already_closed"))
    assert (status, error["code"], error["message"]) == (409, "already_closed", "Already closed.")


def test_it_answers_a_refused_action_with_400_and_its_fields():
    status, error = handle(ApplicationError("Refused.", extra={"fields": {"end": ["Too early."]}}))
    assert (status, error["code"], error["fields"]) == (400, "refused", {"end": ["Too early."]})


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (exceptions.NotAuthenticated(), 401, "not_authenticated"),
        (exceptions.MethodNotAllowed("DELETE"), 405, "method_not_allowed"),
        (exceptions.Throttled(wait=3), 429, "throttled"),
    ],
)
def test_it_keeps_drf_errors_in_the_same_shape(exc, status, code):
    got_status, error = handle(exc)
    assert (got_status, error["status"], error["code"]) == (status, status, code)
    assert error["message"]


def test_it_leaves_unexpected_errors_to_the_500_handler():
    assert exception_handler(ZeroDivisionError(), {}) is None


def test_it_answers_a_server_error_in_the_same_shape(rf):
    response = json_500(rf.get("/api/v1/anything/"))
    assert response.status_code == 500
    assert json.loads(response.content) == {"error": {"status": 500, "code": "server_error", "message": "Server error."}}

"""Every date and date-time the API and the forms accept lies between 1990-01-01 and
2100-12-31 (portal.validators): one field class for the API, one for the forms, and a
test that finds any date field declared without them."""

from __future__ import annotations

import importlib
import pkgutil
from datetime import date

import pytest
from django import forms as django_forms
from rest_framework import serializers

from portal import validators
from portal.api import fields as api_fields
from portal.forms_util import BoundedDateField, BoundedDateTimeField
from tests.contracts import factories as cf

APPS = ("portal", "contracts", "sla", "tickets", "billing")


def _import_everything() -> None:
    for app in APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" in info.name or ".management" in info.name or info.name.endswith(("wsgi", "asgi")):
                continue
            importlib.import_module(info.name)


def _subclasses(cls) -> list[type]:
    out, todo = [], [cls]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.split(".")[0] in APPS:
                out.append(sub)
    return out


def _serializer_fields(serializer, prefix=""):
    for name, field in serializer.fields.items():
        yield f"{prefix}{name}", field
        if isinstance(field, serializers.ListSerializer):
            field = field.child
        if isinstance(field, serializers.ListField):
            field = field.child
        if isinstance(field, serializers.BaseSerializer):
            yield from _serializer_fields(field, f"{prefix}{name}.")


def test_it_bounds_every_date_field_of_every_serializer():
    _import_everything()
    unbounded = []
    for cls in _subclasses(serializers.BaseSerializer):
        if cls.__name__.startswith("Paginated") or isinstance(cls, serializers.ListSerializer):
            continue
        if issubclass(cls, serializers.ModelSerializer) and not hasattr(cls, "Meta"):
            continue  # an abstract base (portal.api.fields.ModelSerializer)
        for name, field in _serializer_fields(cls(), f"{cls.__module__}.{cls.__name__}."):
            if isinstance(field, serializers.DateTimeField) and not isinstance(field, api_fields.DateTimeField):
                unbounded.append(name)
            elif isinstance(field, serializers.DateField) and not isinstance(field, api_fields.DateField):
                unbounded.append(name)
    assert not unbounded, f"use portal.api.fields.DateField / DateTimeField for: {unbounded}"


def test_it_bounds_every_date_field_of_every_form():
    _import_everything()
    unbounded = []
    for cls in _subclasses(django_forms.BaseForm):
        for name, field in getattr(cls, "base_fields", {}).items():
            if isinstance(field, django_forms.DateTimeField) and not isinstance(field, BoundedDateTimeField):
                unbounded.append(f"{cls.__module__}.{cls.__name__}.{name}")
            elif isinstance(field, django_forms.DateField) and not isinstance(field, BoundedDateField):
                unbounded.append(f"{cls.__module__}.{cls.__name__}.{name}")
    assert not unbounded, f"use portal.forms_util.BoundedDateField / BoundedDateTimeField for: {unbounded}"


@pytest.mark.parametrize(("day", "ok"), [(date(1989, 12, 31), False), (date(1990, 1, 1), True),
                                         (date(2100, 12, 31), True), (date(2101, 1, 1), False)])
def test_it_accepts_dates_from_1990_to_2100(day, ok):
    if ok:
        validators.validate_date_in_range(day)
    else:
        with pytest.raises(validators.ValidationError):
            validators.validate_date_in_range(day)


@pytest.mark.django_db
@pytest.mark.parametrize("day", ["0001-01-01", "1989-12-31", "2101-01-01", "9999-12-31"])
def test_it_refuses_a_contract_start_date_outside_the_range_in_the_api(api, amy, org_a1, day):
    cf.provider_org(org_a1.tenant)
    response = api.as_(amy).post("/api/v1/contracts/", {"client": org_a1.reference, "title": "T", "object": "O",
                                                        "start_date": day, "initial_months": 12}, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["start_date"]


@pytest.mark.django_db
def test_it_refuses_a_termination_notice_in_year_9999(api, amy, org_a1):
    contract = cf.active(actor=amy, client=org_a1, policy=cf.sla_policy(org_a1.tenant))
    response = api.as_(amy).post(f"/api/v1/contracts/{contract.reference}/terminate/",
                                 {"notice_given_on": "9999-12-31", "given_by": "client", "reason": "notice"},
                                 format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["notice_given_on"]


@pytest.mark.django_db
@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"])
def test_it_refuses_a_token_expiry_outside_the_range(api, alice, moment):
    response = api.as_(alice).post("/api/v1/tokens/", {"name": "CI", "expires_at": moment}, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["expires_at"]

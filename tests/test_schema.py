"""The OpenAPI schema tells the truth (issue 8, defect 7): it is valid, every operation
documents its errors with the one error component, enums and nullability match what
the API answers (every GET response of a world with objects in every state is checked
against its documented schema), and the server's rules are stated in the descriptions."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.test import Client
from openapi_schema_validator import OAS30ReadValidator, oas30_format_checker
from openapi_spec_validator import validate as validate_spec

from tests.world import Schema, fill_path, shared_world

pytestmark = pytest.mark.django_db

SCHEMA = Schema()
DOC = SCHEMA.doc
ERROR_REF = "#/components/schemas/Error"
METHODS = ("get", "post", "put", "patch", "delete")

world = pytest.fixture(scope="module")(shared_world)


def _operations():
    return SCHEMA.operations(METHODS)


def _json_schema(op: dict, status: str) -> dict | None:
    response = op["responses"].get(status, {})
    return response.get("content", {}).get("application/json", {}).get("schema")


def test_it_passes_drf_spectacular_validation_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))


def test_it_is_a_valid_openapi_document_whose_references_resolve():
    validate_spec(json.loads(json.dumps(DOC, default=str)))


@pytest.mark.parametrize(("path", "method"), _operations())
def test_it_documents_the_errors_of_every_operation_with_one_component(path, method):
    op = SCHEMA.operation(path, method)
    expected = {"401", "403"}
    if "{" in path:
        expected.add("404")
    if "requestBody" in op or any(p["in"] == "query" for p in op.get("parameters", [])):
        expected.add("400")
    missing = expected - set(op["responses"])
    assert not missing, f"{method.upper()} {path} does not document {sorted(missing)}"
    for status in (s for s in op["responses"] if s.startswith("4")):
        assert _json_schema(op, status) == {"$ref": ERROR_REF}, f"{method.upper()} {path} {status}"


def test_it_describes_the_error_shape():
    error = DOC["components"]["schemas"]["Error"]
    body = SCHEMA.resolve(error["properties"]["error"])
    assert set(body["properties"]) == {"status", "code", "message", "fields"}


@pytest.mark.parametrize("field", ["termination_reason", "notice_given_by"])
def test_it_answers_null_for_an_unset_termination_field(world, field):
    client = Client()
    client.force_login(world.alice)
    body = client.get(f"/api/v1/contracts/{world.draft.reference}/").json()
    assert body[field] is None


@pytest.mark.parametrize("field", ["termination_reason", "notice_given_by"])
def test_it_documents_the_termination_fields_as_nullable(field):
    prop = DOC["components"]["schemas"]["ContractDetail"]["properties"][field]
    assert prop.get("nullable") is True or any(SCHEMA.resolve(o).get("enum") == [None] for o in prop.get("oneOf", []))


@pytest.mark.parametrize("value", ["0", "-1", "abc", "201", "1e3", ""])
def test_it_refuses_an_invalid_page_size_with_400_naming_it(world, value):
    client = Client()
    client.force_login(world.alice)
    response = client.get(f"/api/v1/organizations/?page_size={value}")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["page_size"]


def test_it_accepts_the_largest_page_size(world):
    client = Client()
    client.force_login(world.alice)
    assert client.get("/api/v1/organizations/?page_size=200").status_code == 200


def test_it_documents_the_page_size_bounds():
    params = {p["name"]: p for p in SCHEMA.operation("/api/v1/organizations/", "get")["parameters"]}
    assert (params["page_size"]["schema"].get("minimum"), params["page_size"]["schema"].get("maximum")) == (1, 200)


def _description(component: str, field: str) -> str:
    return DOC["components"]["schemas"][component]["properties"][field].get("description", "")


@pytest.mark.parametrize(("component", "field", "words"), [
    ("OrganizationRequest", "siret", "France"),
    ("OrganizationRequest", "vat_number", "SIREN"),
    ("OrganizationRequest", "country", "ISO 3166"),
    ("CalendarRequest", "hours", "open"),
    ("CalendarRequest", "always_open", "holidays"),
    ("ContractWriteRequest", "currency", "ISO 4217"),
    ("ContractWriteRequest", "start_date", "1990"),
    ("TicketCreateRequest", "description", "20,000"),
    ("InterventionRequest", "date", "year"),
    ("SlaPolicyRequest", "targets", "resolution"),
])
def test_it_states_the_servers_rules_in_the_field_descriptions(component, field, words):
    assert words in _description(component, field)


def _get_operations() -> list[tuple[str, str]]:
    return [(path, method) for path, method in SCHEMA.operations(("get",))
            if _json_schema(SCHEMA.operation(path, method), "200") is not None]


@pytest.mark.parametrize(("path", "method"), _get_operations())
def test_it_answers_every_get_as_its_schema_says(world, path, method):
    schema = {**_json_schema(SCHEMA.operation(path, method), "200"), "components": DOC["components"]}
    validator = OAS30ReadValidator(schema, format_checker=oas30_format_checker)
    op = SCHEMA.operation(path, method)
    required = {p["name"]: SCHEMA.example(p["schema"], p["name"], world) for p in op.get("parameters", [])
                if p["in"] == "query" and p.get("required")}
    checked = 0
    for user in (world.alice, world.cody):
        client = Client()
        client.force_login(user)
        response = client.get(fill_path(path, world, user), required)
        if response.status_code != 200:
            assert response.status_code in (403, 404), f"GET {path} as {user.email}: {response.status_code}"
            continue
        errors = sorted(validator.iter_errors(response.json()), key=lambda e: list(e.absolute_path))
        assert not errors, f"GET {path} as {user.email}: " + "; ".join(
            f"{'.'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in errors[:5])
        checked += 1
    assert checked, f"GET {path}: no user could read it"

"""/api/v1/organizations/: list, retrieve, create, update."""

from __future__ import annotations

import re

import pytest

from contracts.models import Organization
from portal.models import AuditEvent
from tests.factories import ContactFactory, OrganizationFactory, make_siret, vat_for_siret

URL = "/api/v1/organizations/"
IP = "203.0.113.7"


def detail(org) -> str:
    return f"{URL}{org.reference}/"


def payload(**overrides) -> dict:
    siret = make_siret(4242)
    data = {
        "kind": "client", "legal_name": "Dupont Informatique SARL", "siret": siret, "vat_number": vat_for_siret(siret),
        "address_line1": "5 rue du Port", "postal_code": "13002", "city": "Marseille", "country": "FR",
    }
    data.update(overrides)
    return data


def refs(response) -> set[str]:
    return {row["reference"] for row in response.json()["results"]}


# --------------------------------------------------------------------------- list


def test_it_lists_every_organization_of_the_tenant_to_the_provider(api, alice, org_a1, org_a2, org_b1):
    response = api.as_(alice).get(URL)
    assert response.status_code == 200
    assert refs(response) == {org_a1.reference, org_a2.reference}


def test_it_lists_the_organizations_to_a_technician(api, bob, org_a1, org_a2):
    response = api.as_(bob).get(URL)
    assert refs(response) == {org_a1.reference, org_a2.reference}


def test_it_lists_only_their_own_organization_to_a_client(api, cody, org_a1, org_a2):
    response = api.as_(cody).get(URL)
    assert refs(response) == {org_a1.reference}


def test_it_hides_other_tenants_organizations_in_the_list(api, carol, org_a1, org_b1):
    response = api.as_(carol).get(URL)
    assert refs(response) == {org_b1.reference}


def test_it_answers_the_list_with_pagination_keys(api, alice, org_a1):
    body = api.as_(alice).get(URL).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 1


def test_it_pages_the_list(api, alice, tenant_a):
    OrganizationFactory.create_batch(3, tenant=tenant_a)
    body = api.as_(alice).get(URL, {"page_size": 2}).json()
    assert (body["count"], len(body["results"]), body["previous"]) == (3, 2, None)
    assert "page=2" in body["next"]


def test_it_filters_the_list_by_kind(api, alice, tenant_a, org_a1):
    provider = OrganizationFactory(tenant=tenant_a, kind="provider")
    response = api.as_(alice).get(URL, {"kind": "provider"})
    assert refs(response) == {provider.reference}


@pytest.mark.parametrize(
    "search", ["durand", "CABINET DUR", "Bordeaux", "bordeaux"], ids=["name", "name-case", "city", "city-case"]
)
def test_it_searches_the_list_by_name_or_city(api, alice, tenant_a, org_a1, search):
    durand = OrganizationFactory(tenant=tenant_a, legal_name="Cabinet Durand SELARL", city="Bordeaux")
    response = api.as_(alice).get(URL, {"search": search})
    assert refs(response) == {durand.reference}


def test_it_searches_the_list_by_siret_prefix(api, alice, org_a1, org_a2):
    response = api.as_(alice).get(URL, {"search": org_a2.siret[:9]})
    assert refs(response) == {org_a2.reference}


def test_it_searches_the_list_by_reference(api, alice, org_a1, org_a2):
    response = api.as_(alice).get(URL, {"search": org_a2.reference.lower()})
    assert refs(response) == {org_a2.reference}


def test_it_does_not_let_a_client_search_beyond_its_organization(api, cody, org_a1, org_a2):
    response = api.as_(cody).get(URL, {"search": org_a2.legal_name})
    assert refs(response) == set()


def test_it_counts_the_contacts_of_each_organization(api, alice, org_a1):
    ContactFactory.create_batch(2, organization=org_a1)
    row = api.as_(alice).get(URL).json()["results"][0]
    assert row["reference"] == org_a1.reference
    assert "siren" in row and row["siren"] == org_a1.siret[:9]


# Session, user, membership, page count, page rows: five queries however many rows.
@pytest.mark.parametrize("n_orgs", [1, 12])
def test_it_lists_organizations_in_a_fixed_number_of_queries(api, alice, tenant_a, django_assert_num_queries, n_orgs):
    for org in OrganizationFactory.create_batch(n_orgs, tenant=tenant_a):
        ContactFactory.create_batch(2, organization=org)
    client = api.as_(alice)
    with django_assert_num_queries(5):
        response = client.get(URL)
    assert response.json()["count"] == n_orgs


def test_it_refuses_anonymous_users_with_401_in_the_error_shape(api, org_a1):
    response = api.get(URL)
    assert response.status_code == 401
    error = response.json()["error"]
    assert (error["status"], error["code"]) == (401, "not_authenticated")
    assert error["message"]


def test_it_refuses_a_user_without_membership(api, db):
    from tests.factories import UserFactory

    response = api.as_(UserFactory()).get(URL)
    assert response.status_code == 403
    assert response.json()["error"]["status"] == 403


# --------------------------------------------------------------------------- retrieve


def test_it_shows_one_organization_by_reference(api, bob, org_a1):
    response = api.as_(bob).get(detail(org_a1))
    assert response.status_code == 200
    assert response.json()["legal_name"] == org_a1.legal_name


def test_it_shows_a_client_its_own_organization(api, clara, org_a1):
    assert api.as_(clara).get(detail(org_a1)).status_code == 200


def test_it_hides_another_client_organization_from_a_client(api, clara, org_a2):
    response = api.as_(clara).get(detail(org_a2))
    assert response.status_code == 404
    assert response.json() == {"error": {"status": 404, "code": "not_found", "message": "Not found."}}


def test_it_hides_other_tenants_organization(api, carol, org_a1):
    response = api.as_(carol).get(detail(org_a1))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_it_answers_a_missing_organization_like_another_tenants(api, carol, org_a1):
    hidden = api.as_(carol).get(detail(org_a1)).json()
    missing = api.as_(carol).get(f"{URL}ORG-7777/").json()
    assert hidden == missing


# --------------------------------------------------------------------------- create


@pytest.mark.parametrize("persona", ["alice", "amy"])
def test_it_creates_an_organization(api, request, persona):
    user = request.getfixturevalue(persona)
    response = api.as_(user).post(URL, payload(), format="json")
    assert response.status_code == 201
    assert re.fullmatch(r"ORG-\d{4}", response.json()["reference"])
    assert Organization.objects.get(reference=response.json()["reference"]).legal_name == "Dupont Informatique SARL"


@pytest.mark.parametrize("vat", ["XX!!", "FR!!", "!!"])
def test_it_refuses_a_malformed_vat_number_with_400_naming_the_field(api, amy, vat):
    response = api.as_(amy).post(URL, payload(vat_number=vat), format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["vat_number"]
    assert not Organization.objects.exists()


@pytest.mark.parametrize("country", ["ZZ", "XX", "FRA", "F"])
def test_it_refuses_a_country_that_is_not_iso_3166_naming_the_field(api, amy, country):
    response = api.as_(amy).post(URL, payload(country=country, siret="", vat_number=""), format="json")
    assert response.status_code == 400
    assert "country" in response.json()["error"]["fields"]
    assert not Organization.objects.exists()


def test_it_accepts_a_foreign_country_in_lower_case(api, amy):
    response = api.as_(amy).post(URL, payload(country="be", siret="", vat_number=""), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["country"] == "BE"


def test_it_numbers_created_organizations_in_sequence(api, amy):
    client = api.as_(amy)
    first = client.post(URL, payload(), format="json").json()["reference"]
    second = client.post(URL, payload(siret=make_siret(4243), vat_number=""), format="json").json()["reference"]
    assert (first, second) == ("ORG-0001", "ORG-0002")


def test_it_audits_the_creation_with_actor_and_ip(api, amy):
    response = api.as_(amy).post(URL, payload(), format="json", REMOTE_ADDR=IP)
    event = AuditEvent.objects.get(action="organization.create")
    assert (event.actor, event.actor_label, event.ip_address) == (amy, amy.email, IP)
    assert (event.object_type, event.object_ref) == ("organization", response.json()["reference"])
    assert event.organization.reference == response.json()["reference"]
    assert event.changes["legal_name"] == "Dupont Informatique SARL"


def test_it_stores_the_siret_compact(api, amy):
    siret = make_siret(4242)
    spaced = f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}"
    response = api.as_(amy).post(URL, payload(siret=spaced), format="json")
    assert response.status_code == 201
    assert response.json()["siret"] == siret


@pytest.mark.parametrize("persona", ["bob", "clara", "cody"])
def test_it_refuses_creation_to_read_only_roles(api, request, persona):
    user = request.getfixturevalue(persona)
    response = api.as_(user).post(URL, payload(), format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert not Organization.objects.filter(legal_name="Dupont Informatique SARL").exists()
    assert not AuditEvent.objects.exists()


def test_it_refuses_a_malformed_siret_in_the_error_shape(api, amy):
    response = api.as_(amy).post(URL, payload(siret="12345678901234", vat_number=""), format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["status"], error["code"]) == (400, "invalid")
    assert list(error["fields"]) == ["siret"]
    assert "check digit" in error["fields"]["siret"][0]
    assert error["message"].startswith("siret: ")
    assert not Organization.objects.exists()
    assert not AuditEvent.objects.exists()


def test_it_refuses_a_vat_number_that_does_not_match_the_siren(api, amy):
    response = api.as_(amy).post(URL, payload(vat_number=vat_for_siret(make_siret(1))), format="json")
    assert response.status_code == 400
    assert "SIREN" in response.json()["error"]["fields"]["vat_number"][0]
    assert not Organization.objects.exists()


def test_it_names_a_missing_legal_name(api, amy):
    data = payload()
    del data["legal_name"]
    response = api.as_(amy).post(URL, data, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["legal_name"]
    assert not Organization.objects.exists()


def test_it_refuses_an_unknown_kind(api, amy):
    response = api.as_(amy).post(URL, payload(kind="supplier"), format="json")
    assert response.status_code == 400
    assert "kind" in response.json()["error"]["fields"]


def test_it_ignores_a_reference_sent_by_the_client(api, amy):
    response = api.as_(amy).post(URL, payload(reference="ORG-6666"), format="json")
    assert response.json()["reference"] == "ORG-0001"


def test_it_refuses_a_duplicate_siret_in_the_same_tenant_naming_the_field(api, amy, org_a1):
    response = api.as_(amy).post(URL, payload(siret=org_a1.siret, vat_number=""), format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"siret": ["Organisation with this SIRET already exists."]}
    assert Organization.objects.filter(siret=org_a1.siret).count() == 1


def test_it_allows_the_same_siret_in_another_tenant(api, carol, org_a1):
    response = api.as_(carol).post(URL, payload(siret=org_a1.siret, vat_number=""), format="json")
    assert response.status_code == 201
    assert Organization.objects.filter(siret=org_a1.siret).count() == 2


def test_it_creates_in_the_tenant_of_the_user_only(api, carol):
    response = api.as_(carol).post(URL, payload(), format="json")
    assert Organization.objects.get(reference=response.json()["reference"]).tenant.slug == "tenant-b"


# --------------------------------------------------------------------------- update


def test_it_updates_an_organization(api, amy, org_a1):
    response = api.as_(amy).patch(detail(org_a1), {"city": "Lyon"}, format="json")
    assert response.status_code == 200
    org_a1.refresh_from_db()
    assert org_a1.city == "Lyon"


def test_it_audits_an_update_with_old_and_new_values(api, amy, org_a1):
    api.as_(amy).patch(detail(org_a1), {"city": "Lyon", "phone": "+33 4 00 00 00 00"}, format="json", REMOTE_ADDR=IP)
    event = AuditEvent.objects.get(action="organization.update")
    assert event.changes == {"city": ["Paris", "Lyon"], "phone": ["", "+33 4 00 00 00 00"]}
    assert (event.actor, event.object_ref, event.ip_address) == (amy, org_a1.reference, IP)


def test_it_writes_no_audit_event_for_an_update_that_changes_nothing(api, amy, org_a1):
    response = api.as_(amy).patch(detail(org_a1), {"city": org_a1.city}, format="json")
    assert response.status_code == 200
    assert not AuditEvent.objects.exists()


def test_it_refuses_an_update_with_a_bad_siret(api, amy, org_a1):
    old = org_a1.siret
    response = api.as_(amy).patch(detail(org_a1), {"siret": old[:-1] + str((int(old[-1]) + 1) % 10)}, format="json")
    assert response.status_code == 400
    assert "siret" in response.json()["error"]["fields"]
    org_a1.refresh_from_db()
    assert org_a1.siret == old


def test_it_refuses_an_update_to_the_siret_of_another_organization(api, amy, org_a1, org_a2):
    response = api.as_(amy).patch(detail(org_a2), {"siret": org_a1.siret, "vat_number": ""}, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["siret"]


def test_it_keeps_the_reference_on_update(api, amy, org_a1):
    response = api.as_(amy).patch(detail(org_a1), {"reference": "ORG-6666", "city": "Lyon"}, format="json")
    assert response.json()["reference"] == org_a1.reference


@pytest.mark.parametrize("persona", ["bob", "clara"])
def test_it_refuses_updates_to_read_only_roles(api, request, org_a1, persona):
    user = request.getfixturevalue(persona)
    response = api.as_(user).patch(detail(org_a1), {"city": "Lyon"}, format="json")
    assert response.status_code == 403
    org_a1.refresh_from_db()
    assert org_a1.city == "Paris"


def test_it_hides_other_tenants_organization_from_updates(api, carol, org_a1):
    response = api.as_(carol).patch(detail(org_a1), {"city": "Lyon"}, format="json")
    assert response.status_code == 404
    org_a1.refresh_from_db()
    assert org_a1.city == "Paris"


def test_it_offers_no_delete(api, alice, org_a1):
    response = api.as_(alice).delete(detail(org_a1))
    assert response.status_code == 405
    assert response.json()["error"]["status"] == 405
    assert Organization.objects.filter(pk=org_a1.pk).exists()

"""/api/v1/organizations/<reference>/contacts/: contacts, always reached through their organisation."""

from __future__ import annotations

import pytest

from contracts.models import Contact
from portal.models import AuditEvent
from tests.factories import ContactFactory, OrganizationFactory


def url(org) -> str:
    return f"/api/v1/organizations/{org.reference}/contacts/"


def detail(org, contact) -> str:
    return f"{url(org)}{contact.pk}/"


NEW = {"role": "billing", "first_name": "Nadia", "last_name": "Benali", "email": "nadia@a1.test"}


@pytest.fixture
def contact(org_a1):
    return ContactFactory(organization=org_a1, first_name="Paul", last_name="Martin", job_title="Gérant")


# --------------------------------------------------------------------------- list and retrieve


def test_it_lists_the_contacts_of_an_organization(api, bob, org_a1, org_a2, contact):
    ContactFactory(organization=org_a2)
    response = api.as_(bob).get(url(org_a1))
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [contact.pk]


def test_it_lists_the_contacts_of_their_own_organization_to_a_client(api, cody, org_a1, contact):
    response = api.as_(cody).get(url(org_a1))
    assert [row["last_name"] for row in response.json()["results"]] == ["Martin"]


def test_it_hides_the_contacts_of_another_client_organization(api, clara, org_a2):
    ContactFactory(organization=org_a2)
    response = api.as_(clara).get(url(org_a2))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_it_hides_other_tenants_contacts(api, carol, org_a1, contact):
    assert api.as_(carol).get(url(org_a1)).status_code == 404
    assert api.as_(carol).get(detail(org_a1, contact)).status_code == 404


def test_it_shows_one_contact(api, clara, org_a1, contact):
    response = api.as_(clara).get(detail(org_a1, contact))
    assert response.status_code == 200
    assert response.json()["job_title"] == "Gérant"


def test_it_hides_a_contact_of_another_organization_under_this_organizations_url(api, alice, org_a1, org_a2):
    other = ContactFactory(organization=org_a2)
    assert api.as_(alice).get(detail(org_a1, other)).status_code == 404


def test_it_hides_a_contact_of_another_tenant_under_an_organization_of_this_tenant(api, alice, org_a1, org_b1):
    other = ContactFactory(organization=org_b1)
    assert api.as_(alice).get(detail(org_a1, other)).status_code == 404


def test_it_answers_404_for_the_contacts_of_an_unknown_organization(api, alice):
    assert api.as_(alice).get("/api/v1/organizations/ORG-7777/contacts/").status_code == 404


def test_it_refuses_anonymous_users(api, org_a1):
    assert api.get(url(org_a1)).status_code == 401


# Session, user, membership, organisation, page count, page rows.
@pytest.mark.parametrize("n_contacts", [1, 15])
def test_it_lists_contacts_in_a_fixed_number_of_queries(api, alice, org_a1, django_assert_num_queries, n_contacts):
    ContactFactory.create_batch(n_contacts, organization=org_a1)
    client = api.as_(alice)
    with django_assert_num_queries(6):
        response = client.get(url(org_a1))
    assert response.json()["count"] == n_contacts


# --------------------------------------------------------------------------- create


@pytest.mark.parametrize("persona", ["alice", "amy"])
def test_it_creates_a_contact(api, request, org_a1, persona):
    user = request.getfixturevalue(persona)
    response = api.as_(user).post(url(org_a1), NEW, format="json")
    assert response.status_code == 201
    created = Contact.objects.get(pk=response.json()["id"])
    assert (created.organization, created.tenant, created.last_name) == (org_a1, org_a1.tenant, "Benali")


def test_it_audits_the_creation_of_a_contact(api, amy, org_a1):
    response = api.as_(amy).post(url(org_a1), NEW, format="json", REMOTE_ADDR="198.51.100.4")
    event = AuditEvent.objects.get(action="contact.create")
    assert event.object_ref == f"{org_a1.reference}/{response.json()['id']}"
    assert (event.actor, event.organization, event.ip_address) == (amy, org_a1, "198.51.100.4")
    assert event.changes["last_name"] == "Benali"


def test_it_names_a_missing_last_name(api, amy, org_a1):
    response = api.as_(amy).post(url(org_a1), {**NEW, "last_name": ""}, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["last_name"]
    assert not Contact.objects.exists()


def test_it_refuses_a_malformed_email(api, amy, org_a1):
    response = api.as_(amy).post(url(org_a1), {**NEW, "email": "not-an-address"}, format="json")
    assert response.status_code == 400
    assert "email" in response.json()["error"]["fields"]


@pytest.mark.parametrize("persona", ["bob", "clara", "cody"])
def test_it_refuses_contact_creation_to_read_only_roles(api, request, org_a1, persona):
    user = request.getfixturevalue(persona)
    response = api.as_(user).post(url(org_a1), NEW, format="json")
    assert response.status_code == 403
    assert not Contact.objects.exists()
    assert not AuditEvent.objects.exists()


def test_it_hides_other_tenants_organization_from_contact_creation(api, carol, org_a1):
    assert api.as_(carol).post(url(org_a1), NEW, format="json").status_code == 404
    assert not Contact.objects.exists()


# --------------------------------------------------------------------------- update


def test_it_updates_a_contact(api, amy, org_a1, contact):
    response = api.as_(amy).patch(detail(org_a1, contact), {"phone": "+33 6 00 00 00 00"}, format="json")
    assert response.status_code == 200
    contact.refresh_from_db()
    assert contact.phone == "+33 6 00 00 00 00"


def test_it_audits_a_contact_update_with_old_and_new_values(api, amy, org_a1, contact):
    api.as_(amy).patch(detail(org_a1, contact), {"job_title": "Président"}, format="json")
    event = AuditEvent.objects.get(action="contact.update")
    assert event.changes == {"job_title": ["Gérant", "Président"]}
    assert event.object_ref == f"{org_a1.reference}/{contact.pk}"


def test_it_writes_no_audit_event_for_a_contact_update_that_changes_nothing(api, amy, org_a1, contact):
    api.as_(amy).patch(detail(org_a1, contact), {"job_title": "Gérant"}, format="json")
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("persona", ["bob", "clara"])
def test_it_refuses_contact_updates_to_read_only_roles(api, request, org_a1, contact, persona):
    user = request.getfixturevalue(persona)
    response = api.as_(user).patch(detail(org_a1, contact), {"job_title": "Président"}, format="json")
    assert response.status_code == 403
    contact.refresh_from_db()
    assert contact.job_title == "Gérant"


def test_it_cannot_move_a_contact_to_another_organization_by_update(api, amy, org_a1, org_a2, contact):
    api.as_(amy).patch(detail(org_a1, contact), {"organization": org_a2.pk}, format="json")
    contact.refresh_from_db()
    assert contact.organization == org_a1


def test_it_refuses_to_update_a_contact_of_another_organization_under_this_url(api, amy, org_a1, org_a2):
    other = ContactFactory(organization=org_a2, job_title="Comptable")
    response = api.as_(amy).patch(detail(org_a1, other), {"job_title": "Président"}, format="json")
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.job_title == "Comptable"


# --------------------------------------------------------------------------- delete


def test_it_deletes_a_contact(api, amy, org_a1, contact):
    response = api.as_(amy).delete(detail(org_a1, contact))
    assert response.status_code == 204
    assert not Contact.objects.filter(pk=contact.pk).exists()


def test_it_audits_the_deletion_of_a_contact_with_what_it_held(api, amy, org_a1, contact):
    api.as_(amy).delete(detail(org_a1, contact))
    event = AuditEvent.objects.get(action="contact.delete")
    assert event.object_ref == f"{org_a1.reference}/{contact.pk}"
    assert (event.changes["first_name"], event.changes["last_name"]) == ("Paul", "Martin")


@pytest.mark.parametrize("persona", ["bob", "clara", "cody"])
def test_it_refuses_contact_deletion_to_read_only_roles(api, request, org_a1, contact, persona):
    user = request.getfixturevalue(persona)
    assert api.as_(user).delete(detail(org_a1, contact)).status_code == 403
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_it_refuses_to_delete_a_contact_of_another_organization_under_this_url(api, amy, org_a1, org_a2):
    other = ContactFactory(organization=org_a2)
    assert api.as_(amy).delete(detail(org_a1, other)).status_code == 404
    assert Contact.objects.filter(pk=other.pk).exists()


def test_it_hides_other_tenants_contact_from_deletion(api, carol, org_a1, contact):
    assert api.as_(carol).delete(detail(org_a1, contact)).status_code == 404
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_it_keeps_contacts_of_a_provider_entity_out_of_the_client_audit_scope(api, amy, tenant_a):
    provider = OrganizationFactory(tenant=tenant_a, kind="provider")
    api.as_(amy).post(url(provider), NEW, format="json")
    assert AuditEvent.objects.get(action="contact.create").organization is None

"""Browser pages for parties: organisation list, detail, create, edit; contact pages."""

from __future__ import annotations

import pytest

from contracts.models import Contact, Organization
from portal.models import AuditEvent
from tests.factories import ContactFactory, OrganizationFactory, make_siret, vat_for_siret

LIST = "/organizations/"
NEW = "/organizations/new/"


def text(response) -> str:
    return response.content.decode()


def form_data(**overrides) -> dict:
    siret = make_siret(4242)
    data = {
        "kind": "client", "legal_name": "Dupont Informatique SARL", "trade_name": "", "legal_form": "SARL",
        "siret": siret, "vat_number": vat_for_siret(siret), "address_line1": "5 rue du Port", "address_line2": "",
        "postal_code": "13002", "city": "Marseille", "country": "FR", "legal_rep_name": "", "legal_rep_title": "",
        "email": "", "phone": "", "is_active": "on", "notes": "",
    }
    data.update(overrides)
    return data


def edit_data(org, **overrides) -> dict:
    data = form_data(
        kind=org.kind, legal_name=org.legal_name, siret=org.siret, vat_number=org.vat_number,
        address_line1=org.address_line1, postal_code=org.postal_code, city=org.city, country=org.country, legal_form="",
    )
    data.update(overrides)
    return data


CONTACT = {"role": "billing", "first_name": "Nadia", "last_name": "Benali", "job_title": "", "email": "", "phone": ""}


# --------------------------------------------------------------------------- list


def test_it_lists_the_tenants_organizations(web, bob, org_a1, org_a2, org_b1):
    response = web.as_(bob).get(LIST)
    assert response.status_code == 200
    assert {o.reference for o in response.context["page"]} == {org_a1.reference, org_a2.reference}


def test_it_lists_only_its_own_organization_to_a_client(web, cody, org_a1, org_a2):
    response = web.as_(cody).get(LIST)
    assert [o.reference for o in response.context["page"]] == [org_a1.reference]


def test_it_searches_the_organization_list(web, bob, org_a1, org_a2):
    response = web.as_(bob).get(LIST, {"q": "a2 sas"})
    assert [o.reference for o in response.context["page"]] == [org_a2.reference]


def test_it_filters_the_organization_list_by_kind(web, bob, tenant_a, org_a1):
    provider = OrganizationFactory(tenant=tenant_a, kind="provider")
    response = web.as_(bob).get(LIST, {"kind": "provider"})
    assert [o.reference for o in response.context["page"]] == [provider.reference]


def test_it_ignores_an_unknown_kind(web, bob, org_a1):
    response = web.as_(bob).get(LIST, {"kind": "nonsense"})
    assert [o.reference for o in response.context["page"]] == [org_a1.reference]


def test_it_renders_only_the_table_for_a_live_search(web, bob, org_a1):
    response = web.as_(bob).get(LIST, {"q": "A1"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in text(response)
    assert org_a1.reference in text(response)


def test_it_links_each_row_to_the_organization_page_not_the_api(web, bob, org_a1):
    page = text(web.as_(bob).get(LIST))
    assert f'href="{LIST}{org_a1.reference}/"' in page
    assert "/api/v1/organizations/" not in page


def test_it_offers_the_new_organization_button_to_editors_only(web, amy, bob):
    assert NEW in text(web.as_(amy).get(LIST))
    assert NEW not in text(web.as_(bob).get(LIST))


# Session, user, membership, count, rows; the contact count is annotated, not queried per row.
@pytest.mark.parametrize("n_orgs", [1, 12])
def test_it_renders_the_list_in_a_fixed_number_of_queries(web, bob, tenant_a, django_assert_num_queries, n_orgs):
    for org in OrganizationFactory.create_batch(n_orgs, tenant=tenant_a):
        ContactFactory(organization=org)
    client = web.as_(bob)
    with django_assert_num_queries(5):
        response = client.get(LIST)
    assert len(response.context["page"]) == n_orgs


# --------------------------------------------------------------------------- detail


def test_it_shows_an_organization_with_its_contacts(web, bob, org_a1):
    ContactFactory(organization=org_a1, last_name="Martin")
    response = web.as_(bob).get(f"{LIST}{org_a1.reference}/")
    assert response.status_code == 200
    assert org_a1.siret in text(response) and "Martin" in text(response)


def test_it_shows_a_client_its_own_organization_page(web, clara, org_a1):
    assert web.as_(clara).get(f"{LIST}{org_a1.reference}/").status_code == 200


def test_it_hides_another_client_organization_page_from_a_client(web, clara, org_a2):
    assert web.as_(clara).get(f"{LIST}{org_a2.reference}/").status_code == 404


def test_it_hides_other_tenants_organization_page(web, carol, org_a1):
    assert web.as_(carol).get(f"{LIST}{org_a1.reference}/").status_code == 404


def test_it_offers_the_edit_link_to_editors_only(web, amy, clara, org_a1):
    edit = f"{LIST}{org_a1.reference}/edit/"
    assert edit in text(web.as_(amy).get(f"{LIST}{org_a1.reference}/"))
    assert edit not in text(web.as_(clara).get(f"{LIST}{org_a1.reference}/"))


# --------------------------------------------------------------------------- create


def test_it_renders_the_create_page(web, amy):
    response = web.as_(amy).get(NEW)
    assert response.status_code == 200
    assert 'name="siret"' in text(response)


def test_it_creates_an_organization_from_the_page(web, amy):
    response = web.as_(amy).post(NEW, form_data())
    org = Organization.objects.get()
    assert (org.reference, org.legal_name) == ("ORG-0001", "Dupont Informatique SARL")
    assert response["Location"] == f"{LIST}ORG-0001/"
    assert AuditEvent.objects.get().action == "organization.create"


def test_it_accepts_a_siret_typed_in_groups_on_the_page(web, amy):
    siret = make_siret(4242)
    web.as_(amy).post(NEW, form_data(siret=f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}"))
    assert Organization.objects.get().siret == siret


def test_it_names_the_siret_field_and_saves_nothing_on_a_bad_siret(web, amy):
    response = web.as_(amy).post(NEW, form_data(siret="12345678901234", vat_number=""))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["siret"]
    assert "check digit" in text(response)
    assert not Organization.objects.exists()
    assert not AuditEvent.objects.exists()


def test_it_shows_a_malformed_vat_number_on_its_field_and_saves_nothing(web, amy):
    response = web.as_(amy).post(NEW, form_data(vat_number="XX!!"))
    assert response.status_code == 200
    assert "vat_number" in response.context["form"].errors
    assert not Organization.objects.exists()


def test_it_shows_a_country_that_is_not_iso_3166_on_its_field(web, amy):
    response = web.as_(amy).post(NEW, form_data(country="ZZ", siret="", vat_number=""))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["country"]
    assert not Organization.objects.exists()


def test_it_names_a_missing_legal_name_on_the_page(web, amy):
    response = web.as_(amy).post(NEW, form_data(legal_name=""))
    assert list(response.context["form"].errors) == ["legal_name"]
    assert not Organization.objects.exists()


def test_it_names_the_siret_field_for_a_duplicate_on_the_page(web, amy, org_a1):
    response = web.as_(amy).post(NEW, form_data(siret=org_a1.siret, vat_number=""))
    assert list(response.context["form"].errors) == ["siret"]
    assert Organization.objects.count() == 1


@pytest.mark.parametrize("persona", ["bob", "clara", "cody"])
def test_it_refuses_the_create_page_to_read_only_roles(web, request, persona):
    client = web.as_(request.getfixturevalue(persona))
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, form_data()).status_code == 403
    assert not Organization.objects.filter(legal_name="Dupont Informatique SARL").exists()


# --------------------------------------------------------------------------- edit


def test_it_renders_the_edit_page_with_the_current_values(web, amy, org_a1):
    response = web.as_(amy).get(f"{LIST}{org_a1.reference}/edit/")
    assert response.status_code == 200
    assert f'value="{org_a1.siret}"' in text(response)


def test_it_saves_an_edited_organization(web, amy, org_a1):
    response = web.as_(amy).post(f"{LIST}{org_a1.reference}/edit/", edit_data(org_a1, city="Lyon"))
    assert response["Location"] == f"{LIST}{org_a1.reference}/"
    org_a1.refresh_from_db()
    assert org_a1.city == "Lyon"
    assert AuditEvent.objects.get().changes["city"] == ["Paris", "Lyon"]


def test_it_keeps_the_organization_unchanged_on_a_bad_siret(web, amy, org_a1):
    old = org_a1.siret
    response = web.as_(amy).post(f"{LIST}{org_a1.reference}/edit/", edit_data(org_a1, siret="12345678901234", city="Lyon"))
    assert "siret" in response.context["form"].errors
    org_a1.refresh_from_db()
    assert (org_a1.siret, org_a1.city) == (old, "Paris")


@pytest.mark.parametrize("persona", ["bob", "clara"])
def test_it_refuses_the_edit_page_to_read_only_roles(web, request, org_a1, persona):
    client = web.as_(request.getfixturevalue(persona))
    assert client.post(f"{LIST}{org_a1.reference}/edit/", edit_data(org_a1, city="Lyon")).status_code == 403
    org_a1.refresh_from_db()
    assert org_a1.city == "Paris"


def test_it_hides_other_tenants_organization_edit_page(web, carol, org_a1):
    assert web.as_(carol).get(f"{LIST}{org_a1.reference}/edit/").status_code == 404


# --------------------------------------------------------------------------- contacts


def test_it_adds_a_contact_from_the_page(web, amy, org_a1):
    response = web.as_(amy).post(f"{LIST}{org_a1.reference}/contacts/new/", CONTACT)
    assert response["Location"] == f"{LIST}{org_a1.reference}/"
    assert Contact.objects.get().organization == org_a1


def test_it_names_a_missing_contact_name_on_the_page(web, amy, org_a1):
    response = web.as_(amy).post(f"{LIST}{org_a1.reference}/contacts/new/", {**CONTACT, "first_name": ""})
    assert list(response.context["form"].errors) == ["first_name"]
    assert not Contact.objects.exists()


def test_it_edits_a_contact_from_the_page(web, amy, org_a1):
    contact = ContactFactory(organization=org_a1)
    web.as_(amy).post(f"{LIST}{org_a1.reference}/contacts/{contact.pk}/edit/", {**CONTACT, "job_title": "Comptable"})
    contact.refresh_from_db()
    assert (contact.last_name, contact.job_title) == ("Benali", "Comptable")


def test_it_deletes_a_contact_from_the_page(web, amy, org_a1):
    contact = ContactFactory(organization=org_a1)
    response = web.as_(amy).post(f"{LIST}{org_a1.reference}/contacts/{contact.pk}/delete/")
    assert response.status_code == 302
    assert not Contact.objects.exists()


def test_it_deletes_a_contact_only_on_post(web, amy, org_a1):
    contact = ContactFactory(organization=org_a1)
    assert web.as_(amy).get(f"{LIST}{org_a1.reference}/contacts/{contact.pk}/delete/").status_code == 405
    assert Contact.objects.exists()


def test_it_hides_a_contact_of_another_organization_from_the_contact_pages(web, amy, org_a1, org_a2):
    other = ContactFactory(organization=org_a2)
    client = web.as_(amy)
    assert client.get(f"{LIST}{org_a1.reference}/contacts/{other.pk}/edit/").status_code == 404
    assert client.post(f"{LIST}{org_a1.reference}/contacts/{other.pk}/delete/").status_code == 404
    assert Contact.objects.filter(pk=other.pk).exists()


@pytest.mark.parametrize("persona", ["bob", "clara"])
def test_it_refuses_the_contact_pages_to_read_only_roles(web, request, org_a1, persona):
    contact = ContactFactory(organization=org_a1)
    client = web.as_(request.getfixturevalue(persona))
    assert client.post(f"{LIST}{org_a1.reference}/contacts/new/", CONTACT).status_code == 403
    assert client.post(f"{LIST}{org_a1.reference}/contacts/{contact.pk}/delete/").status_code == 403
    assert Contact.objects.count() == 1


def test_it_hides_other_tenants_contact_pages(web, carol, org_a1):
    contact = ContactFactory(organization=org_a1)
    assert web.as_(carol).get(f"{LIST}{org_a1.reference}/contacts/{contact.pk}/edit/").status_code == 404
    assert web.as_(carol).post(f"{LIST}{org_a1.reference}/contacts/{contact.pk}/delete/").status_code == 404

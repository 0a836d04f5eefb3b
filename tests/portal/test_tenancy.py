"""portal.tenancy: the one place that works out tenant and role, and fetches by id."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.test import RequestFactory

from contracts.models import Organization
from portal import tenancy
from portal.models import Tenant
from portal.permissions import require
from tests.factories import OrganizationFactory, UserFactory

# --------------------------------------------------------------------------- get_for_tenant


def test_it_fetches_a_row_of_the_tenant(tenant_a, org_a1):
    assert tenancy.get_for_tenant(Organization, tenant_a, reference=org_a1.reference) == org_a1


def test_it_answers_404_for_another_tenants_row(tenant_b, org_a1):
    with pytest.raises(Http404):
        tenancy.get_for_tenant(Organization, tenant_b, reference=org_a1.reference)


def test_it_gives_the_same_message_for_a_missing_row_and_another_tenants(tenant_b, org_a1):
    with pytest.raises(Http404) as hidden:
        tenancy.get_for_tenant(Organization, tenant_b, reference=org_a1.reference)
    with pytest.raises(Http404) as missing:
        tenancy.get_for_tenant(Organization, tenant_b, reference="ORG-0000")
    assert str(hidden.value) == str(missing.value)


def test_it_answers_404_without_a_tenant(org_a1):
    with pytest.raises(Http404):
        tenancy.get_for_tenant(Organization, None, reference=org_a1.reference)


def test_it_answers_404_for_a_malformed_id(tenant_a):
    with pytest.raises(Http404):
        tenancy.get_for_tenant(Organization, tenant_a, pk="not-a-number")


def test_it_keeps_the_filters_of_a_given_queryset(tenant_a, org_a1):
    with pytest.raises(Http404):
        tenancy.get_for_tenant(Organization.objects.filter(kind="provider"), tenant_a, reference=org_a1.reference)


# --------------------------------------------------------------------------- assert_same_tenant


def test_it_accepts_objects_of_one_tenant(org_a1, org_a2):
    tenancy.assert_same_tenant(org_a1, org_a2, None)


def test_it_trips_on_objects_of_several_tenants(org_a1, org_b1):
    with pytest.raises(AssertionError, match="several tenants"):
        tenancy.assert_same_tenant(org_a1, org_b1)


# --------------------------------------------------------------------------- membership


def test_it_finds_the_membership_of_a_user(alice, tenant_a):
    membership = tenancy.membership_for(alice)
    assert (membership.tenant, membership.role) == (tenant_a, "tenant_admin")


def test_it_gives_no_membership_to_a_user_of_an_inactive_tenant(alice, tenant_a):
    Tenant.objects.filter(pk=tenant_a.pk).update(is_active=False)
    assert tenancy.membership_for(type(alice).objects.get(pk=alice.pk)) is None


def test_it_gives_no_membership_to_an_inactive_user(alice):
    alice.is_active = False
    assert tenancy.membership_for(alice) is None


def test_it_gives_no_membership_to_a_user_without_one(db):
    assert tenancy.membership_for(UserFactory()) is None


def test_it_refuses_the_portal_to_a_user_of_an_inactive_tenant(web, alice, tenant_a):
    Tenant.objects.filter(pk=tenant_a.pk).update(is_active=False)
    assert web.as_(alice).get("/dashboard/").status_code == 403


def test_it_refuses_the_api_to_a_user_of_an_inactive_tenant(api, alice, tenant_a):
    Tenant.objects.filter(pk=tenant_a.pk).update(is_active=False)
    assert api.as_(alice).get("/api/v1/organizations/").status_code == 403


# --------------------------------------------------------------------------- the policy, across tenants


def test_it_lets_an_editor_act_in_its_tenant(amy, tenant_a):
    assert require(amy, "organization.create", tenant=tenant_a).role == "account_manager"


def test_it_refuses_an_editor_acting_in_another_tenant(amy, tenant_b):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        require(amy, "organization.create", tenant=tenant_b)


def test_it_refuses_an_editor_service_call_on_another_tenants_organization(amy, org_b1):
    from django.core.exceptions import PermissionDenied

    from contracts.services import organization_update

    with pytest.raises(PermissionDenied):
        organization_update(organization=org_b1, actor=amy, city="Lyon")
    org_b1.refresh_from_db()
    assert org_b1.city == "Paris"


# --------------------------------------------------------------------------- client IP


def _request(**meta):
    return RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", **meta)


def test_it_takes_the_peer_address_outside_production(settings):
    settings.PRODUCTION = False
    assert tenancy.client_ip(_request(HTTP_X_FORWARDED_FOR="198.51.100.20")) == "10.0.0.2"


def test_it_takes_the_forwarded_address_behind_the_proxy_in_production(settings):
    settings.PRODUCTION = True
    assert tenancy.client_ip(_request(HTTP_X_FORWARDED_FOR="198.51.100.20")) == "198.51.100.20"


def test_it_ignores_an_address_forged_by_the_client_in_production(settings):
    # The client sent "X-Forwarded-For: 6.6.6.6"; the proxy appended the address it saw.
    settings.PRODUCTION = True
    assert tenancy.client_ip(_request(HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.20")) == "198.51.100.20"


def test_it_takes_the_peer_address_in_production_without_a_proxy_header(settings):
    settings.PRODUCTION = True
    assert tenancy.client_ip(_request()) == "10.0.0.2"


def test_it_records_the_request_ip_in_the_audit_log(api, amy, tenant_a):
    from portal.models import AuditEvent

    org = OrganizationFactory(tenant=tenant_a)
    api.as_(amy).patch(f"/api/v1/organizations/{org.reference}/", {"city": "Lyon"}, format="json", REMOTE_ADDR="10.9.8.7")
    assert AuditEvent.objects.get().ip_address == "10.9.8.7"

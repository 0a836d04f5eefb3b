"""Reading parties: organisations (clients and the provider's own entity) and their
contacts. Every selector takes the tenant and the viewer and filters in SQL."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from contracts.models import Contact, Organization
from portal.models import Membership
from portal.tenancy import get_for_tenant


def _check(tenant, viewer: Membership) -> None:
    assert viewer.tenant_id == tenant.id, "viewer of another tenant"


def organization_list(*, tenant, viewer: Membership, kind: str | None = None, search: str = "") -> QuerySet[Organization]:
    _check(tenant, viewer)
    qs = Organization.objects.filter(tenant=tenant)
    if viewer.is_client:
        qs = qs.filter(pk=viewer.organization_id)
    if kind:
        qs = qs.filter(kind=kind)
    if search:
        qs = organization_search(qs, search)
    return qs.annotate(contact_count=Count("contacts")).order_by("legal_name", "pk")


def organization_search(qs: QuerySet[Organization], search: str) -> QuerySet[Organization]:
    search = search.strip()
    return qs.filter(
        Q(legal_name__icontains=search) | Q(trade_name__icontains=search) | Q(siret__startswith=search.replace(" ", ""))
        | Q(reference__iexact=search) | Q(city__icontains=search)
    )


def organization_get(*, tenant, viewer: Membership, reference: str) -> Organization:
    """The organisation `reference` as `viewer` may see it, or Http404."""
    _check(tenant, viewer)
    qs = Organization.objects.all()
    if viewer.is_client:
        qs = qs.filter(pk=viewer.organization_id)
    return get_for_tenant(qs, tenant, reference=reference)


def contact_list(*, organization: Organization) -> QuerySet[Contact]:
    return organization.contacts.filter(tenant_id=organization.tenant_id).order_by("last_name", "first_name", "pk")


def contact_get(*, organization: Organization, contact_id) -> Contact:
    """A contact looked up through its organisation (never by bare id)."""
    return get_for_tenant(organization.contacts.all(), organization.tenant, pk=contact_id)


def provider_organization(*, tenant) -> Organization | None:
    """The tenant's own legal entity (the provider party of its contracts)."""
    return Organization.objects.filter(tenant=tenant, kind="provider").order_by("pk").first()

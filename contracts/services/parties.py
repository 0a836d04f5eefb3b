"""Changing parties. One function per use case; each asks the policy, validates fully,
saves in a transaction and writes the audit log."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from contracts.models import Contact, Organization
from portal.audit import audit_log, changed, snapshot
from portal.permissions import require
from portal.sequences import sequence_next

__all__ = [
    "CONTACT_FIELDS", "ORGANIZATION_FIELDS", "contact_create", "contact_delete", "contact_update",
    "organization_create", "organization_update",
]

ORGANIZATION_FIELDS = (
    "kind", "legal_name", "trade_name", "legal_form", "siret", "vat_number", "address_line1", "address_line2",
    "postal_code", "city", "country", "legal_rep_name", "legal_rep_title", "email", "phone", "is_active", "notes",
)
CONTACT_FIELDS = ("role", "first_name", "last_name", "job_title", "email", "phone")


def _only(data: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    return data


def _save_unique(org: Organization) -> None:
    """Save, turning a lost race on the (tenant, SIRET) constraint into a field error:
    full_clean() checked it, but a concurrent request may have inserted meanwhile."""
    try:
        with transaction.atomic():
            org.save()
    except IntegrityError as exc:
        raise ValidationError({"siret": [_("An organisation with this SIRET already exists.")]}) from exc


@transaction.atomic
def organization_create(*, tenant, actor, **data) -> Organization:
    require(actor, "organization.create", tenant=tenant)
    org = Organization(tenant=tenant, **_only(data, ORGANIZATION_FIELDS))
    org.full_clean(exclude=["reference"])
    org.reference = f"ORG-{sequence_next(tenant=tenant, key='organization'):04d}"
    _save_unique(org)
    audit_log(
        tenant=tenant, actor=actor, action="organization.create", obj=org,
        changes=snapshot(org, ORGANIZATION_FIELDS), organization=org if org.is_client else None,
    )
    return org


@transaction.atomic
def organization_update(*, organization: Organization, actor, **data) -> Organization:
    require(actor, "organization.update", organization)
    org = Organization.objects.select_for_update().get(pk=organization.pk, tenant_id=organization.tenant_id)
    before = snapshot(org, ORGANIZATION_FIELDS)
    for name, value in _only(data, ORGANIZATION_FIELDS).items():
        setattr(org, name, value)
    org.full_clean()
    diff = changed(before, snapshot(org, ORGANIZATION_FIELDS))
    if diff:
        _save_unique(org)
        audit_log(
            tenant=org.tenant, actor=actor, action="organization.update", obj=org, changes=diff,
            organization=org if org.is_client else None,
        )
    return org


@transaction.atomic
def contact_create(*, organization: Organization, actor, **data) -> Contact:
    require(actor, "contact.create", organization)
    contact = Contact(tenant=organization.tenant, organization=organization, **_only(data, CONTACT_FIELDS))
    contact.full_clean()
    contact.save()
    audit_log(
        tenant=organization.tenant, actor=actor, action="contact.create", obj=contact,
        object_ref=f"{organization.reference}/{contact.pk}", changes=snapshot(contact, CONTACT_FIELDS),
        organization=organization if organization.is_client else None,
    )
    return contact


@transaction.atomic
def contact_update(*, contact: Contact, actor, **data) -> Contact:
    require(actor, "contact.update", contact)
    before = snapshot(contact, CONTACT_FIELDS)
    for name, value in _only(data, CONTACT_FIELDS).items():
        setattr(contact, name, value)
    contact.full_clean()
    diff = changed(before, snapshot(contact, CONTACT_FIELDS))
    if diff:
        contact.save()
        org = contact.organization
        audit_log(
            tenant=contact.tenant, actor=actor, action="contact.update", obj=contact,
            object_ref=f"{org.reference}/{contact.pk}", changes=diff, organization=org if org.is_client else None,
        )
    return contact


@transaction.atomic
def contact_delete(*, contact: Contact, actor) -> None:
    require(actor, "contact.delete", contact)
    org = contact.organization
    audit_log(
        tenant=contact.tenant, actor=actor, action="contact.delete", obj=contact,
        object_ref=f"{org.reference}/{contact.pk}", changes=snapshot(contact, CONTACT_FIELDS),
        organization=org if org.is_client else None,
    )
    contact.delete()

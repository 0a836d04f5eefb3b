"""I/O only: what the organisation and contact endpoints read and write."""

from __future__ import annotations

from rest_framework import serializers

from contracts.models import Contact, Organization
from contracts.services import CONTACT_FIELDS, ORGANIZATION_FIELDS
from portal.api.fields import ModelSerializer
from portal.api.visibility import client_variant_of


class ContactSerializer(ModelSerializer):
    class Meta:
        model = Contact
        fields = ["id", *CONTACT_FIELDS, "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class OrganizationSerializer(ModelSerializer):
    siren = serializers.CharField(read_only=True)

    class Meta:
        model = Organization
        fields = ["reference", *ORGANIZATION_FIELDS, "siren", "created_at", "updated_at"]
        read_only_fields = ["reference", "siren", "created_at", "updated_at"]
        # Uniqueness is checked by the model (with the tenant) in the service.
        validators: list = []
        # Room for a SIRET typed in groups; the model stores it compact (14 digits).
        extra_kwargs = {
            "siret": {"max_length": 20, "help_text": "14 digits (spaces allowed), with a valid check digit. Required "
                                                     "for a company registered in France (country FR); unique in your "
                                                     "tenant."},
            "vat_number": {"help_text": "EU VAT number with its country prefix, e.g. FR44732829320. A French "
                                        "company's number embeds the SIREN (the first 9 digits of the SIRET)."},
            "country": {"help_text": "ISO 3166-1 alpha-2 code, e.g. FR (any case)."},
        }


@client_variant_of(OrganizationSerializer)
class ClientOrganizationSerializer(OrganizationSerializer):
    """A client reading its own organisation: without the provider's notes about it
    (its organisation page does not show them)."""

    class Meta(OrganizationSerializer.Meta):
        fields = [f for f in OrganizationSerializer.Meta.fields if f != "notes"]
        read_only_fields = fields

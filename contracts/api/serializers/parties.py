"""I/O only: what the organisation and contact endpoints read and write."""

from __future__ import annotations

from rest_framework import serializers

from contracts.models import Contact, Organization
from contracts.services import CONTACT_FIELDS, ORGANIZATION_FIELDS
from portal.api.visibility import client_variant_of


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = ["id", *CONTACT_FIELDS, "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class OrganizationSerializer(serializers.ModelSerializer):
    siren = serializers.CharField(read_only=True)

    class Meta:
        model = Organization
        fields = ["reference", *ORGANIZATION_FIELDS, "siren", "created_at", "updated_at"]
        read_only_fields = ["reference", "siren", "created_at", "updated_at"]
        # Uniqueness is checked by the model (with the tenant) in the service.
        validators: list = []
        # Room for a SIRET typed in groups; the model stores it compact (14 digits).
        extra_kwargs = {"siret": {"max_length": 20}}


@client_variant_of(OrganizationSerializer)
class ClientOrganizationSerializer(OrganizationSerializer):
    """A client reading its own organisation: without the provider's notes about it
    (its organisation page does not show them)."""

    class Meta(OrganizationSerializer.Meta):
        fields = [f for f in OrganizationSerializer.Meta.fields if f != "notes"]
        read_only_fields = fields

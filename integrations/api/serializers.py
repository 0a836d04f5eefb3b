from __future__ import annotations

from rest_framework import serializers

from integrations.models import (
    DataExport,
    DeliveryState,
    ExportStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from portal.api.fields import ModelSerializer
from portal.events import EVENT_TYPES


class WebhookSerializer(ModelSerializer):
    event_types = serializers.ListField(child=serializers.ChoiceField(choices=list(EVENT_TYPES)))

    class Meta:
        model = WebhookSubscription
        fields = ["id", "name", "url", "event_types", "is_active", "failing_since", "disabled_at", "disabled_reason",
                  "created_at", "updated_at"]


class WebhookCreatedSerializer(WebhookSerializer):
    secret = serializers.CharField(help_text="The signing secret, shown only in this response.")

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]


class WebhookInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    url = serializers.CharField(max_length=500, help_text="A public http(s) address: never a private, loopback "
                                                          "or link-local one (checked on the resolved addresses).")
    event_types = serializers.ListField(child=serializers.ChoiceField(choices=list(EVENT_TYPES)), min_length=1,
                                        max_length=len(EVENT_TYPES))


class WebhookUpdateSerializer(WebhookInputSerializer):
    is_active = serializers.BooleanField(help_text="Turn a disabled subscription back on, or off.")


class WebhookAttemptSerializer(ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["number", "created_at", "status_code", "duration_ms", "error"]


class WebhookDeliverySerializer(ModelSerializer):
    event_id = serializers.UUIDField(source="event.uid")
    event_type = serializers.CharField(source="event.event_type")
    state = serializers.ChoiceField(choices=DeliveryState.choices)
    attempt_log = WebhookAttemptSerializer(many=True)

    class Meta:
        model = WebhookDelivery
        fields = ["id", "event_id", "event_type", "state", "attempts", "last_status_code", "last_error",
                  "next_attempt_at", "delivered_at", "created_at", "attempt_log"]


class DataExportSerializer(ModelSerializer):
    organization = serializers.CharField(source="organization.reference")
    status = serializers.ChoiceField(choices=ExportStatus.choices)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = DataExport
        fields = ["id", "organization", "status", "progress", "step", "files", "size", "sha256", "created_at",
                  "ready_at", "expires_at", "download_url"]

    def get_download_url(self, export) -> str | None:
        return f"/api/v1/exports/{export.pk}/download/" if export.status == ExportStatus.READY else None


class PersonInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254, help_text="The person's e-mail address (a user or a contact).")


class ErasureSerializer(serializers.Serializer):
    contacts = serializers.IntegerField(help_text="Contacts anonymised.")
    account = serializers.BooleanField(help_text="Whether a user account was anonymised and closed.")

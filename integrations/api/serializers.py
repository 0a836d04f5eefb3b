from __future__ import annotations

from rest_framework import serializers

from integrations.models import (
    DataExport,
    DeliveryState,
    ExportStatus,
    InboundState,
    MailboxSecurity,
    QuarantineReason,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from portal.api.fields import DateTimeField, ModelSerializer
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


# ---------------------------------------------------------------------- tickets by e-mail


class MailboxSerializer(serializers.Serializer):
    """The support mailbox; its password is never returned."""

    host = serializers.CharField()
    port = serializers.IntegerField()
    security = serializers.ChoiceField(choices=MailboxSecurity.choices)
    username = serializers.CharField()
    has_password = serializers.SerializerMethodField()
    folder = serializers.CharField()
    address = serializers.EmailField(allow_blank=True)
    enabled = serializers.BooleanField()
    last_polled_at = DateTimeField(allow_null=True, help_text="When the mailbox was last read.")
    last_error = serializers.CharField(help_text="Why the last reading failed (empty when it worked).")

    def get_has_password(self, mailbox) -> bool:
        return bool(mailbox.password)


class MailboxInputSerializer(serializers.Serializer):
    host = serializers.CharField(max_length=255)
    port = serializers.IntegerField(min_value=1, max_value=65535)
    security = serializers.ChoiceField(choices=MailboxSecurity.choices)
    username = serializers.CharField(max_length=255)
    password = serializers.CharField(max_length=255, required=False, allow_blank=True, default="",
                                     write_only=True, help_text="Omitted or empty: the saved one is kept.")
    folder = serializers.CharField(max_length=255, default="INBOX")
    address = serializers.EmailField(required=False, allow_blank=True,
                                     help_text="The address clients write to (its own messages are loops).")
    enabled = serializers.BooleanField(default=False)


class InboundMessageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sender = serializers.CharField()
    subject = serializers.CharField()
    received_at = DateTimeField()
    raw_size = serializers.IntegerField(help_text="Size of the message as received (bytes).")
    state = serializers.ChoiceField(choices=InboundState.choices)
    reason = serializers.ChoiceField(choices=QuarantineReason.choices, allow_blank=True)
    detail = serializers.CharField()
    ticket = serializers.CharField(source="ticket.reference", allow_null=True, default=None)


class ReleaseInputSerializer(serializers.Serializer):
    sender = serializers.EmailField(help_text="The client user or contact the message is written as.")

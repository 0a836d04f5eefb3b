from __future__ import annotations

from rest_framework import serializers

from integrations.models import DeliveryState, WebhookAttempt, WebhookDelivery, WebhookSubscription
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

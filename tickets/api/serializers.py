"""I/O only for the ticket endpoints."""

from __future__ import annotations

from rest_framework import serializers

from portal.api.fields import DateField, DateTimeField, ModelSerializer, PlainTextField
from portal.api.visibility import client_variant_of, shared
from sla.models import Level, MaintenanceType, Priority
from tickets.models import (
    Attachment,
    CannedReply,
    Intervention,
    InterventionMode,
    RatingScore,
    Ticket,
    TicketEvent,
    TicketMessage,
    TicketRating,
    TicketStatus,
)


class MetricSerializer(serializers.Serializer):
    """One SLA metric as SLA.md R14 defines it."""

    target_minutes = serializers.IntegerField(allow_null=True)
    state = serializers.ChoiceField(choices=["running", "paused", "completed"])
    breached = serializers.BooleanField()
    deadline = DateTimeField(allow_null=True)
    warning_at = DateTimeField(allow_null=True)
    breached_at = DateTimeField(allow_null=True)
    completed_at = DateTimeField(allow_null=True)
    elapsed_business_minutes = serializers.IntegerField()
    remaining_business_minutes = serializers.IntegerField(allow_null=True)


class SlaSerializer(serializers.Serializer):
    response = MetricSerializer(allow_null=True)
    resolution = MetricSerializer(allow_null=True)


class TicketSerializer(ModelSerializer):
    contract = serializers.CharField(source="contract.reference")
    organization = serializers.CharField(source="organization.reference")
    assignee = serializers.EmailField(source="assignee.email", allow_null=True, default=None)
    requester = serializers.EmailField(source="requester.email", allow_null=True, default=None)
    sla_due_at = DateTimeField(allow_null=True)

    class Meta:
        model = Ticket
        fields = ["reference", "title", "status", "priority", "impact", "urgency", "maintenance_type", "source",
                  "contract", "organization", "assignee", "requester", "sla_due_at", "sla_breached", "sla_paused",
                  "sla_warning", "created_at", "updated_at", "resolved_at", "closed_at"]
        read_only_fields = fields


# The columns the queue's list reads, as plain values (no model instances: building the
# ticket and its four related objects, and decoding the SLA state nobody lists, were most
# of the list's Python time). `id` and `created_at` also serve the cursor pagination.
ROW_FIELDS = ("id", "reference", "title", "status", "priority", "impact", "urgency", "maintenance_type", "source",
              "contract__reference", "organization__reference", "assignee__email", "requester__email",
              "sla_due_at", "sla_breached", "sla_paused", "sla_warning", "created_at", "updated_at",
              "resolved_at", "closed_at")


def ticket_row_values(tickets):
    """The list's queryset as the plain values `ticket_rows` prints."""
    return tickets.select_related(None).values(*ROW_FIELDS)


def _instant_printer():
    """DateTimeField's `to_representation` (ISO 8601 in the current zone, "Z" for UTC)
    for the many instants of a list, the zone looked up once instead of per value (five
    instants a row: DRF's generic path was a sixth of the list's time)."""
    from django.utils import timezone
    from rest_framework.settings import api_settings

    if api_settings.DATETIME_FORMAT.lower() != "iso-8601":
        return DateTimeField().to_representation
    zone = timezone.get_current_timezone()

    def moment(value):
        if not value:
            return None
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    return moment


def ticket_rows(rows) -> list[dict]:
    """What `TicketSerializer` answers for each ticket, built directly from the values of
    `ticket_row_values`: the queue's list is the API's hot path, and the generic field
    machinery cost more than the SQL on a page of 50 (the schema still comes from
    TicketSerializer; tests/tickets/test_api.py checks both give the same)."""
    moment = _instant_printer()
    return [{
        "reference": r["reference"], "title": r["title"], "status": r["status"], "priority": r["priority"],
        "impact": r["impact"], "urgency": r["urgency"], "maintenance_type": r["maintenance_type"],
        "source": r["source"], "contract": r["contract__reference"], "organization": r["organization__reference"],
        "assignee": r["assignee__email"], "requester": r["requester__email"],
        "sla_due_at": moment(r["sla_due_at"]), "sla_breached": r["sla_breached"], "sla_paused": r["sla_paused"],
        "sla_warning": r["sla_warning"], "created_at": moment(r["created_at"]), "updated_at": moment(r["updated_at"]),
        "resolved_at": moment(r["resolved_at"]), "closed_at": moment(r["closed_at"]),
    } for r in rows]


class RatingSerializer(ModelSerializer):
    """The client's satisfaction with a closed ticket."""

    class Meta:
        model = TicketRating
        fields = ["score", "comment", "rated_at"]
        read_only_fields = fields


class RatingWriteSerializer(serializers.Serializer):
    score = serializers.ChoiceField(choices=RatingScore.choices)
    comment = PlainTextField(required=False, allow_blank=True, max_length=2000, default=None)


class SupportDeskSerializer(serializers.Serializer):
    phone = serializers.CharField(required=False, allow_blank=True, max_length=40,
                                  help_text="Digits, spaces and + - . ( ) only.")
    email = serializers.EmailField(required=False, allow_blank=True)
    hours_note = serializers.CharField(required=False, allow_blank=True, max_length=300,
                                       help_text="A sentence about the hours, shown to clients.")


class WorkSerializer(serializers.Serializer):
    """The ticket page's composer in one call (tickets.services.ticket_work)."""

    body = PlainTextField(required=False, allow_blank=True, default="",
                          help_text="The reply, or the internal note; the question for the client when waiting on "
                                    "them, what was done when resolving (both public), the work's description when "
                                    "`minutes` is given.")
    internal = serializers.BooleanField(required=False, default=False,
                                        help_text="An internal note, never shown to the client.")
    next_status = serializers.ChoiceField(
        choices=[("in_progress", "in_progress"), ("waiting_on_client", "waiting_on_client"),
                 ("resolved", "resolved")], required=False, default="in_progress",
        help_text="What happens next: keep in progress, wait for the client's answer (the SLA pauses) or resolved "
                  "(the client is asked to accept).")
    minutes = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1,
                                       max_value=24 * 60, help_text="Time spent, logged as an intervention today.")
    mode = serializers.ChoiceField(choices=InterventionMode.choices, required=False, default=InterventionMode.REMOTE,
                                   help_text="The intervention's mode, when `minutes` is given.")
    billable = serializers.BooleanField(required=False, default=True,
                                        help_text="Whether the logged time is billable.")
    idempotency_key = serializers.CharField(required=False, allow_blank=True, default="", max_length=64,
                                            help_text="A retried call with the same key changes nothing more.")


class TicketDetailSerializer(TicketSerializer):
    covered_item = serializers.CharField(source="covered_item.name", allow_null=True, default=None)
    sla = serializers.SerializerMethodField()
    # The client's satisfaction once the ticket is closed and rated (null until then).
    rating_score = serializers.CharField(source="rating.score", allow_null=True, default=None, read_only=True,
                                         help_text="good or bad")
    rating_comment = serializers.CharField(source="rating.comment", allow_null=True, default=None, read_only=True)
    rated_at = DateTimeField(source="rating.rated_at", allow_null=True, default=None, read_only=True)

    class Meta(TicketSerializer.Meta):
        fields = [*TicketSerializer.Meta.fields, "description", "covered_item", "priority_reason", "sla", "rating_score",
                  "rating_comment", "rated_at"]
        read_only_fields = fields

    def get_sla(self, ticket) -> SlaSerializer:
        # Through the declared serializer, so that the API shows exactly the R14 fields
        # (the cache also keeps internal ones, e.g. the scan's target_version).
        state = ticket.sla_state or {}
        return shared(SlaSerializer).to_representation({"response": state.get("response"),
                                                       "resolution": state.get("resolution")})


class TicketCreateSerializer(serializers.Serializer):
    contract = serializers.CharField(help_text="Reference of an active contract (of your organisation, for a client), "
                                               "e.g. CTR-2026-0001. A suspended contract takes curative requests "
                                               "only if the provider allows it.")
    title = serializers.CharField(max_length=200)
    description = PlainTextField(help_text="At most 20,000 characters; control characters other than tab and line "
                                           "breaks are removed.")
    maintenance_type = serializers.ChoiceField(
        choices=MaintenanceType.choices, help_text="Covered by the contract; preventive tickets come from its preventive "
                                             "plans only.")
    impact = serializers.ChoiceField(choices=Level.choices, default="medium")
    urgency = serializers.ChoiceField(choices=Level.choices, default="medium")
    covered_item = serializers.IntegerField(required=False, allow_null=True, help_text="Id of a covered item of the contract")
    priority = serializers.ChoiceField(choices=Priority.choices, required=False, allow_null=True,
                                       help_text="Provider staff only: overrides the priority matrix (with a reason)")
    priority_reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class StatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=TicketStatus.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class PrioritySerializer(serializers.Serializer):
    priority = serializers.ChoiceField(choices=Priority.choices)
    reason = serializers.CharField(max_length=300)


class AssignSerializer(serializers.Serializer):
    assignee = serializers.EmailField(allow_null=True, help_text="E-mail of a member of your team; null to unassign")


class MessageSerializer(ModelSerializer):
    author = serializers.EmailField(source="author.email", allow_null=True, default=None, read_only=True)
    body = PlainTextField(help_text="At most 20,000 characters; control characters other than tab and line breaks "
                                    "are removed.")
    idempotency_key = serializers.CharField(required=False, allow_blank=True, default="", max_length=64,
                                            write_only=True)

    class Meta:
        model = TicketMessage
        fields = ["id", "author", "body", "internal", "kind", "created_at", "idempotency_key"]
        read_only_fields = ["id", "author", "kind", "created_at"]


class InterventionSerializer(ModelSerializer):
    technician = serializers.EmailField(source="technician.email", read_only=True)
    mode = serializers.ChoiceField(choices=InterventionMode.choices)
    minutes = serializers.IntegerField(min_value=1, max_value=24 * 60)
    date = DateField(help_text="The day of the work, in the zone of the ticket's calendar: from one year back to "
                               "tomorrow.")
    description = PlainTextField()

    class Meta:
        model = Intervention
        fields = ["id", "technician", "date", "minutes", "mode", "billable", "description", "created_at"]
        read_only_fields = ["id", "technician", "created_at"]


class AttachmentSerializer(ModelSerializer):
    uploaded_by = serializers.EmailField(source="uploaded_by.email", allow_null=True, default=None)

    class Meta:
        model = Attachment
        fields = ["id", "filename", "content_type", "size", "sha256", "uploaded_by", "created_at"]
        read_only_fields = fields


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class EventSerializer(ModelSerializer):
    actor = serializers.EmailField(source="actor.email", allow_null=True, default=None)

    class Meta:
        model = TicketEvent
        fields = ["at", "kind", "actor", "from_value", "to_value", "reason", "response_minutes", "resolution_minutes"]
        read_only_fields = fields


# --------------------------------------------------------------------------- client roles
# What a client's ticket page shows them, and nothing more (portal.api.visibility).


@client_variant_of(TicketDetailSerializer)
class ClientTicketDetailSerializer(TicketDetailSerializer):
    """Without the provider's reason for the priority (the page does not show it)."""

    class Meta(TicketDetailSerializer.Meta):
        fields = [f for f in TicketDetailSerializer.Meta.fields if f != "priority_reason"]
        read_only_fields = fields


@client_variant_of(InterventionSerializer)
class ClientInterventionSerializer(InterventionSerializer):
    """Without whether the work is billable (the page shows that to the provider only)."""

    class Meta(InterventionSerializer.Meta):
        fields = [f for f in InterventionSerializer.Meta.fields if f != "billable"]


class CannedReplySerializer(ModelSerializer):
    title = serializers.CharField(max_length=120)
    body = PlainTextField()

    class Meta:
        model = CannedReply
        fields = ["id", "title", "language", "body", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]

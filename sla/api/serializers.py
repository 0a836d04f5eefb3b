"""I/O only for the SLA endpoints."""

from __future__ import annotations

from rest_framework import serializers

from portal.api.fields import DateField, DateTimeField, ModelSerializer, refuse_unread_fields
from sla.models import Level, MaintenanceType, Priority, SlaPolicy, SlaTarget
from sla.selectors import calendar_versions
from sla.services import MAX_TARGET_MINUTES


class HolidaySerializer(serializers.Serializer):
    date = DateField()
    name = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)

    def validate(self, attrs):
        # A calendar PATCH is partial, and DRF then lets nested items skip their required
        # fields: a holiday without a date must still be refused.
        if "date" not in attrs:
            raise serializers.ValidationError({"date": [serializers.Field.default_error_messages["required"]]})
        return attrs


class CalendarVersionSerializer(serializers.Serializer):
    effective_from = DateTimeField()
    timezone = serializers.CharField()
    always_open = serializers.BooleanField()
    hours = serializers.JSONField()
    holidays = HolidaySerializer(many=True)


class CalendarSerializer(serializers.Serializer):
    """A calendar with its current schedule; `versions` is its history (R16)."""

    code = serializers.SlugField(max_length=60)
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    timezone = serializers.CharField(max_length=64, help_text="IANA zone, e.g. Europe/Paris")
    always_open = serializers.BooleanField(
        required=False, default=False,
        help_text="Open 24/7: hours are ignored and the calendar has no holidays.")
    hours = serializers.JSONField(
        required=False, default=dict,
        help_text='Weekday (mon…sun) -> intervals ["HH:MM", "HH:MM"], each starting before it ends (24:00 allowed '
                  'as an end), not overlapping, e.g. {"mon": [["09:00", "12:00"], ["14:00", "18:00"]]}; absent '
                  "weekdays are closed. Unless always_open, at least one open interval is required. A change adds a "
                  "version effective now: time already counted stays counted.",
    )
    holidays = HolidaySerializer(many=True, required=False, default=list,
                                 help_text="Closed days, local dates in the calendar's zone (none when always_open).")
    versions = CalendarVersionSerializer(many=True, read_only=True)

    def validate(self, attrs):
        refuse_unread_fields(self, attrs)
        return attrs

    def to_representation(self, calendar):
        versions = calendar_versions(calendar)
        current = versions[-1]
        return {
            "code": calendar.code,
            "name": calendar.name,
            "description": calendar.description,
            "timezone": current.timezone,
            "always_open": current.always_open,
            "hours": current.hours,
            "holidays": current.holidays,
            "versions": CalendarVersionSerializer(versions, many=True).data,
        }


class ImportHolidaysSerializer(serializers.Serializer):
    country = serializers.CharField(max_length=3, help_text="ISO 3166 code, e.g. FR")
    first_year = serializers.IntegerField(min_value=1990, max_value=2100,
                                          help_text="At most 30 years, up to last_year")
    last_year = serializers.IntegerField(min_value=1990, max_value=2100)
    subdiv = serializers.CharField(required=False, allow_blank=True, default="")


class SlaTargetSerializer(ModelSerializer):
    maintenance_type = serializers.ChoiceField(
        choices=MaintenanceType.choices, required=False, allow_blank=True, default="",
        help_text="Empty: any maintenance type without a target of its own.",
    )
    response_minutes = serializers.IntegerField(allow_null=True, required=False, default=None,
                                                max_value=MAX_TARGET_MINUTES)
    resolution_minutes = serializers.IntegerField(allow_null=True, required=False, default=None,
                                                  max_value=MAX_TARGET_MINUTES)

    class Meta:
        model = SlaTarget
        fields = ["priority", "maintenance_type", "response_minutes", "resolution_minutes"]
        validators: list = []


class SlaPolicySerializer(ModelSerializer):
    calendar = serializers.SlugField(source="calendar.code", help_text="Code of a business calendar")
    targets = SlaTargetSerializer(
        many=True,
        help_text="Replaces the whole set. At most one target per priority and maintenance type; each gives a "
                  "response or a resolution target (or both) in business minutes of the calendar, the resolution "
                  "not shorter than the response.",
    )

    class Meta:
        model = SlaPolicy
        fields = ["code", "name", "description", "calendar", "warning_percent", "availability_target", "is_active", "targets"]
        validators: list = []


class MatrixCellSerializer(serializers.Serializer):
    impact = serializers.ChoiceField(choices=Level.choices)
    urgency = serializers.ChoiceField(choices=Level.choices)
    priority = serializers.ChoiceField(choices=Priority.choices)


class PriorityMatrixSerializer(serializers.Serializer):
    cells = MatrixCellSerializer(many=True)


class SimulationQuerySerializer(serializers.Serializer):
    start = DateTimeField(help_text="When the ticket would be created (ISO 8601 with offset), between 1990 and 2100")
    priority = serializers.ChoiceField(choices=Priority.choices)
    maintenance_type = serializers.ChoiceField(choices=MaintenanceType.choices, required=False, allow_blank=True,
                                               default="", help_text="Empty: any maintenance type")


class TimelineSegmentSerializer(serializers.Serializer):
    start = DateTimeField()
    end = DateTimeField()
    kind = serializers.ChoiceField(choices=["business", "closed", "paused"])
    minutes = serializers.IntegerField()
    counted_minutes = serializers.IntegerField(help_text="Business minutes counted from the start to this segment's end")


class SimulatedMetricSerializer(serializers.Serializer):
    target_minutes = serializers.IntegerField()
    warning_at = DateTimeField()
    deadline = DateTimeField()
    timeline = TimelineSegmentSerializer(many=True)


class SimulationSerializer(serializers.Serializer):
    """Where a ticket's deadlines would fall; a metric without a target is null."""

    priority = serializers.ChoiceField(choices=Priority.choices)
    maintenance_type = serializers.ChoiceField(choices=MaintenanceType.choices, allow_blank=True)
    start = DateTimeField(help_text="The start, in the calendar's zone")
    response = SimulatedMetricSerializer(allow_null=True)
    resolution = SimulatedMetricSerializer(allow_null=True)

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
    always_open = serializers.BooleanField(required=False, default=False)
    hours = serializers.JSONField(
        required=False, default=dict,
        help_text='Weekday -> intervals, e.g. {"mon": [["09:00", "12:00"], ["14:00", "18:00"]]}; absent weekdays are closed.',
    )
    holidays = HolidaySerializer(many=True, required=False, default=list)
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
    first_year = serializers.IntegerField(min_value=1990, max_value=2100)
    last_year = serializers.IntegerField(min_value=1990, max_value=2100)
    subdiv = serializers.CharField(required=False, allow_blank=True, default="")


class SlaTargetSerializer(ModelSerializer):
    maintenance_type = serializers.ChoiceField(
        choices=[("", "any"), *MaintenanceType.choices], required=False, allow_blank=True, default=""
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
    targets = SlaTargetSerializer(many=True)

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
    maintenance_type = serializers.ChoiceField(choices=[("", "any"), *MaintenanceType.choices], required=False, default="")

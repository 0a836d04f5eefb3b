"""I/O only for the SLA endpoints."""

from __future__ import annotations

from rest_framework import serializers

from sla.models import Level, MaintenanceType, Priority, SlaPolicy, SlaTarget
from sla.selectors import calendar_versions


class HolidaySerializer(serializers.Serializer):
    date = serializers.DateField()
    name = serializers.CharField(required=False, allow_blank=True, default="")


class CalendarVersionSerializer(serializers.Serializer):
    effective_from = serializers.DateTimeField()
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
    first_year = serializers.IntegerField(min_value=1970, max_value=2100)
    last_year = serializers.IntegerField(min_value=1970, max_value=2100)
    subdiv = serializers.CharField(required=False, allow_blank=True, default="")


class SlaTargetSerializer(serializers.ModelSerializer):
    maintenance_type = serializers.ChoiceField(
        choices=[("", "any"), *MaintenanceType.choices], required=False, allow_blank=True, default=""
    )
    response_minutes = serializers.IntegerField(allow_null=True, required=False, default=None)
    resolution_minutes = serializers.IntegerField(allow_null=True, required=False, default=None)

    class Meta:
        model = SlaTarget
        fields = ["priority", "maintenance_type", "response_minutes", "resolution_minutes"]
        validators: list = []


class SlaPolicySerializer(serializers.ModelSerializer):
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
    start = serializers.DateTimeField(help_text="When the ticket would be created (ISO 8601 with offset)")
    priority = serializers.ChoiceField(choices=Priority.choices)
    maintenance_type = serializers.ChoiceField(choices=[("", "any"), *MaintenanceType.choices], required=False, default="")

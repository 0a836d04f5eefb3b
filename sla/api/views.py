from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.idempotency import ConditionalMixin
from portal.api.permissions import PolicyPermission
from portal.tenancy import get_for_tenant
from sla import selectors, services
from sla.api.serializers import (
    CalendarSerializer,
    ImportHolidaysSerializer,
    PriorityMatrixSerializer,
    SimulationQuerySerializer,
    SimulationSerializer,
    SlaPolicySerializer,
)
from sla.models import BusinessCalendar, SlaPolicy


class CalendarViewSet(ConditionalMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                      mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Business calendars (coverage hours). Readable by the provider's staff, edited by
    tenant administrators; a schedule edit adds a version effective now (SLA.md R16)."""
    api_area = "contracts"  # token scope area (portal/api/permissions.py)

    serializer_class = CalendarSerializer
    lookup_url_kwarg = "calendar_code"
    queryset = BusinessCalendar.objects.none()

    def get_queryset(self):
        return selectors.calendar_list(tenant=self.request.tenant, viewer=self.request.membership)

    def get_object(self):
        return selectors.calendar_get(
            tenant=self.request.tenant, viewer=self.request.membership, code=self.kwargs["calendar_code"]
        )

    def create(self, request, *args, **kwargs):
        data = CalendarSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        calendar = services.calendar_create(
            tenant=request.tenant, actor=request.user, code=v["code"], name=v["name"], description=v["description"],
            timezone_name=v["timezone"], always_open=v["always_open"], hours=v["hours"],
            holidays=[{"date": h["date"].isoformat(), "name": h.get("name", "")} for h in v["holidays"]],
        )
        return Response(CalendarSerializer(self._reload(calendar)).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        calendar = self.get_object()
        data = CalendarSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        # What was read, not what was sent: a form field DRF could not read is refused by the serializer.
        v = data.validated_data
        changes = {key: v[key] for key in ("name", "description", "code", "always_open", "hours") if key in v}
        if "timezone" in v:
            changes["timezone_name"] = v["timezone"]
        if "holidays" in v:
            changes["holidays"] = [{"date": h["date"].isoformat(), "name": h.get("name", "")} for h in v["holidays"]]
        calendar = services.calendar_update(calendar=calendar, actor=request.user, **changes)
        return Response(CalendarSerializer(self._reload(calendar)).data)

    def _reload(self, calendar):
        return get_for_tenant(self.get_queryset(), self.request.tenant, pk=calendar.pk)

    @extend_schema(request=ImportHolidaysSerializer, responses=CalendarSerializer)
    @action(detail=True, methods=["post"], url_path="import-holidays")
    def import_holidays(self, request, calendar_code=None):
        """Add the public holidays of a country for a range of years (the `holidays` package)."""
        calendar = self.get_object()
        data = ImportHolidaysSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        calendar = services.calendar_import_holidays(calendar=calendar, actor=request.user, **data.validated_data)
        return Response(CalendarSerializer(self._reload(calendar)).data)


class SlaPolicyViewSet(ConditionalMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                       mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """SLA policies with their targets per priority (and optionally per maintenance
    type), in business minutes of the policy's calendar. `targets` replaces the whole set."""
    api_area = "contracts"  # token scope area (portal/api/permissions.py)

    serializer_class = SlaPolicySerializer
    lookup_url_kwarg = "policy_code"
    queryset = SlaPolicy.objects.none()

    def get_queryset(self):
        return selectors.policy_list(tenant=self.request.tenant, viewer=self.request.membership)

    def get_object(self):
        return selectors.policy_get(tenant=self.request.tenant, viewer=self.request.membership,
                                    code=self.kwargs["policy_code"])

    def _calendar(self, code: str):
        try:
            return selectors.calendar_get(tenant=self.request.tenant, viewer=self.request.membership, code=code)
        except Http404 as exc:  # a bad reference in the body names the field
            raise ValidationError({"calendar": [_("No calendar with code “%(code)s”.") % {"code": code}]}) from exc

    def _input(self, data: dict) -> dict:
        out = dict(data)
        if "calendar" in out:
            out["calendar"] = self._calendar(out.pop("calendar")["code"])
        return out

    def create(self, request, *args, **kwargs):
        data = SlaPolicySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = self._input(data.validated_data)
        policy = services.policy_create(tenant=request.tenant, actor=request.user, **values)
        return Response(SlaPolicySerializer(self._reload(policy)).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        policy = self.get_object()
        data = SlaPolicySerializer(policy, data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        values = self._input(data.validated_data)
        policy = services.policy_update(policy=policy, actor=request.user, **values)
        return Response(SlaPolicySerializer(self._reload(policy)).data)

    def _reload(self, policy):
        return get_for_tenant(self.get_queryset(), self.request.tenant, pk=policy.pk)

    @extend_schema(parameters=[SimulationQuerySerializer], responses=SimulationSerializer)
    @action(detail=True, methods=["get"])
    def simulate(self, request, policy_code=None):
        """Where the deadlines of a ticket created at `start` with `priority` would fall,
        with the timeline that explains them (business time, closed hours, holidays)."""
        policy = self.get_object()
        query = SimulationQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(selectors.policy_simulate(policy=policy, **query.validated_data))


class PriorityMatrixApi(APIView):
    """Impact × urgency → priority (ITIL 3×3 by default). PUT sets cells (tenant admins).
    Provider staff only, like the matrix page: client users see no SLA configuration."""
    api_area = "contracts"  # token scope area (portal/api/permissions.py)

    permission_classes = [PolicyPermission("sla.read")]

    @extend_schema(responses=PriorityMatrixSerializer)
    def get(self, request):
        return Response(self._out(selectors.priority_matrix(tenant=request.tenant)))

    @extend_schema(request=PriorityMatrixSerializer, responses=PriorityMatrixSerializer)
    def put(self, request):
        data = PriorityMatrixSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cells = {(c["impact"], c["urgency"]): c["priority"] for c in data.validated_data["cells"]}
        return Response(self._out(services.priority_matrix_set(tenant=request.tenant, actor=request.user, cells=cells)))

    @staticmethod
    def _out(matrix):
        return {"cells": [{"impact": i, "urgency": u, "priority": p} for (i, u), p in sorted(matrix.items())]}




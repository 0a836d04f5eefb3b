"""The preventive plans of a contract, at the contract's address
(`/api/v1/contracts/{contract_ref}/preventive-plans/`): the plans and their tickets
belong to tickets, the contract they hang on to contracts, which knows nothing of them."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from contracts.selectors import contracts as contract_selectors
from portal.api.fields import DateField
from tickets.plans import plan_create, plan_progress


class PreventivePlanSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    rrule = serializers.CharField(max_length=300, help_text="iCalendar RRULE, e.g. FREQ=MONTHLY;BYDAY=1MO")
    start_date = DateField()
    lead_days = serializers.IntegerField(min_value=0, max_value=60, default=7)
    is_active = serializers.BooleanField(read_only=True)
    planned = serializers.IntegerField(read_only=True)
    done = serializers.IntegerField(read_only=True)
    upcoming = serializers.ListField(child=DateField(), read_only=True)


def _rows(contract) -> list[dict]:
    return [{**{f: getattr(r["plan"], f) for f in ("id", "title", "description", "rrule", "start_date", "lead_days",
                                                    "is_active")},
             "planned": r["planned"], "done": r["done"], "upcoming": r["upcoming"]}
            for r in plan_progress(contract)]


@extend_schema(tags=["contracts"], parameters=[
    OpenApiParameter("contract_ref", str, OpenApiParameter.PATH, description="Contract reference, e.g. CTR-2026-0001")])
class ContractPreventivePlansApi(APIView):
    """Recurring preventive operations (RRULE) with planned vs done; POST adds a plan."""
    api_area = "tickets"  # token scope area (portal/api/permissions.py)

    def _contract(self, request, contract_ref: str):
        return contract_selectors.contract_get(tenant=request.tenant, viewer=request.membership, reference=contract_ref)

    @extend_schema(responses=PreventivePlanSerializer(many=True))
    def get(self, request, contract_ref: str):
        return Response(PreventivePlanSerializer(_rows(self._contract(request, contract_ref)), many=True).data)

    @extend_schema(request=PreventivePlanSerializer, responses={201: PreventivePlanSerializer})
    def post(self, request, contract_ref: str):
        contract = self._contract(request, contract_ref)
        data = PreventivePlanSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = plan_create(contract=contract, actor=request.user, **data.validated_data)
        row = next(r for r in _rows(contract) if r["id"] == plan.pk)
        return Response(PreventivePlanSerializer(row).data, status=status.HTTP_201_CREATED)

"""The dashboards as JSON (/api/v1/dashboard/…): the figures the role's dashboard page
shows, read by the same functions (home.dashboards, tickets.selectors.ticket_counts),
with the charts' data as numbers instead of SVG images.

- /dashboard/: every member: the ticket counts the viewer sees; provider staff also
  get the technician's section (next ticket to take, mine by urgency, today's work);
- /dashboard/contracts/: the account manager's pipeline (policy `dashboard.contracts`);
- /dashboard/service/: the tenant admin's service quality over 12 months (policy
  `dashboard.service`): SLA compliance and backlog per month, breaches by client,
  satisfaction."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from home import dashboards
from portal.api.fields import DateField
from portal.api.permissions import PolicyPermission
from tickets import selectors as ticket_selectors
from tickets.models import TicketStatus

# --------------------------------------------------------------------------- I/O


class CountsSerializer(serializers.Serializer):
    """Clients get `open` and `waiting` only, as their dashboard shows."""

    open = serializers.IntegerField(help_text="Open tickets you see (new, in progress, waiting on the client).")
    waiting = serializers.IntegerField(help_text="Waiting on the client's answer.")
    new = serializers.IntegerField(required=False, help_text="Provider staff only.")
    in_progress = serializers.IntegerField(required=False, help_text="Provider staff only.")
    breached = serializers.IntegerField(required=False, help_text="Open with an SLA deadline missed (provider "
                                                                  "staff only).")
    at_risk = serializers.IntegerField(required=False, help_text="Open with an SLA warning reached, not breached "
                                                                 "(provider staff only).")
    mine = serializers.IntegerField(required=False, help_text="Assigned to you (provider staff only).")
    unassigned = serializers.IntegerField(required=False, help_text="Provider staff only.")


class TicketRowSerializer(serializers.Serializer):
    reference = serializers.CharField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=TicketStatus.choices)
    priority = serializers.CharField()
    client = serializers.CharField(source="organization.reference")
    sla_breached = serializers.BooleanField()


class InterventionRowSerializer(serializers.Serializer):
    ticket = serializers.CharField(source="ticket.reference")
    minutes = serializers.IntegerField()
    mode = serializers.CharField()
    billable = serializers.BooleanField()


class WorkSerializer(serializers.Serializer):
    next_ticket = TicketRowSerializer(required=False, help_text="The head of the unassigned queue: the next "
                                                                "ticket to take (absent when the queue is empty).")
    mine = TicketRowSerializer(many=True, help_text="My open tickets by urgency (at most 15).")
    today_interventions = InterventionRowSerializer(many=True, help_text="The work I logged today.")
    today_minutes = serializers.IntegerField()


class DashboardSerializer(serializers.Serializer):
    role = serializers.CharField()
    tickets = CountsSerializer()
    work = WorkSerializer(required=False, help_text="Provider staff only.")


class ContractRowSerializer(serializers.Serializer):
    reference = serializers.CharField()
    title = serializers.CharField()
    client = serializers.CharField(source="client.reference")


class HorizonRowSerializer(serializers.Serializer):
    contract = ContractRowSerializer()
    kind = serializers.ChoiceField(choices=["notice", "end"], help_text="A notice deadline, or the contract's end.")
    day = DateField()
    days = serializers.IntegerField(help_text="Days from today.")


class StatusCountSerializer(serializers.Serializer):
    status = serializers.CharField()
    label = serializers.CharField(help_text="In the caller's language.")
    count = serializers.IntegerField()


class RevenueSerializer(serializers.Serializer):
    currency = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="Sum of the monthly fees.")
    contracts = serializers.IntegerField()


class PipelineSerializer(serializers.Serializer):
    drafts = ContractRowSerializer(many=True, help_text="Drafts to send (at most 10).")
    awaiting_signature = ContractRowSerializer(many=True, help_text="Sent, not yet signed (at most 10).")
    horizon_days = serializers.IntegerField()
    horizon = HorizonRowSerializer(many=True, help_text="Notice deadlines and ends within `horizon_days`.")
    statuses = StatusCountSerializer(many=True, help_text="Contracts by status (the chart's data).")
    revenue = RevenueSerializer(many=True, help_text="Monthly recurring revenue of the active contracts, per "
                                                     "currency.")


class MonthSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    month = serializers.IntegerField()
    response_total = serializers.IntegerField()
    response_met = serializers.IntegerField()
    response_percent = serializers.FloatField(allow_null=True, help_text="null: no ticket counted that month.")
    resolution_total = serializers.IntegerField()
    resolution_met = serializers.IntegerField()
    resolution_percent = serializers.FloatField(allow_null=True)
    backlog = serializers.IntegerField(help_text="Open tickets at the end of the month (now for the current one).")


class ClientBreachesSerializer(serializers.Serializer):
    reference = serializers.CharField()
    name = serializers.CharField()
    response = serializers.IntegerField()
    resolution = serializers.IntegerField()
    total = serializers.IntegerField()


class SatisfactionSerializer(serializers.Serializer):
    good = serializers.IntegerField()
    bad = serializers.IntegerField()
    percent = serializers.FloatField(allow_null=True, help_text="Share of good ratings (null when nobody rated).")


class ServiceSerializer(serializers.Serializer):
    months = MonthSerializer(many=True, help_text="The last 12 months, oldest first (the charts' data).")
    breaches_by_client = ClientBreachesSerializer(many=True, help_text="The 10 clients with most breaches.")
    satisfaction = SatisfactionSerializer(help_text="The clients' ratings of closed tickets over the 12 months.")


# --------------------------------------------------------------------------- views


class DashboardApi(APIView):
    """The viewer's dashboard figures."""
    api_area = "tickets"  # token scope area (portal/api/permissions.py)

    @extend_schema(responses=DashboardSerializer, examples=[OpenApiExample("A technician", response_only=True, value={
        "role": "technician", "tickets": {"open": 12, "new": 3, "in_progress": 7, "waiting": 2, "breached": 1,
                                          "at_risk": 2, "mine": 4, "unassigned": 3},
        "work": {"next_ticket": {"reference": "TCK-000123", "title": "Disk full on srv-db-01", "status": "new",
                                 "priority": "P1", "client": "ORG-0002", "sla_breached": False},
                 "mine": [], "today_interventions": [{"ticket": "TCK-000118", "minutes": 45, "mode": "remote",
                                                      "billable": True}], "today_minutes": 45}})])
    def get(self, request):
        """The ticket counts you see, and for provider staff the technician's section:
        the next ticket to take, your open tickets by urgency, what you logged today."""
        membership = request.membership
        counts = ticket_selectors.ticket_counts(tenant=request.tenant, viewer=membership)
        answer = {"role": membership.role, "tickets": counts}
        if membership.is_provider:
            work = dashboards.technician(tenant=request.tenant, viewer=membership, today=timezone.localdate())
            answer["work"] = {**{k: v for k, v in work.items() if v is not None},
                              "mine": [ticket for ticket, _badge in work["mine"]]}
        else:
            answer["tickets"] = {"open": counts["open"], "waiting": counts["waiting"]}
        return Response(DashboardSerializer(answer).data)


class DashboardContractsApi(APIView):
    """The account manager's dashboard (account managers and tenant admins)."""
    api_area = "contracts"  # token scope area (portal/api/permissions.py)
    permission_classes = [PolicyPermission("dashboard.contracts")]

    @extend_schema(responses=PipelineSerializer, examples=[OpenApiExample("A pipeline", response_only=True, value={
        "drafts": [{"reference": "CTR-2026-0007", "title": "Printers", "client": "ORG-0003"}],
        "awaiting_signature": [], "horizon_days": 90,
        "horizon": [{"contract": {"reference": "CTR-2026-0001", "title": "Servers", "client": "ORG-0002"},
                     "kind": "notice", "day": "2027-01-31", "days": 59}],
        "statuses": [{"status": "draft", "label": "Draft", "count": 1},
                     {"status": "active", "label": "Active", "count": 4}],
        "revenue": [{"currency": "EUR", "amount": "4350.00", "contracts": 4}]})])
    def get(self, request):
        """Drafts to send, contracts awaiting signature, notice deadlines and ends within
        90 days, contracts by status and the monthly recurring revenue."""
        figures = dashboards.account_manager(tenant=request.tenant, viewer=request.membership,
                                             today=timezone.localdate())
        figures["statuses"] = [{"status": value, "label": str(label), "count": n}
                               for value, label, n in figures["statuses"]]
        return Response(PipelineSerializer(figures).data)


class DashboardServiceApi(APIView):
    """The tenant admin's dashboard (tenant admins)."""
    api_area = "tickets"  # token scope area (portal/api/permissions.py)
    permission_classes = [PolicyPermission("dashboard.service")]

    @extend_schema(responses=ServiceSerializer, examples=[OpenApiExample("A month", response_only=True, value={
        "months": [{"year": 2026, "month": 11, "response_total": 40, "response_met": 38, "response_percent": 95.0,
                    "resolution_total": 35, "resolution_met": 31, "resolution_percent": 88.6, "backlog": 14}],
        "breaches_by_client": [{"reference": "ORG-0002", "name": "Martin SARL", "response": 2, "resolution": 4,
                                "total": 6}],
        "satisfaction": {"good": 42, "bad": 3, "percent": 93.3}})])
    def get(self, request):
        """SLA compliance per month for response and resolution and the backlog at each
        month's end over the last 12 months (the charts' data), breaches by client,
        and the clients' satisfaction. A metric's compliance in a month is the share,
        among the tickets first answered (or resolved) that month or breached that
        month, of those with no breach of it; a month with none has null."""
        figures = dashboards.tenant_admin(tenant=request.tenant, viewer=request.membership, now=timezone.now())
        return Response(ServiceSerializer({
            "months": figures["figures"].months, "breaches_by_client": figures["figures"].breaches_by_client,
            "satisfaction": figures["satisfaction"] or {"good": 0, "bad": 0, "percent": None}}).data)

"""Ticket endpoints. The list is the technicians' queue for provider staff (breached
first, nearest SLA deadline first, paused last); every change runs a service."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from contracts.selectors import contracts as contract_selectors
from portal.api.idempotency import ConditionalMixin
from portal.api.pagination import CursorOrPagePagination
from portal.api.parsers import FormParser, JSONParser, MultiPartParser
from portal.api.permissions import PolicyPermission
from portal.api.visibility import for_viewer, represent, validated
from portal.downloads import file_response
from portal.models import Membership
from portal.permissions import require
from tickets import attachments, desk, selectors, services
from tickets.api.serializers import (
    AssignSerializer,
    AttachmentSerializer,
    AttachmentUploadSerializer,
    CannedReplySerializer,
    EventSerializer,
    InterventionSerializer,
    MessageSerializer,
    PrioritySerializer,
    RatingWriteSerializer,
    StatusSerializer,
    SupportDeskSerializer,
    TicketCreateSerializer,
    TicketDetailSerializer,
    TicketSerializer,
    WorkSerializer,
    ticket_row_values,
    ticket_rows,
)
from tickets.models import CannedReply, Ticket, TicketSource

FILTERS = [
    OpenApiParameter("open", bool, description="Only open tickets (new, in progress, waiting on client)"),
    OpenApiParameter("mine", bool, description="Assigned to me"),
    OpenApiParameter("unassigned", bool),
    OpenApiParameter("client", str, description="Client organisation reference"),
    OpenApiParameter("contract", str, description="Contract reference"),
    OpenApiParameter("priority", str), OpenApiParameter("maintenance_type", str), OpenApiParameter("status", str),
    OpenApiParameter("breached", bool), OpenApiParameter("at_risk", bool, description="Warning reached, not breached"),
    OpenApiParameter("search", str),
]


def _flag(value: str | None) -> bool:
    return (value or "").lower() in ("1", "true", "yes", "on")


class TicketViewSet(ConditionalMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    api_area = "tickets"  # token scope area (portal/api/permissions.py)
    serializer_class = TicketSerializer
    pagination_class = CursorOrPagePagination
    cursor_ordering = ("-created_at", "-id")
    lookup_url_kwarg = "ticket_ref"
    queryset = Ticket.objects.none()
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        p = self.request.query_params
        return selectors.ticket_list(
            tenant=self.request.tenant, viewer=self.request.membership, open_only=_flag(p.get("open")),
            mine=_flag(p.get("mine")), unassigned=_flag(p.get("unassigned")), client_ref=p.get("client", ""),
            contract_ref=p.get("contract", ""), priority=p.get("priority", ""),
            maintenance_type=p.get("maintenance_type", ""), status=p.get("status", ""),
            breached=_flag(p.get("breached")) if "breached" in p else None, at_risk=_flag(p.get("at_risk")),
            search=p.get("search", ""),
        )

    def get_object(self):
        return selectors.ticket_get(tenant=self.request.tenant, viewer=self.request.membership,
                                    reference=self.kwargs["ticket_ref"])

    def _detail(self, ticket, code=status.HTTP_200_OK):
        ticket = selectors.ticket_get(tenant=self.request.tenant, viewer=self.request.membership,
                                      reference=ticket.reference)
        return Response(for_viewer(self.request.membership, TicketDetailSerializer)(ticket).data, status=code)

    @extend_schema(parameters=FILTERS)
    def list(self, request, *args, **kwargs):
        """Provider staff: the queue (breached first, nearest deadline first, paused last).
        Client admins: their organisation's tickets; client users: their own."""
        tickets = self.filter_queryset(self.get_queryset())
        queryset = ticket_row_values(tickets)
        self.count_from = tickets  # counted without the rows' joins
        self.count_order = selectors.ticket_count_order(viewer=request.membership,
                                                        open_only=_flag(request.query_params.get("open")))
        page = self.paginate_queryset(queryset)
        if page is None:
            return Response(ticket_rows(queryset))
        return self.get_paginated_response(ticket_rows(page))  # TicketSerializer's answer, built directly

    @extend_schema(responses=TicketDetailSerializer)
    def retrieve(self, request, *args, **kwargs):
        """A ticket with its SLA state per metric (SLA.md R14)."""
        return Response(for_viewer(request.membership, TicketDetailSerializer)(self.get_object()).data)

    @extend_schema(request=TicketCreateSerializer, responses={201: TicketDetailSerializer})
    def create(self, request):
        """Open a ticket on an active contract; its deadlines are computed at once."""
        values = validated(TicketCreateSerializer, request.data)  # fields built once per process
        try:
            contract = contract_selectors.contract_for_ticket(
                tenant=request.tenant, viewer=request.membership, reference=values.pop("contract"),
                maintenance_type=values["maintenance_type"])
        except Http404 as exc:
            raise ValidationError({"contract": [_("Unknown contract.")]}) from exc
        item_id = values.pop("covered_item", None)
        covered_item = None
        if item_id is not None:
            covered_item = contract.items.filter(pk=item_id).first()
            if covered_item is None:
                raise ValidationError({"covered_item": [_("This item is not covered by the contract.")]})
        ticket = services.ticket_create(tenant=request.tenant, actor=request.user, contract=contract,
                                        covered_item=covered_item, source=TicketSource.API, **values)
        # The new ticket as the service built it (contract, client, requester and SLA
        # state in hand): no need to read it back.
        return Response(represent(request.membership, TicketDetailSerializer, ticket), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=TicketDetailSerializer)
    @action(detail=True, methods=["post"])
    def take(self, request, ticket_ref=None):
        """Take the ticket (assign to me, take charge). 409 if someone else has it."""
        return self._detail(services.ticket_take(ticket=self.get_object(), actor=request.user))

    @extend_schema(request=StatusSerializer, responses=TicketDetailSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def change_status(self, request, ticket_ref=None):
        """Move along the workflow; clients accept (closed) or reject (in_progress, with a reason)."""
        ticket = self.get_object()
        data = StatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._detail(services.ticket_change_status(ticket=ticket, actor=request.user, **data.validated_data))

    @extend_schema(
        request=WorkSerializer, responses=TicketDetailSerializer,
        examples=[
            OpenApiExample("Reply and keep working", request_only=True,
                           value={"body": "I am looking at the server now.", "next_status": "in_progress"}),
            OpenApiExample("Ask the client", request_only=True,
                           value={"body": "Which printer shows the error?", "next_status": "waiting_on_client"}),
            OpenApiExample("Log 45 minutes and resolve", request_only=True,
                           value={"body": "Toner replaced, test page printed.", "next_status": "resolved",
                                  "minutes": 45, "mode": "on_site", "billable": True}),
        ])
    @action(detail=True, methods=["post"])
    def work(self, request, ticket_ref=None):
        """The ticket page's composer in one call and one transaction (provider staff): a
        reply or an internal note, the next status (keep in progress, wait for the
        client, resolved) and optionally the time spent (an intervention whose
        description is the message). Waiting on the client and resolving need a public
        message (the question, or what was done): otherwise 400 naming `body` or
        `internal`. A closed ticket answers 409; nothing is saved on any error."""
        ticket = self.get_object()
        require(request.membership, "ticket.work", ticket)  # the policy first: 403 before the body is read
        data = WorkSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if values["minutes"] is None:
            values["mode"] = ""
        return self._detail(services.ticket_work(ticket=ticket, actor=request.user, **values))

    @extend_schema(request=RatingWriteSerializer, responses=TicketDetailSerializer)
    @action(detail=True, methods=["post"])
    def rating(self, request, ticket_ref=None):
        """The client's satisfaction with a closed ticket of their organisation: `good` or
        `bad`, with an optional comment; rating again replaces it."""
        ticket = self.get_object()
        require(request.membership, "ticket.rate", ticket)  # the policy first: 403 before the body is read
        data = RatingWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.ticket_rate(ticket=ticket, actor=request.user, source="api", **data.validated_data)
        return self._detail(ticket)

    @extend_schema(request=PrioritySerializer, responses=TicketDetailSerializer)
    @action(detail=True, methods=["post"])
    def priority(self, request, ticket_ref=None):
        """Override the priority, with a reason (provider staff); the SLA is recomputed."""
        ticket = self.get_object()
        data = PrioritySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._detail(services.ticket_set_priority(ticket=ticket, actor=request.user, **data.validated_data))

    @extend_schema(request=AssignSerializer, responses=TicketDetailSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, ticket_ref=None):
        ticket = self.get_object()
        require(request.membership, "ticket.assign", ticket)  # the policy first: 403 before the body is read
        data = AssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assignee = None
        email = data.validated_data["assignee"]
        if email:
            member = Membership.objects.filter(tenant=request.tenant, user__email=email.lower()).select_related(
                "user").first()
            if member is None:
                raise ValidationError({"assignee": [_("Assign the ticket to a member of your team.")]})
            assignee = member.user
        return self._detail(services.ticket_assign(ticket=ticket, actor=request.user, assignee=assignee))

    @extend_schema(methods=["GET"], responses=MessageSerializer(many=True))
    @extend_schema(methods=["POST"], request=MessageSerializer, responses={201: MessageSerializer})
    @action(detail=True, methods=["get", "post"])
    def messages(self, request, ticket_ref=None):
        """The conversation (internal notes are never shown to clients). POST a public
        reply, or an internal note (`internal: true`, provider staff); an
        `idempotency_key` makes a retried POST store the message once. A key is the
        caller's own: a replay returns the caller's first message, and a replay with
        another `body` or `internal` is refused (422, code `idempotency_mismatch`, the
        differing fields named)."""
        ticket = self.get_object()
        if request.method == "GET":
            return Response(MessageSerializer(selectors.ticket_messages(ticket=ticket, viewer=request.membership),
                                              many=True).data)
        data = MessageSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message = services.ticket_reply(ticket=ticket, actor=request.user, **data.validated_data)
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses=InterventionSerializer(many=True))
    @extend_schema(methods=["POST"], request=InterventionSerializer, responses={201: InterventionSerializer})
    @action(detail=True, methods=["get", "post"])
    def interventions(self, request, ticket_ref=None):
        """Work logged on the ticket (date, minutes, mode, billable)."""
        ticket = self.get_object()
        if request.method == "GET":
            return Response(for_viewer(request.membership, InterventionSerializer)(
                selectors.ticket_interventions(ticket=ticket), many=True).data)
        data = InterventionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        intervention = services.intervention_log(ticket=ticket, actor=request.user, **data.validated_data)
        return Response(for_viewer(request.membership, InterventionSerializer)(intervention).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses=AttachmentSerializer(many=True))
    @extend_schema(methods=["POST"], request={"multipart/form-data": AttachmentUploadSerializer},
                   responses={201: AttachmentSerializer})
    @action(detail=True, methods=["get", "post"])
    def attachments(self, request, ticket_ref=None):
        """Files on the ticket (size limit and an allow-list of types)."""
        ticket = self.get_object()
        if request.method == "GET":
            return Response(AttachmentSerializer(
                selectors.ticket_attachments(ticket=ticket, viewer=request.membership), many=True).data)
        data = AttachmentUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        attachment = attachments.attachment_add(ticket=ticket, actor=request.user, upload=data.validated_data["file"])
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<attachment_id>[0-9]+)/download")
    def download(self, request, ticket_ref=None, attachment_id=None):
        ticket = self.get_object()
        attachment = selectors.attachment_get(ticket=ticket, viewer=request.membership, attachment_id=attachment_id)
        return file_response(attachments.attachment_path(attachment), filename=attachment.filename,
                             content_type=attachment.content_type)

    @extend_schema(responses=EventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, ticket_ref=None):
        """Every change of the ticket: who, when, from, to, why (provider staff; clients, whose
        ticket page shows no history, get an empty list)."""
        ticket = self.get_object()
        events = selectors.ticket_history_visible(ticket=ticket, viewer=request.membership)
        return Response(EventSerializer(events, many=True).data)



class CannedReplyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                         mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """The tenant's canned replies (provider staff read them; tenant administrators add
    and delete them). Clients: always an empty list."""
    api_area = "tickets"  # token scope area (portal/api/permissions.py)

    serializer_class = CannedReplySerializer
    queryset = CannedReply.objects.none()
    lookup_url_kwarg = "canned_reply_id"

    def get_queryset(self):
        return selectors.canned_reply_list(tenant=self.request.tenant, viewer=self.request.membership)

    def get_object(self):
        return selectors.canned_reply_get(tenant=self.request.tenant, viewer=self.request.membership,
                                          canned_reply_id=self.kwargs["canned_reply_id"])

    def create(self, request, *args, **kwargs):
        require(request.membership, "canned_reply.manage", tenant=request.tenant)
        data = CannedReplySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reply = desk.canned_reply_create(tenant=request.tenant, actor=request.user, **data.validated_data)
        return Response(CannedReplySerializer(reply).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        desk.canned_reply_delete(reply=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SupportDeskApi(APIView):
    """How clients reach the provider's support, as their home page shows it: the phone,
    the e-mail and a note about the hours (tenant administrators; the hours themselves
    come from each contract's business calendar)."""
    api_area = "admin"  # token scope area (portal/api/permissions.py)
    permission_classes = [PolicyPermission("support_desk.edit")]

    @extend_schema(responses=SupportDeskSerializer)
    def get(self, request):
        return Response(SupportDeskSerializer(selectors.support_desk(tenant=request.tenant)).data)

    @extend_schema(request=SupportDeskSerializer, responses=SupportDeskSerializer,
                   examples=[OpenApiExample("Phone and hours", request_only=True, value={
                       "phone": "+33 4 78 00 00 00", "hours_note": "Emergencies on the same number at night."})])
    def patch(self, request):
        """Change the support contact (omitted fields are kept; audited)."""
        current = selectors.support_desk(tenant=request.tenant)
        data = SupportDeskSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = {"phone": current.phone, "hours_note": current.hours_note, "email": current.email,
                  **data.validated_data}
        return Response(SupportDeskSerializer(desk.support_desk_update(tenant=request.tenant, actor=request.user,
                                                                       **values)).data)

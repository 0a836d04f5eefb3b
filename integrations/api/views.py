"""Webhook subscriptions and their delivery log (tenant administrators), the same
services as the pages."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from contracts.selectors import parties as party_selectors
from integrations import exports, mail_intake, personal_data, selectors, services
from integrations.api.serializers import (
    DataExportSerializer,
    ErasureSerializer,
    InboundMessageSerializer,
    MailboxInputSerializer,
    MailboxSerializer,
    PersonInputSerializer,
    ReleaseInputSerializer,
    WebhookCreatedSerializer,
    WebhookDeliverySerializer,
    WebhookInputSerializer,
    WebhookSerializer,
    WebhookUpdateSerializer,
)
from integrations.models import (
    DataExport,
    InboundMessage,
    InboundState,
    SupportMailbox,
    WebhookDelivery,
    WebhookSubscription,
)
from portal.api.permissions import IsTenantMember, PolicyPermission
from portal.downloads import file_response
from portal.permissions import require


@extend_schema_view(
    list=extend_schema(summary="List the webhook subscriptions (tenant administrators)"),
    retrieve=extend_schema(summary="One webhook subscription"),
)
class WebhookViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Webhook subscriptions: each receives the chosen events, signed with its secret
    (`X-Portal-Signature: t=…,v1=…`, HMAC-SHA256 of `<t>.<body>`), retried for 24 h."""
    api_area = "admin"  # token scope area (portal/api/permissions.py)

    serializer_class = WebhookSerializer
    lookup_url_kwarg = "subscription_id"
    lookup_value_regex = "[0-9]+"
    queryset = WebhookSubscription.objects.none()
    permission_classes = [PolicyPermission("webhook.list")]

    def get_queryset(self):
        return selectors.webhook_list(tenant=self.request.tenant)

    def get_object(self):
        return selectors.webhook_get(tenant=self.request.tenant, viewer=self.request.membership,
                                     subscription_id=self.kwargs["subscription_id"])

    def get_permissions(self):
        # Detail routes look the subscription up first: a client gets a 404, as for another tenant's.
        if self.kwargs.get("subscription_id") is not None:
            return [IsTenantMember()]
        return super().get_permissions()

    @extend_schema(summary="Subscribe a receiver to events; the signing secret is in this response only",
                   request=WebhookInputSerializer, responses={201: WebhookCreatedSerializer})
    def create(self, request):
        require(request.membership, "webhook.create", tenant=request.tenant)
        data = WebhookInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        subscription, secret = services.webhook_create(tenant=request.tenant, actor=request.user,
                                                       **data.validated_data)
        subscription.secret = secret
        return Response(WebhookCreatedSerializer(subscription).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Change a subscription (name, URL, events, active)",
                   request=WebhookUpdateSerializer(partial=True), responses=WebhookSerializer)
    def partial_update(self, request, subscription_id=None):
        subscription = self.get_object()
        require(request.membership, "webhook.update", subscription)
        data = WebhookUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        subscription = services.webhook_update(subscription=subscription, actor=request.user, **data.validated_data)
        return Response(WebhookSerializer(subscription).data)

    @extend_schema(summary="Delete a subscription and its delivery log")
    def destroy(self, request, subscription_id=None):
        services.webhook_delete(subscription=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="Send a test event (`webhook.test`) to this subscription", request=None,
                   responses={202: WebhookDeliverySerializer})
    @action(detail=True, methods=["post"])
    def test(self, request, subscription_id=None):
        delivery = services.webhook_send_test(subscription=self.get_object(), actor=request.user)
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(summary="Replace the signing secret; the new one is in this response only", request=None,
                   responses=WebhookCreatedSerializer)
    @action(detail=True, methods=["post"])
    def secret(self, request, subscription_id=None):
        subscription, secret = services.webhook_roll_secret(subscription=self.get_object(), actor=request.user)
        subscription.secret = secret
        return Response(WebhookCreatedSerializer(subscription).data)


class WebhookDeliveryListApi(generics.ListAPIView):
    """The subscription's delivery log, newest first, with each attempt's status code and duration."""
    api_area = "admin"  # token scope area (portal/api/permissions.py)

    serializer_class = WebhookDeliverySerializer
    permission_classes = [IsTenantMember]
    queryset = WebhookDelivery.objects.none()

    @extend_schema(summary="The delivery log of a webhook subscription, newest first")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        subscription = selectors.webhook_get(tenant=self.request.tenant, viewer=self.request.membership,
                                             subscription_id=self.kwargs["subscription_id"])
        return selectors.delivery_list(tenant=self.request.tenant, subscription=subscription)


# ---------------------------------------------------------------------- reversibility export


class OrganizationExportsApi(generics.GenericAPIView):
    """The reversibility exports of a client organisation: its managers and its client administrator."""
    api_area = "admin"  # token scope area (portal/api/permissions.py)

    serializer_class = DataExportSerializer
    permission_classes = [IsTenantMember]
    queryset = DataExport.objects.none()
    pagination_class = None

    def _organization(self):
        return party_selectors.organization_get(tenant=self.request.tenant, viewer=self.request.membership,
                                                reference=self.kwargs["org_ref"])

    @extend_schema(summary="The organisation's exports, newest first (the last 20)",
                   responses=DataExportSerializer(many=True))
    def get(self, request, org_ref: str):
        rows = exports.export_list(tenant=request.tenant, viewer=request.membership,
                                   organization=self._organization())[:20]
        return Response(DataExportSerializer(rows, many=True).data)

    @extend_schema(summary="Build an export of everything held about the organisation (a ZIP, in the background)",
                   request=None, responses={202: DataExportSerializer})
    def post(self, request, org_ref: str):
        export = exports.export_request(organization=self._organization(), actor=request.user)
        return Response(DataExportSerializer(export).data, status=status.HTTP_202_ACCEPTED)


class ExportApi(generics.GenericAPIView):
    api_area = "admin"  # token scope area (portal/api/permissions.py)
    serializer_class = DataExportSerializer
    permission_classes = [IsTenantMember]
    queryset = DataExport.objects.none()

    @extend_schema(summary="An export's progress; `download_url` once it is ready")
    def get(self, request, export_id: int):
        export = exports.export_get(tenant=request.tenant, viewer=request.membership, export_id=export_id)
        return Response(DataExportSerializer(export).data)


class ExportDownloadApi(generics.GenericAPIView):
    api_area = "admin"  # token scope area (portal/api/permissions.py)
    permission_classes = [IsTenantMember]
    queryset = DataExport.objects.none()

    @extend_schema(summary="The export's ZIP (7 days after it was built)", responses={(200, "application/zip"): bytes})
    def get(self, request, export_id: int):
        export = exports.export_get(tenant=request.tenant, viewer=request.membership, export_id=export_id)
        path, filename = exports.export_download(export=export, actor=request.user)
        return file_response(path, filename=filename, content_type="application/zip")


# ---------------------------------------------------------------------- personal data (GDPR)


class PersonalDataExportApi(generics.GenericAPIView):
    """Everything held about one person (tenant administrators); the address goes in the
    body, never in a URL."""
    api_area = "admin"  # token scope area (portal/api/permissions.py)

    serializer_class = PersonInputSerializer
    permission_classes = [PolicyPermission("personal_data.export")]

    @extend_schema(summary="Export what is held about a person, as JSON", request=PersonInputSerializer,
                   responses={200: OpenApiTypes.OBJECT})
    def post(self, request):
        data = PersonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(personal_data.personal_data_export(tenant=request.tenant, actor=request.user,
                                                           email=data.validated_data["email"]))


class PersonalDataEraseApi(generics.GenericAPIView):
    api_area = "admin"  # token scope area (portal/api/permissions.py)
    serializer_class = PersonInputSerializer
    permission_classes = [PolicyPermission("personal_data.erase")]

    @extend_schema(summary="Erase a person: anonymise their account and contacts (refused under legal retention)",
                   request=PersonInputSerializer, responses={200: ErasureSerializer})
    def post(self, request):
        data = PersonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(ErasureSerializer(personal_data.personal_data_erase(
            tenant=request.tenant, actor=request.user, email=data.validated_data["email"])).data)


# ---------------------------------------------------------------------- tickets by e-mail


class MailboxApi(generics.GenericAPIView):
    """The support mailbox read every minute for tickets by e-mail (tenant
    administrators); the same service as the settings page. The password is write-only."""
    api_area = "admin"  # token scope area (portal/api/permissions.py)

    serializer_class = MailboxInputSerializer
    permission_classes = [PolicyPermission("mailbox.edit")]

    @extend_schema(summary="The support mailbox (empty and disabled until one is saved)",
                   responses=MailboxSerializer)
    def get(self, request):
        mailbox = mail_intake.mailbox_get(tenant=request.tenant) or SupportMailbox(tenant=request.tenant, host="")
        return Response(MailboxSerializer(mailbox).data)

    @extend_schema(summary="Save the support mailbox (audited; an omitted password keeps the saved one)",
                   request=MailboxInputSerializer, responses=MailboxSerializer)
    def put(self, request):
        data = MailboxInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        mailbox = mail_intake.mailbox_update(tenant=request.tenant, actor=request.user, **data.validated_data)
        return Response(MailboxSerializer(mailbox).data)


@extend_schema_view(get=extend_schema(summary="Messages of the support mailbox that became no ticket",
                                      parameters=[OpenApiParameter("state", str, enum=InboundState.values,
                                                                   description="Default: quarantined")]))
class MailQuarantineListApi(generics.ListAPIView):
    """The quarantine (provider staff): unknown senders, automatic replies, bounces,
    loops, messages too large or referring to a ticket of another client."""
    api_area = "tickets"  # token scope area (portal/api/permissions.py)

    serializer_class = InboundMessageSerializer
    permission_classes = [PolicyPermission("mail_quarantine.review")]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator: no tenant
            return InboundMessage.objects.none()
        state = self.request.query_params.get("state", InboundState.QUARANTINED)
        if state not in InboundState.values:
            raise ValidationError({"state": [_("Unknown state.")]})
        return mail_intake.quarantine_list(tenant=self.request.tenant, viewer=self.request.membership, state=state)


class MailQuarantineApi(generics.GenericAPIView):
    api_area = "tickets"  # token scope area (portal/api/permissions.py)
    serializer_class = InboundMessageSerializer
    permission_classes = [IsTenantMember]

    @extend_schema(summary="One message read from the support mailbox",
                   parameters=[OpenApiParameter("inbound_id", int, OpenApiParameter.PATH)])
    def get(self, request, inbound_id: int):
        return Response(InboundMessageSerializer(mail_intake.inbound_get(
            tenant=request.tenant, viewer=request.membership, message_id=inbound_id)).data)


class MailQuarantineReleaseApi(generics.GenericAPIView):
    api_area = "tickets"  # token scope area (portal/api/permissions.py)
    serializer_class = ReleaseInputSerializer
    permission_classes = [IsTenantMember]

    @extend_schema(summary="Release a held message: the ticket or reply it would have been, as the chosen sender",
                   request=ReleaseInputSerializer, responses=InboundMessageSerializer,
                   parameters=[OpenApiParameter("inbound_id", int, OpenApiParameter.PATH)])
    def post(self, request, inbound_id: int):
        inbound = mail_intake.inbound_get(tenant=request.tenant, viewer=request.membership, message_id=inbound_id)
        data = ReleaseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        mail_intake.inbound_release(inbound=inbound, actor=request.user, sender_email=data.validated_data["sender"])
        inbound.refresh_from_db()
        return Response(InboundMessageSerializer(inbound).data)


class MailQuarantineDiscardApi(generics.GenericAPIView):
    api_area = "tickets"  # token scope area (portal/api/permissions.py)
    serializer_class = InboundMessageSerializer
    permission_classes = [IsTenantMember]

    @extend_schema(summary="Discard a held message (its stored bytes are deleted)", request=None,
                   responses=InboundMessageSerializer,
                   parameters=[OpenApiParameter("inbound_id", int, OpenApiParameter.PATH)])
    def post(self, request, inbound_id: int):
        inbound = mail_intake.inbound_get(tenant=request.tenant, viewer=request.membership, message_id=inbound_id)
        return Response(InboundMessageSerializer(mail_intake.inbound_discard(inbound=inbound,
                                                                             actor=request.user)).data)

"""Webhook subscriptions and their delivery log (tenant administrators), the same
services as the pages."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from integrations import selectors, services
from integrations.api.serializers import (
    WebhookCreatedSerializer,
    WebhookDeliverySerializer,
    WebhookInputSerializer,
    WebhookSerializer,
    WebhookUpdateSerializer,
)
from integrations.models import WebhookDelivery, WebhookSubscription
from portal.api.permissions import IsTenantMember, PolicyPermission
from portal.permissions import require


@extend_schema_view(
    list=extend_schema(summary="List the webhook subscriptions (tenant administrators)"),
    retrieve=extend_schema(summary="One webhook subscription"),
)
class WebhookViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Webhook subscriptions: each receives the chosen events, signed with its secret
    (`X-Portal-Signature: t=…,v1=…`, HMAC-SHA256 of `<t>.<body>`), retried for 24 h."""

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

"""API endpoints of the portal app: who am I, personal tokens, the audit log."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from portal import selectors, services
from portal.api.fields import DateTimeField, ModelSerializer
from portal.api.permissions import PolicyPermission
from portal.models import ApiToken, AuditEvent


class MeSerializer(serializers.Serializer):
    email = serializers.EmailField()
    full_name = serializers.CharField()
    tenant = serializers.CharField(source="membership.tenant.name")
    tenant_slug = serializers.CharField(source="membership.tenant.slug")
    role = serializers.CharField(source="membership.role")
    organization = serializers.CharField(source="membership.organization.reference", allow_null=True, default=None)


class MeApi(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request):
        request.user.membership = request.membership
        return Response(MeSerializer(request.user).data)


class ApiTokenOutputSerializer(ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["prefix", "name", "created_at", "last_used_at", "expires_at", "revoked_at"]


class ApiTokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    expires_at = DateTimeField(required=False, allow_null=True)


class ApiTokenCreatedSerializer(ApiTokenOutputSerializer):
    token = serializers.CharField(help_text="The secret, shown only in this response.")

    class Meta(ApiTokenOutputSerializer.Meta):
        fields = [*ApiTokenOutputSerializer.Meta.fields, "token"]


class ApiTokenViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Your personal API tokens. The secret is shown once, at creation; revoke with DELETE."""

    serializer_class = ApiTokenOutputSerializer
    lookup_field = "prefix"
    lookup_url_kwarg = "token_prefix"
    queryset = ApiToken.objects.none()

    def get_queryset(self):
        return selectors.api_token_list(tenant=self.request.tenant, user=self.request.user)

    def get_object(self):
        return get_object_or_404(self.get_queryset(), prefix=self.kwargs["token_prefix"])

    @extend_schema(request=ApiTokenCreateSerializer, responses={201: ApiTokenCreatedSerializer})
    def create(self, request):
        data = ApiTokenCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token, secret = services.api_token_create(user=request.user, **data.validated_data)
        token.token = secret
        return Response(ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        services.api_token_revoke(token=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AuditEventSerializer(ModelSerializer):
    actor = serializers.CharField(source="actor_label")
    organization = serializers.CharField(source="organization.reference", allow_null=True, default=None)

    class Meta:
        model = AuditEvent
        fields = ["id", "created_at", "actor", "action", "object_type", "object_ref", "organization", "changes", "ip_address"]


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("action", str, description="Actions starting with this, e.g. organization."),
    OpenApiParameter("object_ref", str, description="Part of the object's reference"),
    OpenApiParameter("actor", str, description="Part of the actor's name or e-mail"),
]))
class AuditEventViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The tenant's audit log (tenant administrators only), newest first.
    Filters: `action` (prefix, e.g. `organization.`), `object_ref`, `actor`."""

    serializer_class = AuditEventSerializer
    permission_classes = [PolicyPermission("audit.read")]
    queryset = AuditEvent.objects.none()

    def get_queryset(self):
        p = self.request.query_params
        return selectors.audit_event_list(
            tenant=self.request.tenant, action=p.get("action", ""), object_ref=p.get("object_ref", ""),
            actor=p.get("actor", ""),
        )

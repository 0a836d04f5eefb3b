"""API endpoints of the portal app: who am I, personal tokens, the audit log."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from portal import selectors, services
from portal.api.fields import DateTimeField, ModelSerializer
from portal.api.idempotency import ConditionalMixin
from portal.api.pagination import CursorOrPagePagination
from portal.api.permissions import PolicyPermission
from portal.login_lockout import locked_login_list, login_lockout_reset
from portal.models import API_SCOPES, SERVICE_ACCOUNT_ROLES, ApiToken, AuditEvent, Membership, ServiceAccount
from portal.permissions import require


class MeSerializer(serializers.Serializer):
    email = serializers.EmailField()
    full_name = serializers.CharField()
    tenant = serializers.CharField(source="membership.tenant.name")
    tenant_slug = serializers.CharField(source="membership.tenant.slug")
    role = serializers.CharField(source="membership.role")
    organization = serializers.CharField(source="membership.organization.reference", allow_null=True, default=None)


class MeApi(APIView):
    api_area = None  # any token may call it (no scope needed)
    @extend_schema(responses=MeSerializer)
    def get(self, request):
        request.user.membership = request.membership
        return Response(MeSerializer(request.user).data)


SCOPES_HELP = ("Read or write per area (tickets, contracts, billing, admin); write includes read. "
               "Every scope when omitted; a request made with a token can only give scopes that token holds.")


class ApiTokenOutputSerializer(ModelSerializer):
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=API_SCOPES), read_only=True)

    class Meta:
        model = ApiToken
        fields = ["prefix", "name", "scopes", "created_at", "last_used_at", "last_used_ip", "expires_at",
                  "revoked_at"]


class ApiTokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=API_SCOPES), required=False,
                                   max_length=len(API_SCOPES), help_text=SCOPES_HELP)
    expires_at = DateTimeField(required=False, allow_null=True)


class ApiTokenCreatedSerializer(ApiTokenOutputSerializer):
    token = serializers.CharField(help_text="The secret, shown only in this response.")

    class Meta(ApiTokenOutputSerializer.Meta):
        fields = [*ApiTokenOutputSerializer.Meta.fields, "token"]


def _via_token(request) -> ApiToken | None:
    return request.auth if isinstance(request.auth, ApiToken) else None


class ApiTokenViewSet(ConditionalMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Your personal API tokens. The secret is shown once, at creation; revoke with DELETE."""
    api_area = "admin"  # token scope area (portal/api/permissions.py)

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
        token, secret = services.api_token_create(user=request.user, via_token=_via_token(request),
                                                  **data.validated_data)
        token.token = secret
        return Response(ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        services.api_token_revoke(token=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ServiceAccountSerializer(ModelSerializer):
    role = serializers.ChoiceField(choices=Membership._meta.get_field("role").choices,
                                   source="user.membership.role", read_only=True)
    organization = serializers.CharField(source="user.membership.organization.reference", allow_null=True,
                                         default=None, read_only=True,
                                         help_text="The client organisation it is restricted to, if any.")

    class Meta:
        model = ServiceAccount
        fields = ["id", "name", "role", "organization", "created_at", "disabled_at"]


class ServiceAccountCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    role = serializers.ChoiceField(choices=SERVICE_ACCOUNT_ROLES, default=SERVICE_ACCOUNT_ROLES[0][0],
                                   help_text="The provider role it acts with, when not restricted to an organisation.")
    organization = serializers.CharField(
        required=False, allow_null=True, max_length=40,
        help_text="A client organisation's reference (ORG-…): the account then sees and does what a client "
                  "administrator of that organisation would, whatever the role.")


@extend_schema_view(
    list=extend_schema(summary="List the tenant's service accounts"),
    retrieve=extend_schema(summary="One service account"),
    destroy=extend_schema(summary="Disable a service account (its tokens are revoked)"),
)
class ServiceAccountViewSet(ConditionalMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin,
                            viewsets.GenericViewSet):
    """Integrations of the tenant (tenant administrators). A service account acts with a
    provider role, or, restricted to one client organisation, as a client administrator of it;
    its tokens narrow that with scopes."""
    api_area = "admin"  # token scope area (portal/api/permissions.py)

    serializer_class = ServiceAccountSerializer
    lookup_url_kwarg = "account_id"
    lookup_value_regex = "[0-9]+"
    queryset = ServiceAccount.objects.none()

    def get_queryset(self):
        require(self.request.membership, "service_account.manage", tenant=self.request.tenant)
        return selectors.service_account_list(tenant=self.request.tenant)

    def get_object(self):
        return selectors.service_account_get(tenant=self.request.tenant, viewer=self.request.membership,
                                            pk=self.kwargs["account_id"])

    @extend_schema(request=ServiceAccountCreateSerializer, responses={201: ServiceAccountSerializer})
    def create(self, request):
        require(request.membership, "service_account.manage", tenant=request.tenant)
        data = ServiceAccountCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ref = data.validated_data.get("organization")
        organization = selectors.organization_by_reference(tenant=request.tenant, reference=ref) if ref else None
        if ref and organization is None:
            raise serializers.ValidationError({"organization": [_("Unknown organisation.")]})
        account = services.service_account_create(actor=request.user, tenant=request.tenant,
                                                  name=data.validated_data["name"],
                                                  role=data.validated_data["role"], organization=organization)
        return Response(ServiceAccountSerializer(account).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        services.service_account_disable(actor=request.user, account=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(methods=["GET"], responses=ApiTokenOutputSerializer(many=True), summary="The account's tokens")
    @extend_schema(methods=["POST"], request=ApiTokenCreateSerializer, responses={201: ApiTokenCreatedSerializer},
                   summary="Create a token for the account (the secret is shown once)")
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def tokens(self, request, account_id=None):
        account = self.get_object()
        if request.method == "GET":
            rows = selectors.api_token_list(tenant=request.tenant, user=account.user)
            return Response(ApiTokenOutputSerializer(rows, many=True).data)
        data = ApiTokenCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token, secret = services.service_account_token_create(actor=request.user, account=account,
                                                              via_token=_via_token(request), **data.validated_data)
        token.token = secret
        return Response(ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None}, summary="Revoke one of the account's tokens")
    @action(detail=True, methods=["delete"], url_path=r"tokens/(?P<token_prefix>[0-9a-f]+)")
    def revoke_token(self, request, account_id=None, token_prefix=None):
        account = self.get_object()
        token = get_object_or_404(selectors.api_token_list(tenant=request.tenant, user=account.user),
                                  prefix=token_prefix)
        services.api_token_revoke(token=token, actor=request.user)
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
    api_area = "admin"  # token scope area (portal/api/permissions.py)

    serializer_class = AuditEventSerializer
    permission_classes = [PolicyPermission("audit.read")]
    pagination_class = CursorOrPagePagination
    cursor_ordering = ("-created_at", "-id")
    queryset = AuditEvent.objects.none()

    def get_queryset(self):
        p = self.request.query_params
        return selectors.audit_event_list(
            tenant=self.request.tenant, action=p.get("action", ""), object_ref=p.get("object_ref", ""),
            actor=p.get("actor", ""),
        )


# ---------------------------------------------------------------------- the tenant (administrators)


class TenantSettingsSerializer(serializers.Serializer):
    contract_reminder_days = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=365), min_length=1, max_length=5, required=False,
        help_text="Days before a notice deadline or a contract's end when reminders go out.")
    allow_curative_when_suspended = serializers.BooleanField(required=False)
    ticket_autoclose_days = serializers.IntegerField(min_value=1, max_value=90, required=False)


class TenantSettingsApi(APIView):
    """Tenant-wide settings (tenant administrators), as on the Settings page."""
    api_area = "admin"  # token scope area (portal/api/permissions.py)
    permission_classes = [PolicyPermission("tenant_settings.edit")]

    def _answer(self, tenant):
        return Response({"contract_reminder_days": tenant.reminder_days,
                         "allow_curative_when_suspended": tenant.allow_curative_when_suspended,
                         "ticket_autoclose_days": tenant.ticket_autoclose_days})

    @extend_schema(responses=TenantSettingsSerializer)
    def get(self, request):
        return self._answer(request.tenant)

    @extend_schema(request=TenantSettingsSerializer, responses=TenantSettingsSerializer)
    def patch(self, request):
        data = TenantSettingsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        tenant = request.tenant
        services.tenant_settings_update(
            tenant=tenant, actor=request.user,
            contract_reminder_days=values.get("contract_reminder_days", tenant.reminder_days),
            allow_curative_when_suspended=values.get("allow_curative_when_suspended"),
            ticket_autoclose_days=values.get("ticket_autoclose_days"))
        tenant.refresh_from_db()
        return self._answer(tenant)


class LockedLoginSerializer(serializers.Serializer):
    email = serializers.EmailField()
    ip_address = serializers.IPAddressField(allow_null=True)
    failures = serializers.IntegerField()
    locked_until = DateTimeField()


class LoginUnlockSerializer(serializers.Serializer):
    email = serializers.EmailField(help_text="The locked member's e-mail address.")


class LoginLockoutsApi(APIView):
    """Logins locked after too many wrong passwords (tenant administrators). POST unlocks
    one member from every address."""
    api_area = "admin"  # token scope area (portal/api/permissions.py)
    permission_classes = [PolicyPermission("login_lockout.list")]

    @extend_schema(responses=LockedLoginSerializer(many=True))
    def get(self, request):
        return Response(LockedLoginSerializer(locked_login_list(tenant=request.tenant), many=True).data)

    @extend_schema(request=LoginUnlockSerializer, responses={204: None})
    def post(self, request):
        data = LoginUnlockSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        login_lockout_reset(tenant=request.tenant, actor=request.user, email=data.validated_data["email"])
        return Response(status=status.HTTP_204_NO_CONTENT)

"""API of people and access: the members (a client administrator: their
organisation's), their role, deactivating and reactivating them; invitations (sending,
re-sending, revoking). The same services as the People page (portal/people.py)."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal import people, selectors
from portal.api.fields import DateTimeField
from portal.api.permissions import PolicyPermission
from portal.models import Invitation, Membership

ROLES = Membership._meta.get_field("role").choices


class MemberSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField(source="user.email")
    full_name = serializers.CharField(source="user.full_name")
    role = serializers.ChoiceField(choices=ROLES)
    organization = serializers.CharField(source="organization.reference", allow_null=True, default=None)
    is_active = serializers.BooleanField(source="user.is_active")
    last_login = DateTimeField(source="user.last_login", allow_null=True)


class MemberRoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=ROLES)


class InvitationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=ROLES)
    organization = serializers.CharField(source="organization.reference", allow_null=True, default=None)
    language = serializers.CharField()
    status = serializers.ChoiceField(choices=["pending", "expired", "accepted", "revoked"])
    sent_at = DateTimeField()
    expires_at = DateTimeField()


class InvitationCreateSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=ROLES)
    language = serializers.ChoiceField(choices=[code for code, _name in settings.LANGUAGES], required=False)


class MemberViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The people of your tenant (client administrators: of your organisation), with their
    role and status. Change a role with PATCH; deactivate (no more login nor API token;
    their history stays) and reactivate with the actions."""
    api_area = "admin"  # token scope area (portal/api/permissions.py)

    serializer_class = MemberSerializer
    permission_classes = [PolicyPermission("member.list")]
    lookup_url_kwarg = "member_id"
    queryset = Membership.objects.none()
    http_method_names = ["get", "patch", "post", "head", "options"]

    def get_queryset(self):
        return selectors.member_list(tenant=self.request.tenant, viewer=self.request.membership)

    def get_object(self):
        return selectors.member_get(tenant=self.request.tenant, viewer=self.request.membership,
                                    member_id=self.kwargs["member_id"])

    @extend_schema(request=MemberRoleSerializer, responses=MemberSerializer)
    def partial_update(self, request, member_id=None):
        member = self.get_object()
        data = MemberRoleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = people.member_change_role(member=member, actor=request.user, role=data.validated_data["role"])
        return Response(MemberSerializer(member).data)

    @extend_schema(request=None, responses=MemberSerializer)
    @action(detail=True, methods=["post"])
    def deactivate(self, request, member_id=None):
        member = people.member_deactivate(member=self.get_object(), actor=request.user)
        return Response(MemberSerializer(member).data)

    @extend_schema(request=None, responses=MemberSerializer)
    @action(detail=True, methods=["post"])
    def reactivate(self, request, member_id=None):
        member = people.member_reactivate(member=self.get_object(), actor=request.user)
        return Response(MemberSerializer(member).data)

    @extend_schema(request=None, responses=MemberSerializer)
    @action(detail=True, methods=["post"], url_path="reset-two-factor")
    def reset_two_factor(self, request, member_id=None):
        """Remove the member's authenticator and recovery codes (a lost phone; tenant
        administrators): they log in with their password alone, or enrol again where the
        tenant requires two-factor authentication. Audited when there was one."""
        member = people.member_reset_two_factor(member=self.get_object(), actor=request.user)
        return Response(MemberSerializer(member).data)


class InvitationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Open invitations (pending or expired). POST invites someone by e-mail with a role
    (client administrators: into their organisation, client roles only; people of a
    client organisation are invited by tenant administrators with
    /organizations/{org_ref}/invitations/). `resend` sends a new link (the earlier one
    stops working); DELETE revokes."""
    api_area = "admin"  # token scope area (portal/api/permissions.py)

    serializer_class = InvitationSerializer
    permission_classes = [PolicyPermission("member.list")]
    lookup_url_kwarg = "invitation_id"
    queryset = Invitation.objects.none()
    http_method_names = ["get", "post", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.invitation_list(tenant=self.request.tenant, viewer=self.request.membership)

    def get_object(self):
        return selectors.invitation_get(tenant=self.request.tenant, viewer=self.request.membership,
                                        invitation_id=self.kwargs["invitation_id"])

    @extend_schema(request=InvitationCreateSerializer, responses={201: InvitationSerializer})
    def create(self, request):
        data = InvitationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = people.invitation_create(tenant=request.tenant, actor=request.user, **data.validated_data)
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=InvitationSerializer)
    @action(detail=True, methods=["post"])
    def resend(self, request, invitation_id=None):
        invitation = people.invitation_resend(invitation=self.get_object(), actor=request.user)
        return Response(InvitationSerializer(invitation).data)

    def destroy(self, request, invitation_id=None):
        people.invitation_revoke(invitation=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


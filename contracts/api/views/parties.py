from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import api_view, permission_classes
from rest_framework.response import Response

from contracts import services
from contracts.api.serializers.parties import ContactSerializer, OrganizationSerializer
from contracts.models import Contact, Organization, OrganizationKind
from contracts.selectors import parties as selectors
from portal import people
from portal.api.idempotency import ConditionalMixin
from portal.api.people import InvitationCreateSerializer, InvitationSerializer
from portal.api.permissions import PolicyPermission
from portal.api.visibility import for_viewer


class OrganizationFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=OrganizationKind.choices)
    search = filters.CharFilter(method="filter_search", label="Name, SIRET, reference or city")

    class Meta:
        model = Organization
        fields = ["kind", "is_active", "country"]

    def filter_search(self, queryset, name, value):
        return selectors.organization_search(queryset, value)


@extend_schema_view(
    list=extend_schema(summary="List organisations (clients see only their own)"),
    retrieve=extend_schema(summary="One organisation by reference (ORG-0001)"),
)
class OrganizationViewSet(ConditionalMixin, viewsets.ModelViewSet):
    api_area = "contracts"  # token scope area (portal/api/permissions.py)
    serializer_class = OrganizationSerializer
    lookup_field = "reference"
    lookup_url_kwarg = "org_ref"
    filterset_class = OrganizationFilter
    http_method_names = ["get", "post", "patch", "put", "head", "options"]
    queryset = Organization.objects.none()

    def get_queryset(self):
        return selectors.organization_list(tenant=self.request.tenant, viewer=self.request.membership)

    def get_serializer_class(self):
        return for_viewer(getattr(self.request, "membership", None), OrganizationSerializer)

    def get_object(self):
        return selectors.organization_get(
            tenant=self.request.tenant, viewer=self.request.membership, reference=self.kwargs["org_ref"]
        )

    def create(self, request):
        data = OrganizationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        org = services.organization_create(tenant=request.tenant, actor=request.user, **data.validated_data)
        return Response(OrganizationSerializer(org).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        org = self.get_object()
        data = OrganizationSerializer(org, data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        org = services.organization_update(organization=org, actor=request.user, **data.validated_data)
        return Response(OrganizationSerializer(org).data)


@extend_schema(parameters=[OpenApiParameter("org_ref", str, OpenApiParameter.PATH, description="Organisation reference, e.g. ORG-0001")])
class ContactViewSet(ConditionalMixin, viewsets.ModelViewSet):
    """Contacts of one organisation, always looked up through it."""
    api_area = "contracts"  # token scope area (portal/api/permissions.py)

    serializer_class = ContactSerializer
    http_method_names = ["get", "post", "patch", "put", "delete", "head", "options"]
    queryset = Contact.objects.none()

    def organization(self) -> Organization:
        if not hasattr(self, "_organization"):
            self._organization = selectors.organization_get(
                tenant=self.request.tenant, viewer=self.request.membership,
                reference=self.kwargs["org_ref"],
            )
        return self._organization

    def get_queryset(self):
        return selectors.contact_list(organization=self.organization())

    def get_object(self):
        return selectors.contact_get(organization=self.organization(), contact_id=self.kwargs["contact_id"])

    def create(self, request, *args, **kwargs):
        organization = self.organization()  # 404 before anything else for what the viewer cannot see
        data = ContactSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        contact = services.contact_create(organization=organization, actor=request.user, **data.validated_data)
        return Response(ContactSerializer(contact).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        contact = self.get_object()
        data = ContactSerializer(contact, data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        contact = services.contact_update(contact=contact, actor=request.user, **data.validated_data)
        return Response(ContactSerializer(contact).data)

    def destroy(self, request, *args, **kwargs):
        services.contact_delete(contact=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(request=InvitationCreateSerializer, responses={201: InvitationSerializer})
@api_view(["POST"])
@permission_classes([PolicyPermission("member.invite")])
def organization_invitation_create(request, org_ref: str):
    """Invite someone of this client organisation with a client role (tenant
    administrators, and the organisation's client administrators). The e-mail carries a
    signed link, valid a week, where the person chooses their password."""
    org = selectors.organization_get(tenant=request.tenant, viewer=request.membership, reference=org_ref)
    data = InvitationCreateSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    invitation = people.invitation_create(tenant=request.tenant, actor=request.user, organization=org,
                                          **data.validated_data)
    return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)


organization_invitation_create.cls.api_area = "admin"  # token scope area (portal/api/permissions.py)

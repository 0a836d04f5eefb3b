from django.urls import path
from rest_framework.routers import SimpleRouter

from contracts.api.views import contracts as contract_views
from contracts.api.views import parties as party_views

router = SimpleRouter()
# "api-" keeps the route names apart from the portal pages' ("organization-detail"):
# with equal names, reverse() and {% url %} would send browser links to the JSON API.
router.register("organizations", party_views.OrganizationViewSet, basename="api-organization")
router.register("contracts", contract_views.ContractViewSet, basename="api-contract")
router.register("clause-templates", contract_views.ClauseTemplateViewSet, basename="api-clause-template")

contacts_list = party_views.ContactViewSet.as_view({"get": "list", "post": "create"})
contacts_detail = party_views.ContactViewSet.as_view(
    {"get": "retrieve", "put": "update", "patch": "partial_update", "delete": "destroy"}
)

urlpatterns = [
    *router.urls,
    path("organizations/<str:org_ref>/invitations/", party_views.organization_invitation_create,
         name="organization-invitation-create"),
    path("organizations/<str:org_ref>/contacts/", contacts_list, name="organization-contact-list"),
    path(
        "organizations/<str:org_ref>/contacts/<int:contact_id>/",
        contacts_detail,
        name="organization-contact-detail",
    ),
]

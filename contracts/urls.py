from django.urls import path

from contracts.views import contracts as contract_views
from contracts.views import parties as party_views

urlpatterns = [
    path("organizations/", party_views.organization_list, name="organization-list"),
    path("organizations/new/", party_views.organization_create, name="organization-create"),
    path("organizations/<str:org_ref>/", party_views.organization_detail, name="organization-detail"),
    path("organizations/<str:org_ref>/edit/", party_views.organization_edit, name="organization-edit"),
    path("organizations/<str:org_ref>/invite/", party_views.organization_invite, name="organization-invite"),
    path("organizations/<str:org_ref>/contacts/new/", party_views.contact_create, name="contact-create"),
    path("organizations/<str:org_ref>/contacts/<int:contact_id>/edit/", party_views.contact_edit, name="contact-edit"),
    path("organizations/<str:org_ref>/contacts/<int:contact_id>/delete/", party_views.contact_delete, name="contact-delete"),
]

urlpatterns += [
    path("clause-library/", contract_views.clause_library, name="clause-library"),
    path("clause-library/new/", contract_views.clause_template_create, name="clause-template-create"),
    path("clause-library/<int:clause_template_id>/edit/", contract_views.clause_template_edit,
         name="clause-template-edit"),
    path("contracts/", contract_views.contract_list, name="contract-list"),
    path("contracts/new/", contract_views.contract_create, name="contract-create"),
    path("contracts/renewals/", contract_views.contract_renewals, name="contract-renewals"),
    path("contracts/<str:contract_ref>/", contract_views.contract_detail, name="contract-detail"),
    path("contracts/<str:contract_ref>/edit/", contract_views.contract_edit, name="contract-edit"),
    path("contracts/<str:contract_ref>/documents/", contract_views.contract_documents, name="contract-documents"),
    path("contracts/<str:contract_ref>/clauses/<int:clause_id>/edit/", contract_views.contract_clause_edit,
         name="contract-clause-edit"),
    path("contracts/<str:contract_ref>/documents/<str:kind>/<int:version>/", contract_views.contract_download,
         name="contract-download"),
    *[
        path(f"contracts/<str:contract_ref>/{name}/", getattr(contract_views, f"contract_{name}"),
             name=f"contract-{name}")
        for name in ("send", "activate", "suspend", "resume", "terminate", "renew", "amend", "render")
    ],
]

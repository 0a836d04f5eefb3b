from django.urls import path

from contracts import views

urlpatterns = [
    path("organizations/", views.organization_list, name="organization-list"),
    path("organizations/new/", views.organization_create, name="organization-create"),
    path("organizations/<str:org_ref>/", views.organization_detail, name="organization-detail"),
    path("organizations/<str:org_ref>/edit/", views.organization_edit, name="organization-edit"),
    path("organizations/<str:org_ref>/contacts/new/", views.contact_create, name="contact-create"),
    path("organizations/<str:org_ref>/contacts/<int:contact_id>/edit/", views.contact_edit, name="contact-edit"),
    path("organizations/<str:org_ref>/contacts/<int:contact_id>/delete/", views.contact_delete, name="contact-delete"),
]

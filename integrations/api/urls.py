from django.urls import path
from rest_framework.routers import SimpleRouter

from integrations.api import views

router = SimpleRouter()
router.register("webhooks", views.WebhookViewSet, basename="api-webhook")

urlpatterns = [
    *router.urls,
    path("webhooks/<int:subscription_id>/deliveries/", views.WebhookDeliveryListApi.as_view(),
         name="api-webhook-deliveries"),
    path("organizations/<str:org_ref>/exports/", views.OrganizationExportsApi.as_view(), name="api-org-exports"),
    path("exports/<int:export_id>/", views.ExportApi.as_view(), name="api-export"),
    path("exports/<int:export_id>/download/", views.ExportDownloadApi.as_view(), name="api-export-download"),
    path("personal-data/export/", views.PersonalDataExportApi.as_view(), name="api-personal-data-export"),
    path("personal-data/erase/", views.PersonalDataEraseApi.as_view(), name="api-personal-data-erase"),
    path("mailbox/", views.MailboxApi.as_view(), name="api-mailbox"),
    path("mail-quarantine/", views.MailQuarantineListApi.as_view(), name="api-mail-quarantine"),
    path("mail-quarantine/<int:inbound_id>/", views.MailQuarantineApi.as_view(), name="api-mail-quarantine-detail"),
    path("mail-quarantine/<int:inbound_id>/release/", views.MailQuarantineReleaseApi.as_view(),
         name="api-mail-quarantine-release"),
    path("mail-quarantine/<int:inbound_id>/discard/", views.MailQuarantineDiscardApi.as_view(),
         name="api-mail-quarantine-discard"),
]

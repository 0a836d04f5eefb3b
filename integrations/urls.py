from django.urls import path

from integrations import views

urlpatterns = [
    path("integrations/webhooks/", views.webhook_list, name="webhook-list"),
    path("integrations/webhooks/<int:subscription_id>/", views.webhook_detail, name="webhook-detail"),
    path("integrations/webhooks/<int:subscription_id>/test/", views.webhook_test, name="webhook-test"),
    path("integrations/webhooks/<int:subscription_id>/secret/", views.webhook_roll_secret, name="webhook-secret"),
    path("integrations/webhooks/<int:subscription_id>/delete/", views.webhook_delete, name="webhook-delete"),
    path("organizations/<str:org_ref>/exports/", views.export_list, name="export-list"),
    path("exports/<int:export_id>/", views.export_detail, name="export-detail"),
    path("exports/<int:export_id>/download/", views.export_download, name="export-download"),
    path("integrations/personal-data/", views.personal_data, name="personal-data"),
    path("integrations/mailbox/", views.mailbox_settings, name="mailbox-settings"),
    path("integrations/mail-quarantine/", views.mail_quarantine, name="mail-quarantine"),
    path("integrations/mail-quarantine/<int:inbound_id>/", views.mail_quarantine_detail,
         name="mail-quarantine-detail"),
    path("integrations/mail-quarantine/<int:inbound_id>/discard/", views.mail_quarantine_discard,
         name="mail-quarantine-discard"),
]

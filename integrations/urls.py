from django.urls import path

from integrations import views

urlpatterns = [
    path("integrations/webhooks/", views.webhook_list, name="webhook-list"),
    path("integrations/webhooks/<int:subscription_id>/", views.webhook_detail, name="webhook-detail"),
    path("integrations/webhooks/<int:subscription_id>/test/", views.webhook_test, name="webhook-test"),
    path("integrations/webhooks/<int:subscription_id>/secret/", views.webhook_roll_secret, name="webhook-secret"),
    path("integrations/webhooks/<int:subscription_id>/delete/", views.webhook_delete, name="webhook-delete"),
]

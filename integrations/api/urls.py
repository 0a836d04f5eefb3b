from django.urls import path
from rest_framework.routers import SimpleRouter

from integrations.api import views

router = SimpleRouter()
router.register("webhooks", views.WebhookViewSet, basename="api-webhook")

urlpatterns = [
    *router.urls,
    path("webhooks/<int:subscription_id>/deliveries/", views.WebhookDeliveryListApi.as_view(),
         name="api-webhook-deliveries"),
]

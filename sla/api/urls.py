from django.urls import path
from rest_framework.routers import SimpleRouter

from sla.api import views

router = SimpleRouter()
router.register("sla/calendars", views.CalendarViewSet, basename="api-sla-calendar")
router.register("sla/policies", views.SlaPolicyViewSet, basename="api-sla-policy")

urlpatterns = [
    *router.urls,
    path("sla/priority-matrix/", views.PriorityMatrixApi.as_view(), name="sla-priority-matrix"),
]

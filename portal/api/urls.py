"""/api/v1/: every app's API routes, mounted in one place."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from home import api as home_api
from portal.api import people, views

router = SimpleRouter()
router.register("tokens", views.ApiTokenViewSet, basename="api-token")
router.register("service-accounts", views.ServiceAccountViewSet, basename="api-service-account")
router.register("audit-events", views.AuditEventViewSet, basename="audit-event")
router.register("members", people.MemberViewSet, basename="member")
router.register("invitations", people.InvitationViewSet, basename="invitation")

urlpatterns = [
    path("me/", views.MeApi.as_view(), name="api-me"),
    path("settings/", views.TenantSettingsApi.as_view(), name="api-tenant-settings"),
    path("login-lockouts/", views.LoginLockoutsApi.as_view(), name="api-login-lockouts"),
    path("dashboard/", home_api.DashboardApi.as_view(), name="api-dashboard"),
    path("dashboard/contracts/", home_api.DashboardContractsApi.as_view(), name="api-dashboard-contracts"),
    path("dashboard/service/", home_api.DashboardServiceApi.as_view(), name="api-dashboard-service"),
    *router.urls,
    path("", include("contracts.api.urls")),
    path("", include("sla.api.urls")),
    path("", include("tickets.api.urls")),
    path("", include("billing.api.urls")),
    path("", include("integrations.api.urls")),
]

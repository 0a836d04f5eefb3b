from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from portal import views, views_security
from portal.api.docs import ApiDocsView, ApiSchemaView

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("audit/", views.audit_log, name="audit-log"),
    path("settings/", views.tenant_settings, name="tenant-settings"),
    path("security/lockouts/", views_security.lockout_list, name="lockout-list"),
    path("security/lockouts/unlock/", views_security.lockout_unlock, name="lockout-unlock"),
    path("settings/service-accounts/", views.service_accounts, name="service-accounts"),
    path("settings/service-accounts/<int:account_id>/", views.service_account, name="service-account"),
    path("settings/service-accounts/<int:account_id>/disable/", views.service_account_disable,
         name="service-account-disable"),
    path("settings/service-accounts/<int:account_id>/tokens/<str:token_prefix>/revoke/",
         views.service_account_token_revoke, name="service-account-token-revoke"),
    path("account/", views.account_preferences, name="account-preferences"),
    path("account/tokens/", views.api_tokens, name="api-tokens"),
    path("account/tokens/<str:token_prefix>/revoke/", views.api_token_revoke, name="api-token-revoke"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("home.urls")),
    path("", include("contracts.urls")),
    path("", include("sla.urls")),
    path("", include("tickets.urls")),
    path("", include("billing.urls")),
    path("api/v1/", include("portal.api.urls")),
    path("api/schema/", ApiSchemaView.as_view(), name="api-schema"),
    path("api/docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]

handler404 = "portal.views_errors.not_found"
handler500 = "portal.views_errors.server_error"

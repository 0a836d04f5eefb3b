from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from portal import views, views_account, views_people, views_security
from portal.api.docs import ApiDocsView, ApiSchemaView

urlpatterns = [
    # Browsers ask for /favicon.ico whatever the page's <link rel="icon"> says.
    path("favicon.ico", views.favicon, name="favicon"),
    path("login/", views_account.LoginView.as_view(), name="login"),
    path("login/code/", views_account.login_code, name="login-code"),
    path("invitation/<str:invite_token>/", views_account.invitation_accept, name="invitation-accept"),
    path("password/reset/", views_account.PasswordResetView.as_view(), name="password-reset"),
    path("password/reset/sent/", views_account.PasswordResetSentView.as_view(), name="password-reset-sent"),
    path("password/reset/done/", views_account.PasswordResetCompleteView.as_view(), name="password-reset-complete"),
    path("password/reset/<str:uidb64>/<str:token>/", views_account.PasswordResetConfirmView.as_view(),
         name="password-reset-confirm"),
    path("people/", views_people.people_list, name="people-list"),
    path("people/invite/", views_people.people_invite, name="people-invite"),
    path("people/<int:member_id>/role/", views_people.member_role, name="member-role"),
    path("people/<int:member_id>/deactivate/", views_people.member_deactivate, name="member-deactivate"),
    path("people/<int:member_id>/reactivate/", views_people.member_reactivate, name="member-reactivate"),
    path("people/<int:member_id>/two-factor/reset/", views_people.member_two_factor_reset,
         name="member-two-factor-reset"),
    path("people/invitations/<int:invitation_id>/resend/", views_people.invitation_resend, name="invitation-resend"),
    path("people/invitations/<int:invitation_id>/revoke/", views_people.invitation_revoke, name="invitation-revoke"),
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
    path("account/password/", views_account.PasswordChangeView.as_view(), name="password-change"),
    path("account/two-factor/", views_account.two_factor_page, name="two-factor"),
    path("account/tokens/", views.api_tokens, name="api-tokens"),
    path("account/tokens/<str:token_prefix>/revoke/", views.api_token_revoke, name="api-token-revoke"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("home.urls")),
    path("", include("contracts.urls")),
    path("", include("sla.urls")),
    path("", include("tickets.urls")),
    path("", include("billing.urls")),
    path("", include("integrations.urls")),
    path("api/v1/", include("portal.api.urls")),
    path("api/schema/", ApiSchemaView.as_view(), name="api-schema"),
    path("api/docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]

handler404 = "portal.views_errors.not_found"
handler500 = "portal.views_errors.server_error"

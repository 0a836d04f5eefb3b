"""The OpenAPI schema and its Swagger UI, served by the portal itself (no CDN) and, unless
`settings.API_DOCS_PUBLIC`, only to logged-in members of a tenant."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

from portal.api.permissions import IsTenantMember


class ApiDocsPermission(IsTenantMember):
    """Anyone when the docs are public, else a member of an active tenant. Read on each
    request, so that the setting can change without a restart of the class."""

    def has_permission(self, request, view) -> bool:
        return settings.API_DOCS_PUBLIC or super().has_permission(request, view)


class ApiSchemaView(SpectacularAPIView):
    api_area = None  # any token may call it (no scope needed)
    permission_classes = [ApiDocsPermission]


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI, with its initialising script served apart (`?script`) so that the page
    needs no inline script, and a template without an inline <style> (the CSP allows
    neither)."""
    api_area = None  # any token may call it (no scope needed)

    template_name = "portal/api_docs.html"
    permission_classes = [AllowAny]  # checked in get(): a person is sent to the login page

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        if not ApiDocsPermission().has_permission(request, self):
            return redirect_to_login(request.get_full_path())
        return super().get(request, *args, **kwargs)

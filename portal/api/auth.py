"""API authentication: personal tokens (`Authorization: Bearer <token>`) and sessions."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from portal import selectors
from portal.api.throttling import failed_credentials_allowed
from portal.tenancy import client_ip


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keywords = ("bearer", "token")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode("latin-1").lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header: expected 'Bearer <token>'."))
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from exc
        token = selectors.api_token_authenticate(raw=raw, ip=client_ip(request))
        if token is None:
            allowed, wait = failed_credentials_allowed(request)
            if not allowed:
                raise exceptions.Throttled(wait)
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class SessionAuthentication(authentication.SessionAuthentication):
    """DRF's session auth (with its CSRF check), for the browser's own calls."""


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """Documents the personal tokens in the OpenAPI schema. Without it drf-spectacular
    warns (W001) on every view, and `check --deploy --fail-level WARNING` fails."""

    target_class = ApiTokenAuthentication
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": (
            "An API token, personal or a service account's: `Authorization: Bearer mpt_<prefix>_<secret>`. "
            "Each token holds scopes, read or write per area (tickets, contracts, billing, admin; write "
            "includes read); an operation outside them answers 403 with the code `missing_scope` naming "
            "the scope. An expired or revoked token answers 401.")}


class SessionScheme(OpenApiAuthenticationExtension):
    """The browser session (drf-spectacular only knows DRF's own class, not a subclass)."""

    target_class = SessionAuthentication
    name = "session"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}

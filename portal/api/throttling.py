"""API throttling: calls with a token are counted per token (each integration has its own
budget, and one runaway script does not starve the others), calls from a browser session
per user, anonymous calls per client address. Counts live in the cache (Redis in production). Rates come from
`settings.API_THROTTLE_RATES`, read on every request so that a rate of None turns a
throttle off and tests can set their own."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from portal.models import ApiToken
from portal.tenancy import client_ip


class _PortalThrottle:
    scope: str

    def get_rate(self):
        return settings.API_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request):
        # DRF's own get_ident trusts any X-Forwarded-For a caller sends unless NUM_PROXIES
        # is set; the portal's client_ip is the one rule (the audit log's and the login
        # lockout's) for which hop to trust.
        return client_ip(request) or "unknown"


class UserThrottle(_PortalThrottle, UserRateThrottle):
    scope = "user"

    def get_cache_key(self, request, view):
        token = getattr(request, "auth", None)
        if isinstance(token, ApiToken):
            return self.cache_format % {"scope": self.scope, "ident": f"token-{token.pk}"}
        return super().get_cache_key(request, view)


class AnonThrottle(_PortalThrottle, AnonRateThrottle):
    scope = "anon"


class _FailedCredentialsThrottle(AnonThrottle):
    """The anonymous count of the caller's address, asked during authentication (when
    `request.user` cannot be read yet)."""

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def failed_credentials_allowed(request) -> tuple[bool, float | None]:
    """Count one failed authentication against the caller's anonymous rate: whether it is
    still within the rate, and else how long to wait. DRF checks throttles after
    authentication, so without this a caller trying tokens would never be throttled."""
    throttle = _FailedCredentialsThrottle()
    if throttle.allow_request(request, None):
        return True, None
    return False, throttle.wait()

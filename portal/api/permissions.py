from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from portal import tenancy
from portal.api import idempotency
from portal.models import ApiToken
from portal.permissions import can

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def view_area(view) -> str | None:
    """The API area an endpoint belongs to (`api_area` on the view: tickets, contracts,
    billing or admin; None for endpoints any token may call, such as /me/). A view that
    forgot to say is treated as admin, the strictest."""
    return getattr(view, "api_area", "admin")


def scope_needed(request, view) -> str | None:
    area = view_area(view)
    if area is None:
        return None
    return f"{area}:{'read' if request.method in SAFE_METHODS else 'write'}"


class IsTenantMember(permissions.BasePermission):
    """Authenticated, with an active membership; attaches `request.tenant` (the one
    place, shared with the browser middleware, that resolves tenant and role).

    Also the one place where a token's scopes are enforced: every permission class of
    the API derives from this one, so an endpoint outside the token's scopes answers 403
    (`missing_scope`) naming the scope it needs. Sessions (a person in the browser)
    carry no scopes: their role alone decides."""

    message = _("You are not a member of an active tenant.")

    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        if tenancy.attach(request, request.user) is None:
            return False
        if not (self._scoped(request, view) and self.allows(request, view)):
            return False
        idempotency.claim(request)  # last: only a caller allowed to write may claim a key
        return True

    def allows(self, request, view) -> bool:
        """The subclasses' own check (e.g. the policy's)."""
        return True

    def _scoped(self, request, view) -> bool:
        token = request.auth if isinstance(request.auth, ApiToken) else None
        needed = scope_needed(request, view)
        if token is None or needed is None:
            return True
        area, mode = needed.split(":")
        if token.allows(area, mode == "write"):
            return True
        self.message = _("This token does not hold the scope %(scope)s.") % {"scope": needed}
        self.code = "missing_scope"
        return False


class _PolicyCheck(IsTenantMember):
    def __init__(self, action: str) -> None:
        self.action = action

    def allows(self, request, view) -> bool:
        if not can(request.membership, self.action):
            self.code = "permission_denied"
            self.message = _("Your role does not allow this action.")
            return False
        return True


class PolicyPermission:
    """A tenant member whom the policy (`portal.permissions`) allows `action`, for the
    endpoints reserved to some roles: `permission_classes = [PolicyPermission("audit.read")]`.

    DRF instantiates each entry of `permission_classes` per request; calling this gives
    a fresh check, so the action is written once, where the endpoint is declared."""

    def __init__(self, action: str) -> None:
        self.action = action

    def __call__(self) -> _PolicyCheck:
        return _PolicyCheck(self.action)


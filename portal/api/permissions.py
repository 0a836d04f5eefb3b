from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from portal import tenancy
from portal.permissions import can


class IsTenantMember(permissions.BasePermission):
    """Authenticated, with an active membership; attaches `request.tenant` (the one
    place, shared with the browser middleware, that resolves tenant and role)."""

    message = _("You are not a member of an active tenant.")

    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        return tenancy.attach(request, request.user) is not None


class _PolicyCheck(IsTenantMember):
    def __init__(self, action: str) -> None:
        self.action = action

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        if not can(request.membership, self.action):
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


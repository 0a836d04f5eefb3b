from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import permissions

from portal import tenancy
from portal.models import PROVIDER_ROLES


class IsTenantMember(permissions.BasePermission):
    """Authenticated, with an active membership; attaches `request.tenant` (the one
    place, shared with the browser middleware, that resolves tenant and role)."""

    message = _("You are not a member of an active tenant.")

    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        return tenancy.attach(request, request.user) is not None


class IsProvider(IsTenantMember):
    message = _("Only the provider's staff may use this endpoint.")

    def has_permission(self, request, view) -> bool:
        return super().has_permission(request, view) and request.membership.role in PROVIDER_ROLES

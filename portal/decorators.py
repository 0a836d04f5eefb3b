"""Access decorators for the browser portal. The tenant itself is resolved by
`portal.tenancy.TenantMiddleware`; these only require that it exists and, for a page
reserved to some roles, ask the policy (`portal.permissions`) for its action."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from portal.permissions import require


def tenant_required(action: str | None = None):
    """A logged-in member of an active tenant; with `action`, one the policy allows it
    (403 otherwise)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = getattr(request, "membership", None)
            if membership is None:
                raise PermissionDenied
            if action is not None:
                require(membership, action, tenant=request.tenant)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator

"""The one place where the current tenant and role are worked out.

Browser sessions: `TenantMiddleware` attaches `request.membership` and
`request.tenant`. API tokens: DRF authenticates after the middleware has run, so
the API's permission class calls `attach(request)` again once the user is known.
Everything else (views, APIs, tasks) receives the tenant from here and passes it to
selectors, which put it in the query.
"""

from __future__ import annotations

import contextvars
from typing import TypeVar

from django.db import models
from django.http import Http404
from django.utils.translation import gettext as _

from portal.models import Membership

M = TypeVar("M", bound=models.Model)

# The client IP of the request being served, for the audit log. Set by the middleware.
current_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("current_ip", default=None)

_CACHE_ATTR = "_portal_membership"


def membership_for(user) -> Membership | None:
    """The active membership of a logged-in user, or None. Cached on the user object."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if not hasattr(user, _CACHE_ATTR):
        membership = (
            Membership.objects.select_related("tenant", "organization")
            .filter(user=user, tenant__is_active=True)
            .first()
        )
        setattr(user, _CACHE_ATTR, membership)
    return getattr(user, _CACHE_ATTR)


def attach(request, user=None) -> Membership | None:
    membership = membership_for(user if user is not None else request.user)
    request.membership = membership
    request.tenant = membership.tenant if membership else None
    inner = getattr(request, "_request", None)  # DRF wraps the Django request
    if inner is not None:
        inner.membership = request.membership
        inner.tenant = request.tenant
    return membership


def client_ip(request) -> str | None:
    # Behind the reverse proxy of docker-compose, REMOTE_ADDR is the proxy, and the
    # X-Forwarded-For hop it appended (the last one) is the client, trusted in production
    # only. The earlier hops are whatever the client chose to send: never the first one.
    from django.conf import settings

    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.PRODUCTION and forwarded:
        return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None


class TenantMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_ip.set(client_ip(request))
        try:
            attach(request)
            return self.get_response(request)
        finally:
            current_ip.reset(token)


def get_for_tenant(qs: models.QuerySet[M] | type[M], tenant, **lookup) -> M:
    """Fetch one row of `tenant` or raise Http404.

    Another tenant's row and a missing row get the same 404 and the same message, so
    nobody can probe for references that exist elsewhere.
    """
    if isinstance(qs, type):
        qs = qs._default_manager.all()
    if tenant is None:
        raise Http404(_("Not found."))
    try:
        return qs.get(tenant=tenant, **lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("Not found.")) from exc


def assert_same_tenant(*objects) -> None:
    """Tripwire for services that receive several objects: they must share one tenant."""
    tenant_ids = {getattr(o, "tenant_id", None) for o in objects if o is not None}
    tenant_ids.discard(None)
    if len(tenant_ids) > 1:
        raise AssertionError(f"objects from several tenants: {sorted(tenant_ids)}")

"""Reading tenancy data: tokens, memberships, the audit log."""

from __future__ import annotations

import hashlib
import hmac

from django.db.models import QuerySet
from django.utils import timezone

from portal.models import ApiToken, AuditEvent, Membership, User

TOKEN_PREFIX = "mpt"


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_authenticate(*, raw: str) -> ApiToken | None:
    """The active token matching `raw` (`mpt_<prefix>_<secret>`), or None.

    Looked up by its public prefix, compared in constant time; marks `last_used_at`
    at most once a minute so that busy integrations do not write on every call.
    """
    parts = raw.split("_")
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    token = (
        ApiToken.objects.select_related("user", "tenant")
        .filter(prefix=parts[1], revoked_at__isnull=True, tenant__is_active=True, user__is_active=True)
        .first()
    )
    if token is None or not hmac.compare_digest(token.digest, token_digest(parts[2])):
        return None
    now = timezone.now()
    if token.expires_at is not None and token.expires_at <= now:
        return None
    membership = Membership.objects.filter(user_id=token.user_id).only("tenant_id").first()
    if membership is None or membership.tenant_id != token.tenant_id:
        return None  # the user moved or lost its membership: the token no longer applies
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def api_token_list(*, tenant, user) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(tenant=tenant, user=user).order_by("-created_at", "-pk")


def audit_event_list(*, tenant, action: str = "", object_ref: str = "", actor: str = "") -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.filter(tenant=tenant)
    if action:
        qs = qs.filter(action__startswith=action)
    if object_ref:
        qs = qs.filter(object_ref__icontains=object_ref)
    if actor:
        qs = qs.filter(actor_label__icontains=actor)
    return qs.select_related("organization").order_by("-created_at", "-pk")


def membership_list(*, tenant) -> QuerySet[Membership]:
    return Membership.objects.filter(tenant=tenant).select_related("user", "organization").order_by("role", "user__email")


def users_who_may(*, tenant, action: str) -> QuerySet[User]:
    """The active users of `tenant` whose role the policy allows `action` (e.g. the team
    a ticket can be assigned to: those who may take it)."""
    from portal.permissions import roles_allowed

    return User.objects.filter(membership__tenant=tenant, membership__role__in=sorted(roles_allowed(action)),
                               is_active=True).order_by("full_name", "email")

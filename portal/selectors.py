"""Reading tenancy data: tokens, memberships, the audit log."""

from __future__ import annotations

import hashlib
import hmac

from django.db.models import QuerySet
from django.utils import timezone

from portal.models import ApiToken, AuditEvent, Invitation, Membership, ServiceAccount, User

TOKEN_PREFIX = "mpt"


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_authenticate(*, raw: str, ip: str | None = None) -> ApiToken | None:
    """The active token matching `raw` (`mpt_<prefix>_<secret>`), or None.

    Looked up by its public prefix, compared in constant time; marks `last_used_at` and
    the caller's address `ip` at most once a minute (or when the address changes) so
    that busy integrations do not write on every call.
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
    if (token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60
            or (ip and ip != token.last_used_ip)):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=ip)
        token.last_used_at, token.last_used_ip = now, ip
    return token


def api_token_list(*, tenant, user) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(tenant=tenant, user=user).order_by("-created_at", "-pk")


def service_account_list(*, tenant) -> QuerySet[ServiceAccount]:
    return (ServiceAccount.objects.filter(tenant=tenant)
            .select_related("user__membership__organization").order_by("name", "pk"))


def service_account_get(*, tenant, viewer, pk) -> ServiceAccount:
    """A service account of `tenant`; to whoever may not manage them it does not exist
    (404), like any object outside what the viewer may see."""
    from django.http import Http404

    from portal.permissions import can
    from portal.tenancy import get_for_tenant

    if not can(viewer, "service_account.manage"):
        raise Http404
    return get_for_tenant(service_account_list(tenant=tenant), tenant, pk=pk)


def audit_event_list(*, tenant, action: str = "", object_ref: str = "", actor: str = "") -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.filter(tenant=tenant)
    if action:
        qs = qs.filter(action__startswith=action)
    if object_ref:
        qs = qs.filter(object_ref__icontains=object_ref)
    if actor:
        qs = qs.filter(actor_label__icontains=actor)
    return qs.select_related("organization", "actor").order_by("-created_at", "-pk")


def membership_list(*, tenant) -> QuerySet[Membership]:
    return Membership.objects.filter(tenant=tenant).select_related("user", "organization").order_by("role", "user__email")


def _people_scope(qs, *, tenant, viewer):
    """Rows of `tenant` the viewer manages: all of them for provider staff, their own
    organisation's for a client (nothing without a membership)."""
    if tenant is None or viewer is None:
        return qs.none()
    qs = qs.filter(tenant=tenant)
    if viewer.is_client:
        qs = qs.filter(organization_id=viewer.organization_id, role__in=["client_admin", "client_user"])
    return qs


def member_list(*, tenant, viewer, organization=None) -> QuerySet[Membership]:
    """The people of the tenant the viewer may see on the People page (a client: their
    organisation's), providers first, then by name."""
    qs = _people_scope(Membership.objects.select_related("user", "organization"), tenant=tenant, viewer=viewer)
    if organization is not None:
        qs = qs.filter(organization=organization)
    return qs.order_by("organization__legal_name", "role", "user__full_name", "user__email")


def organization_people(*, organization) -> QuerySet[Membership]:
    """The people of a client organisation (already looked up within the viewer's
    scope), with their roles, active first."""
    return (Membership.objects.filter(tenant_id=organization.tenant_id, organization=organization)
            .select_related("user").order_by("-user__is_active", "role", "user__full_name", "user__email"))


def member_get(*, tenant, viewer, member_id) -> Membership:
    from portal.tenancy import get_for_tenant

    return get_for_tenant(member_list(tenant=tenant, viewer=viewer), tenant, pk=member_id)


def invitation_list(*, tenant, viewer, organization=None) -> QuerySet[Invitation]:
    """The open invitations (pending or expired) the viewer manages, newest first."""
    qs = _people_scope(Invitation.objects.select_related("organization", "invited_by"), tenant=tenant, viewer=viewer)
    if organization is not None:
        qs = qs.filter(organization=organization)
    return qs.filter(accepted_at__isnull=True, revoked_at__isnull=True).order_by("-sent_at", "-pk")


def invitation_get(*, tenant, viewer, invitation_id) -> Invitation:
    from portal.tenancy import get_for_tenant

    return get_for_tenant(invitation_list(tenant=tenant, viewer=viewer), tenant, pk=invitation_id)


def users_who_may(*, tenant, action: str) -> QuerySet[User]:
    """The active users of `tenant` whose role the policy allows `action` (e.g. the team
    a ticket can be assigned to: those who may take it)."""
    from portal.permissions import roles_allowed

    return User.objects.filter(membership__tenant=tenant, membership__role__in=sorted(roles_allowed(action)),
                               is_active=True).order_by("full_name", "email")


def client_organizations(*, tenant):
    """The client organisations of `tenant`, by name (for choosing one)."""
    model = Membership._meta.get_field("organization").related_model
    return model.objects.filter(tenant=tenant, kind="client").order_by("legal_name")


def organization_by_reference(*, tenant, reference: str):
    """A client organisation of `tenant` by its reference, or None. Reached through the
    membership's link (portal sits below contracts and does not import it)."""
    model = Membership._meta.get_field("organization").related_model
    return model.objects.filter(tenant=tenant, reference=reference).first()

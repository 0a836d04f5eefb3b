"""People and access: invitations, roles, deactivation, resetting someone's two-factor
authentication. Tenant administrators manage everyone of their tenant; client
administrators the people of their own organisation, with client roles only (the
policy's `member.*` and `invitation.*` actions, portal/permissions.py).

An invitation is a signed link (Django's signing, keyed by SECRET_KEY) of the
invitation's id and version: nothing secret is stored, re-sending bumps the version (the
earlier links stop working) and restarts the expiry, revoking closes the row. The person
sets their password (Django's validators) when they accept; their user and membership
are created then. A deactivated user can neither log in (Django refuses inactive users,
sessions included) nor use an API token (`selectors.api_token_authenticate`); their
history stays.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import audit_log
from portal.exceptions import ConflictError
from portal.models import CLIENT_ROLES, PROVIDER_ROLES, Invitation, Membership, Role, User
from portal.outbox import outbox_email
from portal.permissions import require

_SALT = "portal.invitation"


# ---------------------------------------------------------------------- links


def invitation_token(invitation: Invitation) -> str:
    """The secret part of the invitation's link (valid until re-sent, revoked, accepted
    or expired)."""
    return signing.Signer(salt=_SALT).sign_object({"i": invitation.pk, "v": invitation.version})


def invitation_from_token(token: str, *, for_update: bool = False) -> Invitation | None:
    """The open, unexpired invitation a link names, or None (a forged, outdated,
    revoked, accepted or expired link)."""
    try:
        data = signing.Signer(salt=_SALT).unsign_object(token or "")
        pk, version = int(data["i"]), int(data["v"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    qs = Invitation.objects.select_related("tenant", "organization")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    invitation = qs.filter(pk=pk, version=version, accepted_at__isnull=True, revoked_at__isnull=True,
                           expires_at__gt=timezone.now(), tenant__is_active=True).first()
    return invitation


def _send(invitation: Invitation) -> None:
    outbox_email(tenant_id=invitation.tenant_id, kind="invitation", recipients=[invitation.email],
                 context={"invitation_id": invitation.pk, "version": invitation.version},
                 dedup_key=f"invitation:{invitation.pk}:{invitation.version}")


def _expiry():
    return timezone.now() + timedelta(days=settings.INVITATION_DAYS)


# ---------------------------------------------------------------------- invitations


def assignable_roles(membership: Membership | None, *, organization=None) -> list[str]:
    """The roles `membership` may give when it invites someone: client roles into a
    client organisation (a client administrator's own, or `organization`), provider
    roles otherwise (in the order of `Role`)."""
    if membership is None:
        return []
    side = CLIENT_ROLES if membership.is_client or organization is not None else PROVIDER_ROLES
    return [r for r in Role.values if r in side]


def member_roles(member: Membership) -> list[str]:
    """The roles `member` may be moved to: those of its side (provider or client)."""
    side = PROVIDER_ROLES if member.role in PROVIDER_ROLES else CLIENT_ROLES
    return [r for r in Role.values if r in side]


def role_choices(roles: list[str]) -> list[tuple[str, str]]:
    return [(r, Role(r).label) for r in roles]


@transaction.atomic
def invitation_create(*, tenant, actor, email: str, role: str, organization=None, language: str = "") -> Invitation:
    """Invite `email` into `tenant` with `role` (client roles: into `organization`).
    Client administrators invite into their own organisation (the default for them)."""
    membership = require(actor, "member.invite", tenant=tenant)
    if organization is None and membership is not None and membership.is_client:
        organization = membership.organization
    email = (email or "").strip().lower()
    errors: dict[str, list[str]] = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = [_("Enter a valid e-mail address.")]
    if role not in Role.values:
        errors["role"] = [_("Unknown role.")]
    elif role in CLIENT_ROLES and organization is None:
        errors["organization"] = [_("A client role needs the client organisation.")]
    elif role in PROVIDER_ROLES and organization is not None:
        errors["role"] = [_("Choose a client role for a person of a client organisation.")]
    if language and language not in dict(settings.LANGUAGES):
        errors["language"] = [_("Unknown language.")]
    probe = Invitation(tenant=tenant, email=email, role=role,
                       organization_id=getattr(organization, "pk", None))
    if membership is not None:
        require(membership, "member.invite", probe)
    if organization is not None and (organization.tenant_id != tenant.pk or getattr(organization, "kind", "client")
                                     != "client"):
        errors["organization"] = [_("Choose one of your client organisations.")]
    if "email" not in errors and User.objects.filter(email=email).exists():
        errors["email"] = [_("This address already has an account.")]
    elif "email" not in errors and Invitation.objects.filter(email=email, accepted_at__isnull=True,
                                                             revoked_at__isnull=True).exists():
        errors["email"] = [_("This address has been invited already: re-send or revoke that invitation.")]
    if errors:
        raise ValidationError(errors)
    invitation = Invitation(tenant=tenant, email=email, role=role, organization=organization,
                            language=language or getattr(actor, "language", "") or settings.LANGUAGE_CODE,
                            invited_by=actor if getattr(actor, "pk", None) else None, expires_at=_expiry())
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError as exc:  # invited at the same moment by someone else
        raise ValidationError({"email": [_("This address has been invited already: re-send or revoke that "
                                           "invitation.")]}) from exc
    audit_log(tenant=tenant, actor=actor, action="invitation.create", obj=invitation, object_ref=email,
              organization=organization, changes={"email": email, "role": role})
    _send(invitation)
    return invitation


@transaction.atomic
def invitation_resend(*, invitation: Invitation, actor) -> Invitation:
    """A new link (the earlier ones stop working), valid from now."""
    require(actor, "invitation.resend", invitation)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise ConflictError(_("This invitation was accepted or revoked: it cannot be sent again."))
    invitation.version += 1
    invitation.expires_at = _expiry()
    invitation.sent_at = timezone.now()
    invitation.save(update_fields=["version", "expires_at", "sent_at", "updated_at"])
    audit_log(tenant=invitation.tenant, actor=actor, action="invitation.resend", obj=invitation,
              object_ref=invitation.email, organization=invitation.organization)
    _send(invitation)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor) -> Invitation:
    require(actor, "invitation.revoke", invitation)
    updated = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now())
    invitation.refresh_from_db()
    if not updated:
        raise ConflictError(_("This invitation was accepted or revoked already."))
    audit_log(tenant=invitation.tenant, actor=actor, action="invitation.revoke", obj=invitation,
              object_ref=invitation.email, organization=invitation.organization)
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, full_name: str, password: str) -> User:
    """The invited person joins: their user (with the password they chose, checked by
    Django's validators) and membership are created. ValidationError on `token` when the
    link no longer works."""
    invitation = invitation_from_token(token, for_update=True)
    if invitation is None:
        raise ValidationError({"token": [_("This invitation link is no longer valid. Ask for a new one.")]})
    full_name = (full_name or "").strip()
    if not full_name:
        raise ValidationError({"full_name": [_("Tell us your name.")]})
    user = User(email=invitation.email, full_name=full_name, language=invitation.language)
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    if User.objects.filter(email=invitation.email).exists():
        raise ValidationError({"token": [_("This address already has an account: log in instead.")]})
    user.set_password(password)
    user.save()
    Membership.objects.create(tenant=invitation.tenant, user=user, role=invitation.role,
                              organization=invitation.organization)
    invitation.accepted_at = timezone.now()
    invitation.user = user
    invitation.save(update_fields=["accepted_at", "user", "updated_at"])
    audit_log(tenant=invitation.tenant, actor=user, action="invitation.accept", obj=invitation,
              object_ref=invitation.email, organization=invitation.organization,
              changes={"role": invitation.role})
    return user


# ---------------------------------------------------------------------- members


def _other_active_admins(member: Membership) -> bool:
    return Membership.objects.filter(tenant_id=member.tenant_id, role=Role.TENANT_ADMIN,
                                     user__is_active=True).exclude(pk=member.pk).exists()


def _not_oneself(member: Membership, actor, message: str) -> None:
    if member.user_id == getattr(actor, "pk", None):
        raise ConflictError(message)


@transaction.atomic
def member_change_role(*, member: Membership, actor, role: str) -> Membership:
    """Another role on the same side: provider staff keep a provider role, client staff
    a client role (their organisation stays). Nobody changes their own role, and the
    tenant keeps an active administrator."""
    require(actor, "member.change_role", member)
    member = (Membership.objects.select_for_update(of=("self",)).select_related("tenant", "organization", "user")
              .get(pk=member.pk))
    side = PROVIDER_ROLES if member.role in PROVIDER_ROLES else CLIENT_ROLES
    if role not in side:
        raise ValidationError({"role": [_("Choose one of: %(roles)s.") % {
            "roles": ", ".join(str(Role(r).label) for r in Role.values if r in side)}]})
    _not_oneself(member, actor, _("You cannot change your own role."))
    if role == member.role:
        return member
    if member.role == Role.TENANT_ADMIN and not _other_active_admins(member):
        raise ConflictError(_("The tenant must keep an active administrator."))
    before = member.role
    member.role = role
    member.save(update_fields=["role", "updated_at"])
    audit_log(tenant=member.tenant, actor=actor, action="member.role", object_type="user",
              object_ref=member.user.email, organization=member.organization, changes={"role": [before, role]})
    return member


@transaction.atomic
def member_deactivate(*, member: Membership, actor) -> Membership:
    """The person can no longer log in nor use their API tokens; what they did stays."""
    require(actor, "member.deactivate", member)
    _not_oneself(member, actor, _("You cannot deactivate your own account."))
    if member.role == Role.TENANT_ADMIN and not _other_active_admins(member):
        raise ConflictError(_("The tenant must keep an active administrator."))
    if User.objects.filter(pk=member.user_id, is_active=True).update(is_active=False):
        audit_log(tenant=member.tenant, actor=actor, action="member.deactivate", object_type="user",
                  object_ref=member.user.email, organization=member.organization)
    member.user.refresh_from_db(fields=["is_active"])
    return member


@transaction.atomic
def member_reactivate(*, member: Membership, actor) -> Membership:
    require(actor, "member.reactivate", member)
    if User.objects.filter(pk=member.user_id, is_active=False).update(is_active=True):
        audit_log(tenant=member.tenant, actor=actor, action="member.reactivate", object_type="user",
                  object_ref=member.user.email, organization=member.organization)
    member.user.refresh_from_db(fields=["is_active"])
    return member


@transaction.atomic
def member_reset_two_factor(*, member: Membership, actor) -> Membership:
    """Remove someone's authenticator and recovery codes (a lost phone): they log in
    with their password alone, or enrol again where the tenant requires it."""
    from portal.two_factor import two_factor_remove

    require(actor, "member.reset_two_factor", member)
    if two_factor_remove(member.user):
        audit_log(tenant=member.tenant, actor=actor, action="member.two_factor_reset", object_type="user",
                  object_ref=member.user.email, organization=member.organization)
    return member


# ---------------------------------------------------------------------- passwords


def password_reset_request(*, email: str) -> int:
    """Write the reset e-mail of the active account of `email` (if any: the page says
    the same either way) to the outbox; the link is made when it is sent, in the
    person's language. Returns the number of e-mails written (0 or 1)."""
    email = (email or "").strip().lower()
    membership = (Membership.objects.select_related("user")
                  .filter(user__email=email, user__is_active=True, tenant__is_active=True).first())
    if membership is None or not membership.user.has_usable_password():
        return 0
    with transaction.atomic():
        return outbox_email(tenant_id=membership.tenant_id, kind="password.reset", recipients=[membership.user],
                            context={})


def password_changed(*, user, how: str) -> None:
    """Audit a password set by its owner (`how`: "change" from the preferences, "reset"
    from an e-mailed link)."""
    from portal.tenancy import membership_for

    membership = membership_for(user)
    if membership is not None:
        audit_log(tenant=membership.tenant, actor=user, action="user.password", object_type="user",
                  object_ref=user.email, changes={"how": how})

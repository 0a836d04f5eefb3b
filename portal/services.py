"""Changing tenancy data: API tokens and service accounts, tenant settings."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import audit_log
from portal.models import (
    API_SCOPES,
    PROVIDER_ROLES,
    SERVICE_ACCOUNT_DOMAIN,
    ApiToken,
    Membership,
    Role,
    ServiceAccount,
    User,
)
from portal.notifications import api_token_notify
from portal.permissions import require
from portal.selectors import TOKEN_PREFIX, token_digest
from portal.tenancy import membership_for


def _clean_scopes(scopes, *, within: ApiToken | None = None) -> list[str]:
    """The scopes asked for, checked: known ones, and when the request comes with a token,
    none that this token does not hold itself (a token never mints a stronger one)."""
    if scopes is None:
        scopes = list(API_SCOPES)
    scopes = list(scopes)
    unknown = [s for s in scopes if s not in API_SCOPES]
    if unknown:
        raise ValidationError({"scopes": [_("Unknown scope: %(scope)s. Known scopes: %(known)s.")
                                          % {"scope": unknown[0], "known": ", ".join(API_SCOPES)}]})
    if not scopes:
        raise ValidationError({"scopes": [_("Give the token at least one scope.")]})
    if within is not None:
        beyond = [s for s in scopes if not within.allows(s.split(":")[0], s.endswith(":write"))]
        if beyond:
            raise ValidationError({"scopes": [_("The token you are using does not hold the scope %(scope)s, so it "
                                                "cannot give it.") % {"scope": beyond[0]}]})
    return [s for s in API_SCOPES if s in scopes]


def _check_expiry(expires_at: datetime | None) -> None:
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": [_("The expiry date must be in the future.")]})


def _new_token(*, tenant, user, created_by, name: str, scopes: list[str],
               expires_at: datetime | None) -> tuple[ApiToken, str]:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give the token a name, e.g. the integration that will use it.")]})
    _check_expiry(expires_at)
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32).replace("_", "-")
    token = ApiToken(tenant=tenant, user=user, created_by=created_by, name=name, prefix=prefix,
                     digest=token_digest(secret), scopes=scopes, expires_at=expires_at)
    token.full_clean()
    token.save()
    return token, f"{TOKEN_PREFIX}_{prefix}_{secret}"


@transaction.atomic
def api_token_create(*, user, name: str, expires_at: datetime | None = None, scopes: list[str] | None = None,
                     via_token: ApiToken | None = None) -> tuple[ApiToken, str]:
    """Create a personal token for `user` in its tenant, with `scopes` (all of them when
    omitted; within those of `via_token` when the request came with a token). Returns
    the row and the secret, which is never stored and cannot be shown again."""
    membership = require(user, "token.create")
    if getattr(user, "service_account", None) is not None:
        raise PermissionDenied(_("A service account's tokens are made by a tenant administrator."))
    scopes = _clean_scopes(scopes, within=via_token)
    token, raw = _new_token(tenant=membership.tenant, user=user, created_by=user, name=name, scopes=scopes,
                            expires_at=expires_at)
    audit_log(tenant=membership.tenant, actor=user, action="api_token.create", obj=token, object_ref=token.prefix,
              changes={"name": token.name, "expires_at": expires_at, "scopes": scopes})
    api_token_notify(token=token)
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor) -> ApiToken:
    account = ServiceAccount.objects.filter(user_id=token.user_id).first()
    if account is not None:
        require(actor, "service_account.manage", account)
    else:
        require(actor, "token.revoke", token)
    updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db()
    if updated:
        audit_log(tenant=token.tenant, actor=actor, action="api_token.revoke", obj=token, object_ref=token.prefix)
    return token


# ---------------------------------------------------------------------- service accounts


@transaction.atomic
def service_account_create(*, actor, tenant, name: str, role: str = Role.TECHNICIAN,
                           organization=None) -> ServiceAccount:
    """An integration of `tenant`: a user without password whose one membership has
    `role` (a provider role), or, restricted to `organization`, the client-administrator
    role of that organisation (which sees all of the organisation's tickets, where a client
    user sees only the ones they opened)."""
    require(actor, "service_account.manage", tenant=tenant)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give the service account a name, e.g. “Monitoring”.")]})
    if organization is not None:
        if organization.tenant_id != tenant.pk:
            raise ValidationError({"organization": [_("Unknown organisation.")]})
        role = Role.CLIENT_ADMIN
    elif role not in PROVIDER_ROLES:
        raise ValidationError({"role": [_("Choose a provider role, or restrict the account to one organisation.")]})
    user = User.objects.create_user(email=f"{secrets.token_hex(8)}@{SERVICE_ACCOUNT_DOMAIN}", password=None,
                                    full_name=name[:200])
    Membership.objects.create(tenant=tenant, user=user, role=role, organization=organization)
    account = ServiceAccount.objects.create(tenant=tenant, user=user, name=name, created_by=actor)
    audit_log(tenant=tenant, actor=actor, action="service_account.create", obj=account, object_ref=str(account.pk),
              organization=organization,
              changes={"name": name, "role": role, "organization": getattr(organization, "reference", None)})
    return account


@transaction.atomic
def service_account_token_create(*, actor, account: ServiceAccount, name: str, scopes: list[str] | None = None,
                                 expires_at: datetime | None = None,
                                 via_token: ApiToken | None = None) -> tuple[ApiToken, str]:
    require(actor, "service_account.manage", account)
    if account.disabled_at is not None:
        raise ValidationError({"non_field_errors": [_("This service account is disabled.")]})
    scopes = _clean_scopes(scopes, within=via_token)
    token, raw = _new_token(tenant=account.tenant, user=account.user, created_by=actor, name=name, scopes=scopes,
                            expires_at=expires_at)
    audit_log(tenant=account.tenant, actor=actor, action="api_token.create", obj=token, object_ref=token.prefix,
              changes={"name": token.name, "expires_at": expires_at, "scopes": scopes,
                       "service_account": account.name})
    api_token_notify(token=token)
    return token, raw


@transaction.atomic
def service_account_disable(*, actor, account: ServiceAccount) -> ServiceAccount:
    """Disable the account for good: its user can no longer authenticate and every
    token is revoked."""
    require(actor, "service_account.manage", account)
    account = ServiceAccount.objects.select_for_update().get(pk=account.pk)
    if account.disabled_at is None:
        now = timezone.now()
        account.disabled_at = now
        account.save(update_fields=["disabled_at", "updated_at"])
        User.objects.filter(pk=account.user_id).update(is_active=False)
        ApiToken.objects.filter(user_id=account.user_id, revoked_at__isnull=True).update(revoked_at=now)
        audit_log(tenant=account.tenant, actor=actor, action="service_account.disable", obj=account,
                  object_ref=str(account.pk))
    return account


@transaction.atomic
def tenant_settings_update(*, tenant, actor, contract_reminder_days: list[int],
                           allow_curative_when_suspended: bool | None = None,
                           ticket_autoclose_days: int | None = None,
                           two_factor_required: bool | None = None) -> None:
    """Tenant-wide settings (tenant administrators). Omitted settings are kept."""
    from portal.models import Tenant

    require(actor, "tenant_settings.edit", tenant=tenant)
    days = sorted({int(d) for d in contract_reminder_days}, reverse=True)
    if not days or any(d < 1 or d > 365 for d in days) or len(days) > 5:
        raise ValidationError({"contract_reminder_days": [_("Give one to five numbers of days between 1 and 365.")]})
    if ticket_autoclose_days is not None and not 1 <= ticket_autoclose_days <= 90:
        raise ValidationError({"ticket_autoclose_days": [_("Between 1 and 90 days.")]})
    tenant = Tenant.objects.select_for_update().get(pk=tenant.pk)
    before = {"contract_reminder_days": tenant.reminder_days,
              "allow_curative_when_suspended": tenant.allow_curative_when_suspended,
              "ticket_autoclose_days": tenant.ticket_autoclose_days,
              "two_factor_required": tenant.two_factor_required}
    after = {"contract_reminder_days": days,
             "allow_curative_when_suspended": before["allow_curative_when_suspended"]
             if allow_curative_when_suspended is None else allow_curative_when_suspended,
             "ticket_autoclose_days": before["ticket_autoclose_days"]
             if ticket_autoclose_days is None else ticket_autoclose_days,
             "two_factor_required": before["two_factor_required"]
             if two_factor_required is None else two_factor_required}
    diff = {k: [before[k], v] for k, v in after.items() if before[k] != v}
    if diff:
        tenant.contract_reminder_days = after["contract_reminder_days"]
        tenant.allow_curative_when_suspended = after["allow_curative_when_suspended"]
        tenant.ticket_autoclose_days = after["ticket_autoclose_days"]
        tenant.two_factor_required = after["two_factor_required"]
        tenant.save(update_fields=["contract_reminder_days", "allow_curative_when_suspended",
                                   "ticket_autoclose_days", "two_factor_required", "updated_at"])
        audit_log(tenant=tenant, actor=actor, action="tenant.settings", object_type="tenant", object_ref=tenant.slug,
                  changes=diff)


NOTIFICATION_KINDS = ("created", "reply", "status", "assigned")


@transaction.atomic
def user_preferences_update(*, user, language: str, notification_optouts: list[str]) -> None:
    """A user's own preferences: the language of their e-mails and the optional
    notifications they do not want (warnings, breaches and resolutions always go out)."""
    from django.conf import settings

    errors = {}
    if language not in dict(settings.LANGUAGES):
        errors["language"] = [_("Unknown language.")]
    unknown = set(notification_optouts) - set(NOTIFICATION_KINDS)
    if unknown:
        errors["notification_optouts"] = [_("Unknown notification: %(k)s.") % {"k": ", ".join(sorted(unknown))}]
    if errors:
        raise ValidationError(errors)
    membership = membership_for(user)
    before = {"language": user.language, "notification_optouts": user.notification_optouts}
    user.language = language
    user.notification_optouts = sorted(set(notification_optouts))
    user.save(update_fields=["language", "notification_optouts"])
    after = {"language": user.language, "notification_optouts": user.notification_optouts}
    if membership is not None and before != after:
        audit_log(tenant=membership.tenant, actor=user, action="user.preferences", object_type="user",
                  object_ref=user.email, changes={k: [before[k], after[k]] for k in after if before[k] != after[k]})

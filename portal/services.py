"""Changing tenancy data: API tokens."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import audit_log
from portal.models import ApiToken
from portal.notifications import api_token_notify
from portal.permissions import require
from portal.selectors import TOKEN_PREFIX, token_digest
from portal.tenancy import membership_for


@transaction.atomic
def api_token_create(*, user, name: str, expires_at: datetime | None = None) -> tuple[ApiToken, str]:
    """Create a token for `user` in its tenant. Returns the row and the secret, which
    is never stored and cannot be shown again."""
    membership = require(user, "token.create")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give the token a name, e.g. the integration that will use it.")]})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": [_("The expiry date must be in the future.")]})
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32).replace("_", "-")
    token = ApiToken(
        tenant=membership.tenant, user=user, name=name, prefix=prefix, digest=token_digest(secret), expires_at=expires_at
    )
    token.full_clean()
    token.save()
    audit_log(tenant=membership.tenant, actor=user, action="api_token.create", obj=token, object_ref=prefix,
              changes={"name": name, "expires_at": expires_at})
    api_token_notify(token=token)
    return token, f"{TOKEN_PREFIX}_{prefix}_{secret}"


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor) -> ApiToken:
    require(actor, "token.revoke", token)
    updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db()
    if updated:
        audit_log(tenant=token.tenant, actor=actor, action="api_token.revoke", obj=token, object_ref=token.prefix)
    return token


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

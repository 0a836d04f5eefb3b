"""Who may do what. Services call these; interfaces only translate the refusal."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from portal.models import Membership, Role
from portal.tenancy import membership_for

PARTY_EDITORS = frozenset({Role.TENANT_ADMIN, Role.ACCOUNT_MANAGER})
TENANT_ADMINS = frozenset({Role.TENANT_ADMIN})


def require_role(actor, roles, *, tenant=None) -> Membership:
    """The actor's membership if its role is one of `roles` (and it is in `tenant`)."""
    membership = membership_for(actor)
    if membership is None or membership.role not in roles:
        raise PermissionDenied(_("Your role does not allow this action."))
    if tenant is not None and membership.tenant_id != tenant.id:
        raise PermissionDenied(_("Your role does not allow this action."))
    return membership


def has_role(membership: Membership | None, roles) -> bool:
    return membership is not None and membership.role in roles

"""Login lockout, on top of django-axes: the pieces axes calls (the authentication
backend, the e-mail of an attempt, the page shown when an attempt is refused), and the
tenant administrator's view of it (the locked members of their tenant, and unlocking one).

Axes records failed attempts per (e-mail, address) in `axes.AccessAttempt`; a pair
with LOGIN_FAILURE_LIMIT failures within LOGIN_LOCKOUT_MINUTES is locked. Settings are in
`portal/settings.py` (section "Login lockout")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from axes.backends import AxesStandaloneBackend
from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.db import transaction
from django.db.models import Max, Sum
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import audit_log
from portal.models import Membership, User
from portal.permissions import require
from portal.tenancy import get_for_tenant


class LockoutBackend(AxesStandaloneBackend):
    """Refuses every login attempt of a locked (e-mail, address) pair before any password
    is checked. Code that authenticates without a request (a management command, a
    test's `client.login`) has no client address to lock: it is let through to the
    next backend, which checks the password as usual."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def attempted_email(request, credentials) -> str | None:
    """The e-mail an attempt was made for, as stored (lower case, trimmed), so that
    `Alice@…` and `alice@…` count as one account."""
    raw = (credentials or {}).get("username")
    if raw is None and request is not None:
        raw = request.POST.get("username")
    return raw.strip().lower() if isinstance(raw, str) else None


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _("Too many failed attempts: this account is locked from your address for %(minutes)s minutes. "
             "Try again later, or ask your administrator to unlock it.") % {"minutes": minutes}


def lockout_response(request, original_response=None, credentials=None):
    """What a refused attempt answers (axes' AXES_LOCKOUT_CALLABLE): the login page with
    the reason, as 429 Too Many Requests."""
    from portal.forms import LoginForm

    form = LoginForm(request, initial={"username": attempted_email(request, credentials) or ""})
    context = {"form": form, "lockout_message": lockout_message(), "next": request.POST.get("next", "")}
    return render(request, "portal/login.html", context, status=429)


# --------------------------------------------------------------------------- tenant admins


@dataclass(frozen=True)
class LockedLogin:
    email: str
    ip_address: str | None
    failures: int
    locked_until: datetime


def locked_login_list(*, tenant) -> list[LockedLogin]:
    """The (member, address) pairs of `tenant` that are locked now, longest lock first.
    Only members of `tenant` are looked at (in the query)."""
    now = timezone.now()
    emails = Membership.objects.filter(tenant=tenant).values("user__email")
    rows = (
        AccessAttempt.objects.filter(username__in=emails, attempt_time__gte=now - settings.AXES_COOLOFF_TIME)
        .values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("-last", "username")
    )
    return [LockedLogin(email=r["username"], ip_address=r["ip_address"], failures=r["failures"],
                        locked_until=r["last"] + settings.AXES_COOLOFF_TIME) for r in rows]


@transaction.atomic
def login_lockout_reset(*, tenant, actor, email: str) -> User:
    """Unlock a member of `tenant` (tenant administrators): forget their failed attempts
    from every address. Http404 for anyone who is not a member of `tenant`."""
    require(actor, "login_lockout.reset", tenant=tenant)
    membership = get_for_tenant(Membership.objects.select_related("user"), tenant,
                                user__email=(email or "").strip().lower())
    user = membership.user
    count = axes_reset(username=user.email)
    audit_log(tenant=tenant, actor=actor, action="user.unlock", object_type="user", object_ref=user.email,
              organization=membership.organization, changes={"attempts_cleared": count})
    return user

"""Two-factor authentication with django-otp: an authenticator app (TOTP) and ten
single-use recovery codes.

A user turns it on from their preferences: `two_factor_begin` makes an unconfirmed
TOTP device (its QR code is drawn as SVG by `qr_svg`), `two_factor_confirm` checks a
first code from the app, confirms the device and returns the recovery codes, shown
once. At login (portal/views_account.py), a user with a confirmed device gives a code
after their password (the password step still goes through django-axes' lockout; the
code is throttled by django-otp, and a few wrong codes send the person back to the
password). A tenant may require it of its provider staff (`Tenant.two_factor_required`):
`TwoFactorRequiredMiddleware` then sends them to the set-up page before anything else.
"""

from __future__ import annotations

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.audit import audit_log
from portal.exceptions import ApplicationError, ValidationError
from portal.tenancy import membership_for

RECOVERY_CODES = 10
_SETUP_NAME = "authenticator"


def two_factor_enabled(user) -> bool:
    return bool(user and user.is_authenticated and user_has_device(user, confirmed=True))


def users_with_two_factor(user_ids) -> set[int]:
    """Which of these users have two-factor authentication on (two queries, for lists)."""
    ids = list(user_ids)
    return (set(TOTPDevice.objects.filter(user_id__in=ids, confirmed=True).values_list("user_id", flat=True))
            | set(StaticDevice.objects.filter(user_id__in=ids, confirmed=True).values_list("user_id", flat=True)))


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def qr_svg(url: str) -> str:
    """The QR code of `url` as an inline SVG (paths with presentation attributes only:
    nothing the Content-Security-Policy would refuse)."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    svg = image.to_string(encoding="unicode")
    return svg.replace("<svg ", '<svg class="qr" role="img" aria-label="QR code" ', 1)


@transaction.atomic
def two_factor_begin(*, user) -> TOTPDevice:
    """The unconfirmed authenticator being set up (a new secret each time set-up starts
    again). Refused when two-factor authentication is already on."""
    if two_factor_enabled(user):
        raise ApplicationError(_("Two-factor authentication is already on."))
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=_SETUP_NAME, confirmed=False)


def pending_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


@transaction.atomic
def two_factor_confirm(*, user, code: str) -> list[str]:
    """Turn two-factor authentication on with a first code of the app; returns the
    recovery codes (shown once)."""
    device = pending_device(user)
    if device is None:
        raise ApplicationError(_("Start the set-up again: scan the new QR code."))
    if not device.verify_token((code or "").replace(" ", "")):
        raise ValidationError({"code": [_("This code is not the one the app shows. Check the time of your phone "
                                          "and try the next code.")]})
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    _audit(user, "user.two_factor_enable")
    return codes


def _new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    return codes


@transaction.atomic
def recovery_codes_renew(*, user) -> list[str]:
    if not two_factor_enabled(user):
        raise ApplicationError(_("Turn on two-factor authentication first."))
    codes = _new_recovery_codes(user)
    _audit(user, "user.recovery_codes")
    return codes


def two_factor_remove(user) -> bool:
    """Remove every device of `user`; whether there was one."""
    removed = False
    for device in devices_for_user(user, confirmed=None):
        device.delete()
        removed = True
    return removed


@transaction.atomic
def two_factor_disable(*, user) -> None:
    """The user turns it off (not allowed where the tenant requires it of them)."""
    if two_factor_mandatory(user):
        raise ApplicationError(_("Your organisation requires two-factor authentication: it cannot be turned off."))
    if two_factor_remove(user):
        _audit(user, "user.two_factor_disable")


def two_factor_verify(*, user, code: str):
    """The device that accepts `code` (an app's code or an unused recovery code), or None."""
    code = (code or "").strip().replace(" ", "").lower()
    if not code:
        return None
    for device in devices_for_user(user, confirmed=True):
        if device.verify_token(code):
            return device
    return None


def two_factor_mandatory(user) -> bool:
    """Whether the user's tenant requires it of them (read afresh: the setting may have
    changed since the membership was cached on the user)."""
    from portal.models import Membership

    membership = Membership.objects.select_related("tenant").filter(user=user).first()
    return bool(membership and membership.is_provider and membership.tenant.two_factor_required)


def _audit(user, action: str) -> None:
    membership = membership_for(user)
    if membership is not None:
        audit_log(tenant=membership.tenant, actor=user, action=action, object_type="user", object_ref=user.email)


# ---------------------------------------------------------------------- enforcement

# What provider staff of a tenant requiring 2FA may still reach before enrolling.
_OPEN_URL_NAMES = frozenset({"two-factor", "logout", "login", "set_language", "password-change",
                             "password-change-done"})


class TwoFactorRequiredMiddleware:
    """Sends provider staff of a tenant that requires two-factor authentication to its
    set-up page until they have turned it on (browser pages; the API's token users are
    integrations and keep their tokens)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        membership = getattr(request, "membership", None)
        if membership is None or not membership.is_provider or not membership.tenant.two_factor_required:
            return None
        path = request.path_info
        if path.startswith(("/" + settings.STATIC_URL.lstrip("/"), "/i18n/")):
            return None
        match = request.resolver_match
        if match is not None and match.url_name in _OPEN_URL_NAMES:
            return None
        if two_factor_enabled(request.user):
            return None
        message = _("Your organisation requires two-factor authentication: turn it on in your preferences first.")
        if path.startswith("/api/"):  # a browser session calling the API (tokens are not concerned)
            return JsonResponse({"error": {"status": 403, "code": "two_factor_required", "message": message}},
                                status=403)
        messages.info(request, message)
        return redirect("two-factor")

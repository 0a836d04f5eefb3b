"""Pages of one's own access: logging in (with the second step of two-factor
authentication), accepting an invitation, forgetting and changing one's password
(Django's own views and validators), and turning two-factor authentication on or off."""

from __future__ import annotations

import time
from base64 import b32encode

import django_otp
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import people, two_factor
from portal.decorators import tenant_required
from portal.exceptions import ApplicationError
from portal.forms import AcceptInvitationForm, CodeForm, LoginForm, PasswordResetForm
from portal.forms_util import apply_errors
from portal.models import User

PENDING = "portal_two_factor_pending"
PENDING_SECONDS = 600  # the code must follow the password within ten minutes
MAX_CODE_TRIES = 5  # then the password again (and its lockout) before more tries


class LoginView(auth_views.LoginView):
    """The password first (through django-axes' lockout); a user with two-factor
    authentication is then asked for a code before being logged in."""

    template_name = "portal/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if not two_factor.two_factor_enabled(user):
            return super().form_valid(form)
        self.request.session[PENDING] = {"user": user.pk, "backend": user.backend, "next": self.get_success_url(),
                                         "since": time.time(), "tries": 0}
        return redirect("login-code")


def login_code(request):
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending["since"] > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return redirect("login")
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        request.session.pop(PENDING, None)
        return redirect("login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = two_factor.two_factor_verify(user=user, code=form.cleaned_data["code"])
        if device is not None:
            request.session.pop(PENDING, None)
            auth_login(request, user, backend=pending["backend"])
            django_otp.login(request, device)
            return redirect(pending["next"])
        pending["tries"] += 1
        if pending["tries"] >= MAX_CODE_TRIES:
            request.session.pop(PENDING, None)
            messages.error(request, _("Too many wrong codes: log in again."))
            return redirect("login")
        request.session[PENDING] = pending
        form.add_error("code", _("Wrong or already used code."))
    return render(request, "portal/login_code.html", {"form": form})


# ---------------------------------------------------------------------- invitations


def invitation_accept(request, invite_token: str):
    invitation = people.invitation_from_token(invite_token)
    if invitation is None:
        return render(request, "portal/invitation_invalid.html", status=404)
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = people.invitation_accept(token=invite_token, full_name=form.cleaned_data["full_name"],
                                            password=form.cleaned_data["password1"])
        except ValidationError as exc:
            errors = exc.message_dict
            for message in errors.pop("password", []):
                form.add_error("password1", message)
            for message in errors.pop("token", []):
                form.add_error(None, message)
            if errors:
                apply_errors(form, ValidationError(errors))
        else:
            auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome, %(name)s: your account is ready.") % {"name": user.display_name})
            return redirect("dashboard")
    return render(request, "portal/invitation_accept.html", {"form": form, "invitation": invitation})


# ---------------------------------------------------------------------- passwords


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "portal/password_reset.html"
    form_class = PasswordResetForm
    success_url = reverse_lazy("password-reset-sent")


class PasswordResetSentView(auth_views.PasswordResetDoneView):
    template_name = "portal/password_reset_sent.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """A link that does not work (forged, used, outdated) answers 404 with its page."""

    template_name = "portal/password_reset_confirm.html"
    success_url = reverse_lazy("password-reset-complete")

    def render_to_response(self, context, **kwargs):
        if not context.get("validlink"):
            kwargs["status"] = 404
        return super().render_to_response(context, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        people.password_changed(user=form.user, how="reset")
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "portal/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "portal/password_change.html"
    success_url = reverse_lazy("account-preferences")

    def form_valid(self, form):
        response = super().form_valid(form)
        people.password_changed(user=form.user, how="change")
        messages.success(self.request, gettext_lazy("Password changed."))
        return response


# ---------------------------------------------------------------------- two-factor


@tenant_required()
def two_factor_page(request):
    user = request.user
    op = request.POST.get("op", "") if request.method == "POST" else ""
    form = CodeForm(request.POST if op == "confirm" else None)
    codes = None
    try:
        if op == "confirm" and form.is_valid():
            codes = two_factor.two_factor_confirm(user=user, code=form.cleaned_data["code"])
            messages.success(request, _("Two-factor authentication is on."))
        elif op == "renew":
            codes = two_factor.recovery_codes_renew(user=user)
            messages.success(request, _("New recovery codes made: the earlier ones no longer work."))
        elif op == "disable":
            two_factor.two_factor_disable(user=user)
            messages.success(request, _("Two-factor authentication is off."))
            return redirect("two-factor")
        elif op == "restart":
            two_factor.two_factor_begin(user=user)
            return redirect("two-factor")
    except ValidationError as exc:
        apply_errors(form, exc)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    context = {"enabled": two_factor.two_factor_enabled(user), "codes": codes, "form": form,
               "mandatory": two_factor.two_factor_mandatory(user)}
    if context["enabled"]:
        context["codes_left"] = two_factor.recovery_codes_left(user)
    else:
        device = two_factor.pending_device(user) or two_factor.two_factor_begin(user=user)
        context.update(qr=two_factor.qr_svg(device.config_url),
                       secret=" ".join(_chunks(b32encode(device.bin_key).decode(), 4)))
    return render(request, "portal/two_factor.html", context)


def _chunks(text: str, size: int) -> list[str]:
    return [text[i:i + size] for i in range(0, len(text), size)]

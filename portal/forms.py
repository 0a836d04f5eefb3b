from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from portal.forms_util import BoundedDateTimeField
from portal.models import API_SCOPES, SERVICE_ACCOUNT_ROLES


class LoginForm(AuthenticationForm):
    username = forms.EmailField(label=_("E-mail"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}))
    error_messages = {
        "invalid_login": _("Wrong e-mail or password."),
        "inactive": _("This account is inactive."),
    }

    def clean_username(self) -> str:
        # Addresses are stored lower-case (UserManager); people type them as they like.
        return self.cleaned_data["username"].lower()


SCOPE_LABELS = {
    "tickets": _("Tickets"), "contracts": _("Contracts and service levels"), "billing": _("Billing"),
    "admin": _("Administration (tokens, service accounts, audit log)"),
}


MODE_LABELS = {"read": _("read"), "write": _("read and write")}


def scope_choices() -> list[tuple[str, str]]:
    choices = []
    for scope in API_SCOPES:
        area, mode = scope.split(":")
        choices.append((scope, "%s: %s" % (SCOPE_LABELS[area], MODE_LABELS[mode])))  # noqa: UP031
    return choices


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("What will use it, e.g. “Monitoring”."))
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), choices=scope_choices, widget=forms.CheckboxSelectMultiple, initial=list(API_SCOPES),
        help_text=_("What the token may reach, within what its user's role allows."),
    )
    expires_at = BoundedDateTimeField(
        label=_("Expires at"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Leave empty for a token that does not expire."),
    )


class ServiceAccountForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("The integration, e.g. “Zabbix”."))
    role = forms.ChoiceField(label=_("Role"), choices=SERVICE_ACCOUNT_ROLES,
                             help_text=_("What it may do when it is not restricted to an organisation."))
    organization = forms.ChoiceField(
        label=_("Restricted to"), required=False,
        help_text=_("A client organisation: the account then sees and does only what that organisation's "
                    "client administrator would."))

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [("", _("No restriction")),
                                               *[(o.reference, str(o)) for o in organizations]]


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=_("Action"), required=False)
    object_ref = forms.CharField(label=_("Object"), required=False)
    actor = forms.CharField(label=_("Actor"), required=False)


class TenantSettingsForm(forms.Form):
    contract_reminder_days = forms.CharField(
        label=_("Contract reminders (days before)"),
        help_text=_("Days before a notice deadline or a contract's end when the account manager and the client's "
                    "referents are reminded, separated by commas, e.g. 30, 7."),
    )
    ticket_autoclose_days = forms.IntegerField(
        label=_("Close resolved tickets after (days)"), min_value=1, max_value=90,
        help_text=_("A resolved ticket the client neither accepts nor rejects is closed after this delay."))
    allow_curative_when_suspended = forms.BooleanField(
        label=_("Accept emergencies (curative) on suspended contracts"), required=False,
        help_text=_("A contract suspended for unpaid invoices otherwise refuses every new ticket."))
    two_factor_required = forms.BooleanField(
        label=_("Require two-factor authentication of provider staff"), required=False,
        help_text=_("Staff without it are sent to set it up before anything else."))

    def clean_contract_reminder_days(self):
        raw = self.cleaned_data["contract_reminder_days"]
        try:
            return [int(part) for part in raw.replace(";", ",").split(",") if part.strip()]
        except ValueError as exc:
            raise forms.ValidationError(_("Write whole numbers of days separated by commas.")) from exc


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of your e-mails"), choices=settings.LANGUAGES)
    notification_optouts = forms.MultipleChoiceField(
        label=_("E-mails you do not want"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[("created", _("New tickets")), ("reply", _("Replies")), ("status", _("Status changes")),
                 ("assigned", _("Tickets assigned to me"))],
        help_text=_("SLA warnings, breaches and resolutions are always sent."),
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    role = forms.ChoiceField(label=_("Role"))
    language = forms.ChoiceField(label=_("Language of the invitation"), choices=settings.LANGUAGES)

    def __init__(self, *args, roles: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = roles


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args, roles: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = roles


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(label=_("Your name"), max_length=200,
                                widget=forms.TextInput(attrs={"autocomplete": "name"}))
    password1 = forms.CharField(label=_("Password"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("Password again"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("The two passwords differ."))
        return data


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20, widget=forms.TextInput(
        attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}))


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form, whose e-mail goes through the outbox in the person's language."""

    email = forms.EmailField(label=_("E-mail"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}))

    def save(self, *args, **kwargs) -> None:
        from portal.people import password_reset_request

        password_reset_request(email=self.cleaned_data["email"])

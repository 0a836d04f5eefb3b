from django import forms
from django.utils.translation import gettext_lazy as _

from integrations.models import MailboxSecurity
from portal.events import EVENT_TYPES


class WebhookForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("What receives it, e.g. “Monitoring”."))
    url = forms.CharField(label=_("Receiver URL"), max_length=500,
                          help_text=_("Called with POST and a signed JSON body; a public https:// address."))
    event_types = forms.MultipleChoiceField(label=_("Events"), choices=list(EVENT_TYPES.items()),
                                            widget=forms.CheckboxSelectMultiple)


class WebhookEditForm(WebhookForm):
    is_active = forms.BooleanField(label=_("Active"), required=False,
                                   help_text=_("Turned off, no event is sent to it."))


class PersonForm(forms.Form):
    email = forms.EmailField(label=_("The person's e-mail address"), max_length=254)


class MailboxForm(forms.Form):
    host = forms.CharField(label=_("IMAP server"), max_length=255, help_text=_("e.g. imap.example.com"))
    port = forms.IntegerField(label=_("Port"), min_value=1, max_value=65535, initial=993)
    security = forms.ChoiceField(label=_("Security"), choices=MailboxSecurity.choices, initial=MailboxSecurity.SSL)
    username = forms.CharField(label=_("User name"), max_length=255)
    password = forms.CharField(label=_("Password"), max_length=255, required=False,
                               widget=forms.PasswordInput(render_value=False),
                               help_text=_("Never shown again: leave blank to keep the one saved."))
    folder = forms.CharField(label=_("Folder"), max_length=255, initial="INBOX")
    address = forms.EmailField(label=_("Support address"), required=False,
                               help_text=_("The address clients write to: e-mails from it are never made tickets."))
    enabled = forms.BooleanField(label=_("Read this mailbox every minute"), required=False)


class ReleaseForm(forms.Form):
    sender = forms.ChoiceField(label=_("Write it as"), choices=())

    def __init__(self, *args, senders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sender"].choices = senders

from django import forms
from django.utils.translation import gettext_lazy as _

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

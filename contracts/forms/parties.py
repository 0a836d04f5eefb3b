from django import forms

from contracts.models import Contact, Organization
from contracts.services import CONTACT_FIELDS, ORGANIZATION_FIELDS


class OrganizationForm(forms.ModelForm):
    """Collects input; validation with the tenant happens in the service."""

    # Room for a SIRET typed in groups ("732 829 320 00074"); the model stores it compact.
    siret = Organization._meta.get_field("siret").formfield(max_length=20)

    class Meta:
        model = Organization
        fields = list(ORGANIZATION_FIELDS)
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def validate_unique(self):  # done by the service, which knows the tenant
        pass

    def _post_clean(self):  # keep ModelForm from running model.full_clean() without the tenant
        pass


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = list(CONTACT_FIELDS)

    def _post_clean(self):
        pass

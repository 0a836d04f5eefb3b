import copy

from django import forms

from contracts.models import Contact, Organization
from contracts.services import CONTACT_FIELDS, ORGANIZATION_FIELDS


class OrganizationForm(forms.ModelForm):
    """Collects input and checks it in one round: the required fields and the
    organisation's own checks (SIRET and VAT number with python-stdnum, the SIRET unique
    in the tenant, the French VAT number matching the SIREN) are shown together. The
    service checks the same again when it saves."""

    # Room for a SIRET typed in groups ("732 829 320 00074"); the model stores it compact.
    siret = Organization._meta.get_field("siret").formfield(max_length=20)

    class Meta:
        model = Organization
        fields = list(ORGANIZATION_FIELDS)
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, tenant=None, **kwargs):
        super().__init__(*args, **kwargs)
        if tenant is not None and self.instance.tenant_id is None:
            self.instance.tenant = tenant

    def validate_unique(self):  # the model's clean() says "this SIRET already exists" in the tenant
        pass

    def _post_clean(self):
        # ModelForm runs the model's clean_fields() and clean() on a copy of the typed
        # values: the organisation being edited is left as it was until the service saves.
        if self.instance.pk is not None:
            self.instance = copy.copy(self.instance)
        super()._post_clean()


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = list(CONTACT_FIELDS)

    def _post_clean(self):
        pass

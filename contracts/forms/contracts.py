"""Portal forms for drafting and managing contracts. They parse input; the services
validate with the tenant and the contract's state."""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from contracts.models import (
    DOCUMENT_LANGUAGES,
    PARTY_SIDES,
    SERVICE_CREDIT_METRICS,
    SERVICE_CREDIT_PRIORITIES,
    TERMINATION_REASONS,
    BillingModel,
    ClauseKind,
    Criticality,
    ItemCategory,
    RenewalMode,
)
from portal.forms_util import BoundedDateField, TableRowForm
from sla.models import MaintenanceType

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ContractForm(forms.Form):
    client = forms.ModelChoiceField(label=_("Client"), queryset=None)
    title = forms.CharField(label=_("Title"), max_length=200)
    object = forms.CharField(label=_("Object"), widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("The maintenance performed: operations and their frequency."))
    sla_policy = forms.ModelChoiceField(label=_("SLA policy"), queryset=None, required=False)
    remote_intervention = forms.BooleanField(label=_("Remote intervention"), required=False, initial=True)
    on_site_intervention = forms.BooleanField(label=_("On-site intervention"), required=False)
    start_date = BoundedDateField(label=_("Start date"), required=False, widget=DATE)
    initial_months = forms.IntegerField(label=_("Initial term (months)"), required=False, min_value=1, max_value=600,
                                        help_text=_("Empty for an indefinite term."))
    renewal = forms.ChoiceField(label=_("Renewal"), choices=RenewalMode.choices, initial=RenewalMode.TACIT)
    renewal_months = forms.IntegerField(label=_("Renewal term (months)"), required=False, min_value=1, max_value=600,
                                        help_text=_("Empty: same as the initial term."))
    notice_months = forms.IntegerField(label=_("Notice (months)"), min_value=0, max_value=60, initial=3)
    notice_days = forms.IntegerField(label=_("Notice (extra days)"), min_value=0, max_value=365, initial=0)
    language = forms.ChoiceField(label=_("Language of the document"), choices=DOCUMENT_LANGUAGES, initial="fr")
    billing_model = forms.ChoiceField(label=_("Billing model"), choices=BillingModel.choices)
    monthly_fee = forms.DecimalField(label=_("Monthly fee (excl. VAT)"), min_value=0, max_digits=12, decimal_places=2,
                                     initial=0)
    hourly_rate = forms.DecimalField(label=_("Hourly rate (excl. VAT)"), min_value=0, max_digits=10, decimal_places=2,
                                     initial=0)
    included_minutes = forms.IntegerField(
        label=_("Minutes included per month"), min_value=0, max_value=1_000_000, required=False, initial=0,
        help_text=_("Hybrid plans: the fee covers this much work; 600 minutes = 10 hours."))
    rollover_cap_minutes = forms.IntegerField(
        label=_("Unused minutes carried over (at most)"), min_value=0, max_value=1_000_000, required=False,
        help_text=_("Empty: unused minutes are not carried over."))
    increment_minutes = forms.IntegerField(
        label=_("Rounding increment (minutes)"), min_value=1, max_value=480, required=False, initial=15,
        help_text=_("Each intervention is rounded up to a multiple of this."))
    penalty_cap_percent = forms.DecimalField(
        label=_("Service credits cap (%)"), min_value=0, max_value=100, max_digits=5, decimal_places=2,
        required=False, initial=0, help_text=_("At most this share of the month's base is credited."))
    vat_rate = forms.DecimalField(label=_("VAT rate (%)"), min_value=0, max_value=100, max_digits=5, decimal_places=2,
                                  initial=20)
    payment_terms_days = forms.IntegerField(label=_("Payment terms (days)"), min_value=0, max_value=365, initial=30)
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="EUR")
    price_revision = forms.CharField(label=_("Price revision"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    exclusions = forms.CharField(label=_("Exclusions"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                 help_text=_("One per line."))
    clause_templates = forms.MultipleChoiceField(label=_("Clauses"), required=False,
                                                 widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, clients, policies, clause_templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients
        self.fields["sla_policy"].queryset = policies
        self.fields["clause_templates"].choices = [
            (str(t.pk), f"{t.title} ({t.language})") for t in clause_templates
        ]

    SECTIONS = (
        (_("Parties and object"), ("client", "title", "object", "language")),
        (_("Service levels and intervention"), ("sla_policy", "remote_intervention", "on_site_intervention")),
        (_("Duration, renewal and notice"), ("start_date", "initial_months", "renewal", "renewal_months",
                                              "notice_months", "notice_days")),
        (_("Price and payment"), ("billing_model", "monthly_fee", "hourly_rate", "vat_rate", "payment_terms_days",
                                  "currency", "price_revision")),
        (_("Billing plan"), ("included_minutes", "rollover_cap_minutes", "increment_minutes",
                             "penalty_cap_percent")),
    )

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]

    def credit_rows(self):
        """The service-credit grid for the template: (priority, response field, resolution field)."""
        return [(p, *(self[credit_field(p, m)] for m in SERVICE_CREDIT_METRICS)) for p in SERVICE_CREDIT_PRIORITIES]

    def service_credits(self) -> dict:
        grid: dict[str, dict[str, str]] = {}
        for p in SERVICE_CREDIT_PRIORITIES:
            for m in SERVICE_CREDIT_METRICS:
                value = self.cleaned_data.get(credit_field(p, m))
                if value:
                    grid.setdefault(p, {})[m] = str(value)
        return grid

    def contract_values(self) -> dict:
        skip = {"exclusions", "clause_templates", "client"} | set(CREDIT_FIELDS)
        values = {k: v for k, v in self.cleaned_data.items() if k not in skip}
        # Left empty, the plan's numbers take the model's defaults (the carry cap stays empty: none).
        for name, default in (("included_minutes", 0), ("increment_minutes", 15), ("penalty_cap_percent", 0)):
            if values.get(name) is None:
                values[name] = default
        values["service_credits"] = self.service_credits()
        return values

    @staticmethod
    def initial_credits(service_credits: dict) -> dict:
        return {credit_field(p, m): pct for p, row in (service_credits or {}).items() for m, pct in row.items()}


def credit_field(priority: str, metric: str) -> str:
    return f"credit_{priority}_{metric}"


CREDIT_FIELDS = [credit_field(p, m) for p in SERVICE_CREDIT_PRIORITIES for m in SERVICE_CREDIT_METRICS]
for _priority in SERVICE_CREDIT_PRIORITIES:
    for _metric in SERVICE_CREDIT_METRICS:
        _label = format_lazy("{} · {}", _priority, _(_metric))
        ContractForm.base_fields[credit_field(_priority, _metric)] = forms.DecimalField(
            label=_label, min_value=0, max_value=100, max_digits=5, decimal_places=2, required=False,
            widget=forms.NumberInput(attrs={"aria-label": _label, "step": "0.01"}))


class ItemForm(TableRowForm):
    category = forms.ChoiceField(label=_("Category"), choices=[("", "—"), *ItemCategory.choices], required=False)
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    identifier = forms.CharField(label=_("Identifier"), max_length=120, required=False)
    site = forms.CharField(label=_("Site"), max_length=200, required=False)
    criticality = forms.ChoiceField(label=_("Criticality"), choices=Criticality.choices, initial="medium")
    quantity = forms.IntegerField(label=_("Qty"), min_value=1, initial=1)

    def clean(self):
        data = super().clean()
        if data.get("name") and not data.get("category"):
            self.add_error("category", _("Choose a category."))
        if data.get("category") and not data.get("name"):
            self.add_error("name", _("Name the item."))
        return data


ItemFormSet = forms.formset_factory(ItemForm, extra=3, max_num=200)


class MaintenanceTypeForm(TableRowForm):
    maintenance_type = forms.ChoiceField(choices=MaintenanceType.choices, widget=forms.HiddenInput)
    selected = forms.BooleanField(label=_("Covered"), required=False)
    included = forms.BooleanField(label=_("Included in the price"), required=False, initial=True)
    details = forms.CharField(label=_("Operations and frequency"), max_length=300, required=False)
    ticket_price = forms.DecimalField(label=_("Price per ticket (excl. VAT)"), min_value=0, max_digits=10,
                                      decimal_places=2, required=False,
                                      help_text=_("Per-ticket plans: required for every covered type included in "
                                                  "the price."))


MaintenanceTypeFormSet = forms.formset_factory(MaintenanceTypeForm, extra=0, max_num=4)


class ActivateForm(forms.Form):
    signed_on = BoundedDateField(label=_("Signature date"), widget=DATE)
    client_signatory = forms.CharField(label=_("Client signatory"), max_length=200, required=False)


class SuspendForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class TerminateForm(forms.Form):
    notice_given_on = BoundedDateField(label=_("Notice given on"), widget=DATE)
    # No side and no reason chosen in advance: a termination is never one click away.
    given_by = forms.ChoiceField(label=_("Notice given by"), choices=[("", "—"), *PARTY_SIDES])
    reason = forms.ChoiceField(label=_("Reason"), choices=[("", "—"), *TERMINATION_REASONS])
    effective_date = BoundedDateField(label=_("Effective end (breach, force majeure, agreement)"), required=False,
                                     widget=DATE)


class RenewForm(forms.Form):
    months = forms.IntegerField(label=_("Months"), min_value=1, max_value=600, required=False)
    monthly_fee = forms.DecimalField(label=_("New monthly fee (excl. VAT)"), min_value=0, required=False,
                                     max_digits=12, decimal_places=2)


class AmendForm(forms.Form):
    signed_on = BoundedDateField(label=_("Signature date"), widget=DATE)
    effective_date = BoundedDateField(label=_("Effective date"), widget=DATE)
    summary = forms.CharField(label=_("Summary of changes"), widget=forms.Textarea(attrs={"rows": 3}))
    sla_policy = forms.ModelChoiceField(label=_("New SLA policy"), queryset=None, required=False)
    monthly_fee = forms.DecimalField(label=_("New monthly fee (excl. VAT)"), min_value=0, required=False,
                                     max_digits=12, decimal_places=2)
    included_hours = forms.DecimalField(label=_("New hours included per month"), min_value=0, required=False,
                                        max_digits=7, decimal_places=2)
    notice_months = forms.IntegerField(label=_("New notice (months)"), min_value=0, max_value=60, required=False)

    def __init__(self, *args, policies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sla_policy"].queryset = policies

    def changes(self) -> dict:
        keys = ("sla_policy", "monthly_fee", "included_hours", "notice_months")
        return {k: self.cleaned_data[k] for k in keys if self.cleaned_data.get(k) not in (None, "")}


class ClauseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 14}))


class ClauseTemplateForm(ClauseForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=ClauseKind.choices)
    language = forms.ChoiceField(label=_("Language"), choices=DOCUMENT_LANGUAGES)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    field_order = ["kind", "language", "title", "body", "is_active"]

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms_util import BoundedDateField, PlainTextField
from sla.models import Level, MaintenanceType, Priority
from tickets.models import InterventionMode

# Maintenance types a person may ask for, in the client's words (preventive tickets come
# from the plans).
REQUEST_TYPES = [(MaintenanceType.CURATIVE.value, _("Emergency: a system is down (curative)")),
                 (MaintenanceType.CORRECTIVE.value, _("Something does not work properly (corrective)")),
                 (MaintenanceType.EVOLUTIVE.value, _("A change or an improvement (evolutive)"))]


class TicketForm(forms.Form):
    contract = forms.ModelChoiceField(label=_("Contract"), queryset=None)
    maintenance_type = forms.ChoiceField(label=_("Request type"), choices=REQUEST_TYPES, initial=MaintenanceType.CORRECTIVE.value)
    title = forms.CharField(label=_("Subject"), max_length=200)
    description = PlainTextField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 6}),
                                  help_text=_("What happens, since when, who is affected, what you already tried."))
    impact = forms.ChoiceField(label=_("Impact"), choices=Level.choices, initial="medium",
                               help_text=_("High: the whole company; medium: a team; low: one person."))
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Level.choices, initial="medium",
                                help_text=_("High: work is stopped; medium: work is slowed down; low: it can wait."))
    covered_item = forms.ModelChoiceField(label=_("Equipment concerned"), queryset=None, required=False)
    attachment = forms.FileField(label=_("Attachment"), required=False)

    def __init__(self, *args, contracts, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = contracts
        self.fields["covered_item"].queryset = items
        if contracts.count() == 1:
            self.fields["contract"].initial = contracts.first()


class ReplyForm(forms.Form):
    body = PlainTextField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 4}))
    internal = forms.BooleanField(label=_("Internal note (never shown to the client)"), required=False)
    attachment = forms.FileField(label=_("Attachment"), required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False)


class StatusForm(forms.Form):
    reason = forms.CharField(label=_("Comment"), required=False, max_length=300)


class PriorityForm(forms.Form):
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.TextInput(attrs={"aria-label": _("Reason")}))


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Assignee"), queryset=None, required=False)

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = team


class InterventionForm(forms.Form):
    date = BoundedDateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=1, max_value=1440)
    mode = forms.ChoiceField(label=_("Mode"), choices=InterventionMode.choices)
    billable = forms.BooleanField(label=_("Billable"), required=False, initial=True)
    description = PlainTextField(label=_("Work done"), widget=forms.Textarea(attrs={"rows": 3}))


class PlanForm(forms.Form):
    """A preventive plan, added from the contract page (its panel: tickets.views)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    rrule = forms.CharField(label=_("Recurrence (RRULE)"), max_length=300, initial="FREQ=MONTHLY;BYDAY=1MO",
                            help_text=_("e.g. FREQ=MONTHLY;BYDAY=1MO (first Monday of each month), "
                                        "FREQ=MONTHLY;INTERVAL=3 (every 3 months)"))
    start_date = BoundedDateField(label=_("First possible date"),
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    lead_days = forms.IntegerField(label=_("Create the ticket this many days ahead"), min_value=0, max_value=60,
                                   initial=7)
    description = forms.CharField(label=_("Operations"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

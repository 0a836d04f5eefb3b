from __future__ import annotations

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from portal.forms_util import BoundedDateField, PlainTextField
from sla.models import Level, MaintenanceType, Priority
from tickets.models import CannedReply, InterventionMode, RatingScore

# Maintenance types a person may ask for, in the client's words (preventive tickets come
# from the plans).
REQUEST_TYPES = [(MaintenanceType.CURATIVE.value, _("Emergency: a system is down (curative)")),
                 (MaintenanceType.CORRECTIVE.value, _("Something does not work properly (corrective)")),
                 (MaintenanceType.EVOLUTIVE.value, _("A change or an improvement (evolutive)"))]


# Impact and urgency in the words of the person asking (mapped to the priority matrix
# on the server; P1–P4 are never shown to clients).
IMPACT_WORDS = [(Level.LOW.value, _("Only me, or one person")),
                (Level.MEDIUM.value, _("A team, or several people")),
                (Level.HIGH.value, _("The whole company, or our customers"))]
URGENCY_WORDS = [(Level.LOW.value, _("It can wait")),
                 (Level.MEDIUM.value, _("Work is slowed down")),
                 (Level.HIGH.value, _("Work is stopped"))]


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, item):
        label = f"{item.name} ({item.identifier})" if getattr(item, "identifier", "") else item.name
        return f"{label} · {item.contract.reference}" if self.show_contract else label


class TicketForm(forms.Form):
    """The request form: subject → what happens → attachment → which equipment. The
    contract is the only one there is, or the equipment's, and asked only otherwise."""

    title = forms.CharField(label=_("Subject"), max_length=200,
                            widget=forms.TextInput(attrs={"placeholder": _("e.g. The printer on the 2nd floor "
                                                                            "does not print")}))
    description = PlainTextField(label=_("What happens?"), widget=forms.Textarea(attrs={"rows": 6}),
                                 help_text=_("What you see, since when, who is affected, what you already tried."))
    attachment = forms.FileField(label=_("Attachment (optional)"), required=False,
                                 help_text=_("A screenshot or a log file helps."))
    covered_item = ItemChoiceField(label=_("Which equipment? (optional)"), queryset=None, required=False,
                                   empty_label=_("I don't know, or none"))
    contract = forms.ModelChoiceField(label=_("Contract"), queryset=None, required=False,
                                      help_text=_("Only needed when no equipment is chosen."))
    impact = forms.ChoiceField(label=_("Who is affected?"), choices=IMPACT_WORDS, initial="medium")
    urgency = forms.ChoiceField(label=_("How much does it block the work?"), choices=URGENCY_WORDS, initial="medium")
    maintenance_type = forms.ChoiceField(label=_("What kind of request?"), choices=REQUEST_TYPES,
                                         initial=MaintenanceType.CORRECTIVE.value)

    def __init__(self, *args, contracts, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.contracts = list(contracts)
        self.fields["contract"].queryset = contracts
        self.fields["covered_item"].queryset = items.select_related("contract").order_by(
            "contract__reference", "name", "pk").distinct()
        self.fields["covered_item"].show_contract = len(self.contracts) > 1
        if len(self.contracts) == 1:
            self.fields["contract"].initial = self.contracts[0]

    @property
    def asks_contract(self) -> bool:
        return len(self.contracts) > 1

    def clean(self):
        data = super().clean()
        item, contract = data.get("covered_item"), data.get("contract")
        if len(self.contracts) == 1:
            data["contract"] = self.contracts[0]
        elif item is not None:
            if contract is not None and contract.pk != item.contract_id:
                self.add_error("covered_item", _("This equipment is not covered by the chosen contract."))
            data["contract"] = item.contract
        elif contract is None and "contract" not in self.errors:
            self.add_error("contract", _("Choose the equipment concerned, or the contract this request is about."))
        return data


class ReplyForm(forms.Form):
    body = PlainTextField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 4}))
    internal = forms.BooleanField(label=_("Internal note (never shown to the client)"), required=False)
    attachment = forms.FileField(label=_("Attachment"), required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False)


NEXT_STATUS_CHOICES = [("in_progress", _("Keep in progress")), ("waiting_on_client", _("Wait for the client")),
                       ("resolved", _("Resolved"))]


class ComposerForm(forms.Form):
    """The staff composer: a reply or note, the next status, the time spent, one submit."""

    body = PlainTextField(label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    internal = forms.BooleanField(label=_("Internal note (never shown to the client)"), required=False)
    next_status = forms.ChoiceField(label=_("Then"), choices=NEXT_STATUS_CHOICES, initial="in_progress",
                                    widget=forms.RadioSelect)
    minutes = forms.IntegerField(label=_("Time spent (minutes)"), min_value=1, max_value=1440, required=False,
                                 widget=forms.NumberInput(attrs={"inputmode": "numeric", "placeholder": "45"}))
    mode = forms.ChoiceField(label=_("Mode"), choices=InterventionMode.choices, initial="remote", required=False)
    billable = forms.BooleanField(label=_("Billable"), required=False, initial=True)
    attachment = forms.FileField(label=_("Attachment"), required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False)


class RatingForm(forms.Form):
    score = forms.ChoiceField(label=_("How did we do?"), choices=RatingScore.choices, widget=forms.RadioSelect)
    comment = PlainTextField(label=_("Comment (optional)"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))


class RatingCommentForm(forms.Form):
    comment = PlainTextField(label=_("Anything to add?"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 4}))


class CannedReplyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    language = forms.ChoiceField(label=_("Language"), choices=CannedReply.Language.choices)
    body = PlainTextField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 6}))


class SupportDeskForm(forms.Form):
    phone = forms.CharField(label=_("Support phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("Support e-mail"), required=False)
    hours_note = forms.CharField(label=_("About the hours"), max_length=300, required=False,
                                 help_text=_("Shown under the hours of the client's contract, e.g. “Emergencies on "
                                             "the same number outside these hours.”"))


class StatusForm(forms.Form):
    reason = forms.CharField(label=_("Comment"), required=False, max_length=300)


class PriorityForm(forms.Form):
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.TextInput(attrs={"aria-label": _("Reason")}))


class _ReadOnce(ModelChoiceIterator):
    """The options from one plain SELECT, kept by the field's queryset (the page reads
    the team once for the options and the history's names): Django's iterator() opens a
    server-side cursor on PostgreSQL (DECLARE, FETCH, CLOSE) for a few dozen people."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class TeamChoiceField(forms.ModelChoiceField):
    iterator = _ReadOnce


class AssignForm(forms.Form):
    assignee = TeamChoiceField(label=_("Assignee"), queryset=None, required=False)

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

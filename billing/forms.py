"""Forms of the billing pages. They only read input; the rules are in `billing.services`."""

from __future__ import annotations

import re
import zoneinfo
from datetime import date
from decimal import Decimal

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from billing.models import InvoiceStatus, PaymentMethod
from billing.plans import month_bounds
from billing.selectors import previous_month
from portal.forms_util import BoundedDateField

MAX_MINUTES = 1_000_000  # more is a typo (and past 64 bits the database fails)
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: str) -> tuple[int, int] | None:
    """`2026-11` as (2026, 11); None when it is not a month."""
    match = MONTH_RE.match((value or "").strip())
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    return (year, month) if 1 <= month <= 12 and year >= 2000 else None


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class InvoiceFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All"))] + list(InvoiceStatus.choices))
    client = forms.ChoiceField(label=_("Client"), required=False)
    month = forms.CharField(label=_("Month"), required=False, widget=forms.DateInput(attrs={"type": "month"}))
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, clients=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.clients = {c.reference: c for c in clients}
        self.fields["client"].choices = [("", _("All"))] + [(c.reference, str(c)) for c in clients]

    def clean_month(self):
        value = self.cleaned_data["month"]
        if value and parse_month(value) is None:
            raise forms.ValidationError(_("Give a month as YYYY-MM."))
        return value


class PaymentForm(forms.Form):
    date = BoundedDateField(label=_("Date received"), widget=DateInput())
    amount = forms.DecimalField(label=_("Amount (incl. VAT)"), max_digits=12, decimal_places=2,
                                min_value=Decimal("0.01"))
    method = forms.ChoiceField(label=_("Method"), choices=PaymentMethod.choices)
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False,
                                help_text=_("Bank reference, cheque number…"))


class CreditNoteForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)
    amount = forms.DecimalField(label=_("Amount (excl. VAT)"), max_digits=12, decimal_places=2, required=False,
                                min_value=Decimal("0.01"),
                                help_text=_("Leave empty to credit all that remains of the invoice."))


def past_months(today: date, count: int = 12) -> list[tuple[str, str]]:
    """The `count` months before today's, newest first, as (YYYY-MM, label)."""
    out = []
    year, month = today.year, today.month
    for _i in range(count):
        year, month = previous_month(year, month)
        out.append((f"{year}-{month:02d}", formats.date_format(month_bounds(year, month)[0], "F Y")))
    return out


class BillingRunForm(forms.Form):
    month = forms.ChoiceField(label=_("Month to bill"))

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = past_months(today)

    def clean_month(self):
        return parse_month(self.cleaned_data["month"])


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones()) if "/" in name or name == "UTC"]


class BillingSettingsForm(forms.Form):
    time_zone = forms.ChoiceField(
        label=_("Time zone of the billing calendar"),
        help_text=_("Months are billed as calendar months in this zone; the monthly run starts on the 1st at 02:00."))
    unpaid_suspend_days = forms.IntegerField(
        label=_("Days past due before the contract is suspended"), min_value=1, max_value=365,
        help_text=_("An overdue invoice sends a warning at once, then suspends its contract after this delay."))
    auto_issue = forms.BooleanField(
        label=_("Issue the monthly invoices automatically"), required=False,
        help_text=_("Otherwise the monthly run leaves drafts for an account manager to check and issue."))
    late_interest_rate = forms.DecimalField(
        label=_("Late-payment interest rate (%)"), required=False, min_value=0, max_value=100, max_digits=5,
        decimal_places=2,
        help_text=_("Empty: the ECB refinancing rate plus 10 points, as French law sets by default."))
    recovery_indemnity = forms.DecimalField(
        label=_("Fixed recovery indemnity (EUR)"), min_value=40, max_value=100000, max_digits=8, decimal_places=2,
        help_text=_("40 € by law (Commercial Code, art. D441-5); it cannot be lower."))
    iban = forms.CharField(label=_("IBAN"), required=False, max_length=42,
                           help_text=_("The account invoices are paid to, printed on them."))
    bic = forms.CharField(label=_("BIC"), required=False, max_length=11)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = time_zone_choices()


class HourBankBuyForm(forms.Form):
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=MAX_MINUTES,
                                 help_text=_("600 minutes = 10 hours."))
    price = forms.DecimalField(label=_("Price (excl. VAT)"), max_digits=12, decimal_places=2, min_value=0)
    bought_on = BoundedDateField(label=_("Bought on"), widget=DateInput())
    expires_on = BoundedDateField(label=_("Expires on"), widget=DateInput(), required=False,
                                 help_text=_("Last day the minutes can be used; empty: no expiry."))


class HourBankAdjustForm(forms.Form):
    block = forms.ChoiceField(label=_("Block"))
    minutes = forms.IntegerField(label=_("Minutes"), min_value=-MAX_MINUTES, max_value=MAX_MINUTES,
                                 help_text=_("Positive to add minutes, negative to remove them."))
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args, blocks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.blocks = {b.reference: b for b in blocks}
        self.fields["block"].choices = [(b.reference, b.reference) for b in blocks]

    def clean_block(self):
        return self.blocks[self.cleaned_data["block"]]

"""I/O only for the billing endpoints: no rule here, the services decide."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from billing.models import (
    CreditNote,
    HourBankBlock,
    HourBankMovement,
    Invoice,
    InvoiceLine,
    MonthlyReport,
    MovementKind,
    Payment,
    PaymentMethod,
)
from portal.api.fields import DateField, DateTimeField, ModelSerializer

MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
# A block or an adjustment of more than 1,000,000 minutes (16,666 hours) is a typo, and
# beyond a 64-bit integer the database would fail instead of refusing.
MAX_MINUTES = 1_000_000


class InvoiceLineSerializer(ModelSerializer):
    detail = serializers.JSONField(help_text="What the line is made of: the breached tickets under a credit line, "
                                             "the interventions behind an overage line, the tickets of a tickets line.")

    class Meta:
        model = InvoiceLine
        fields = ["position", "kind", "label", "quantity", "unit", "unit_price", "amount", "maintenance_type",
                  "detail"]
        read_only_fields = fields


class PaymentSerializer(ModelSerializer):
    class Meta:
        model = Payment
        fields = ["date", "amount", "method", "reference", "created_at"]
        read_only_fields = fields


class CreditNoteLineSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=300)
    quantity = serializers.DecimalField(max_digits=12, decimal_places=4, min_value=Decimal("0.0001"))
    unit = serializers.CharField(max_length=8, required=False, default="unit")
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"))
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)


class CreditNoteSerializer(ModelSerializer):
    lines = CreditNoteLineSerializer(many=True, read_only=True)

    class Meta:
        model = CreditNote
        fields = ["number", "issue_date", "reason", "currency", "net", "vat", "gross", "lines", "created_at"]
        read_only_fields = fields


class InvoiceSerializer(ModelSerializer):
    reference = serializers.CharField(read_only=True, help_text="The number once issued, `draft-<id>` before.")
    client = serializers.CharField(source="client.reference", read_only=True)
    contract = serializers.CharField(source="contract.reference", read_only=True)
    balance_due = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)

    class Meta:
        model = Invoice
        fields = ["reference", "number", "status", "client", "contract", "year", "month", "period_start",
                  "period_end", "issue_date", "due_date", "currency", "vat_rate", "net", "vat", "gross",
                  "amount_paid", "amount_credited", "balance_due", "overdue_at", "paid_at", "cancelled_at",
                  "pdf_status", "created_at", "updated_at"]
        read_only_fields = fields


class InvoiceDetailSerializer(InvoiceSerializer):
    lines = InvoiceLineSerializer(many=True, read_only=True)
    payments = PaymentSerializer(many=True, read_only=True)
    credit_notes = CreditNoteSerializer(many=True, read_only=True)

    class Meta(InvoiceSerializer.Meta):
        fields = [*InvoiceSerializer.Meta.fields, "contract_version", "lines", "payments", "credit_notes"]
        read_only_fields = fields


class PaymentInputSerializer(serializers.Serializer):
    date = DateField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Incl. VAT.")
    method = serializers.ChoiceField(choices=PaymentMethod.choices)
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class CreditNoteInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True,
                                      help_text="Excl. VAT. Without `amount` or `lines`: all that remains.")
    lines = CreditNoteLineSerializer(many=True, required=False)


class HourBankBlockSerializer(ModelSerializer):
    remaining = serializers.IntegerField(read_only=True, help_text="Minutes left (sum of the block's ledger).")

    class Meta:
        model = HourBankBlock
        fields = ["reference", "minutes", "price", "bought_on", "expires_on", "remaining", "created_at"]
        read_only_fields = fields


class HourBankBlockInputSerializer(serializers.Serializer):
    minutes = serializers.IntegerField(min_value=1, max_value=MAX_MINUTES)
    price = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Excl. VAT.")
    bought_on = DateField()
    expires_on = DateField(required=False, allow_null=True, default=None)


class HourBankMovementSerializer(ModelSerializer):
    block = serializers.CharField(source="block.reference", read_only=True)
    ticket = serializers.CharField(source="ticket.reference", allow_null=True, default=None, read_only=True)
    kind = serializers.ChoiceField(choices=MovementKind.choices, read_only=True)

    class Meta:
        model = HourBankMovement
        fields = ["day", "kind", "minutes", "block", "ticket", "raw_minutes", "reason"]
        read_only_fields = fields


class HourBankSerializer(serializers.Serializer):
    contract = serializers.CharField()
    balance_minutes = serializers.IntegerField(help_text="The sum of the ledger.")
    blocks = HourBankBlockSerializer(many=True)


class HourBankAdjustInputSerializer(serializers.Serializer):
    block = serializers.CharField(help_text="Block reference (HB-000001).")
    minutes = serializers.IntegerField(min_value=-MAX_MINUTES, max_value=MAX_MINUTES,
                                       help_text="Positive to add minutes, negative to remove them.")
    reason = serializers.CharField(max_length=300)


class BillingRunSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="run.id")
    month = serializers.SerializerMethodField()
    trigger = serializers.CharField(source="run.trigger")
    started_at = DateTimeField(source="run.started_at")
    contracts = serializers.IntegerField(source="total", help_text="Contracts queued.")
    invoices = serializers.IntegerField(source="done", help_text="Invoices made so far for the month.")
    finished = serializers.BooleanField()

    def get_month(self, progress) -> str:
        return f"{progress.run.year}-{progress.run.month:02d}"


class BillingRunInputSerializer(serializers.Serializer):
    month = serializers.RegexField(MONTH_PATTERN, help_text="A past month, YYYY-MM.")


class BillingSettingsSerializer(serializers.Serializer):
    time_zone = serializers.CharField(help_text="IANA zone of the billing calendar (months are billed in it).")
    unpaid_suspend_days = serializers.IntegerField(help_text="Days past due before the contract is suspended.")
    auto_issue = serializers.BooleanField(help_text="The monthly run issues its invoices itself.")
    late_interest_rate = serializers.DecimalField(
        max_digits=5, decimal_places=2, allow_null=True,
        help_text="Late-payment interest rate printed on invoices (%); null: the ECB rate plus 10 points.")
    recovery_indemnity = serializers.DecimalField(max_digits=8, decimal_places=2,
                                                  help_text="Fixed recovery indemnity printed on invoices (EUR).")
    iban = serializers.CharField(help_text="IBAN printed on invoices (compact), or empty.")
    bic = serializers.CharField(help_text="BIC printed on invoices, or empty.")


class BillingSettingsInputSerializer(serializers.Serializer):
    """Every field optional: what is omitted is kept."""

    time_zone = serializers.CharField(max_length=64, required=False)
    unpaid_suspend_days = serializers.IntegerField(min_value=1, max_value=365, required=False)
    auto_issue = serializers.BooleanField(required=False)
    late_interest_rate = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=Decimal("0"),
                                                  max_value=Decimal("100"), allow_null=True, required=False)
    recovery_indemnity = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=Decimal("40"),
                                                  max_value=Decimal("100000"), required=False)
    iban = serializers.CharField(max_length=42, allow_blank=True, required=False)
    bic = serializers.CharField(max_length=11, allow_blank=True, required=False)


class MonthlyReportSerializer(ModelSerializer):
    contract = serializers.CharField(source="contract.reference", read_only=True)
    month = serializers.SerializerMethodField(help_text="The month reported, YYYY-MM.")

    class Meta:
        model = MonthlyReport
        fields = ["contract", "month", "status", "pages", "size", "sha256", "rendered_at"]
        read_only_fields = fields

    def get_month(self, report) -> str:
        return f"{report.year}-{report.month:02d}"

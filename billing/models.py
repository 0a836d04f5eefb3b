"""Billing data: the tenant's billing settings, hour banks (blocks and their ledger),
invoices with their copied lines, credit notes and payments, and the monthly runs.

The arithmetic is in the pure `billing.pricing`; the plan it prices with is contract
data (`contracts.Contract` and its `ContractVersion` snapshots), read by `billing.plans`.
Money is `Decimal` with the invoice's currency; amounts are excl. VAT unless named gross.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.models import TenantOwnedModel

ZERO = Decimal("0.00")


class BillingSettings(TenantOwnedModel):
    """Per-tenant billing behaviour. Kept in billing (one row per tenant, created on
    first change) rather than on `Tenant`, so that the billing app owns its settings."""

    tenant = models.OneToOneField("portal.Tenant", on_delete=models.CASCADE, related_name="billing_settings",
                                  verbose_name=_("tenant"))
    # Months are calendar months in this zone: the monthly run bills the month that
    # ended at midnight here, and breaches or resolutions are counted by this calendar.
    time_zone = models.CharField(_("time zone of the billing calendar"), max_length=64,
                                 default=settings.TIME_ZONE, help_text=_("IANA zone, e.g. Europe/Paris"))
    # An unpaid invoice: a warning e-mail the day it becomes overdue, then the contract is
    # suspended this many days past the due date (and resumed when it is paid).
    unpaid_suspend_days = models.PositiveSmallIntegerField(
        _("days past due before the contract is suspended"), default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)])
    auto_issue = models.BooleanField(_("issue the monthly invoices automatically"), default=False)
    # Printed on every invoice (French law, Code de commerce L441-10): empty means the
    # statutory default, the ECB refinancing rate plus 10 percentage points.
    late_interest_rate = models.DecimalField(
        _("late-payment interest rate (%)"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Empty: the ECB refinancing rate plus 10 points, as French law sets by default."))
    # The fixed indemnity for recovery costs owed by a late payer (Code de commerce, L441-10
    # and D441-5): 40 € by law, which a provider may not lower.
    recovery_indemnity = models.DecimalField(
        _("fixed recovery indemnity (EUR)"), max_digits=8, decimal_places=2, default=Decimal("40.00"),
        validators=[MinValueValidator(Decimal("40.00")), MaxValueValidator(Decimal("100000"))],
        help_text=_("40 € by law (Commercial Code, art. D441-5); it cannot be lower."))
    # The account invoices are paid to (the Factur-X payment instructions); optional.
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)

    class Meta:
        verbose_name = _("billing settings")
        verbose_name_plural = _("billing settings")

    def __str__(self) -> str:
        return f"{self.tenant_id} billing"


# ============================================================================ hour bank


class HourBankBlock(TenantOwnedModel):
    """A block of prepaid minutes bought by the client (BILLING.md B9). Its minutes
    enter the ledger as a `purchase` movement; what is left is the ledger's sum."""

    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="hour_bank_blocks",
                                 verbose_name=_("contract"))
    reference = models.CharField(_("reference"), max_length=20, editable=False)
    minutes = models.PositiveIntegerField(_("minutes"), validators=[MinValueValidator(1)])
    price = models.DecimalField(_("price (excl. VAT)"), max_digits=12, decimal_places=2,
                                validators=[MinValueValidator(0)])
    bought_on = models.DateField(_("bought on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True,
                                  help_text=_("Last day the minutes can be used; empty: no expiry."))

    class Meta:
        verbose_name = _("hour-bank block")
        verbose_name_plural = _("hour-bank blocks")
        ordering = ["bought_on", "reference"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "reference"], name="hourbankblock_tenant_reference"),
            models.CheckConstraint(name="hourbankblock_dates",
                                   condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("bought_on"))),
        ]
        # Serves the blocks of a contract valid in a month (monthly run, balance).
        indexes = [models.Index(fields=["tenant", "contract", "bought_on"], name="hourbankblock_contract")]

    def __str__(self) -> str:
        return self.reference

    def clean(self) -> None:
        if self.expires_on is not None and self.bought_on is not None and self.expires_on < self.bought_on:
            raise ValidationError({"expires_on": [_("A block cannot expire before it is bought.")]})

    def valid_on(self, day) -> bool:
        return self.bought_on <= day and (self.expires_on is None or day <= self.expires_on)


class MovementKind(models.TextChoices):
    PURCHASE = "purchase", _("Purchase")
    CONSUMPTION = "consumption", _("Consumption")
    EXPIRY = "expiry", _("Expiry")
    ADJUSTMENT = "adjustment", _("Adjustment")


class HourBankMovement(TenantOwnedModel):
    """One row of the hour-bank ledger, in signed minutes (purchase +, consumption and
    expiry −, adjustment ±). A contract's balance is the sum of its rows, nothing else.

    Consumption rows are derived from interventions by `billing.services.hour_bank_sync`
    (one per intervention and block it draws on); expiry rows by the same sync once the
    block's last day has passed. Both are provisional while their month has no invoice
    and frozen once it has one."""

    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="hour_bank_movements")
    block = models.ForeignKey(HourBankBlock, on_delete=models.PROTECT, related_name="movements",
                              verbose_name=_("block"))
    kind = models.CharField(_("kind"), max_length=12, choices=MovementKind.choices)
    minutes = models.IntegerField(_("minutes"))
    day = models.DateField(_("date"))
    intervention = models.ForeignKey("tickets.Intervention", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="hour_bank_movements")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # Consumption: the intervention's minutes and what B2 rounded them to, for display.
    raw_minutes = models.PositiveIntegerField(null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    actor = models.ForeignKey("portal.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("hour-bank movement")
        verbose_name_plural = _("hour-bank movements")
        ordering = ["day", "id"]
        constraints = [
            # hour_bank_sync derives consumption idempotently: one row per intervention and block.
            models.UniqueConstraint(fields=["tenant", "intervention", "block"], name="hourbankmove_consumption_once",
                                    condition=Q(intervention__isnull=False)),
            # One purchase and at most one expiry per block.
            models.UniqueConstraint(fields=["tenant", "block", "kind"], name="hourbankmove_purchase_expiry_once",
                                    condition=Q(kind__in=["purchase", "expiry"])),
            models.CheckConstraint(name="hourbankmove_sign", condition=(
                Q(kind="purchase", minutes__gt=0) | Q(kind__in=["consumption", "expiry"], minutes__lte=0)
                | Q(kind="adjustment"))),
            models.CheckConstraint(name="hourbankmove_consumption_link", condition=(
                ~Q(kind="consumption") | Q(intervention__isnull=False, ticket__isnull=False))),
        ]
        # Serves the balance and the ledger of a contract (sum by contract, by block).
        indexes = [models.Index(fields=["tenant", "contract", "day"], name="hourbankmove_contract_day")]

    def __str__(self) -> str:
        return f"{self.block_id} {self.kind} {self.minutes:+d}"


class HourBankAlert(TenantOwnedModel):
    """An 80 % / 100 % consumption alert that was sent: the unique key (contract,
    threshold, the blocks in force) makes it go out once; buying a block changes the
    set of blocks in force, so the thresholds apply again to the new total."""

    contract = models.ForeignKey("contracts.Contract", on_delete=models.CASCADE, related_name="+")
    threshold = models.PositiveSmallIntegerField()
    blocks_key = models.CharField(max_length=200)
    consumed_percent = models.DecimalField(max_digits=6, decimal_places=2)
    sent_at = models.DateTimeField(null=True, blank=True)  # claimed by the e-mail task

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "contract", "threshold", "blocks_key"], name="hourbankalert_once")
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.threshold}%"


# ============================================================================ invoices


class InvoiceStatus(models.TextChoices):
    # A context of their own: in French an invoice's status agrees with "facture" (feminine).
    DRAFT = "draft", pgettext_lazy("invoice status", "Draft")
    ISSUED = "issued", pgettext_lazy("invoice status", "Issued")
    PAID = "paid", pgettext_lazy("invoice status", "Paid")
    OVERDUE = "overdue", pgettext_lazy("invoice status", "Overdue")
    CANCELLED = "cancelled", pgettext_lazy("invoice status", "Cancelled")


class PdfStatus(models.TextChoices):
    NONE = "", _("Not rendered")
    QUEUED = "queued", _("Queued")
    RENDERING = "rendering", _("Rendering")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


# Once issued, an invoice is a legal document: only these bookkeeping fields may still
# change (its status as it is paid, goes overdue or is cancelled by a credit note, what
# was paid and credited, the unpaid-invoice follow-up, and the PDF rendering). The
# PostgreSQL trigger of migration 0002 enforces the same list.
INVOICE_MUTABLE_FIELDS = frozenset({
    "status", "amount_paid", "amount_credited", "paid_at", "cancelled_at", "overdue_at", "warned_at",
    "suspended_contract_at", "pdf_path", "pdf_sha256", "pdf_status", "pdf_error", "updated_at",
})


class Invoice(TenantOwnedModel):
    """One invoice per contract and calendar month (the unique constraint makes the
    monthly run idempotent). Its lines are copies: a later change of the plan or of the
    work logged never alters it. Issued, it is immutable except INVOICE_MUTABLE_FIELDS."""

    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="invoices",
                                 verbose_name=_("contract"))
    client = models.ForeignKey("contracts.Organization", on_delete=models.PROTECT, related_name="invoices",
                               verbose_name=_("client"))
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    status = models.CharField(_("status"), max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT)
    # NULL (not "") until issued: a draft has no number at all, and "number IS NULL" is
    # what the trigger and the constraints below test.
    number = models.CharField(_("number"), max_length=20, null=True, blank=True, editable=False)  # noqa: DJ001
    issue_date = models.DateField(_("issue date"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2)
    net = models.DecimalField(_("total excl. VAT"), max_digits=12, decimal_places=2, default=ZERO)
    vat = models.DecimalField(_("VAT"), max_digits=12, decimal_places=2, default=ZERO)
    gross = models.DecimalField(_("total incl. VAT"), max_digits=12, decimal_places=2, default=ZERO)
    amount_paid = models.DecimalField(_("amount paid"), max_digits=12, decimal_places=2, default=ZERO)
    amount_credited = models.DecimalField(_("amount credited"), max_digits=12, decimal_places=2, default=ZERO)
    # The plan it was priced with (the contract version's snapshot), and what the month
    # left for the next one: minutes carried (hybrid) and hour-bank figures.
    plan = models.JSONField(_("plan"), default=dict)
    contract_version = models.PositiveIntegerField(_("contract version"), default=1)
    carry_minutes = models.PositiveIntegerField(default=0)
    used_minutes = models.PositiveIntegerField(default=0)
    expired_minutes = models.PositiveIntegerField(default=0)
    facts = models.JSONField(default=dict, blank=True)  # counts behind the lines, for the report
    issued_by = models.ForeignKey("portal.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    paid_at = models.DateField(_("paid on"), null=True, blank=True)
    cancelled_at = models.DateField(_("cancelled on"), null=True, blank=True)
    overdue_at = models.DateField(_("overdue since"), null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)  # unpaid-invoice warning sent
    suspended_contract_at = models.DateTimeField(null=True, blank=True)  # the contract was suspended for it
    # The PDF (Factur-X), rendered later under a fixed key.
    pdf_path = models.CharField(max_length=300, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    pdf_status = models.CharField(max_length=10, choices=PdfStatus.choices, blank=True, default=PdfStatus.NONE)
    pdf_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-year", "-month", "number", "id"]
        constraints = [
            # One invoice per contract-month, whatever the retries or concurrent runs.
            models.UniqueConstraint(fields=["tenant", "contract", "year", "month"], name="invoice_contract_month"),
            models.UniqueConstraint(fields=["tenant", "number"], name="invoice_tenant_number",
                                    condition=Q(number__isnull=False)),
            models.CheckConstraint(name="invoice_number_when_issued",
                                   condition=Q(status="draft", number__isnull=True)
                                   | (~Q(status="draft") & Q(number__isnull=False, issue_date__isnull=False,
                                                             due_date__isnull=False))),
            models.CheckConstraint(name="invoice_amounts",
                                   condition=Q(amount_paid__gte=0, amount_credited__gte=0, net__gte=0)),
        ]
        indexes = [
            # The invoice list of a tenant filtered by status and month, and the daily overdue scan.
            models.Index(fields=["tenant", "status", "due_date"], name="invoice_tenant_status"),
            models.Index(fields=["tenant", "year", "month"], name="invoice_tenant_month"),
            # A client's invoices (client portal, list filter).
            models.Index(fields=["tenant", "client", "-year", "-month"], name="invoice_tenant_client"),
        ]

    def __str__(self) -> str:
        return self.number or f"{_('Draft')} {self.year}-{self.month:02d}"

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded = dict(zip(field_names, values, strict=True))
        return instance

    @property
    def reference(self) -> str:
        return self.number or f"draft-{self.pk}"

    @property
    def balance_due(self) -> Decimal:
        return max(ZERO, self.gross - self.amount_credited - self.amount_paid)

    @property
    def credit_remaining(self) -> Decimal:
        """What a credit note may still take (gross)."""
        return max(ZERO, self.gross - self.amount_credited)

    def immutable_changes(self) -> list[str]:
        """The fields changed since loading that an issued invoice may not change."""
        loaded = getattr(self, "_loaded", None)
        if not loaded or loaded.get("status") == InvoiceStatus.DRAFT:
            return []
        out = []
        for field in self._meta.concrete_fields:
            if field.name in INVOICE_MUTABLE_FIELDS or field.attname not in loaded:
                continue
            if getattr(self, field.attname) != loaded[field.attname]:
                out.append(field.name)
        return out

    def save(self, *args, **kwargs):
        # Refuse, never fix: an issued invoice's content is what was sent to the client.
        changed = self.immutable_changes()
        if changed:
            raise ValidationError({name: [_("An issued invoice cannot be changed; issue a credit note.")]
                                   for name in changed})
        super().save(*args, **kwargs)
        self._loaded = {f.attname: getattr(self, f.attname) for f in self._meta.concrete_fields}

    def delete(self, *args, **kwargs):
        if getattr(self, "_loaded", {}).get("status", InvoiceStatus.DRAFT) != InvoiceStatus.DRAFT:
            raise ValidationError({"status": [_("An issued invoice cannot be deleted; issue a credit note.")]})
        return super().delete(*args, **kwargs)


class LineKind(models.TextChoices):
    FEE = "fee", _("Monthly fee")
    TICKETS = "tickets", _("Tickets")
    OVERAGE = "overage", _("Overage")
    ON_QUOTE = "on_quote", _("Work on quote")
    CREDIT = "credit", _("SLA service credit")


class InvoiceLine(TenantOwnedModel):
    """A copy of one `pricing.Line`, with what it is made of in `detail` (the breached
    tickets under a credit line, the interventions behind an overage or on-quote line,
    the tickets behind a tickets line)."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=10, choices=LineKind.choices)
    label = models.CharField(_("label"), max_length=300)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=4)
    unit = models.CharField(_("unit"), max_length=8)
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    maintenance_type = models.CharField(max_length=16, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["invoice", "position"]
        constraints = [models.UniqueConstraint(fields=["tenant", "invoice", "position"], name="invoiceline_position")]

    def __str__(self) -> str:
        return f"{self.invoice_id}#{self.position} {self.label}"

    def _refuse_if_issued(self) -> None:
        status = Invoice.objects.filter(pk=self.invoice_id).values_list("status", flat=True).first()
        if status is not None and status != InvoiceStatus.DRAFT:
            raise ValidationError({"lines": [_("An issued invoice cannot be changed; issue a credit note.")]})

    def save(self, *args, **kwargs):
        self._refuse_if_issued()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._refuse_if_issued()
        return super().delete(*args, **kwargs)


class InvoicedWork(TenantOwnedModel):
    """Which interventions an invoice billed, and how many of their minutes: the record
    that makes work billed once. The monthly run writes one row per intervention it
    priced (minutes 0 when not billable). An intervention dated in a month whose invoice
    already exists (draft or issued) and that no invoice billed in full is *late work*:
    the next invoice of the contract bills it (or, if it was edited upwards, the minutes
    it adds), as work done on that invoice's first day; see `billing.selectors.billable_work`."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="work")
    intervention = models.ForeignKey("tickets.Intervention", on_delete=models.PROTECT, related_name="+")
    minutes = models.PositiveIntegerField(default=0)  # billable minutes billed by this invoice (raw, before B2)
    late_from = models.DateField(null=True, blank=True)  # late work: the first day of the month it was dated in

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "invoice", "intervention"], name="invoicedwork_once"),
        ]
        # Serves the late-work lookup: what was billed of an intervention.
        indexes = [models.Index(fields=["tenant", "intervention"], name="invoicedwork_intervention")]

    def __str__(self) -> str:
        return f"{self.invoice_id} {self.intervention_id} {self.minutes} min"


class CreditNote(TenantOwnedModel):
    """A correction of an issued invoice (total or partial), with its own gap-free
    numbering (CN-2026-000001). Never larger than what remains of the invoice; a credit
    of all that remains cancels it. Immutable once created."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="credit_notes")
    number = models.CharField(_("number"), max_length=20, editable=False)
    issue_date = models.DateField(_("issue date"))
    reason = models.CharField(_("reason"), max_length=300)
    currency = models.CharField(_("currency"), max_length=3)
    net = models.DecimalField(_("total excl. VAT"), max_digits=12, decimal_places=2)
    vat = models.DecimalField(_("VAT"), max_digits=12, decimal_places=2)
    gross = models.DecimalField(_("total incl. VAT"), max_digits=12, decimal_places=2)
    lines = models.JSONField(_("lines"), default=list, blank=True)  # [{label, quantity, unit, unit_price, amount}]
    created_by = models.ForeignKey("portal.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    pdf_path = models.CharField(max_length=300, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    pdf_status = models.CharField(max_length=10, choices=PdfStatus.choices, blank=True, default=PdfStatus.NONE)
    pdf_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("credit note")
        verbose_name_plural = _("credit notes")
        ordering = ["issue_date", "number"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "number"], name="creditnote_tenant_number"),
            models.CheckConstraint(name="creditnote_positive", condition=Q(gross__gt=0, net__gte=0, vat__gte=0)),
        ]
        indexes = [models.Index(fields=["tenant", "invoice"], name="creditnote_invoice")]

    def __str__(self) -> str:
        return self.number

    @property
    def reference(self) -> str:
        return self.number

    def save(self, *args, **kwargs):
        if not self._state.adding and set(kwargs.get("update_fields") or ["*"]) - {
                "pdf_path", "pdf_sha256", "pdf_status", "pdf_error", "updated_at"}:
            raise ValidationError({"number": [_("A credit note cannot be changed.")]})
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError({"number": [_("A credit note cannot be deleted.")]})


class PaymentMethod(models.TextChoices):
    TRANSFER = "transfer", _("Bank transfer")
    DIRECT_DEBIT = "direct_debit", _("Direct debit")
    CARD = "card", _("Card")
    CHEQUE = "cheque", _("Cheque")
    CASH = "cash", _("Cash")
    OTHER = "other", _("Other")


class Payment(TenantOwnedModel):
    """A payment received for an invoice. Partial payments leave the rest due."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    date = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    method = models.CharField(_("method"), max_length=16, choices=PaymentMethod.choices)
    reference = models.CharField(_("reference"), max_length=100, blank=True,
                                 help_text=_("Bank reference, cheque number…"))
    recorded_by = models.ForeignKey("portal.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["date", "id"]
        constraints = [models.CheckConstraint(name="payment_positive", condition=Q(amount__gt=0))]
        indexes = [models.Index(fields=["tenant", "invoice"], name="payment_invoice")]

    def __str__(self) -> str:
        return f"{self.invoice_id} {self.amount} {self.date}"


class BillingRun(TenantOwnedModel):
    """A monthly run of a tenant: who or what started it, for which month, and how far
    it went. The scheduler claims (tenant, month) once through the partial unique key;
    manual runs (command, page) are recorded without it."""

    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    trigger = models.CharField(max_length=10, choices=[("schedule", _("Schedule")), ("manual", _("Manual"))])
    requested_by = models.ForeignKey("portal.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    contracts = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "year", "month"], name="billingrun_scheduled_once",
                                    condition=Q(trigger="schedule")),
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id} {self.year}-{self.month:02d} {self.trigger}"


# ============================================================================ monthly reports


class MonthlyReport(TenantOwnedModel):
    """The monthly client report of one contract and month (a PDF with charts). One row
    per contract-month: the monthly run and a request on demand both reset it to
    *queued*, the task renders the file under a fixed key and records its SHA-256, or
    the error of a failed render (then retried)."""

    contract = models.ForeignKey("contracts.Contract", on_delete=models.CASCADE, related_name="monthly_reports",
                                 verbose_name=_("contract"))
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    status = models.CharField(_("status"), max_length=10, choices=PdfStatus.choices, default=PdfStatus.QUEUED)
    file_path = models.CharField(max_length=300, blank=True)  # relative to MEDIA_ROOT
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(default=0)
    pages = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)  # renders tried since the last request
    rendered_at = models.DateTimeField(null=True, blank=True)
    render_ms = models.PositiveIntegerField(default=0)
    requested_by = models.ForeignKey("portal.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        ordering = ["-year", "-month", "contract_id"]
        constraints = [
            # One report per contract-month, however often it is generated.
            models.UniqueConstraint(fields=["tenant", "contract", "year", "month"], name="monthlyreport_contract_month"),
        ]
        # The daily sweep of failed renders of a tenant.
        indexes = [models.Index(fields=["tenant", "status"], name="monthlyreport_tenant_status")]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.year}-{self.month:02d}"

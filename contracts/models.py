"""Parties (organisations and their contacts). Contracts come in their own issue."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from contracts import validators
from portal import validators as portal_validators
from portal.models import TenantOwnedModel
from sla.models import MaintenanceType


class OrganizationKind(models.TextChoices):
    PROVIDER = "provider", _("Provider")
    CLIENT = "client", _("Client")


class Organization(TenantOwnedModel):
    """A legal party: the provider's own entity, or a client company (DOMAIN.md §1)."""

    reference = models.CharField(_("reference"), max_length=20, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=OrganizationKind.choices)
    legal_name = models.CharField(_("legal name"), max_length=200)
    trade_name = models.CharField(_("trade name"), max_length=200, blank=True)
    legal_form = models.CharField(_("legal form"), max_length=60, blank=True, help_text=_("e.g. SAS, SARL, SA"))
    siret = models.CharField(
        _("SIRET"), max_length=14, blank=True, help_text=_("14 digits; required for a company registered in France.")
    )
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True, help_text=_("EU format, e.g. FR44732829320"))
    address_line1 = models.CharField(_("address"), max_length=200)
    address_line2 = models.CharField(_("address (continued)"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=16)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country"), max_length=2, default="FR", help_text=_("ISO 3166 code, e.g. FR"))
    legal_rep_name = models.CharField(_("legal representative"), max_length=200, blank=True)
    legal_rep_title = models.CharField(_("legal representative's title"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["legal_name"]
        constraints = [
            # URLs and the API name organisations by reference, inside the tenant.
            models.UniqueConstraint(fields=["tenant", "reference"], name="organization_tenant_reference"),
            # One party per company id in a tenant.
            models.UniqueConstraint(
                fields=["tenant", "siret"], condition=~models.Q(siret=""), name="organization_tenant_siret"
            ),
        ]
        # Serves the organisation list (by kind, by name) of a tenant.
        indexes = [models.Index(fields=["tenant", "kind", "legal_name"], name="organization_tenant_kind_name")]

    def __str__(self) -> str:
        return self.trade_name or self.legal_name

    @property
    def display_name(self) -> str:
        return str(self)

    @property
    def siren(self) -> str:
        return validators.siren_of(self.siret)

    @property
    def is_client(self) -> bool:
        return self.kind == OrganizationKind.CLIENT

    def _normalize(self) -> None:
        self.country = (self.country or "").upper()
        self.siret = validators.normalize_siret(self.siret)
        self.vat_number = validators.normalize_vat(self.vat_number)

    def clean_fields(self, exclude=None) -> None:
        # Before the length checks: a SIRET is usually typed in groups ("732 829 320 00074").
        self._normalize()
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        errors: dict[str, list] = {}
        self._normalize()
        if self.siret:
            try:
                validators.validate_siret(self.siret)
            except ValidationError as exc:
                errors["siret"] = exc.messages
            else:
                # The constraint organization_tenant_siret would also refuse it, but as a
                # nameless "constraint violated" error; say which field and why.
                if self.tenant_id is not None and (
                    Organization.objects.filter(tenant_id=self.tenant_id, siret=self.siret).exclude(pk=self.pk).exists()
                ):
                    errors["siret"] = [self.unique_error_message(Organization, ("siret",))]
        elif self.country == "FR":
            errors["siret"] = [_("A company registered in France must have its SIRET.")]
        try:
            portal_validators.validate_country(self.country)
        except ValidationError as exc:
            errors["country"] = exc.messages
        if self.vat_number:
            try:
                validators.validate_vat(self.vat_number)
            except ValidationError as exc:
                errors["vat_number"] = exc.messages
            else:
                if self.country == "FR" and self.siret and not errors.get("siret"):
                    # The French VAT number embeds the SIREN: FRkk + SIREN.
                    if self.vat_number.startswith("FR") and self.vat_number[4:] != self.siren:
                        errors["vat_number"] = [_("This VAT number does not match the SIREN of the SIRET.")]
        if errors:
            raise ValidationError(errors)


class ContactRole(models.TextChoices):
    REFERENT = "referent", _("Referent")
    BILLING = "billing", _("Billing")
    TECHNICAL = "technical", _("Technical")
    OTHER = "other", _("Other")


class Contact(TenantOwnedModel):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("organisation")
    )
    role = models.CharField(_("role"), max_length=16, choices=ContactRole.choices)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    job_title = models.CharField(_("job title"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["last_name", "first_name"]
        # Serves the contacts of an organisation.
        indexes = [models.Index(fields=["tenant", "organization"], name="contact_tenant_org")]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def reference(self) -> str:
        return str(self.pk)


# ============================================================================ contracts


class ContractStatus(models.TextChoices):
    # A context of their own: in French a contract's status agrees with "contrat" (masculine).
    DRAFT = "draft", pgettext_lazy("contract status", "Draft")
    SENT = "sent", pgettext_lazy("contract status", "Sent (awaiting signature)")
    ACTIVE = "active", pgettext_lazy("contract status", "Active")
    SUSPENDED = "suspended", pgettext_lazy("contract status", "Suspended")
    TERMINATED = "terminated", pgettext_lazy("contract status", "Terminated")
    EXPIRED = "expired", pgettext_lazy("contract status", "Expired")


class RenewalMode(models.TextChoices):
    TACIT = "tacit", _("Tacit renewal")
    EXPRESS = "express", _("Express renewal (by amendment)")
    NONE = "none", _("No renewal")


class BillingModel(models.TextChoices):
    FLAT_FEE = "flat_fee", _("Flat monthly fee")
    PER_TICKET = "per_ticket", _("Per ticket / intervention")
    HOUR_BANK = "hour_bank", _("Prepaid hour bank")
    HYBRID = "hybrid", _("Base fee with included hours and overage")


DOCUMENT_LANGUAGES = [("fr", _("French")), ("en", _("English"))]
PARTY_SIDES = [("provider", _("Provider")), ("client", _("Client"))]
TERMINATION_REASONS = [("notice", _("Notice")), ("breach", _("Breach")), ("force_majeure", _("Force majeure")),
                       ("mutual_agreement", _("Mutual agreement"))]
TERM_KINDS = [("initial", _("Initial term")), ("tacit", _("Tacit renewal")), ("express", _("Express renewal"))]
DOCUMENT_KINDS = [("contract", _("Contract")), ("amendment", _("Amendment"))]


SERVICE_CREDIT_PRIORITIES = ("P1", "P2", "P3", "P4")
SERVICE_CREDIT_METRICS = ("response", "resolution")


def normalize_service_credits(value) -> dict[str, dict[str, str]]:
    """The service-credit grid as `{priority: {metric: "percent"}}` with decimal strings,
    zero cells left out; a ValidationError names what is wrong."""
    if value in (None, "", {}):
        return {}
    if not isinstance(value, dict):
        raise ValidationError(_("Give a percentage per priority (P1–P4) and metric (response, resolution)."))
    out: dict[str, dict[str, str]] = {}
    for priority, row in value.items():
        if priority not in SERVICE_CREDIT_PRIORITIES:
            raise ValidationError(_("Unknown priority %(p)s: use P1, P2, P3 or P4.") % {"p": priority})
        if not isinstance(row, dict):
            raise ValidationError(_("Give %(p)s a percentage per metric (response, resolution).") % {"p": priority})
        for metric, raw in row.items():
            if metric not in SERVICE_CREDIT_METRICS:
                raise ValidationError(_("Unknown metric %(m)s: use response or resolution.") % {"m": metric})
            try:
                percent = Decimal(str(raw if raw not in (None, "") else 0))
            except (InvalidOperation, ValueError) as exc:
                raise ValidationError(_("%(p)s %(m)s: enter a percentage.") % {"p": priority, "m": metric}) from exc
            if not percent.is_finite() or percent < 0 or percent > 100:
                raise ValidationError(_("%(p)s %(m)s: a percentage is between 0 and 100.")
                                      % {"p": priority, "m": metric})
            if percent:
                out.setdefault(priority, {})[metric] = str(percent.quantize(Decimal("0.01")))
    return out


class Contract(TenantOwnedModel):
    """A maintenance contract between the tenant's provider entity and a client
    (DOMAIN.md, "What a maintenance contract contains"). Its lifecycle changes only
    through `contracts.services`; dates of terms and notice come from `contracts.terms`."""

    reference = models.CharField(_("reference"), max_length=20, editable=False)
    client = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("client"))
    provider = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="provided_contracts", verbose_name=_("provider")
    )
    title = models.CharField(_("title"), max_length=200)
    object = models.TextField(_("object"), help_text=_("The maintenance performed: operations and their frequency."))
    account_manager = models.ForeignKey(
        "portal.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("account manager")
    )
    status = models.CharField(_("status"), max_length=16, choices=ContractStatus.choices, default=ContractStatus.DRAFT)
    sla_policy = models.ForeignKey(
        "sla.SlaPolicy", on_delete=models.PROTECT, null=True, blank=True, related_name="contracts",
        verbose_name=_("SLA policy"),
    )
    remote_intervention = models.BooleanField(_("remote intervention"), default=True)
    on_site_intervention = models.BooleanField(_("on-site intervention"), default=False)
    # Terms (see contracts.terms.ContractTerms)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    initial_months = models.PositiveSmallIntegerField(
        _("initial term (months)"), null=True, blank=True, help_text=_("Empty for an indefinite term.")
    )
    renewal = models.CharField(_("renewal"), max_length=8, choices=RenewalMode.choices, default=RenewalMode.TACIT)
    renewal_months = models.PositiveSmallIntegerField(
        _("renewal term (months)"), null=True, blank=True, help_text=_("Empty: same as the initial term.")
    )
    notice_months = models.PositiveSmallIntegerField(_("notice (months)"), default=3)
    notice_days = models.PositiveSmallIntegerField(_("notice (extra days)"), default=0)
    # Price and payment
    language = models.CharField(
        _("language of the document"), max_length=5, default="fr", choices=DOCUMENT_LANGUAGES
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    billing_model = models.CharField(_("billing model"), max_length=16, choices=BillingModel.choices, default=BillingModel.FLAT_FEE)
    # The billing plan (BILLING.md). It is contract data, versioned with the contract: each
    # ContractVersion's snapshot carries it, and billing reads the version in force.
    monthly_fee = models.DecimalField(_("monthly fee (excl. VAT)"), max_digits=12, decimal_places=2, default=0,
                                      validators=[MinValueValidator(0)])
    hourly_rate = models.DecimalField(_("hourly rate (excl. VAT)"), max_digits=10, decimal_places=2, default=0,
                                      validators=[MinValueValidator(0)])
    # Minutes, not hours: an allowance of 7 h 30 is exact, and B2/B8 count in minutes.
    included_minutes = models.PositiveIntegerField(_("minutes included per month"), default=0)
    rollover_cap_minutes = models.PositiveIntegerField(
        _("unused minutes carried to the next month (at most)"), null=True, blank=True,
        help_text=_("Empty: unused minutes are not carried over."))
    increment_minutes = models.PositiveSmallIntegerField(
        _("rounding increment (minutes)"), default=15, validators=[MinValueValidator(1)],
        help_text=_("Each intervention is rounded up to a multiple of this."))
    # {"P1": {"response": "5", "resolution": "10"}, …}: percent of the month's base credited
    # per recorded breach (B10). A JSON object, not rows: it is versioned whole with the
    # contract, and a form or the API edits it as one grid.
    service_credits = models.JSONField(_("SLA service credits (% per breach)"), default=dict, blank=True)
    penalty_cap_percent = models.DecimalField(
        _("service credits cap (%)"), max_digits=5, decimal_places=2, default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)])
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2, default=20,
                                   validators=[MinValueValidator(0), MaxValueValidator(100)])
    payment_terms_days = models.PositiveSmallIntegerField(_("payment terms (days)"), default=30)
    price_revision = models.TextField(
        _("price revision"), blank=True, help_text=_("e.g. yearly revision on the Syntec index")
    )
    # Lifecycle
    signed_on = models.DateField(_("signature date"), null=True, blank=True)
    client_signatory = models.CharField(_("client signatory"), max_length=200, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    suspended_at = models.DateTimeField(_("suspended at"), null=True, blank=True)
    suspension_reason = models.CharField(_("suspension reason"), max_length=200, blank=True)
    notice_given_on = models.DateField(_("notice given on"), null=True, blank=True)
    notice_given_by = models.CharField(
        _("notice given by"), max_length=8, blank=True, choices=PARTY_SIDES
    )
    termination_reason = models.CharField(
        _("termination reason"), max_length=20, blank=True, choices=TERMINATION_REASONS,
    )
    end_date = models.DateField(_("end date"), null=True, blank=True, help_text=_("Last covered day, once known."))
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "reference"], name="contract_tenant_reference"),
            # The plan's bounds, also for rows written without the services (B12).
            models.CheckConstraint(name="contract_plan_bounds", condition=(
                models.Q(monthly_fee__gte=0, hourly_rate__gte=0, increment_minutes__gte=1,
                         penalty_cap_percent__gte=0, penalty_cap_percent__lte=100, vat_rate__gte=0))),
        ]
        indexes = [
            # Serves the contract list filtered by status, and the daily renewal scan.
            models.Index(fields=["tenant", "status", "end_date"], name="contract_tenant_status"),
            # Serves a client's contracts (client portal, ticket form).
            models.Index(fields=["tenant", "client", "status"], name="contract_tenant_client"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def included_hours(self) -> Decimal:
        """The included minutes in hours (display, and the forms and API that still speak
        in hours)."""
        return (Decimal(self.included_minutes or 0) / 60).quantize(Decimal("0.01"))

    @included_hours.setter
    def included_hours(self, hours) -> None:
        try:
            minutes = (Decimal(str(hours if hours not in (None, "") else 0)) * 60).to_integral_value()
        except (InvalidOperation, ValueError) as exc:
            raise ValidationError({"included_minutes": [_("Enter a number of hours.")]}) from exc
        self.included_minutes = int(minutes)

    @property
    def service_credit_rows(self) -> list[tuple[str, str, str]]:
        """The service-credit grid as rows (priority, response %, resolution %; "" for
        no credit), for the contract page and PDF: the priorities that credit anything."""
        grid = self.service_credits or {}
        return [(p, grid[p].get("response", ""), grid[p].get("resolution", ""))
                for p in SERVICE_CREDIT_PRIORITIES if grid.get(p)]

    def clean(self) -> None:
        super().clean()
        self.currency = (self.currency or "").upper()
        try:
            portal_validators.validate_currency(self.currency)
        except ValidationError as exc:
            raise ValidationError({"currency": exc.messages}) from exc
        try:
            self.service_credits = normalize_service_credits(self.service_credits)
        except ValidationError as exc:
            raise ValidationError({"service_credits": exc.messages}) from exc

    def terms(self):
        """The pure term arithmetic of this contract, or None until its dates are set."""
        from contracts.terms import ContractTerms

        if self.start_date is None:
            return None
        return ContractTerms(
            start=self.start_date, initial_months=self.initial_months,
            renewal_months=self.renewal_months if self.initial_months else None,
            renewal=self.renewal, notice_months=self.notice_months, notice_days=self.notice_days,
        )


class ItemCategory(models.TextChoices):
    HARDWARE = "hardware", _("Hardware")
    SOFTWARE = "software", _("Software")
    NETWORK = "network", _("Network")
    SECURITY = "security", _("Security")
    SUPPORT = "support", _("Support")
    OTHER = "other", _("Other")


class Criticality(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class CoveredItem(TenantOwnedModel):
    """Something the contract covers: a server, a workstation park, a software, a site…"""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="items")
    category = models.CharField(_("category"), max_length=16, choices=ItemCategory.choices)
    name = models.CharField(_("name"), max_length=200)
    identifier = models.CharField(_("identifier"), max_length=120, blank=True, help_text=_("Serial number, hostname…"))
    site = models.CharField(_("site"), max_length=200, blank=True)
    criticality = models.CharField(_("criticality"), max_length=10, choices=Criticality.choices, default=Criticality.MEDIUM)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)

    class Meta:
        verbose_name = _("covered item")
        verbose_name_plural = _("covered items")
        ordering = ["category", "name", "pk"]
        indexes = [models.Index(fields=["tenant", "contract"], name="item_tenant_contract")]

    def __str__(self) -> str:
        return f"{self.name} ({self.identifier})" if self.identifier else self.name


class Exclusion(TenantOwnedModel):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="exclusions")
    text = models.CharField(_("exclusion"), max_length=300)

    class Meta:
        verbose_name = _("exclusion")
        verbose_name_plural = _("exclusions")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.text


class ContractMaintenanceType(TenantOwnedModel):
    """A maintenance type the contract covers, included in the price or billed on quote."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="maintenance_types")
    maintenance_type = models.CharField(_("maintenance type"), max_length=16, choices=MaintenanceType.choices)
    included = models.BooleanField(_("included in the price"), default=True, help_text=_("Otherwise billable on quote."))
    details = models.CharField(_("details"), max_length=300, blank=True, help_text=_("Operations and frequency"))
    # Per-ticket plans (B7): the price of one ticket of this type, excl. VAT.
    ticket_price = models.DecimalField(_("price per ticket (excl. VAT)"), max_digits=10, decimal_places=2,
                                       null=True, blank=True, validators=[MinValueValidator(0)])

    class Meta:
        verbose_name = _("covered maintenance type")
        verbose_name_plural = _("covered maintenance types")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "contract", "maintenance_type"], name="contract_mtype_unique"),
            models.CheckConstraint(name="contract_mtype_price_not_negative",
                                   condition=models.Q(ticket_price__isnull=True) | models.Q(ticket_price__gte=0)),
        ]

    def __str__(self) -> str:
        return self.get_maintenance_type_display()


class ClauseKind(models.TextChoices):
    PROVIDER_OBLIGATIONS = "provider_obligations", _("Provider obligations")
    CLIENT_OBLIGATIONS = "client_obligations", _("Client obligations")
    CONFIDENTIALITY = "confidentiality", _("Confidentiality")
    GDPR = "gdpr", _("Personal data (GDPR) and sub-processing")
    REVERSIBILITY = "reversibility", _("Reversibility")
    ACCEPTANCE = "acceptance", _("Acceptance")
    LIABILITY = "liability", _("Liability and insurance")
    SUBCONTRACTING = "subcontracting", _("Subcontracting")
    TERMINATION = "termination", _("Termination")
    DISPUTES = "disputes", _("Dispute resolution")


class ClauseTemplate(TenantOwnedModel):
    """The tenant's library of clauses, copied into contracts when chosen."""

    kind = models.CharField(_("kind"), max_length=24, choices=ClauseKind.choices)
    language = models.CharField(_("language"), max_length=5, default="fr")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("clause template")
        verbose_name_plural = _("clause library")
        ordering = ["kind", "language", "title"]
        indexes = [models.Index(fields=["tenant", "kind", "language"], name="clausetpl_tenant_kind")]

    def __str__(self) -> str:
        return self.title


class ContractClause(TenantOwnedModel):
    """The contract's own copy of a clause: editable in draft, frozen once sent."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="clauses")
    kind = models.CharField(_("kind"), max_length=24, choices=ClauseKind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("clause")
        verbose_name_plural = _("clauses")
        ordering = ["position", "pk"]
        indexes = [models.Index(fields=["tenant", "contract"], name="clause_tenant_contract")]

    def __str__(self) -> str:
        return self.title


class ContractTerm(TenantOwnedModel):
    """One term of the contract's history (initial term, then each renewal)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="term_history")
    index = models.PositiveIntegerField(_("term"))
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=TERM_KINDS)
    monthly_fee = models.DecimalField(_("monthly fee"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("contract term")
        verbose_name_plural = _("contract terms")
        ordering = ["contract", "index"]
        constraints = [models.UniqueConstraint(fields=["tenant", "contract", "index"], name="contractterm_unique")]

    def __str__(self) -> str:
        return f"{self.contract.reference} #{self.index}"


class ContractVersion(TenantOwnedModel):
    """An immutable snapshot of the contract as signed (version 1) or amended (2, 3…).
    `effective_from` tells which version applied on a given day."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    effective_from = models.DateField(_("effective from"))
    snapshot = models.JSONField(_("snapshot"))
    amendment = models.OneToOneField(
        "contracts.Amendment", on_delete=models.PROTECT, null=True, blank=True, related_name="contract_version"
    )

    class Meta:
        verbose_name = _("contract version")
        verbose_name_plural = _("contract versions")
        ordering = ["contract", "number"]
        constraints = [models.UniqueConstraint(fields=["tenant", "contract", "number"], name="contractversion_unique")]

    def __str__(self) -> str:
        return f"{self.contract.reference} v{self.number}"


class Amendment(TenantOwnedModel):
    """An avenant: numbered per contract, dated, with an effective date and a summary."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="amendments")
    number = models.PositiveIntegerField(_("number"))
    signed_on = models.DateField(_("signature date"))
    effective_date = models.DateField(_("effective date"))
    summary = models.TextField(_("summary of changes"))
    changes = models.JSONField(_("changes"), default=dict)

    class Meta:
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        ordering = ["contract", "number"]
        constraints = [models.UniqueConstraint(fields=["tenant", "contract", "number"], name="amendment_unique")]

    def __str__(self) -> str:
        return f"{self.contract.reference} — {_('amendment')} {self.number}"


class DocumentStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RENDERING = "rendering", _("Rendering")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class ContractDocument(TenantOwnedModel):
    """The PDF of a contract version (or of an amendment). Stored under a fixed key
    (tenant / reference / version), so a re-render replaces the file."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=10, choices=DOCUMENT_KINDS)
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.QUEUED)
    error = models.TextField(_("error"), blank=True)
    file_path = models.CharField(max_length=300, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(default=0)
    pages = models.PositiveIntegerField(default=0)
    rendered_at = models.DateTimeField(null=True, blank=True)
    render_ms = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("contract document")
        verbose_name_plural = _("contract documents")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "contract", "kind", "version"], name="contractdoc_unique")
        ]

    def __str__(self) -> str:
        return f"{self.contract.reference} {self.kind} v{self.version}"


class ContractReminder(TenantOwnedModel):
    """A renewal/expiry reminder that was sent: the unique key makes the daily job send
    each reminder once, however often it runs."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=16, choices=[("notice", _("Notice deadline")), ("expiry", _("End of contract"))])
    due_date = models.DateField()
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "contract", "kind", "due_date", "days_before"], name="contractreminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.kind} {self.due_date} -{self.days_before}d"

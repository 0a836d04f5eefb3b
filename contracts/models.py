"""Parties (organisations and their contacts). Contracts come in their own issue."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from contracts import validators
from portal.models import TenantOwnedModel


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

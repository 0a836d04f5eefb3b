"""SLA data: business calendars (versioned), SLA policies and their targets, and the
priority matrix. The clock itself is pure (`sla/clock.py`); this is tenant data."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.models import TenantOwnedModel

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class MaintenanceType(models.TextChoices):
    PREVENTIVE = "preventive", _("Preventive")
    CORRECTIVE = "corrective", _("Corrective")
    CURATIVE = "curative", _("Curative")
    EVOLUTIVE = "evolutive", _("Evolutive")


class Priority(models.TextChoices):
    P1 = "P1", _("P1 — critical")
    P2 = "P2", _("P2 — high")
    P3 = "P3", _("P3 — medium")
    P4 = "P4", _("P4 — low")


class Level(models.TextChoices):
    """Impact and urgency levels of the priority matrix (ITIL 3×3)."""

    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class BusinessCalendar(TenantOwnedModel):
    """Coverage hours. What the hours are at a given instant is in its versions: an
    edit adds a version effective from the edit, so time already counted stays counted
    (SLA.md R16)."""

    code = models.SlugField(_("code"), max_length=60, help_text=_("Short identifier used in URLs, e.g. fr-business-hours"))
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        ordering = ["name"]
        constraints = [
            # URLs and the API name calendars by code, inside the tenant.
            models.UniqueConstraint(fields=["tenant", "code"], name="calendar_tenant_code"),
        ]

    def __str__(self) -> str:
        return self.name


class CalendarVersion(TenantOwnedModel):
    """The hours, zone and holidays of a calendar from `effective_from` on (until the
    next version). Never edited once saved: an edit adds a version."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="versions")
    effective_from = models.DateTimeField(_("effective from"))
    timezone = models.CharField(_("time zone"), max_length=64, help_text=_("IANA zone, e.g. Europe/Paris"))
    always_open = models.BooleanField(_("open 24/7"), default=False)
    # {"mon": [["09:00", "12:00"], ["14:00", "18:00"]], ...}; weekdays absent are closed.
    hours = models.JSONField(_("weekly hours"), default=dict, blank=True)
    # [{"date": "2026-12-25", "name": "Noël"}, ...], local dates in `timezone`.
    holidays = models.JSONField(_("holidays"), default=list, blank=True)
    created_by = models.ForeignKey("portal.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("calendar version")
        verbose_name_plural = _("calendar versions")
        ordering = ["calendar", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "calendar", "effective_from"], name="calendarversion_unique_start"),
        ]
        # Serves "the versions of a calendar in time order" (clock evaluation).
        indexes = [models.Index(fields=["tenant", "calendar", "effective_from"], name="calversion_tenant_cal_from")]

    def __str__(self) -> str:
        return f"{self.calendar} from {self.effective_from:%Y-%m-%d %H:%M}"


class SlaPolicy(TenantOwnedModel):
    code = models.SlugField(_("code"), max_length=60, help_text=_("Short identifier used in URLs, e.g. standard"))
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.PROTECT, related_name="policies", verbose_name=_("coverage calendar")
    )
    warning_percent = models.PositiveSmallIntegerField(
        _("warning at (% of target)"), default=80, validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    availability_target = models.DecimalField(
        _("availability target (%)"), max_digits=6, decimal_places=3, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("e.g. 99.900"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="slapolicy_tenant_code")]

    def __str__(self) -> str:
        return self.name


class SlaTarget(TenantOwnedModel):
    """Response and resolution targets for one priority (and optionally one maintenance
    type) of a policy, in business minutes of the policy's calendar. A null target
    means "no SLA" for that metric, never zero."""

    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="targets")
    priority = models.CharField(_("priority"), max_length=2, choices=Priority.choices)
    maintenance_type = models.CharField(
        _("maintenance type"), max_length=16, choices=MaintenanceType.choices, blank=True, default="",
        help_text=_("Empty: applies to every maintenance type without a target of its own."),
    )
    response_minutes = models.PositiveIntegerField(_("response (business minutes)"), null=True, blank=True)
    resolution_minutes = models.PositiveIntegerField(_("resolution (business minutes)"), null=True, blank=True)

    class Meta:
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        ordering = ["priority", "maintenance_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "policy", "priority", "maintenance_type"], name="slatarget_unique_per_policy"
            ),
            models.CheckConstraint(
                name="slatarget_resolution_not_before_response",
                condition=models.Q(response_minutes__isnull=True)
                | models.Q(resolution_minutes__isnull=True)
                | models.Q(resolution_minutes__gte=models.F("response_minutes")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy} {self.priority} {self.maintenance_type or '*'}"


class PriorityMatrixCell(TenantOwnedModel):
    """Impact × urgency → priority, per tenant."""

    impact = models.CharField(_("impact"), max_length=8, choices=Level.choices)
    urgency = models.CharField(_("urgency"), max_length=8, choices=Level.choices)
    priority = models.CharField(_("priority"), max_length=2, choices=Priority.choices)

    class Meta:
        verbose_name = _("priority matrix cell")
        verbose_name_plural = _("priority matrix")
        constraints = [models.UniqueConstraint(fields=["tenant", "impact", "urgency"], name="prioritymatrix_cell")]

    def __str__(self) -> str:
        return f"{self.impact}×{self.urgency}→{self.priority}"


# The ITIL 3×3 default: 5 levels in ITIL folded into our 4 (ITIL's "planning" is P4).
ITIL_DEFAULT_MATRIX: dict[tuple[str, str], str] = {
    ("high", "high"): "P1", ("high", "medium"): "P2", ("high", "low"): "P3",
    ("medium", "high"): "P2", ("medium", "medium"): "P3", ("medium", "low"): "P4",
    ("low", "high"): "P3", ("low", "medium"): "P4", ("low", "low"): "P4",
}

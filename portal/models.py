"""Tenancy, users, memberships, API tokens, the audit log, per-tenant sequences and the
notification outbox."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class Tenant(TimestampedModel):
    """A provider company using the portal. Nothing of one tenant is ever shown to another."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Days before a notice deadline or a contract's end when reminders go out.
    contract_reminder_days = models.JSONField(_("contract reminder days"), default=list, blank=True)
    # A contract suspended for unpaid invoices refuses new tickets; curative emergencies
    # (a system down) may still be accepted when the provider chooses so.
    allow_curative_when_suspended = models.BooleanField(
        _("accept curative emergencies on suspended contracts"), default=False)
    ticket_autoclose_days = models.PositiveSmallIntegerField(
        _("days before a resolved ticket closes by itself"), default=7)
    # Provider staff must turn on two-factor authentication before anything else.
    two_factor_required = models.BooleanField(_("two-factor authentication required for staff"), default=False)

    class Meta:
        verbose_name = _("tenant")
        verbose_name_plural = _("tenants")

    def __str__(self) -> str:
        return self.name

    @property
    def reminder_days(self) -> list[int]:
        return sorted({int(d) for d in (self.contract_reminder_days or [30, 7]) if int(d) >= 0}, reverse=True)


class TenantOwnedModel(TimestampedModel):
    """Base for every row that belongs to a tenant.

    The tenant is carried on every row, even where a relation would reach it, so that
    every query can filter on it directly and every index can start with it.
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant"))

    class Meta:
        abstract = True


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("email: an e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person who logs in, identified by e-mail. Tenant and role come from the Membership."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True, default="")
    # Non-essential notifications this user does not want (e.g. ["reply", "status"]).
    notification_optouts = models.JSONField(_("notifications turned off"), default=list, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def display_name(self) -> str:
        return self.full_name or self.email


class Role(models.TextChoices):
    TENANT_ADMIN = "tenant_admin", _("Tenant administrator")
    ACCOUNT_MANAGER = "account_manager", _("Account manager")
    TECHNICIAN = "technician", _("Technician")
    CLIENT_ADMIN = "client_admin", _("Client administrator")
    CLIENT_USER = "client_user", _("Client user")


PROVIDER_ROLES = frozenset({Role.TENANT_ADMIN, Role.ACCOUNT_MANAGER, Role.TECHNICIAN})
CLIENT_ROLES = frozenset({Role.CLIENT_ADMIN, Role.CLIENT_USER})


class Membership(TenantOwnedModel):
    """Ties a user to one tenant with one role.

    A person belongs to exactly one tenant (a provider's employee, or a client's staff
    member), as in Zulip's one-user-per-realm model: it keeps the tenant of every
    request unambiguous. Client roles are tied to one client organisation.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="membership")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    organization = models.ForeignKey(
        "contracts.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("organisation"),
        help_text=_("The client organisation, for client roles."),
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                name="membership_client_roles_have_organization",
                condition=(
                    models.Q(role__in=["client_admin", "client_user"], organization__isnull=False)
                    | models.Q(role__in=["tenant_admin", "account_manager", "technician"], organization__isnull=True)
                ),
            ),
        ]
        indexes = [models.Index(fields=["tenant", "role"], name="membership_tenant_role")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.tenant} ({self.role})"

    @property
    def is_provider(self) -> bool:
        return self.role in PROVIDER_ROLES

    @property
    def is_client(self) -> bool:
        return self.role in CLIENT_ROLES


class Invitation(TenantOwnedModel):
    """An invitation to join the tenant with a role, sent by e-mail as a signed link
    (portal/people.py). Nothing secret is stored: the link is an HMAC (Django's signing,
    with SECRET_KEY) of the row's id and `version`; re-sending bumps the version, which
    makes the earlier links invalid. The person is created when they accept."""

    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    organization = models.ForeignKey(
        "contracts.Organization", on_delete=models.CASCADE, null=True, blank=True, related_name="invitations",
        verbose_name=_("organisation"))
    language = models.CharField(_("language"), max_length=8, blank=True, default="")
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    version = models.PositiveIntegerField(default=1)
    expires_at = models.DateTimeField(_("expires at"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            # One open invitation per address (users are unique by e-mail across tenants).
            models.UniqueConstraint(fields=["email"], name="invitation_one_open_per_email",
                                    condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True)),
            models.CheckConstraint(
                name="invitation_client_roles_have_organization",
                condition=(
                    models.Q(role__in=["client_admin", "client_user"], organization__isnull=False)
                    | models.Q(role__in=["tenant_admin", "account_manager", "technician"], organization__isnull=True)
                ),
            ),
        ]
        indexes = [models.Index(fields=["tenant", "-sent_at"], name="invitation_tenant_sent")]

    def __str__(self) -> str:
        return f"{self.email} ({self.role})"

    @property
    def status(self) -> str:
        if self.accepted_at is not None:
            return "accepted"
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None
# The areas of the API a token's scopes name, each read or write ("tickets:write"
# includes "tickets:read"). Every API view declares its area (`api_area`).
API_AREAS = ("tickets", "contracts", "billing", "admin")
API_SCOPES = tuple(f"{area}:{mode}" for area in API_AREAS for mode in ("read", "write"))

# Service accounts are users whose address is in this reserved domain (RFC 2606): no
# e-mail is ever written to them.
SERVICE_ACCOUNT_DOMAIN = "service-accounts.invalid"


# The roles a service account may be given when it is not restricted to an organisation.
SERVICE_ACCOUNT_ROLES = [(Role.TECHNICIAN.value, Role.TECHNICIAN.label), (Role.ACCOUNT_MANAGER.value, Role.ACCOUNT_MANAGER.label),
                         (Role.TENANT_ADMIN.value, Role.TENANT_ADMIN.label)]


class ServiceAccount(TenantOwnedModel):
    """An integration belonging to a tenant (monitoring, accounting, a client's ERP).

    It maps onto the permission model as a user without a password with one membership:
    a provider role chosen by the tenant administrator when it is not restricted, or the
    client-administrator role of one client organisation when it is, so that it sees and
    does exactly what that organisation's client administrator would (all of the
    organisation's tickets, invoices and contracts; nothing of other organisations). Its tokens then narrow that
    further with scopes. Tenant administrators create it, its tokens, and disable it."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="service_account")
    name = models.CharField(_("name"), max_length=100)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("service account")
        verbose_name_plural = _("service accounts")
        indexes = [models.Index(fields=["tenant", "name"], name="serviceaccount_tenant_name")]

    def __str__(self) -> str:
        return self.name


class ApiToken(TenantOwnedModel):
    """An API token: personal (its user is a person) or a service account's. Only a
    SHA-256 of the secret is stored; it is shown once.

    Tokens carry high entropy (32 random bytes), so a fast hash is enough: there is
    nothing to brute-force. The public `prefix` finds the row without a scan.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    scopes = models.JSONField(_("scopes"), default=list, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(_("last used from"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        # Serves the token list of a user in a tenant.
        indexes = [models.Index(fields=["tenant", "user", "-created_at"], name="apitoken_tenant_user")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    def allows(self, area: str, write: bool) -> bool:
        """Whether the token's scopes let it read (or write) `area`."""
        wanted = {f"{area}:write"} if write else {f"{area}:read", f"{area}:write"}
        return bool(wanted & set(self.scopes or ()))


class IdempotencyKey(models.Model):
    """The first response to a POST sent with an `Idempotency-Key` header, replayed to a
    retry with the same key and body (portal/api/idempotency.py). Keyed per token (or
    per user for a session); written in the transaction of the write; kept 24 hours."""

    owner = models.CharField(max_length=40)  # "token:<id>" or "user:<id>"
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # SHA-256 of method, path and body
    status_code = models.PositiveSmallIntegerField(null=True)
    response = models.JSONField(null=True)
    headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="idempotency_owner_key")]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created")]

    def __str__(self) -> str:
        return f"{self.owner} {self.key}"


class AuditEvent(models.Model):
    """Append-only log of every change a user makes: the log of the provider's actions
    promised to clients. Rows are never updated or deleted (a database trigger refuses
    it on PostgreSQL; the model refuses it everywhere)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    actor_label = models.CharField(_("actor"), max_length=254, blank=True)  # kept if the user is deleted
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=64)
    object_ref = models.CharField(_("object"), max_length=64, blank=True)
    organization = models.ForeignKey(
        "contracts.Organization", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )  # the client concerned, so a client can be shown the log of actions on its systems
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        # Serves the tenant's audit log page, newest first, and its filters.
        indexes = [
            models.Index(fields=["tenant", "-created_at"], name="audit_tenant_time"),
            models.Index(fields=["tenant", "object_type", "object_ref"], name="audit_tenant_object"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_ref}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise RuntimeError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("audit events are append-only")


class TenantSequence(models.Model):
    """Gap-free per-tenant counters for human references (CTR-2026-0001, TCK-000123,
    INV-2026-000001). Incremented under a row lock inside the caller's transaction, so a
    rolled-back transaction gives its number back and no two callers share one."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=40)
    last_value = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "key"], name="sequence_tenant_key")]

    def __str__(self) -> str:
        return f"{self.key}={self.last_value}"


class OutboxChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    WEBHOOK = "webhook", _("Webhook")


class OutboxState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    # Gave up after the last attempt: kept for the operators (`manage.py outbox_failed`).
    FAILED = "failed", _("Failed")
    # Nothing left to send: the object it is about was deleted, or no longer qualifies.
    CANCELLED = "cancelled", _("Cancelled")


class OutboxMessage(TenantOwnedModel):
    """One notification to deliver to one recipient: an e-mail today, a webhook call
    later. Written in the transaction of the change it announces (so a change is never
    committed without its notifications, whatever the broker does), then delivered by
    `portal.outbox.outbox_deliver`, at least once: a crash between sending and marking
    may send it twice; nothing is lost. See portal/outbox.py for the delivery rules.

    The row holds what to send, not the text: `kind` picks a renderer (for e-mail, its
    templates) and `context` holds ids (and small values of the moment, e.g. the status
    a ticket moved to), so the text is rendered by the worker, in the recipient's
    language of the day."""

    channel = models.CharField(max_length=16, choices=OutboxChannel.choices, default=OutboxChannel.EMAIL)
    kind = models.CharField(max_length=64)  # the event, e.g. "ticket.created"; names its renderer
    recipient = models.CharField(max_length=500)  # an e-mail address; a webhook's URL or endpoint later
    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    context = models.JSONField(default=dict, blank=True)
    # Set where the event has a natural key (an SLA breach, a reminder): writing the same
    # event twice (two scans, a retried job) then adds no second row.
    dedup_key = models.CharField(max_length=300, blank=True)
    state = models.CharField(max_length=16, choices=OutboxState.choices, default=OutboxState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # A deliverer's lease: others leave the row alone until then (a dead worker's rows
    # come back when it ends).
    claimed_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # E-mail threading: the Message-ID this row is sent with (made when it is written, so
    # a retry sends the same one) and the thread its renderer put it in (e.g.
    # "ticket-123"), so a client's reply naming it (In-Reply-To / References) finds its
    # ticket (integrations.mail_intake).
    message_id = models.CharField(max_length=255, blank=True)
    thread = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("outgoing notification")
        verbose_name_plural = _("outgoing notifications")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "channel", "dedup_key"], name="outbox_dedup_once",
                                    condition=~models.Q(dedup_key="")),
        ]
        indexes = [
            # outbox_claim: the pending rows that are due, across tenants, oldest first.
            models.Index(fields=["next_attempt_at"], name="outbox_due",
                         condition=models.Q(state="pending")),
            # The operators' list of a tenant's failed rows (outbox_failed), newest first.
            models.Index(fields=["tenant", "state", "-created_at"], name="outbox_tenant_state"),
            # Mail intake: the row a reply's In-Reply-To / References names (any tenant's,
            # so that a reference to another tenant's e-mail is recognised as forged).
            models.Index(fields=["message_id"], name="outbox_message_id", condition=~models.Q(message_id="")),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient} ({self.state})"

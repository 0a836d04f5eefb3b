"""Webhook subscriptions, the events they are sent, and the log of each delivery."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import TenantOwnedModel, User


class WebhookSubscription(TenantOwnedModel):
    """A receiver of a tenant's events. The secret signs every delivery (HMAC-SHA256): it
    is stored to sign and shown once, when the subscription is made (or its secret
    rolled)."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("receiver URL"), max_length=500)
    event_types = models.JSONField(_("events"), default=list)
    secret = models.CharField(max_length=80)
    is_active = models.BooleanField(_("active"), default=True)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)
    disabled_reason = models.CharField(_("why disabled"), max_length=200, blank=True)
    # Since when every delivery has failed (None after a success): 3 days of it disable it.
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        indexes = [models.Index(fields=["tenant", "is_active"], name="webhook_sub_tenant_active")]

    def __str__(self) -> str:
        return f"{self.name} → {self.url}"


class WebhookEvent(TenantOwnedModel):
    """One event announced (portal.events.emit) to at least one subscription; `uid` is
    the id receivers de-duplicate on."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event_type = models.CharField(_("event"), max_length=40)
    payload = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        indexes = [models.Index(fields=["tenant", "-created_at"], name="webhook_event_tenant_time")]

    def __str__(self) -> str:
        return f"{self.event_type} {self.uid}"


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    # Retried for 24 hours without a 2xx answer: given up.
    FAILED = "failed", _("Failed")
    # The subscription was disabled or deleted before it could be delivered.
    CANCELLED = "cancelled", _("Cancelled")


class WebhookDelivery(TenantOwnedModel):
    """One event to one subscription: retried with back-off until a 2xx answer, or 24 h."""

    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField(_("state"), max_length=16, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last status code"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [models.UniqueConstraint(fields=["event", "subscription"], name="webhook_delivery_once")]
        indexes = [
            models.Index(fields=["next_attempt_at"], name="webhook_delivery_due",
                         condition=models.Q(state="pending")),
            models.Index(fields=["tenant", "subscription", "-created_at"], name="webhook_delivery_log"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.subscription_id} ({self.state})"


class WebhookAttempt(TenantOwnedModel):
    """One HTTP call of a delivery: its status code (None when no answer came), duration
    and error."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["delivery_id", "number"]
        indexes = [models.Index(fields=["delivery", "number"], name="webhook_attempt_delivery")]


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    BUILDING = "building", _("Building")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")
    # Past its 7 days: the file was deleted.
    EXPIRED = "expired", _("Expired")


class DataExport(TenantOwnedModel):
    """The reversibility export of one client organisation: a ZIP of everything the
    portal holds about its contracts, tickets and invoices, built by a worker, kept 7 days."""

    organization = models.ForeignKey("contracts.Organization", on_delete=models.CASCADE, related_name="+",
                                     verbose_name=_("organisation"))
    requested_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    step = models.CharField(_("step"), max_length=100, blank=True)
    file_path = models.CharField(max_length=300, blank=True)  # relative to MEDIA_ROOT
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    files = models.PositiveIntegerField(_("files"), default=0)
    error = models.TextField(_("error"), blank=True)
    ready_at = models.DateTimeField(_("ready at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("available until"), null=True, blank=True)

    class Meta:
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")
        indexes = [models.Index(fields=["tenant", "organization", "-created_at"], name="export_tenant_org")]

    def __str__(self) -> str:
        return f"export {self.pk} of {self.organization_id} ({self.status})"


# ============================================================================ tickets by e-mail


class MailboxSecurity(models.TextChoices):
    SSL = "ssl", _("TLS (IMAPS, usually port 993)")
    STARTTLS = "starttls", _("STARTTLS (usually port 143)")
    NONE = "none", _("None (local test servers only)")


class SupportMailbox(TenantOwnedModel):
    """The tenant's support mailbox, read over IMAP every minute (integrations.mail_intake):
    a client's message opens a ticket or adds a reply. The password is kept sealed
    (`portal.sealed`, Fernet) to log in, and never shown back (the form leaves it blank
    to keep it)."""

    host = models.CharField(_("IMAP server"), max_length=255)
    port = models.PositiveIntegerField(_("port"), default=993)
    security = models.CharField(_("security"), max_length=8, choices=MailboxSecurity.choices,
                                default=MailboxSecurity.SSL)
    username = models.CharField(_("user name"), max_length=255)
    password = models.CharField(max_length=1024)  # sealed (portal.sealed), never the typed text
    folder = models.CharField(_("folder"), max_length=255, default="INBOX")
    address = models.EmailField(_("support address"), blank=True,
                                help_text=_("The address clients write to: messages sent from it are loops."))
    enabled = models.BooleanField(_("enabled"), default=False)
    last_polled_at = models.DateTimeField(_("last read"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("support mailbox")
        verbose_name_plural = _("support mailboxes")
        constraints = [models.UniqueConstraint(fields=["tenant"], name="supportmailbox_once")]
        # The poll's sweep: the enabled mailboxes, across tenants.
        indexes = [models.Index(fields=["enabled"], name="supportmailbox_enabled")]

    def __str__(self) -> str:
        return f"{self.username}@{self.host}"


class InboundState(models.TextChoices):
    TICKET = "ticket", _("Ticket opened")
    REPLY = "reply", _("Reply added")
    QUARANTINED = "quarantined", _("Quarantined")
    RELEASED = "released", _("Released")
    DISCARDED = "discarded", _("Discarded")


class QuarantineReason(models.TextChoices):
    UNKNOWN_SENDER = "unknown_sender", _("Unknown sender")
    AUTO_REPLY = "auto_reply", _("Automatic reply")
    BOUNCE = "bounce", _("Delivery failure (bounce)")
    LOOP = "loop", _("Sent by the portal itself (loop)")
    TOO_LARGE = "too_large", _("Message or attachment too large")
    FORGED_REFERENCE = "forged_reference", _("Refers to a ticket of another tenant or organisation")
    NO_CONTRACT = "no_contract", _("No contract accepts the request")
    REFUSED = "refused", _("Refused by the ticket rules")


class InboundMessage(TenantOwnedModel):
    """One message read from a support mailbox: what became of it (a ticket, a reply), or
    why it is held in quarantine for staff to release or discard. Keyed by its
    Message-ID (or a hash of its bytes) in its mailbox, so it is processed once whatever
    the retries."""

    mailbox = models.ForeignKey(SupportMailbox, on_delete=models.CASCADE, related_name="messages")
    message_key = models.CharField(max_length=255)  # the Message-ID, or "sha256:<hex>" of the raw bytes
    sender = models.CharField(_("sender"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    raw_size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    # Kept for quarantined messages (to release them later); only the headers of an
    # oversized one.
    raw = models.BinaryField(blank=True, default=b"")
    state = models.CharField(_("state"), max_length=12, choices=InboundState.choices)
    reason = models.CharField(_("reason"), max_length=20, choices=QuarantineReason.choices, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    handled_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("incoming message")
        verbose_name_plural = _("incoming messages")
        constraints = [
            # The poll's "already processed?" (tenant, mailbox, key): once, whatever the retries.
            models.UniqueConstraint(fields=["tenant", "mailbox", "message_key"], name="inbound_message_once"),
        ]
        # The quarantine page: a tenant's held messages, newest first.
        indexes = [models.Index(fields=["tenant", "state", "-received_at"], name="inbound_tenant_state")]

    def __str__(self) -> str:
        return f"{self.sender}: {self.subject} ({self.state})"

"""Tickets, their history, conversation, attachments and interventions, and the SLA
events recorded by the scan. A ticket's SLA state is computed from its history
(`TicketEvent` rows) with the pure `sla.state`; the columns kept on `Ticket` are a cache
of that computation for the queue's ordering and the scan's index."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.models import TenantOwnedModel
from sla.models import Level, MaintenanceType, Priority


class TicketStatus(models.TextChoices):
    NEW = "new", pgettext_lazy("ticket status", "New")
    IN_PROGRESS = "in_progress", pgettext_lazy("ticket status", "In progress")
    WAITING_ON_CLIENT = "waiting_on_client", pgettext_lazy("ticket status", "Waiting on client")
    RESOLVED = "resolved", pgettext_lazy("ticket status", "Resolved")
    CLOSED = "closed", pgettext_lazy("ticket status", "Closed")


OPEN_STATUSES = (TicketStatus.NEW, TicketStatus.IN_PROGRESS, TicketStatus.WAITING_ON_CLIENT)


class TicketSource(models.TextChoices):
    PORTAL = "portal", _("Portal")
    API = "api", _("API")
    EMAIL = "email", _("E-mail")
    PREVENTIVE_PLAN = "plan", _("Preventive plan")


class Ticket(TenantOwnedModel):
    reference = models.CharField(_("reference"), max_length=20, editable=False)
    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="tickets",
                                 verbose_name=_("contract"))
    organization = models.ForeignKey("contracts.Organization", on_delete=models.PROTECT, related_name="tickets",
                                     verbose_name=_("client"))
    covered_item = models.ForeignKey("contracts.CoveredItem", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="tickets", verbose_name=_("covered item"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    maintenance_type = models.CharField(_("maintenance type"), max_length=16, choices=MaintenanceType.choices)
    impact = models.CharField(_("impact"), max_length=8, choices=Level.choices)
    urgency = models.CharField(_("urgency"), max_length=8, choices=Level.choices)
    priority = models.CharField(_("priority"), max_length=2, choices=Priority.choices)
    priority_reason = models.CharField(_("reason for the priority"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=8, choices=TicketSource.choices, default=TicketSource.PORTAL)
    requester = models.ForeignKey("portal.User", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("requester"))
    # A client's contact without an account who opened the ticket by e-mail
    # (integrations.mail_intake): told of its progress at that address.
    requester_contact = models.ForeignKey("contracts.Contact", on_delete=models.SET_NULL, null=True, blank=True,
                                          related_name="+", verbose_name=_("requesting contact"))
    assignee = models.ForeignKey("portal.User", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("assignee"))
    status = models.CharField(_("status"), max_length=20, choices=TicketStatus.choices, default=TicketStatus.NEW)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # --- SLA cache, rewritten from the history by tickets.sla.ticket_sla_refresh -------
    sla_policy = models.ForeignKey("sla.SlaPolicy", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    response_deadline = models.DateTimeField(null=True, blank=True)
    resolution_deadline = models.DateTimeField(null=True, blank=True)
    # The queue's sort key: the nearest deadline of a running metric (null when paused or done).
    sla_due_at = models.DateTimeField(null=True, blank=True)
    sla_breached = models.BooleanField(default=False)
    sla_paused = models.BooleanField(default=False)
    sla_warning = models.BooleanField(default=False)
    # When the scan must look at the ticket again (next warning or deadline), R15.
    sla_next_check_at = models.DateTimeField(null=True, blank=True)
    sla_state = models.JSONField(default=dict, blank=True)  # R14 fields per metric, for display

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        constraints = [models.UniqueConstraint(fields=["tenant", "reference"], name="ticket_tenant_reference")]
        indexes = [
            # The technicians' queue: open tickets of a tenant, breached first, nearest deadline first.
            models.Index(fields=["tenant", "-sla_breached", "sla_paused", "sla_due_at", "id"],
                         name="ticket_queue", condition=Q(status__in=["new", "in_progress", "waiting_on_client"])),
            # A technician's own open tickets in queue order (the dashboard's "mine by urgency",
            # the queue's "Mine"): a top-15 straight from the index, not a sort of every ticket
            # they hold (23 ms -> 0.4 ms for 14,864 open tickets of one technician at 10 M).
            models.Index(fields=["tenant", "assignee", "-sla_breached", "sla_paused", "sla_due_at", "id"],
                         name="ticket_queue_assignee",
                         condition=Q(status__in=["new", "in_progress", "waiting_on_client"])),
            # The SLA scan: rows whose next check is due, across tenants.
            models.Index(fields=["sla_next_check_at"], name="ticket_sla_scan",
                         condition=Q(sla_next_check_at__isnull=False)),
            # A client's tickets (client portal) and a contract's tickets.
            models.Index(fields=["tenant", "organization", "-created_at"], name="ticket_tenant_org"),
            models.Index(fields=["tenant", "contract", "-created_at"], name="ticket_tenant_contract"),
            models.Index(fields=["tenant", "assignee", "status"], name="ticket_tenant_assignee"),
            # The dashboards' counts of open tickets (selectors.ticket_counts), from the index
            # alone (an index-only scan: 4 ms instead of 44 ms for 20,000 open tickets among 100,000).
            models.Index(fields=["tenant", "status"], name="ticket_open_counts",
                         include=["id", "sla_breached", "sla_warning", "assignee"],
                         condition=Q(status__in=["new", "in_progress", "waiting_on_client"])),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class TicketEventKind(models.TextChoices):
    CREATED = "created", pgettext_lazy("ticket event", "Opened")
    STATUS = "status", pgettext_lazy("ticket event", "Status changed")
    RESPONDED = "responded", pgettext_lazy("ticket event", "Taken in charge")
    PRIORITY = "priority", pgettext_lazy("ticket event", "Priority changed")
    ASSIGNED = "assigned", pgettext_lazy("ticket event", "Assigned")


class TicketEvent(TenantOwnedModel):
    """One row of a ticket's history: who, when, from, to, why. The SLA state is
    computed from these rows, never from counters."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=TicketEventKind.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey("portal.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    from_value = models.CharField(max_length=254, blank=True)  # a status, a priority or an e-mail
    to_value = models.CharField(max_length=254, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    # For created / priority events: the targets that applied from then on (None: no SLA).
    response_minutes = models.PositiveIntegerField(null=True, blank=True)
    resolution_minutes = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["tenant", "ticket", "at"], name="ticketevent_history")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.from_value}→{self.to_value}"


class MessageKind(models.TextChoices):
    REPLY = "reply", pgettext_lazy("ticket message", "Reply")
    # The question asked when the ticket waits on the client, and the resolution note
    # ("what was done"): public messages the client reads in the conversation and e-mail.
    QUESTION = "question", pgettext_lazy("ticket message", "Question to the client")
    RESOLUTION = "resolution", pgettext_lazy("ticket message", "Resolution")


class TicketMessage(TenantOwnedModel):
    """A public reply (visible to the client) or an internal note (provider only)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey("portal.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # A client's contact without an account who wrote by e-mail (integrations.mail_intake).
    author_contact = models.ForeignKey("contracts.Contact", on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="+", verbose_name=_("contact"))
    body = models.TextField(_("message"))
    internal = models.BooleanField(_("internal note"), default=False)
    kind = models.CharField(_("kind"), max_length=12, choices=MessageKind.choices, default=MessageKind.REPLY)
    # A double click (or a client retry) with the same key stores the message once. The
    # key is the author's own: another author's key is another message (a key found by
    # ticket alone once returned a technician's internal note to a client).
    idempotency_key = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # ticket_reply's replay lookup: (tenant, ticket, author, key).
            models.UniqueConstraint(fields=["tenant", "ticket", "author", "idempotency_key"],
                                    name="ticketmessage_author_key_once", condition=~Q(idempotency_key="")),
        ]
        indexes = [models.Index(fields=["tenant", "ticket", "created_at"], name="ticketmessage_thread")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {'note' if self.internal else 'reply'}"


class Attachment(TenantOwnedModel):
    """A file on a ticket, stored outside the web root, served only through a view
    that checks access."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(TicketMessage, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="attachments")
    uploaded_by = models.ForeignKey("portal.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_key = models.CharField(max_length=300)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["tenant", "ticket"], name="attachment_ticket")]

    def __str__(self) -> str:
        return self.filename


class RatingScore(models.TextChoices):
    GOOD = "good", pgettext_lazy("satisfaction", "Good")
    BAD = "bad", pgettext_lazy("satisfaction", "Bad")


class RatingSource(models.TextChoices):
    PAGE = "page", _("Ticket page")
    EMAIL = "email", _("E-mail link")
    API = "api", _("API")


class TicketRating(TenantOwnedModel):
    """The client's satisfaction with a closed ticket: good or bad, with a comment. One
    per ticket; rating again replaces it."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="rating")
    organization = models.ForeignKey("contracts.Organization", on_delete=models.PROTECT, related_name="+")
    score = models.CharField(_("rating"), max_length=4, choices=RatingScore.choices)
    comment = models.TextField(_("comment"), blank=True)
    rated_by = models.ForeignKey("portal.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    rated_at = models.DateTimeField(_("rated at"))
    source = models.CharField(max_length=8, choices=RatingSource.choices, default=RatingSource.PAGE)

    class Meta:
        verbose_name = _("satisfaction rating")
        verbose_name_plural = _("satisfaction ratings")
        indexes = [models.Index(fields=["tenant", "rated_at"], name="rating_tenant_at"),
                   models.Index(fields=["tenant", "organization", "rated_at"], name="rating_tenant_org_at")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.score}"


class CannedReply(TenantOwnedModel):
    """A ready-made answer of the tenant, in French or English, that staff insert in the
    ticket composer and adapt."""

    class Language(models.TextChoices):
        FR = "fr", _("French")
        EN = "en", _("English")

    title = models.CharField(_("title"), max_length=120)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    body = models.TextField(_("text"))

    class Meta:
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        ordering = ["language", "title", "id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "language", "title"], name="cannedreply_title_once")]

    def __str__(self) -> str:
        return self.title


class SupportDesk(TenantOwnedModel):
    """How clients reach the provider's support (shown on their home page): the phone
    number and a sentence about the hours (the hours themselves come from the contract's
    business calendar)."""

    phone = models.CharField(_("support phone"), max_length=40, blank=True)
    hours_note = models.CharField(_("about the hours"), max_length=300, blank=True,
                                  help_text=_("e.g. “Emergencies on the same number outside these hours.”"))
    email = models.EmailField(_("support e-mail"), blank=True)

    class Meta:
        verbose_name = _("support desk")
        constraints = [models.UniqueConstraint(fields=["tenant"], name="supportdesk_once")]

    def __str__(self) -> str:
        return self.phone


class InterventionMode(models.TextChoices):
    REMOTE = "remote", _("Remote")
    ON_SITE = "on_site", _("On site")


class Intervention(TenantOwnedModel):
    """A piece of work logged by a technician; feeds billing (hour banks, per-ticket work)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="interventions")
    technician = models.ForeignKey("portal.User", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("technician"))
    date = models.DateField(_("date"))
    minutes = models.PositiveIntegerField(_("duration (minutes)"))
    mode = models.CharField(_("mode"), max_length=8, choices=InterventionMode.choices)
    billable = models.BooleanField(_("billable"), default=True)
    description = models.TextField(_("description"))

    class Meta:
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["tenant", "ticket"], name="intervention_ticket"),
                   models.Index(fields=["tenant", "date"], name="intervention_tenant_date")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.date} {self.minutes} min"


class SlaEvent(TenantOwnedModel):
    """A warning or breach recorded by the scan, once per (ticket, metric, kind, target
    version): the unique key makes retries and concurrent scans harmless. Its e-mails are
    written to the outbox (portal.OutboxMessage) in the same transaction, keyed by the
    same natural key."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="sla_events")
    metric = models.CharField(max_length=10, choices=[("response", _("Response")), ("resolution", _("Resolution"))])
    kind = models.CharField(max_length=8, choices=[("warning", _("Warning")), ("breach", _("Breach"))])
    target_version = models.PositiveIntegerField()
    at = models.DateTimeField(help_text="The instant of the warning or breach (the deadline), never the scan's clock.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "ticket", "metric", "kind", "target_version"],
                                    name="slaevent_once"),
        ]
        indexes = [models.Index(fields=["tenant", "ticket"], name="slaevent_ticket")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.metric} {self.kind} v{self.target_version}"


class PreventivePlan(TenantOwnedModel):
    """Recurring preventive operations of a contract (e.g. "every month on the first
    Monday"), as an iCalendar RRULE evaluated by dateutil. Each occurrence creates one
    preventive ticket ahead of time."""

    contract = models.ForeignKey("contracts.Contract", on_delete=models.CASCADE, related_name="preventive_plans",
                                 verbose_name=_("contract"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("operations"), blank=True)
    rrule = models.CharField(_("recurrence (RRULE)"), max_length=300,
                             help_text=_("iCalendar rule, e.g. FREQ=MONTHLY;BYDAY=1MO (first Monday of each month)"))
    start_date = models.DateField(_("first possible date"))
    lead_days = models.PositiveSmallIntegerField(_("create the ticket this many days ahead"), default=7)
    covered_items = models.ManyToManyField("contracts.CoveredItem", blank=True, related_name="preventive_plans",
                                           verbose_name=_("covered items"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("preventive plan")
        verbose_name_plural = _("preventive plans")
        indexes = [models.Index(fields=["tenant", "contract"], name="plan_tenant_contract")]

    def __str__(self) -> str:
        return self.title


class PlanOccurrence(TenantOwnedModel):
    """One occurrence of a plan and the ticket it created: unique per (plan, date), so
    however often the daily job runs, an occurrence creates one ticket."""

    plan = models.ForeignKey(PreventivePlan, on_delete=models.CASCADE, related_name="occurrences")
    due_date = models.DateField()
    ticket = models.OneToOneField(Ticket, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="plan_occurrence")

    class Meta:
        ordering = ["due_date"]
        constraints = [models.UniqueConstraint(fields=["tenant", "plan", "due_date"], name="occurrence_once")]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.due_date}"

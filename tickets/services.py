"""Ticket use cases: open, take, reply, note, change status, priority and assignee, log
interventions. Each checks who may act and the ticket's state, writes a history row
(`TicketEvent`), recomputes the SLA cache synchronously (the clock is cheap, and losing
Redis must never lose a deadline) and writes its e-mails to the outbox in the same
transaction (portal/outbox.py sends them after commit, or the periodic sweep does)."""

from __future__ import annotations

from datetime import date, datetime

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.models import Contract, CoveredItem
from contracts.rules import contract_accepts_request
from portal.audit import audit_log
from portal.events import emit
from portal.exceptions import ApplicationError, ConflictError, UnprocessableError
from portal.permissions import SYSTEM, can, require
from portal.prepared import insert_new
from portal.sequences import sequence_next
from portal.tenancy import assert_same_tenant, membership_for
from sla import config_cache
from sla.models import Level, MaintenanceType, Priority
from sla.selectors import priority_for, target_for
from tickets.attachments import attachment_add, attachment_matches
from tickets.models import (
    OPEN_STATUSES,
    Intervention,
    InterventionMode,
    MessageKind,
    RatingScore,
    RatingSource,
    Ticket,
    TicketEvent,
    TicketEventKind,
    TicketMessage,
    TicketRating,
    TicketSource,
    TicketStatus,
)
from tickets.notifications import ticket_notify
from tickets.sla import apply_sla, record_sla_events, ticket_sla_evaluate, ticket_sla_refresh
from tickets.validation import intervention_date_error

# The ticket's workflow. Who may make which move is the policy's ("ticket.change_status":
# clients only accept or reject a resolution).
TRANSITIONS: dict[str, set[str]] = {
    TicketStatus.NEW: {TicketStatus.IN_PROGRESS, TicketStatus.WAITING_ON_CLIENT, TicketStatus.RESOLVED},
    TicketStatus.IN_PROGRESS: {TicketStatus.WAITING_ON_CLIENT, TicketStatus.RESOLVED},
    TicketStatus.WAITING_ON_CLIENT: {TicketStatus.IN_PROGRESS, TicketStatus.RESOLVED},
    TicketStatus.RESOLVED: {TicketStatus.CLOSED, TicketStatus.IN_PROGRESS},
    TicketStatus.CLOSED: set(),
}


def _lock(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update(of=("self",)).select_related("sla_policy__calendar", "contract").get(
        pk=ticket.pk, tenant_id=ticket.tenant_id)


def _event(ticket: Ticket, kind: str, *, actor, at: datetime, **values) -> TicketEvent:
    return TicketEvent.objects.create(tenant_id=ticket.tenant_id, ticket=ticket, kind=kind, actor=actor, at=at,
                                      **values)


def _notify(ticket: Ticket, kind: str, *, actor=None, author_is_client: bool = False, **context) -> None:
    """Write the event's e-mails to the outbox, in this transaction: they are sent once it
    commits, even if the broker is down then (nothing is rendered in the request)."""
    ticket_notify(ticket=ticket, kind=kind, actor=actor, author_is_client=author_is_client, context=context)


def ticket_event_payload(ticket: Ticket, **extra) -> dict:
    """What a webhook says about a ticket (portal.events): references and state, no text
    beyond the title."""
    return {"ticket": {
        "reference": ticket.reference, "title": ticket.title, "status": ticket.status,
        "priority": ticket.priority, "maintenance_type": ticket.maintenance_type,
        "contract": ticket.contract.reference, "organization": ticket.organization.reference,
        "assignee": ticket.assignee.email if ticket.assignee_id else None, "source": ticket.source,
        "created_at": ticket.created_at.isoformat(), **extra}}


def _emit(ticket: Ticket, event_type: str, **extra) -> None:
    emit(tenant_id=ticket.tenant_id, event_type=event_type, payload=ticket_event_payload(ticket, **extra))


def _targets(ticket: Ticket, config=None) -> tuple[int | None, int | None]:
    if ticket.sla_policy is None:
        return None, None
    target = target_for(ticket.sla_policy, priority=ticket.priority, maintenance_type=ticket.maintenance_type,
                        targets=config_cache.targets(ticket.sla_policy, entry=config))
    if target is None:
        return None, None
    return target.response_minutes, target.resolution_minutes


@transaction.atomic
def ticket_create(
    *, tenant, actor, contract: Contract, title: str, description: str, maintenance_type: str,
    impact: str = Level.MEDIUM, urgency: str = Level.MEDIUM, covered_item: CoveredItem | None = None,
    source: str = TicketSource.PORTAL, priority: str | None = None, priority_reason: str = "",
    now: datetime | None = None, requester=None, requester_contact=None,
) -> Ticket:
    """Open a ticket on an active contract. Its deadlines are computed here, in the
    request, so the ticket is complete even if the broker is down."""
    membership = require(actor, "ticket.create", tenant=tenant) if actor is not None else None
    assert_same_tenant(contract, covered_item)
    if contract.tenant_id != tenant.id:
        raise ValidationError({"contract": [_("Unknown contract.")]})
    if membership is not None and membership.is_client and contract.client_id != membership.organization_id:
        raise ValidationError({"contract": [_("Unknown contract.")]})
    errors: dict[str, list] = {}
    if not (title or "").strip():
        errors["title"] = [_("Give the ticket a title.")]
    if not (description or "").strip():
        errors["description"] = [_("Describe the problem or the request.")]
    if impact not in Level.values:
        errors["impact"] = [_("Impact is high, medium or low.")]
    if urgency not in Level.values:
        errors["urgency"] = [_("Urgency is high, medium or low.")]
    if maintenance_type == MaintenanceType.PREVENTIVE and source != TicketSource.PREVENTIVE_PLAN:
        errors["maintenance_type"] = [_("Preventive tickets are created by the contract's preventive plans.")]
    if covered_item is not None and covered_item.contract_id != contract.pk:
        errors["covered_item"] = [_("This item is not covered by the contract.")]
    if priority is not None:
        if membership is not None and membership.is_client:
            errors["priority"] = [_("The priority is set from impact and urgency.")]
        elif priority not in Priority.values:
            errors["priority"] = [_("Priority is one of %(p)s.") % {"p": ", ".join(Priority.values)}]
        elif not (priority_reason or "").strip():
            errors["priority_reason"] = [_("Say why the priority differs from the matrix.")]
    if errors:
        raise ValidationError(errors)
    contract_accepts_request(contract, maintenance_type=maintenance_type,
                             allow_curative_when_suspended=tenant.allow_curative_when_suspended)
    now = now or timezone.now()
    # The tenant's SLA configuration (matrix, targets, clock) under one read of its token.
    sla_config = config_cache.entry(tenant.pk)
    matrix_priority = priority_for(tenant=tenant, impact=impact, urgency=urgency, config=sla_config)
    ticket = Ticket(
        tenant=tenant, contract=contract, organization=contract.client, covered_item=covered_item,
        title=title.strip()[:200], description=description.strip(), maintenance_type=maintenance_type,
        impact=impact, urgency=urgency, priority=priority or matrix_priority,
        priority_reason=(priority_reason or "").strip() if priority else "", source=source,
        requester=requester if requester is not None else actor, sla_policy=contract.sla_policy,
        requester_contact=requester_contact if requester_contact is not None
        and requester_contact.organization_id == contract.client_id else None,
        created_at=now,
    )
    ticket.reference = f"TCK-{sequence_next(tenant=tenant, key='ticket'):06d}"
    response, resolution = _targets(ticket, sla_config)
    created = TicketEvent(tenant_id=tenant.pk, kind=TicketEventKind.CREATED, actor=actor, at=now,
                          to_value=ticket.priority, response_minutes=response, resolution_minutes=resolution)
    # Its SLA is evaluated from its one event before the ticket is written, so that the
    # row is inserted complete (one INSERT, no UPDATE after it); nothing is due yet at
    # creation, but whatever the evaluation says is recorded as everywhere else.
    result = ticket_sla_evaluate(ticket, now=now, events=[created], config=sla_config)
    apply_sla(ticket, result)
    insert_new(ticket)  # ticket.save(), its INSERT compiled once per process (portal.prepared)
    created.ticket = ticket
    insert_new(created)
    if result is not None:
        record_sla_events(ticket, result)
    if membership is not None and membership.is_provider:
        audit_log(tenant=tenant, actor=actor, action="ticket.create", obj=ticket, organization=contract.client,
                  changes={"title": ticket.title, "priority": ticket.priority, "contract": contract.reference})
    _notify(ticket, "created", actor=actor)
    _emit(ticket, "ticket.created")
    # A new ticket has no rating: said here, so that whoever shows it (the API's answer
    # reads `rating`) does not ask the database.
    Ticket.rating.related.set_cached_value(ticket, None)
    return ticket


def _responded(ticket: Ticket, *, actor, at: datetime) -> None:
    """Record the first take-charge (R8); later ones change nothing."""
    if not ticket.events.filter(kind=TicketEventKind.RESPONDED).exists():
        _event(ticket, TicketEventKind.RESPONDED, actor=actor, at=at)


def _set_status(ticket: Ticket, to: str, *, actor, at: datetime, reason: str = "") -> None:
    old = ticket.status
    if to not in TRANSITIONS[old]:
        raise ApplicationError(
            _("A ticket cannot go from “%(from)s” to “%(to)s”.")
            % {"from": TicketStatus(old).label, "to": TicketStatus(to).label}, code="forbidden_transition")
    ticket.status = to
    if to == TicketStatus.RESOLVED:
        ticket.resolved_at = at
    elif old == TicketStatus.RESOLVED and to == TicketStatus.IN_PROGRESS:
        ticket.resolved_at = None
    if to == TicketStatus.CLOSED:
        ticket.closed_at = at
    ticket.save(update_fields=["status", "resolved_at", "closed_at", "updated_at"])
    _event(ticket, TicketEventKind.STATUS, actor=actor, at=at, from_value=old, to_value=to, reason=reason[:300])


@transaction.atomic
def ticket_take(*, ticket: Ticket, actor, now: datetime | None = None) -> Ticket:
    """A technician takes a ticket: assigned to them and taken in charge (meets the
    response metric). Under a row lock, so of two technicians taking it at once one
    wins and the other gets a clear refusal."""
    require(actor, "ticket.take", ticket)
    now = now or timezone.now()
    ticket = _lock(ticket)
    if ticket.assignee_id is not None and ticket.assignee_id != actor.pk:
        raise ConflictError(_("%(name)s has already taken this ticket.") % {"name": ticket.assignee},
                            code="already_taken")
    if ticket.status not in OPEN_STATUSES:
        raise ApplicationError(_("This ticket is no longer open."), code="forbidden_transition")
    if ticket.assignee_id is None:
        ticket.assignee = actor
        ticket.save(update_fields=["assignee", "updated_at"])
        _event(ticket, TicketEventKind.ASSIGNED, actor=actor, at=now, to_value=actor.email)
    if ticket.status == TicketStatus.NEW:
        _set_status(ticket, TicketStatus.IN_PROGRESS, actor=actor, at=now)
    _responded(ticket, actor=actor, at=now)
    ticket_sla_refresh(ticket, now=now)
    audit_log(tenant=ticket.tenant, actor=actor, action="ticket.take", obj=ticket,
              organization=ticket.organization)
    _notify(ticket, "status", actor=actor, status=ticket.status)
    return ticket


def _replay(existing: TicketMessage, *, body: str, internal: bool, upload) -> TicketMessage:
    """The message a replayed key stands for, if the replay asks for the same thing;
    else a refusal naming what differs (the first request's message is kept)."""
    differs = []
    if existing.body != body:
        differs.append("body")
    if existing.internal != internal:
        differs.append("internal")
    if upload is not None and not attachment_matches(existing, upload):
        differs.append("attachment")
    if differs:
        message = _("This idempotency key was already used for another message. Use a new key for a new message.")
        raise UnprocessableError(message, code="idempotency_mismatch",
                                 extra={"fields": {name: [message] for name in differs}})
    return existing


@transaction.atomic
def ticket_reply(*, ticket: Ticket, actor, body: str, internal: bool = False, idempotency_key: str = "",
                 attachment=None, now: datetime | None = None, contact=None) -> TicketMessage:
    """Post a public reply or (provider only) an internal note, with an optional file
    (an `UploadedFile`). The first public reply of a provider user meets the response
    metric; a client's reply to a ticket waiting on them puts it back in progress.

    Posted twice by the same author with the same key (or the same text within a few
    seconds, a double click), it is stored once and the first message is returned. A key
    belongs to its author: another author's message with that key is never looked at,
    so a replay can only return the caller's own message. A replay that asks for
    something else (another body, internal flag or file) is refused with
    `idempotency_mismatch`, naming the fields.

    `contact`: a client's contact without an account, writing by e-mail; the actor is
    then `SYSTEM` (the mail intake) and the contact must belong to the ticket's
    organisation. The reply is a client's (it resumes a ticket waiting on the client)."""
    require(actor, "ticket.note" if internal else "ticket.reply", ticket)
    if contact is not None:
        if actor is not SYSTEM or internal:
            raise PermissionDenied(_("Your role does not allow this action."))
        if contact.tenant_id != ticket.tenant_id or contact.organization_id != ticket.organization_id:
            raise ValidationError({"contact": [_("This contact is not one of the ticket's client.")]})
    return _post(ticket=ticket, actor=actor, body=body, internal=internal, idempotency_key=idempotency_key,
                 attachment=attachment, now=now, contact=contact)


def _post(*, ticket: Ticket, actor, body: str, internal: bool = False, idempotency_key: str = "",
          attachment=None, now: datetime | None = None, kind: str = MessageKind.REPLY,
          notify: bool = True, contact=None) -> TicketMessage:
    """ticket_reply's work; the composer (ticket_work) posts a question or a resolution
    with it and sends one e-mail for the message and the status together (notify=False).
    With `contact` (checked by ticket_reply), the message is that contact's, a client's."""
    membership = require(actor, "ticket.note" if internal else "ticket.reply", ticket)
    is_client = contact is not None or membership.is_client
    is_provider = contact is None and membership.is_provider
    author = None if contact is not None else actor
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": [_("The message is empty.")]})
    now = now or timezone.now()
    key = (idempotency_key or "")[:64]
    ticket = _lock(ticket)
    if ticket.status == TicketStatus.CLOSED:
        raise ApplicationError(_("This ticket is closed."), code="closed")
    # Under the ticket's lock, so two replays of one key cannot both miss the first.
    mine = ticket.messages.filter(author_contact=contact) if contact is not None else ticket.messages.filter(
        author=actor)
    if key:
        existing = mine.filter(idempotency_key=key).prefetch_related("attachments").first()
        if existing is not None:
            return _replay(existing, body=body, internal=internal, upload=attachment)
    else:
        recent = mine.filter(body=body, internal=internal, created_at__gte=now - timezone.timedelta(seconds=10))
        for existing in recent.prefetch_related("attachments"):
            if attachment is None or attachment_matches(existing, attachment):
                return existing
    message = TicketMessage.objects.create(tenant_id=ticket.tenant_id, ticket=ticket, author=author,
                                           author_contact=contact, body=body, internal=internal,
                                           idempotency_key=key, created_at=now, kind=kind)
    if attachment is not None:
        attachment_add(ticket=ticket, actor=actor, upload=attachment, message=message)
    if is_provider and not internal:
        _responded(ticket, actor=actor, at=now)
        if ticket.status == TicketStatus.NEW:
            _set_status(ticket, TicketStatus.IN_PROGRESS, actor=actor, at=now)
    elif is_client and ticket.status == TicketStatus.WAITING_ON_CLIENT:
        _set_status(ticket, TicketStatus.IN_PROGRESS, actor=author, at=now, reason=_("The client answered."))
    ticket_sla_refresh(ticket, now=now)
    if is_provider:
        audit_log(tenant=ticket.tenant, actor=actor, action="ticket.note" if internal else "ticket.reply",
                  obj=ticket, organization=ticket.organization)
    if not internal and notify:
        _notify(ticket, "reply", actor=author, author_is_client=is_client, message_id=message.pk)
        _emit(ticket, "ticket.updated", change="reply")
    return message


@transaction.atomic
def ticket_change_status(*, ticket: Ticket, actor, status: str, reason: str = "",
                         now: datetime | None = None) -> Ticket:
    """Move a ticket along its workflow (see TRANSITIONS). Clients may only accept or
    reject a resolution of their own organisation's tickets."""
    require(actor, "ticket.change_status", tenant=ticket.tenant)
    now = now or timezone.now()
    ticket = _lock(ticket)
    if status not in TicketStatus.values:
        raise ValidationError({"status": [_("Unknown status.")]})
    membership = require(actor, "ticket.change_status", ticket, to=status)
    # A provider's reason stays in the provider's history; the composer (ticket_work)
    # is where the question or the resolution note is written for the client.
    if membership.is_client and status == TicketStatus.IN_PROGRESS and (reason or "").strip() \
            and ticket.status == TicketStatus.RESOLVED:
        # What is still wrong: the technician reads it in the conversation (and by e-mail).
        _post(ticket=ticket, actor=actor, body=reason, now=now)
        ticket = _lock(ticket)
    return _change_status(ticket=ticket, actor=actor, status=status, reason=reason, now=now)


# The message that goes with a move: the client reads it in the conversation and the e-mail.
STATUS_MESSAGE_KINDS = {TicketStatus.WAITING_ON_CLIENT: MessageKind.QUESTION,
                        TicketStatus.RESOLVED: MessageKind.RESOLUTION}

# The composer's "next status" choices.
KEEP, WAIT, RESOLVE = "in_progress", "waiting_on_client", "resolved"
NEXT_STATUSES = (KEEP, WAIT, RESOLVE)


@transaction.atomic
def ticket_work(*, ticket: Ticket, actor, body: str = "", internal: bool = False, next_status: str = KEEP,
                minutes: int | None = None, mode: str = "", billable: bool = True, idempotency_key: str = "",
                attachment=None, now: datetime | None = None) -> Ticket:
    """The ticket page's composer, in one transaction: a reply or an internal note, the
    next status (keep in progress, wait for the client, resolved) and optionally the
    time spent (an intervention: the message is its description). Waiting on the client
    and resolving need a public message: the question asked, or what was done. Every
    input is checked before anything is written; a replayed submit (same key) changes
    nothing more."""
    require(actor, "ticket.work", ticket)
    now = now or timezone.now()
    body = (body or "").strip()
    errors: dict[str, list] = {}
    if next_status not in NEXT_STATUSES:
        errors["next_status"] = [_("Choose what happens next: keep in progress, wait for the client or resolved.")]
    elif next_status in (WAIT, RESOLVE):
        if not body:
            errors["body"] = [_("Write the question for the client.") if next_status == WAIT
                              else _("Write what was done: the client reads it with the resolution.")]
        elif internal:
            errors["internal"] = [_("The client must read this message: it cannot be an internal note.")]
    if minutes is not None:
        if not isinstance(minutes, int) or minutes <= 0 or minutes > 24 * 60:
            errors["minutes"] = [_("A duration is between 1 minute and 24 hours.")]
        if mode not in InterventionMode.values:
            errors["mode"] = [_("The mode is remote or on site.")]
        if not body:
            errors.setdefault("body", [_("Describe the work done.")])
    if not body and minutes is None and next_status == KEEP:
        errors["body"] = [_("The message is empty.")]
    if errors:
        raise ValidationError(errors)
    ticket = _lock(ticket)
    if ticket.status == TicketStatus.CLOSED:
        raise ApplicationError(_("This ticket is closed."), code="closed")
    key = (idempotency_key or "")[:64]
    if key and body and ticket.messages.filter(author=actor, idempotency_key=key).exists():
        _post(ticket=ticket, actor=actor, body=body, internal=internal, idempotency_key=key,
              attachment=attachment, now=now)  # the same submit again: checked, nothing more
        return ticket
    moves = next_status != ticket.status and not (next_status == KEEP and ticket.status == TicketStatus.NEW)
    message = None
    if body:
        message = _post(ticket=ticket, actor=actor, body=body, internal=internal, idempotency_key=key,
                        attachment=attachment, now=now,
                        kind=STATUS_MESSAGE_KINDS.get(next_status, MessageKind.REPLY) if moves else MessageKind.REPLY,
                        notify=not (moves and next_status in (WAIT, RESOLVE)))
    if minutes is not None:
        intervention_log(ticket=ticket, actor=actor, date=timezone.localdate(now), minutes=minutes, mode=mode,
                         description=body, billable=billable)
    ticket = _lock(ticket)
    if moves and next_status != ticket.status:
        ticket = _change_status(ticket=ticket, actor=actor, status=next_status, reason=body[:300] if
                                next_status in (WAIT, RESOLVE) else "", now=now,
                                message=message if message is not None and not message.internal else None)
    return ticket


def _change_status(*, ticket: Ticket, actor, status: str, reason: str = "", now: datetime,
                   message: TicketMessage | None = None) -> Ticket:
    """ticket_change_status's work on the locked row. `message` is the question or
    resolution note posted with the change (the composer): its e-mail carries it."""
    membership = require(actor, "ticket.change_status", ticket, to=status)  # on the locked row
    if membership.is_client:
        if status == TicketStatus.IN_PROGRESS and not (reason or "").strip():
            raise ValidationError({"reason": [_("Say what is still wrong, so the technician can act on it.")]})
    old = ticket.status
    _set_status(ticket, status, actor=actor, at=now, reason=reason)
    if membership.is_provider and status in (TicketStatus.IN_PROGRESS, TicketStatus.WAITING_ON_CLIENT) \
            and old == TicketStatus.NEW:
        _responded(ticket, actor=actor, at=now)  # taking charge, explicitly
    ticket_sla_refresh(ticket, now=now)
    if membership.is_provider:
        audit_log(tenant=ticket.tenant, actor=actor, action="ticket.status", obj=ticket,
                  organization=ticket.organization, changes={"status": [old, status], "reason": reason})
    extra = {"message_id": message.pk} if message is not None else {}
    kind = {TicketStatus.RESOLVED: "resolved", TicketStatus.CLOSED: "closed"}.get(status, "status")
    _notify(ticket, kind, actor=actor, status=status, **extra)
    _emit(ticket, "ticket.resolved" if status == TicketStatus.RESOLVED else "ticket.updated", change="status",
          previous_status=old)
    return ticket


@transaction.atomic
def ticket_set_priority(*, ticket: Ticket, actor, priority: str, reason: str, now: datetime | None = None) -> Ticket:
    """Override the priority (provider users, with a reason). The SLA is recomputed from
    the original start with the new targets (R10)."""
    require(actor, "ticket.set_priority", ticket)
    if priority not in Priority.values:
        raise ValidationError({"priority": [_("Priority is one of %(p)s.") % {"p": ", ".join(Priority.values)}]})
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why the priority changes.")]})
    now = now or timezone.now()
    ticket = _lock(ticket)
    if ticket.status == TicketStatus.CLOSED:
        raise ApplicationError(_("This ticket is closed."), code="closed")
    old = ticket.priority
    if old == priority:
        return ticket
    ticket.priority = priority
    ticket.priority_reason = reason.strip()[:300]
    ticket.save(update_fields=["priority", "priority_reason", "updated_at"])
    response, resolution = _targets(ticket)
    _event(ticket, TicketEventKind.PRIORITY, actor=actor, at=now, from_value=old, to_value=priority,
           reason=reason[:300], response_minutes=response, resolution_minutes=resolution)
    ticket_sla_refresh(ticket, now=now)
    audit_log(tenant=ticket.tenant, actor=actor, action="ticket.priority", obj=ticket,
              organization=ticket.organization, changes={"priority": [old, priority], "reason": reason})
    _emit(ticket, "ticket.updated", change="priority")
    return ticket


@transaction.atomic
def ticket_assign(*, ticket: Ticket, actor, assignee, now: datetime | None = None) -> Ticket:
    require(actor, "ticket.assign", ticket)
    if assignee is not None:
        # An assignee is someone the policy lets take the ticket.
        if not can(membership_for(assignee), "ticket.take", ticket):
            raise ValidationError({"assignee": [_("Assign the ticket to a member of your team.")]})
    now = now or timezone.now()
    ticket = _lock(ticket)
    old = ticket.assignee
    if ticket.assignee_id == (assignee.pk if assignee else None):
        return ticket
    ticket.assignee = assignee
    ticket.save(update_fields=["assignee", "updated_at"])
    _event(ticket, TicketEventKind.ASSIGNED, actor=actor, at=now, from_value=old.email if old else "",
           to_value=assignee.email if assignee else "")
    audit_log(tenant=ticket.tenant, actor=actor, action="ticket.assign", obj=ticket,
              organization=ticket.organization,
              changes={"assignee": [old.email if old else None, assignee.email if assignee else None]})
    if assignee is not None:
        _notify(ticket, "assigned", actor=actor)
    _emit(ticket, "ticket.updated", change="assignee")
    return ticket


def tickets_assign_bulk(*, tenant, actor, tickets, assignee) -> int:
    """Assign several tickets; each is its own transaction and audit event."""
    require(actor, "ticket.assign", tenant=tenant)
    count = 0
    for ticket in tickets:
        assert_same_tenant(ticket, actor.membership)
        ticket_assign(ticket=ticket, actor=actor, assignee=assignee)
        count += 1
    return count


@transaction.atomic
def intervention_log(*, ticket: Ticket, actor, date: date, minutes: int, mode: str, description: str,
                     billable: bool = True) -> Intervention:
    """Log a piece of work on a ticket (provider users)."""
    require(actor, "intervention.log", ticket)
    errors = {}
    if not isinstance(minutes, int) or minutes <= 0 or minutes > 24 * 60:
        errors["minutes"] = [_("A duration is between 1 minute and 24 hours.")]
    if mode not in InterventionMode.values:
        errors["mode"] = [_("The mode is remote or on site.")]
    if not (description or "").strip():
        errors["description"] = [_("Describe the work done.")]
    date_error = intervention_date_error(ticket, date)
    if date_error:
        errors["date"] = [date_error]
    if errors:
        raise ValidationError(errors)
    ticket = _lock(ticket)  # the status now, not the one the caller loaded
    if ticket.status == TicketStatus.CLOSED:
        raise ApplicationError(_("This ticket is closed."), code="closed")
    intervention = Intervention.objects.create(
        tenant_id=ticket.tenant_id, ticket=ticket, technician=actor, date=date, minutes=minutes, mode=mode,
        billable=billable, description=description.strip())
    audit_log(tenant=ticket.tenant, actor=actor, action="intervention.create", obj=ticket,
              organization=ticket.organization,
              changes={"date": date, "minutes": minutes, "mode": mode, "billable": billable})
    return intervention


# ---------------------------------------------------------------------- satisfaction


def _rating_save(ticket: Ticket, *, score: str, comment: str | None, rated_by, source: str,
                 now: datetime) -> TicketRating:
    errors = {}
    if score not in RatingScore.values:
        errors["score"] = [_("The rating is good or bad.")]
    if comment is not None and len(comment) > 2000:
        errors["comment"] = [_("A comment is at most 2,000 characters.")]
    if errors:
        raise ValidationError(errors)
    ticket = _lock(ticket)
    if ticket.status != TicketStatus.CLOSED:
        raise ApplicationError(_("A ticket is rated once it is closed."), code="not_closed")
    rating = TicketRating.objects.filter(tenant_id=ticket.tenant_id, ticket=ticket).first() or TicketRating(
        tenant_id=ticket.tenant_id, ticket=ticket, organization_id=ticket.organization_id)
    rating.score = score
    if comment is not None:
        rating.comment = comment.strip()
    rating.rated_by = rated_by
    rating.rated_at = now
    rating.source = source
    rating.save()
    return rating


@transaction.atomic
def ticket_rate(*, ticket: Ticket, actor, score: str, comment: str | None = None, source: str = RatingSource.PAGE,
                now: datetime | None = None) -> TicketRating:
    """The client's satisfaction with a closed ticket of their organisation (good or bad,
    and a comment); rating again replaces it. A tenant administrator may record the
    rating a client gave another way (by phone)."""
    membership = require(actor, "ticket.rate", ticket)
    rating = _rating_save(ticket, score=score, comment=comment, rated_by=actor, source=source,
                          now=now or timezone.now())
    if membership.is_provider:
        audit_log(tenant=ticket.tenant, actor=actor, action="ticket.rate", obj=ticket,
                  organization=ticket.organization, changes={"score": score})
    return rating


RATING_SALT = "tickets.rating"
RATING_LINK_DAYS = 30


def rating_token(ticket: Ticket, user) -> str:
    """The signed part of the closing e-mail's rating links: which ticket, for whom."""
    return signing.dumps({"t": ticket.tenant_id, "k": ticket.pk, "u": user.pk}, salt=RATING_SALT, compress=True)


def rating_link_ticket(token: str) -> tuple[Ticket, object]:
    """The (ticket, user) of a rating link, or Http404 when the link is forged, expired,
    or its user may no longer see the ticket."""
    from django.http import Http404

    from portal.models import User
    from tickets.selectors import ticket_get

    try:
        data = signing.loads(token, salt=RATING_SALT, max_age=RATING_LINK_DAYS * 86400)
        user = User.objects.get(pk=data["u"], is_active=True)
        membership = membership_for(user)
        if membership is None or membership.tenant_id != data["t"]:
            raise Http404
        ticket = Ticket.objects.only("reference", "tenant_id").get(tenant_id=data["t"], pk=data["k"])
        return ticket_get(tenant=membership.tenant, viewer=membership, reference=ticket.reference), user
    except (signing.BadSignature, KeyError, TypeError, User.DoesNotExist, Ticket.DoesNotExist):
        raise Http404 from None


@transaction.atomic
def ticket_rate_by_link(*, token: str, score: str | None = None, comment: str | None = None,
                        now: datetime | None = None) -> TicketRating:
    """A click in the closing e-mail: the signed link stands for its recipient, who rates
    (or, with `comment`, comments on) the ticket without logging in."""
    ticket, user = rating_link_ticket(token)
    if score is None:
        existing = TicketRating.objects.filter(tenant_id=ticket.tenant_id, ticket=ticket).first()
        if existing is None:
            raise ValidationError({"score": [_("Choose good or bad first.")]})
        score = existing.score
    return ticket_rate(ticket=ticket, actor=user, score=score, comment=comment, source=RatingSource.EMAIL, now=now)


def tickets_autoclose(*, tenant, now: datetime, days: int = 7) -> int:
    """Close the tickets resolved more than `days` days ago without objection."""
    count = 0
    cutoff = now - timezone.timedelta(days=days)
    for ticket in Ticket.objects.filter(tenant=tenant, status=TicketStatus.RESOLVED, resolved_at__lte=cutoff):
        with transaction.atomic():
            locked = _lock(ticket)
            if locked.status != TicketStatus.RESOLVED:
                continue
            _set_status(locked, TicketStatus.CLOSED, actor=None, at=now,
                        reason=_("Closed automatically %(days)s days after its resolution.") % {"days": days})
            ticket_sla_refresh(locked, now=now)
            _notify(locked, "closed", status=TicketStatus.CLOSED)  # with the links to rate it
            count += 1
    return count


__all__ = [
    "intervention_log", "rating_token", "ticket_assign", "ticket_change_status", "ticket_create", "ticket_rate",
    "ticket_rate_by_link", "ticket_reply", "ticket_set_priority", "ticket_take", "ticket_work",
    "tickets_assign_bulk", "tickets_autoclose",
]

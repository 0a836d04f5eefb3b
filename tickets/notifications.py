"""Ticket e-mails: who is told what. Services write them to the outbox (portal/outbox.py)
in the transaction of the change, one row per recipient holding the ids to render from;
the outbox worker renders each one (`emails/ticket_<kind>_subject.txt`, `_body.txt`,
`_body.html`) in the recipient's language and sends it. Who is told is decided when the
event happens (the assignee or team of that moment). Internal notes are never sent.
Users can turn off the non-essential kinds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from portal.links import absolute_url, site_url
from portal.models import Membership, OutboxMessage, Role, User
from portal.outbox import (
    Email,
    EmailValues,
    email_renderer,
    outbox_email_rows,
    outbox_email_values,
    outbox_write,
    user_language,
)
from portal.prepared import PreparedSelect
from tickets.models import MessageKind, SlaEvent, Ticket, TicketMessage, TicketStatus


class SlaEventKey(NamedTuple):
    """A recorded warning or breach as plain values (the scan notifies thousands)."""

    tenant_id: int
    ticket_id: int
    metric: str
    kind: str
    target_version: int


# Kinds a user may turn off; warnings, breaches and resolutions always go out.
OPTIONAL_KINDS = ("created", "reply", "status", "assigned")


def _technicians(tenant_ids):
    return Membership.objects.filter(tenant_id__in=tenant_ids, role=Role.TECHNICIAN,
                                     user__is_active=True).select_related("user").order_by("pk")


# One tenant's (a new ticket's team): the same statement, compiled once per process.
_ONE_TEAM = PreparedSelect(lambda v: _technicians([v["tenant_id"]]), tenant_id=int)


def technicians(tenant_ids: set[int]) -> dict[int, list[User]]:
    """The active technicians of each tenant, in one query."""
    teams: dict[int, list[User]] = {tenant_id: [] for tenant_id in tenant_ids}
    if len(tenant_ids) == 1:
        members = _ONE_TEAM.fetch(tenant_id=next(iter(tenant_ids)))
    else:
        members = _technicians(tenant_ids) if tenant_ids else []
    for m in members:
        teams[m.tenant_id].append(m.user)
    return teams


def _team(ticket: Ticket, teams: dict[int, list[User]] | None = None) -> list[User]:
    """The assignee if there is one, else the tenant's technicians."""
    if ticket.assignee_id:
        return [ticket.assignee]
    if teams is None:
        teams = technicians({ticket.tenant_id})
    return teams.get(ticket.tenant_id, [])


def recipients(ticket: Ticket, kind: str, *, actor_id: int | None = None, author_is_client: bool = False,
               teams: dict[int, list[User]] | None = None) -> list[User | str]:
    """Who is told of `kind`: users, and the address of the contact who opened the ticket
    by e-mail (no account) where the requester would be told."""
    people = _users(ticket, kind, actor_id=actor_id, author_is_client=author_is_client, teams=teams)
    tells_requester = kind in ("created", "status", "resolved") or (kind == "reply" and not author_is_client)
    if tells_requester and not ticket.requester_id and ticket.requester_contact_id:
        contact = ticket.requester_contact
        if contact is not None and contact.email:
            return [*people, contact.email]
    return people


def _users(ticket: Ticket, kind: str, *, actor_id: int | None = None, author_is_client: bool = False,
           teams: dict[int, list[User]] | None = None) -> list[User]:
    people: list[User] = []

    def requester() -> list[User]:  # read only for the kinds that tell the requester
        return [ticket.requester] if ticket.requester_id else []

    if kind == "created":
        people = _team(ticket, teams) + requester()
    elif kind == "reply":
        people = _team(ticket, teams) if author_is_client else requester()
    elif kind in ("status", "resolved", "closed"):
        people = requester()
    elif kind == "assigned":
        people = [ticket.assignee] if ticket.assignee_id else []
    elif kind == "warning":
        people = _team(ticket, teams)
    elif kind == "breach":
        people = _team(ticket, teams) + ([ticket.contract.account_manager] if ticket.contract.account_manager_id else [])
    unique = {}
    for user in people:
        if user is None or not user.is_active or not user.email:
            continue
        # Nobody is told about their own action, except the receipt of a request they opened.
        if user.pk == actor_id and not (kind == "created" and user.pk == ticket.requester_id):
            continue
        if kind in OPTIONAL_KINDS and kind in (user.notification_optouts or []):
            continue
        if kind == "closed" and "status" in (user.notification_optouts or []):
            continue
        unique[user.pk] = user
    return list(unique.values())


# ---------------------------------------------------------------------- writing (in the change's transaction)


def ticket_notify(*, ticket: Ticket, kind: str, actor: User | None = None, author_is_client: bool = False,
                  context: dict | None = None) -> int:
    """Write the e-mails of a ticket event (created, reply, status, resolved, assigned) to
    the outbox. `context` adds the ids or values of the moment the e-mail needs (the
    message of a reply, the status moved to). The actor is not told of their own action."""
    people = recipients(ticket, kind, actor_id=actor.pk if actor is not None else None,
                        author_is_client=author_is_client)
    return outbox_write(outbox_email_rows(tenant_id=ticket.tenant_id, kind=f"ticket.{kind}", recipients=people,
                                          context={"ticket_id": ticket.pk, **(context or {})}))


def sla_events_notify(events: Sequence[SlaEvent | SlaEventKey]) -> int:
    """Write the e-mails of newly recorded warnings and breaches to the outbox, in one
    insert (plus one read of the tickets' people and one of the technicians), without an
    instance per ticket, person or row: the scan's first pass writes thousands. Who is
    told is the rule of `_users` for these kinds (the assignee, else the tenant's
    technicians; and for a breach the contract's account manager), which ignores
    opt-outs. Each e-mail is keyed by its event's natural key, so an event written twice
    (two scans racing) is e-mailed once."""
    if not events:
        return 0
    from portal.bulk import ids_in

    # (tenant, assignee (id, e-mail, active), account manager (id, e-mail, active)) of each ticket
    people = {pk: (tenant_id, (assignee, a_email, a_active), (manager, m_email, m_active))
              for pk, tenant_id, assignee, a_email, a_active, manager, m_email, m_active in
              Ticket.objects.filter(**ids_in("pk", {e.ticket_id for e in events})).values_list(
                  "pk", "tenant_id", "assignee_id", "assignee__email", "assignee__is_active",
                  "contract__account_manager_id", "contract__account_manager__email",
                  "contract__account_manager__is_active")}
    teams: dict[int, list[tuple[int, str, bool]]] = {
        tenant_id: [] for tenant_id, (assignee_id, *_a), _m in people.values() if not assignee_id}
    if teams:
        for tenant_id, *user in Membership.objects.filter(
                tenant_id__in=teams, role=Role.TECHNICIAN, user__is_active=True).order_by("pk").values_list(
                "tenant_id", "user_id", "user__email", "user__is_active"):
            teams[tenant_id].append(tuple(user))
    emails = []
    for event in events:
        if event.ticket_id not in people:
            continue
        tenant_id, assignee, manager = people[event.ticket_id]
        told = [assignee] if assignee[0] else teams[tenant_id]
        if event.kind == "breach" and manager[0]:
            told = [*told, manager]
        unique = {pk: email for pk, email, active in told if active and email}
        emails.append(EmailValues(
            tenant_id, f"ticket.{event.kind}", list(unique.items()),
            {"ticket_id": event.ticket_id, "metric": event.metric, "kind": event.kind,
             "target_version": event.target_version},
            f"sla:{event.ticket_id}:{event.metric}:{event.kind}:{event.target_version}"))
    return outbox_email_values(emails)


# ---------------------------------------------------------------------- rendering (in the worker)


def _ticket(row: OutboxMessage) -> Ticket | None:
    return Ticket.objects.select_related("organization").filter(tenant_id=row.tenant_id,
                                                                 pk=row.context.get("ticket_id")).first()


def _email(row: OutboxMessage, ticket: Ticket, **context) -> Email:
    return Email(f"ticket_{row.kind.removeprefix('ticket.')}",
                 {"ticket": ticket, "user": row.user, "url": site_url("ticket-detail", ticket.reference),
                  **context},
                 user_language(row.user), thread=f"ticket-{ticket.pk}")


@email_renderer("ticket.created")
@email_renderer("ticket.assigned")
def _ticket_event(row: OutboxMessage) -> Email | None:
    ticket = _ticket(row)
    return _email(row, ticket) if ticket is not None else None


def _public_message(row: OutboxMessage, ticket: Ticket) -> TicketMessage | None:
    """The message posted with the change (never an internal note, whatever the row says)."""
    if not row.context.get("message_id"):
        return None
    return TicketMessage.objects.filter(tenant_id=row.tenant_id, ticket=ticket, pk=row.context["message_id"],
                                        internal=False).first()


def resolution_text(ticket: Ticket) -> str:
    """What was done, for "Is it solved?": the resolution note, else the provider's last
    public reply, else the work logged."""
    public = TicketMessage.objects.filter(tenant_id=ticket.tenant_id, ticket=ticket, internal=False)
    note = public.filter(kind=MessageKind.RESOLUTION).order_by("-created_at", "-id").first()
    if note is None and ticket.requester_id:
        note = public.exclude(author_id=ticket.requester_id).order_by("-created_at", "-id").first()
    if note is not None:
        return note.body
    return "\n".join(ticket.interventions.filter(tenant_id=ticket.tenant_id).order_by("date", "id")
                     .values_list("description", flat=True))


@email_renderer("ticket.resolved")
def _ticket_resolved(row: OutboxMessage) -> Email | None:
    ticket = _ticket(row)
    if ticket is None:
        return None
    message = _public_message(row, ticket)
    return _email(row, ticket, resolution=message.body if message is not None else resolution_text(ticket))


@email_renderer("ticket.status")
def _ticket_status(row: OutboxMessage) -> Email | None:
    ticket = _ticket(row)
    if ticket is None:
        return None
    status = row.context.get("status") or ticket.status  # the status moved to, not the one of delivery time
    return _email(row, ticket, status_label=TicketStatus(status).label, message=_public_message(row, ticket))


@email_renderer("ticket.closed")
def _ticket_closed(row: OutboxMessage) -> Email | None:
    """The ticket is closed: how did we do? One click on good or bad records the rating
    (a signed link for this recipient), then a page asks for a comment."""
    from tickets.services import rating_token

    ticket = _ticket(row)
    if ticket is None or row.user is None:
        return None
    token = rating_token(ticket, row.user)
    base = absolute_url(f"/rate/{token}")
    return _email(row, ticket, rate_good=f"{base}/good/", rate_bad=f"{base}/bad/",
                  resolution=resolution_text(ticket))


@email_renderer("ticket.reply")
def _ticket_reply(row: OutboxMessage) -> Email | None:
    ticket = _ticket(row)
    if ticket is None:
        return None
    # Never an internal note, whatever the row says.
    message = TicketMessage.objects.filter(tenant_id=row.tenant_id, ticket=ticket, pk=row.context.get("message_id"),
                                           internal=False).first()
    return _email(row, ticket, message=message) if message is not None else None


@email_renderer("ticket.warning")
@email_renderer("ticket.breach")
def _sla_event(row: OutboxMessage) -> Email | None:
    c = row.context
    event = (SlaEvent.objects.select_related("ticket__organization")
             .filter(tenant_id=row.tenant_id, ticket_id=c.get("ticket_id"), metric=c.get("metric"),
                     kind=c.get("kind"), target_version=c.get("target_version")).first())
    return _email(row, event.ticket, event=event) if event is not None else None

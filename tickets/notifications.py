"""Ticket e-mails: who is told what. Each message is three templates
(`emails/ticket_<kind>_subject.txt`, `_body.txt`, `_body.html`) in the recipient's
language. Internal notes are never sent. Users can turn off the non-essential kinds."""

from __future__ import annotations

from django.conf import settings

from portal.models import Membership, Role, User
from portal.notifications import send_templated_email
from tickets.models import SlaEvent, Ticket, TicketMessage

# Kinds a user may turn off; warnings, breaches and resolutions always go out.
OPTIONAL_KINDS = ("created", "reply", "status", "assigned")


def _team(ticket: Ticket) -> list[User]:
    """The assignee if there is one, else the tenant's technicians."""
    if ticket.assignee_id:
        return [ticket.assignee]
    return [m.user for m in Membership.objects.filter(tenant_id=ticket.tenant_id, role=Role.TECHNICIAN,
                                                      user__is_active=True).select_related("user")]


def recipients(ticket: Ticket, kind: str, *, actor_id: int | None = None, author_is_client: bool = False) -> list[User]:
    people: list[User] = []
    requester = [ticket.requester] if ticket.requester_id else []
    if kind == "created":
        people = _team(ticket) + requester
    elif kind == "reply":
        people = _team(ticket) if author_is_client else requester
    elif kind in ("status", "resolved"):
        people = requester
    elif kind == "assigned":
        people = [ticket.assignee] if ticket.assignee_id else []
    elif kind == "warning":
        people = _team(ticket)
    elif kind == "breach":
        people = _team(ticket) + ([ticket.contract.account_manager] if ticket.contract.account_manager_id else [])
    unique = {}
    for user in people:
        if user is None or not user.is_active or not user.email:
            continue
        # Nobody is told about their own action, except the receipt of a request they opened.
        if user.pk == actor_id and not (kind == "created" and user.pk == ticket.requester_id):
            continue
        if kind in OPTIONAL_KINDS and kind in (user.notification_optouts or []):
            continue
        unique[user.pk] = user
    return list(unique.values())


def ticket_notify(*, tenant_id: int, ticket_id: int, kind: str, extra: dict | None = None) -> int:
    extra = extra or {}
    ticket = (Ticket.objects.select_related("assignee", "requester", "contract__account_manager", "organization")
              .filter(tenant_id=tenant_id, pk=ticket_id).first())
    if ticket is None:
        return 0
    message = None
    author_is_client = False
    if kind == "reply":
        message = TicketMessage.objects.filter(tenant_id=tenant_id, pk=extra.get("message_id"), internal=False).first()
        if message is None:
            return 0
        author = Membership.objects.filter(user_id=message.author_id).first()
        author_is_client = bool(author and author.is_client)
        extra["actor_id"] = message.author_id
    sent = 0
    for user in recipients(ticket, kind, actor_id=extra.get("actor_id"), author_is_client=author_is_client):
        sent += send_templated_email(
            name=f"ticket_{kind}", to=[user.email], language=user.language or settings.LANGUAGE_CODE,
            context={"ticket": ticket, "message": message, "user": user, "extra": extra,
                     "url": f"{settings.PORTAL_BASE_URL}/tickets/{ticket.reference}/"},
        )
    return sent


def sla_event_notify(*, tenant_id: int, event_id: int) -> int:
    """Send a warning or breach once: the row is claimed by a conditional update."""
    from django.utils import timezone

    claimed = SlaEvent.objects.filter(tenant_id=tenant_id, pk=event_id, notified_at__isnull=True).update(
        notified_at=timezone.now())
    if not claimed:
        return 0
    event = SlaEvent.objects.select_related("ticket").get(pk=event_id)
    ticket = (Ticket.objects.select_related("assignee", "requester", "contract__account_manager")
              .get(pk=event.ticket_id))
    sent = 0
    for user in recipients(ticket, event.kind):
        sent += send_templated_email(
            name=f"ticket_{event.kind}", to=[user.email], language=user.language or settings.LANGUAGE_CODE,
            context={"ticket": ticket, "event": event, "user": user,
                     "url": f"{settings.PORTAL_BASE_URL}/tickets/{ticket.reference}/"},
        )
    return sent

"""Tickets by e-mail: each tenant's support mailbox, read over IMAP (imap-tools) every
minute by Celery beat (`mail-intake` in portal/celery.py).

A message from a known sender (a client user, or a contact of a client organisation,
matched on the address without regard to case, within the tenant) becomes:
- a reply on its ticket when it names one: a `TCK-000123` reference in the subject, or
  In-Reply-To / References naming an e-mail the portal sent about the ticket (each
  outgoing e-mail carries a Message-ID stored on its outbox row, and refers to the
  ticket's signed thread root, portal.outbox.thread_root_id);
- else a new ticket on the organisation's contract (the one a `[CTR-…]` tag names, the
  only one, or the default: contracts.selectors.contracts.contract_for_request).
Both go through the tickets services (SLA, outbox, events and audit as from the portal)
and the attachments through the web uploads' checks.

Never a ticket, but held in quarantine for staff to release or discard: unknown senders,
automatic replies and bounces, the portal's own e-mails coming back (loops), messages
over `MAIL_MAX_BYTES` or with an attachment the upload checks refuse, and references
to a ticket of another tenant or organisation (forged or misdirected).

Once only: every message read is recorded under (mailbox, Message-ID) — a hash of its
bytes when it has none — so a retried poll skips it; it is then flagged \\Seen on the
server. A mailbox is polled by one worker at a time (a lock in the cache: Redis).
"""

from __future__ import annotations

import hashlib
import logging
import re
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from contracts.models import Contact, Organization
from contracts.rules import contract_covers
from contracts.selectors.contracts import contract_for_request
from integrations.models import (
    InboundMessage,
    InboundState,
    MailboxSecurity,
    QuarantineReason,
    SupportMailbox,
)
from portal.audit import audit_log
from portal.exceptions import ApplicationError
from portal.models import CLIENT_ROLES, Membership, OutboxMessage, User
from portal.outbox import LOOP_HEADER, thread_of_root_id
from portal.permissions import SYSTEM, require
from portal.sealed import SecretUnreadable, seal, unseal
from portal.tenancy import get_for_tenant
from portal.validators import TEXT_MAX_LENGTH
from sla.models import MaintenanceType
from tickets import services as ticket_services
from tickets.attachments import attachment_add, attachment_check
from tickets.models import Ticket, TicketSource, TicketStatus

logger = logging.getLogger(__name__)

LOCK_SECONDS = 300  # longer than a poll may take; a dead worker's lock ends by itself
IMAP_TIMEOUT = 30
TICKET_REF = re.compile(r"\bTCK-\d{6,}\b")
CONTRACT_TAG = re.compile(r"\[(CTR-[0-9A-Za-z-]+)\]")
MESSAGE_ID = re.compile(r"<[^<>\s]+>")
BOUNCE_SENDERS = ("mailer-daemon", "postmaster")
AUTO_PRECEDENCE = ("bulk", "auto_reply", "junk", "list")


def max_bytes() -> int:
    return getattr(settings, "MAIL_MAX_BYTES", 50 * 1024 * 1024)


# ====================================================================== settings


def mailbox_get(*, tenant) -> SupportMailbox | None:
    return SupportMailbox.objects.filter(tenant=tenant).first()


def _mailbox_errors(*, host: str, port, security: str, username: str, password: str, folder: str, address: str,
                    has_password: bool) -> dict:
    errors: dict[str, list] = {}
    if not host or len(host) > 255 or not re.fullmatch(r"[A-Za-z0-9.\-\[\]:]+", host):
        errors["host"] = [_("Enter the IMAP server's host name, e.g. imap.example.com.")]
    if not isinstance(port, int) or isinstance(port, bool) or not 1 <= port <= 65535:
        errors["port"] = [_("A port is a number between 1 and 65535.")]
    if security not in MailboxSecurity.values:
        errors["security"] = [_("Security is TLS, STARTTLS or none.")]
    if not username or len(username) > 255:
        errors["username"] = [_("Enter the mailbox's user name (at most 255 characters).")]
    if not password and not has_password:
        errors["password"] = [_("Enter the mailbox's password.")]
    elif len(password) > 255:
        errors["password"] = [_("At most 255 characters.")]
    if not folder or len(folder) > 255:
        errors["folder"] = [_("Enter the folder to read, e.g. INBOX.")]
    if address:
        from django.core.validators import validate_email

        try:
            validate_email(address)
        except ValidationError:
            errors["address"] = [_("Enter a valid e-mail address.")]
    return errors


@transaction.atomic
def mailbox_update(*, tenant, actor, host: str, port: int, security: str, username: str, password: str = "",
                   folder: str = "INBOX", address: str = "", enabled: bool = False) -> SupportMailbox:
    """Save the tenant's support mailbox. A blank password keeps the stored one (it is
    never shown back); the audit log says it changed, never what it is."""
    require(actor, "mailbox.edit", tenant=tenant)
    host, username, folder = (host or "").strip(), (username or "").strip(), (folder or "").strip()
    address, password = (address or "").strip().lower(), password or ""
    mailbox = SupportMailbox.objects.select_for_update().filter(tenant=tenant).first()
    errors = _mailbox_errors(host=host, port=port, security=security, username=username, password=password,
                             folder=folder, address=address, has_password=bool(mailbox and mailbox.password))
    if errors:
        raise ValidationError(errors)
    mailbox = mailbox or SupportMailbox(tenant=tenant)
    fields = ("host", "port", "security", "username", "folder", "address", "enabled")
    before = {k: getattr(mailbox, k) for k in fields} if mailbox.pk else {}
    mailbox.host, mailbox.port, mailbox.security, mailbox.username = host, port, security, username
    mailbox.folder, mailbox.address, mailbox.enabled = folder, address, bool(enabled)
    diff = {k: [before.get(k), getattr(mailbox, k)] for k in fields if before.get(k) != getattr(mailbox, k)}
    if password:
        mailbox.password = seal(password)
        diff["password"] = [None, _("changed")]
    mailbox.last_error = "" if diff else mailbox.last_error
    mailbox.save()
    if diff:
        audit_log(tenant=tenant, actor=actor, action="mailbox.update", object_type="supportmailbox",
                  object_ref=tenant.slug, changes=diff)
    return mailbox


# ====================================================================== reading a message


@dataclass
class Sender:
    """Who wrote: a client user (who acts as themselves) or a contact without an account."""

    organization: Organization
    user: User | None = None
    contact: Contact | None = None

    @property
    def actor(self):
        return self.user if self.user is not None else SYSTEM


def sender_find(*, tenant, address: str) -> Sender | None:
    """The client user or contact of the tenant with this address (case ignored): a user
    first (they act as themselves), else a contact of an active client organisation."""
    address = (address or "").strip()
    if not address:
        return None
    membership = (Membership.objects.filter(tenant=tenant, role__in=CLIENT_ROLES, user__email__iexact=address,
                                            user__is_active=True, organization__isnull=False)
                  .select_related("user", "organization").order_by("pk").first())
    if membership is not None:
        return Sender(organization=membership.organization, user=membership.user)
    contact = (Contact.objects.filter(tenant=tenant, email__iexact=address, organization__kind="client",
                                      organization__is_active=True)
               .select_related("organization").order_by("pk").first())
    if contact is not None:
        return Sender(organization=contact.organization, contact=contact)
    return None


def _parse(raw: bytes):
    from imap_tools import MailMessage

    return MailMessage.from_bytes(raw)


def _header(msg, name: str) -> str:
    values = msg.headers.get(name.lower()) or ()
    return " ".join(v for v in values if v).strip()


def message_key(msg, raw: bytes) -> str:
    message_id = _header(msg, "Message-ID")
    found = MESSAGE_ID.search(message_id)
    if found:
        return found.group(0)[:255]
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def _own_addresses(mailbox: SupportMailbox) -> set[str]:
    own = {settings.DEFAULT_FROM_EMAIL.rpartition("<")[2].strip("> ").lower()}
    if mailbox.address:
        own.add(mailbox.address.lower())
    return own


def automatic_reason(msg, *, mailbox: SupportMailbox) -> tuple[str, str] | None:
    """Why a message is not a person's (a loop, a bounce, an automatic reply), or None."""
    sender = (msg.from_values.email if msg.from_values else "").lower()
    if _header(msg, LOOP_HEADER) or sender in _own_addresses(mailbox):
        return QuarantineReason.LOOP, _("Sent by the portal or from the support address itself.")
    return_path = msg.headers.get("return-path")
    content_type = msg.obj.get_content_type()
    if (sender.split("@")[0] in BOUNCE_SENDERS or (return_path is not None and _header(msg, "Return-Path") in
                                                     ("", "<>")) or content_type == "multipart/report"):
        return QuarantineReason.BOUNCE, _("A delivery failure report.")
    auto_submitted = _header(msg, "Auto-Submitted").lower()
    if auto_submitted and auto_submitted.split(";")[0].strip() != "no":
        return QuarantineReason.AUTO_REPLY, f"Auto-Submitted: {auto_submitted}"[:300]
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress"):
        if _header(msg, name):
            return QuarantineReason.AUTO_REPLY, f"{name}: {_header(msg, name)}"[:300]
    precedence = _header(msg, "Precedence").lower()
    if precedence in AUTO_PRECEDENCE:
        return QuarantineReason.AUTO_REPLY, f"Precedence: {precedence}"
    return None


class Quarantine(Exception):
    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(detail or reason)
        self.reason, self.detail = reason, detail


def _referenced_ticket(msg, *, tenant, organization) -> Ticket | None:
    """The ticket the message answers, if it names one; Quarantine when what it names is
    another tenant's, or another organisation's ticket."""
    references = MESSAGE_ID.findall(_header(msg, "In-Reply-To") + " " + _header(msg, "References"))
    threads: set[str] = set()
    for message_id in references:
        root = thread_of_root_id(message_id)
        if root is not None:
            if root[0] != tenant.pk:
                raise Quarantine(QuarantineReason.FORGED_REFERENCE,
                                 _("The message refers to an e-mail of another tenant."))
            threads.add(root[1])
    if references:
        for tenant_id, thread in OutboxMessage.objects.filter(message_id__in=references[:50]).values_list(
                "tenant_id", "thread"):
            if tenant_id != tenant.pk:
                raise Quarantine(QuarantineReason.FORGED_REFERENCE,
                                 _("The message refers to an e-mail of another tenant."))
            if thread:
                threads.add(thread)
    ticket_ids = [int(t.removeprefix("ticket-")) for t in threads if re.fullmatch(r"ticket-\d+", t)]
    tickets = Ticket.objects.filter(tenant=tenant)
    ticket = tickets.filter(pk__in=ticket_ids).order_by("-pk").first() if ticket_ids else None
    if ticket is None:
        found = TICKET_REF.search(msg.subject or "")
        ticket = tickets.filter(reference=found.group(0)).first() if found else None
    if ticket is not None and ticket.organization_id != organization.pk:
        raise Quarantine(QuarantineReason.FORGED_REFERENCE,
                         _("The message refers to %(ref)s, a ticket of another organisation.") % {
                             "ref": ticket.reference})
    return ticket


def _attachments(msg) -> list[SimpleUploadedFile]:
    """The message's files, each through the web uploads' checks (Quarantine otherwise)."""
    files = []
    for part in msg.attachments:
        if not part.filename:
            continue
        payload = part.payload
        try:
            attachment_check(name=part.filename, head=payload[:16], size=len(payload))
        except ValidationError as exc:
            reason = QuarantineReason.TOO_LARGE if len(payload) > settings.UPLOAD_MAX_BYTES \
                else QuarantineReason.REFUSED
            raise Quarantine(reason, f"{part.filename}: {' '.join(exc.messages)}"[:300]) from None
        files.append(SimpleUploadedFile(part.filename, payload, content_type=part.content_type))
    return files


QUOTE_MARKERS = (re.compile(r"^-{2,}\s*(Original Message|Message d'origine)", re.I),
                 re.compile(r"^(On|Le) .{5,200} (wrote|a écrit)\s*:\s*$", re.I),
                 re.compile(r"^(From|De)\s*:\s", re.I))


def message_text(msg, *, reply: bool) -> str:
    """The message's text (its plain part, or its HTML without tags); for a reply, the
    new text only, without the quoted conversation under it."""
    text = msg.text or strip_tags(msg.html or "")
    text = text.replace("\r\n", "\n")
    if reply:
        lines = []
        for line in text.split("\n"):
            if line.startswith(">") or any(marker.match(line.strip()) for marker in QUOTE_MARKERS):
                if any(marker.match(line.strip()) for marker in QUOTE_MARKERS):
                    break
                continue
            lines.append(line)
        text = "\n".join(lines)
    text = text.strip()[:TEXT_MAX_LENGTH]
    return text or _("(no text)")


def _title(subject: str) -> str:
    title = CONTRACT_TAG.sub("", subject or "")
    title = re.sub(r"^\s*((re|fwd?|tr|aw)\s*:\s*)+", "", title, flags=re.I)
    return " ".join(title.split())[:200] or _("(no subject)")


def _request_type(contract) -> str:
    """An e-mail says nothing of its kind: corrective, as the request form proposes first,
    or the first the contract covers."""
    for kind in (MaintenanceType.CORRECTIVE, MaintenanceType.CURATIVE, MaintenanceType.EVOLUTIVE):
        if contract_covers(contract, kind):
            return kind
    return MaintenanceType.CORRECTIVE  # refused by the service, with its message


def _deliver(msg, *, mailbox: SupportMailbox, sender: Sender, now: datetime,
             follow_references: bool = True) -> tuple[str, Ticket]:
    """Turn a person's message into a reply or a ticket, through the tickets services.
    Quarantine when it cannot be one; a ticket rule's refusal is a Quarantine too."""
    tenant = mailbox.tenant
    files = _attachments(msg)
    ticket = _referenced_ticket(msg, tenant=tenant, organization=sender.organization) if follow_references else None
    try:
        with transaction.atomic():
            if ticket is not None and ticket.status != TicketStatus.CLOSED:
                message = ticket_services.ticket_reply(
                    ticket=ticket, actor=sender.actor, contact=sender.contact,
                    body=message_text(msg, reply=True), now=now)
                for upload in files:
                    attachment_add(ticket=ticket, actor=sender.actor, upload=upload, message=message)
                return InboundState.REPLY, ticket
            tag = CONTRACT_TAG.search(msg.subject or "")
            contract = contract_for_request(tenant=tenant, organization=sender.organization,
                                            reference=tag.group(1) if tag else "")
            if contract is None:
                raise Quarantine(QuarantineReason.NO_CONTRACT, _(
                    "No contract of %(org)s named %(tag)s accepts requests.") % {
                    "org": sender.organization, "tag": tag.group(1)} if tag else _(
                    "%(org)s has no contract that accepts requests.") % {"org": sender.organization})
            ticket = ticket_services.ticket_create(
                tenant=tenant, actor=sender.user, requester=sender.user, requester_contact=sender.contact,
                contract=contract,
                title=_title(msg.subject), description=message_text(msg, reply=False),
                maintenance_type=_request_type(contract), source=TicketSource.EMAIL, now=now)
            for upload in files:
                attachment_add(ticket=ticket, actor=sender.actor, upload=upload)
            return InboundState.TICKET, ticket
    except (ValidationError, ApplicationError, PermissionDenied, Http404) as exc:
        detail = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(getattr(exc, "message", exc))
        raise Quarantine(QuarantineReason.REFUSED, detail[:300]) from None


def _headers_of(raw: bytes) -> bytes:
    end = raw.find(b"\r\n\r\n")
    end = raw.find(b"\n\n") if end < 0 else end
    return raw[: end if end >= 0 else 64 * 1024][: 64 * 1024]


def inbound_process(*, mailbox: SupportMailbox, raw: bytes, size: int | None = None,
                    now: datetime | None = None) -> tuple[InboundMessage, bool]:
    """Process one message of `mailbox` (its bytes; only its headers when it was too large
    to fetch, with its `size`): (the record, whether it is new). A message already
    recorded (same Message-ID, or bytes) is left as it was."""
    now = now or timezone.now()
    size = len(raw) if size is None else size
    msg = _parse(raw)
    key = message_key(msg, raw)
    existing = InboundMessage.objects.filter(tenant_id=mailbox.tenant_id, mailbox=mailbox, message_key=key).first()
    if existing is not None:
        return existing, False
    sender_address = (msg.from_values.email if msg.from_values else "")[:254]
    record = InboundMessage(tenant_id=mailbox.tenant_id, mailbox=mailbox, message_key=key, sender=sender_address,
                            subject=(msg.subject or "")[:300], received_at=now, raw_size=size)
    try:
        with transaction.atomic():
            try:
                if size > max_bytes():
                    raise Quarantine(QuarantineReason.TOO_LARGE, _(
                        "%(size)s MB; at most %(limit)s MB.") % {"size": round(size / 1_048_576, 1),
                                                               "limit": round(max_bytes() / 1_048_576, 1)})
                automatic = automatic_reason(msg, mailbox=mailbox)
                if automatic is not None:
                    raise Quarantine(*automatic)
                sender = sender_find(tenant=mailbox.tenant, address=sender_address)
                if sender is None:
                    raise Quarantine(QuarantineReason.UNKNOWN_SENDER, _(
                        "No client user or contact has the address %(address)s.") % {"address": sender_address})
                record.state, record.ticket = _deliver(msg, mailbox=mailbox, sender=sender, now=now)
            except Quarantine as held:
                record.state, record.reason, record.detail = InboundState.QUARANTINED, held.reason, held.detail[:300]
                record.raw = _headers_of(raw) if held.reason == QuarantineReason.TOO_LARGE else raw
            record.save()
    except IntegrityError:  # another poll recorded it meanwhile (the lock makes it rare)
        return InboundMessage.objects.get(tenant_id=mailbox.tenant_id, mailbox=mailbox, message_key=key), False
    return record, True


def _hold_unprocessable(*, mailbox: SupportMailbox, raw: bytes, size: int, now: datetime | None,
                        error: Exception) -> tuple[InboundMessage, bool]:
    """Quarantine a message whose processing failed (kept by the hash of its bytes), so
    that it is looked at by staff instead of being tried again every minute."""
    key = "sha256:" + hashlib.sha256(raw).hexdigest()
    record, new = InboundMessage.objects.get_or_create(
        tenant_id=mailbox.tenant_id, mailbox=mailbox, message_key=key,
        defaults={"received_at": now or timezone.now(), "raw_size": size, "state": InboundState.QUARANTINED,
                  "reason": QuarantineReason.REFUSED, "raw": raw if size <= max_bytes() else _headers_of(raw),
                  "detail": f"{type(error).__name__}: {error}"[:300]})
    return record, new


# ====================================================================== polling


def _client(mailbox: SupportMailbox):
    from imap_tools import MailBox, MailBoxStartTls, MailBoxUnencrypted

    if mailbox.security == MailboxSecurity.SSL:
        return MailBox(mailbox.host, port=mailbox.port, timeout=IMAP_TIMEOUT)
    if mailbox.security == MailboxSecurity.STARTTLS:
        return MailBoxStartTls(mailbox.host, port=mailbox.port, timeout=IMAP_TIMEOUT)
    return MailBoxUnencrypted(mailbox.host, port=mailbox.port, timeout=IMAP_TIMEOUT)


def _fetch_raw(box, uid: str) -> bytes:
    typ, data = box.client.uid("FETCH", uid, "(BODY.PEEK[])")
    for item in data or ():
        if isinstance(item, tuple) and len(item) > 1:
            return item[1]
    raise OSError(f"the server sent no body for message {uid} ({typ})")


def mailbox_poll(*, mailbox_id: int, now: datetime | None = None) -> Counter:
    """Read the unseen messages of one enabled mailbox, process each (once), and flag it
    \\Seen. One poll of a mailbox at a time: a second one meanwhile returns at once
    (`locked`). A connection or login failure is recorded on the mailbox (shown on its
    settings page) and tried again at the next poll."""
    from imap_tools import AND, MailMessageFlags

    report: Counter = Counter()
    mailbox = SupportMailbox.objects.filter(pk=mailbox_id, enabled=True).select_related("tenant").first()
    if mailbox is None:
        return report
    lock, token = f"mail-intake:lock:{mailbox.pk}", uuid.uuid4().hex
    if not cache.add(lock, token, timeout=LOCK_SECONDS):
        report["locked"] += 1
        return report
    error = ""
    try:
        with _client(mailbox).login(mailbox.username, unseal(mailbox.password), initial_folder=mailbox.folder) as box:
            for header in box.fetch(AND(seen=False), mark_seen=False, headers_only=True, bulk=50):
                size = header.size_rfc822
                raw = header.obj.as_bytes() if size > max_bytes() else _fetch_raw(box, header.uid)
                try:
                    record, new = inbound_process(mailbox=mailbox, raw=raw, size=size or len(raw), now=now)
                except Exception as exc:  # one message that breaks the processing must not block the others
                    logger.exception("mail intake: message %s of mailbox %s could not be processed",
                                     header.uid, mailbox.pk)
                    record, new = _hold_unprocessable(mailbox=mailbox, raw=raw, size=size or len(raw), now=now,
                                                      error=exc)
                report[record.state if new else "duplicate"] += 1
                box.flag(header.uid, MailMessageFlags.SEEN, True)
    except SecretUnreadable:  # the keys changed since the password was saved
        error = _("The saved password can no longer be read (the encryption key changed): enter it again.")
        logger.warning("mail intake: mailbox %s: its sealed password cannot be read", mailbox.pk)
        report["error"] += 1
    except Exception as exc:  # the server, the network, the login: said on the settings page, tried again
        error = f"{type(exc).__name__}: {exc}"[:500]
        logger.warning("mail intake: mailbox %s could not be read: %s", mailbox.pk, error)
        report["error"] += 1
    finally:
        if cache.get(lock) == token:
            cache.delete(lock)
    SupportMailbox.objects.filter(pk=mailbox.pk).update(last_polled_at=now or timezone.now(), last_error=error)
    return report


def mailboxes_due() -> list[int]:
    return list(SupportMailbox.objects.filter(enabled=True).order_by("pk").values_list("pk", flat=True))


# ====================================================================== the quarantine


def quarantine_list(*, tenant, viewer, state: str = InboundState.QUARANTINED):
    require(viewer, "mail_quarantine.review", tenant=tenant)
    qs = InboundMessage.objects.filter(tenant=tenant).defer("raw").select_related("ticket", "handled_by")
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-received_at", "-pk")


def inbound_get(*, tenant, viewer, message_id) -> InboundMessage:
    """One message read from the tenant's mailbox; a 404 for those who may not review the
    quarantine (clients), as for another tenant's."""
    try:
        require(viewer, "mail_quarantine.review", tenant=tenant)
    except PermissionDenied:
        raise Http404 from None
    return get_for_tenant(InboundMessage.objects.select_related("mailbox__tenant", "ticket"), tenant,
                          pk=message_id)


def release_senders(*, tenant):
    """Who a held message can be released as: the client users and contacts with an address."""
    users = (Membership.objects.filter(tenant=tenant, role__in=CLIENT_ROLES, user__is_active=True,
                                       organization__isnull=False)
             .select_related("user", "organization").order_by("organization__legal_name", "user__email"))
    contacts = (Contact.objects.filter(tenant=tenant, organization__kind="client").exclude(email="")
                .select_related("organization").order_by("organization__legal_name", "email"))
    choices = {}
    for m in users:
        choices.setdefault(m.user.email.lower(), f"{m.user.email} · {m.organization}")
    for c in contacts:
        choices.setdefault(c.email.lower(), f"{c} <{c.email}> · {c.organization}")
    return sorted(choices.items(), key=lambda item: item[1].lower())


def _held(inbound: InboundMessage) -> InboundMessage:
    locked = InboundMessage.objects.select_for_update().select_related("mailbox__tenant").get(
        pk=inbound.pk, tenant_id=inbound.tenant_id)
    if locked.state != InboundState.QUARANTINED:
        raise ApplicationError(_("This message is no longer in quarantine."), code="not_quarantined")
    return locked


@transaction.atomic
def inbound_release(*, inbound: InboundMessage, actor, sender_email: str, now: datetime | None = None) -> Ticket:
    """Staff release a held message: it becomes the ticket or reply it would have been,
    written by the chosen client user or contact. A reference to a ticket of another
    organisation is not followed (a new ticket is opened). An oversized message cannot
    be released (only its headers were kept)."""
    require(actor, "mail_quarantine.review", inbound)
    inbound = _held(inbound)
    now = now or timezone.now()
    sender = sender_find(tenant=inbound.mailbox.tenant, address=sender_email)
    if sender is None:
        raise ValidationError({"sender": [_("Choose a client user or contact of this tenant.")]})
    if inbound.reason == QuarantineReason.TOO_LARGE and inbound.raw_size > max_bytes():
        raise ValidationError({"sender": [_("This message was too large to keep: only its headers were stored.")]})
    msg = _parse(bytes(inbound.raw))
    try:
        state, ticket = _deliver(msg, mailbox=inbound.mailbox, sender=sender, now=now,
                                 follow_references=inbound.reason != QuarantineReason.FORGED_REFERENCE)
    except Quarantine as held:
        raise ValidationError({"sender": [held.detail or QuarantineReason(held.reason).label]}) from None
    inbound.state, inbound.ticket = InboundState.RELEASED, ticket
    inbound.handled_by, inbound.handled_at = actor, now
    inbound.save(update_fields=["state", "ticket", "handled_by", "handled_at", "updated_at"])
    audit_log(tenant=inbound.mailbox.tenant, actor=actor, action="mail_quarantine.release",
              object_type="inboundmessage", object_ref=str(inbound.pk), organization=ticket.organization,
              changes={"sender": inbound.sender, "as": sender_email, "ticket": ticket.reference,
                       "outcome": "reply" if state == InboundState.REPLY else "ticket"})
    return ticket


@transaction.atomic
def inbound_discard(*, inbound: InboundMessage, actor, now: datetime | None = None) -> InboundMessage:
    """Staff discard a held message: its stored bytes are deleted, its record kept (so
    the same message read again is not processed again)."""
    require(actor, "mail_quarantine.review", inbound)
    inbound = _held(inbound)
    inbound.state, inbound.raw = InboundState.DISCARDED, b""
    inbound.handled_by, inbound.handled_at = actor, now or timezone.now()
    inbound.save(update_fields=["state", "raw", "handled_by", "handled_at", "updated_at"])
    audit_log(tenant=inbound.mailbox.tenant, actor=actor, action="mail_quarantine.discard",
              object_type="inboundmessage", object_ref=str(inbound.pk),
              changes={"sender": inbound.sender, "subject": inbound.subject, "reason": inbound.reason})
    return inbound


__all__ = ["inbound_discard", "inbound_process", "inbound_release", "mailbox_poll", "mailbox_update"]

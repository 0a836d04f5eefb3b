"""Ticket attachments: size limit, an allow-list of types (checked on the name and on
the file's first bytes, not only on what the browser declares), storage outside the web
root under a random key, served only through views that check access."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.permissions import require
from tickets.models import Attachment, Ticket, TicketMessage, TicketStatus

# extension -> (content type, accepted leading bytes or None when text)
ALLOWED: dict[str, tuple[str, tuple[bytes, ...] | None]] = {
    ".pdf": ("application/pdf", (b"%PDF",)),
    ".png": ("image/png", (b"\x89PNG",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    ".txt": ("text/plain", None),
    ".log": ("text/plain", None),
    ".csv": ("text/csv", None),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    ".zip": ("application/zip", (b"PK\x03\x04",)),
}


def attachment_path(attachment: Attachment) -> Path:
    return Path(settings.MEDIA_ROOT) / attachment.storage_key


def _check_file(name: str, head: bytes, size: int) -> str:
    """The content type to store, or a ValidationError naming the problem."""
    limit = settings.UPLOAD_MAX_BYTES
    if size > limit:
        raise ValidationError({"file": [_("The file is too large (%(size)s MB; at most %(limit)s MB).") % {
            "size": round(size / 1_048_576, 1), "limit": round(limit / 1_048_576, 1)}]})
    if size == 0:
        raise ValidationError({"file": [_("The file is empty.")]})
    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED:
        raise ValidationError({"file": [_("Files of this type are not accepted. Accepted: %(types)s.") % {
            "types": ", ".join(sorted(ALLOWED))}]})
    content_type, magic = ALLOWED[suffix]
    if magic is not None and not any(head.startswith(m) for m in magic):
        raise ValidationError({"file": [_("The file's content does not match its type (%(ext)s).") % {"ext": suffix}]})
    if magic is None and b"\x00" in head:
        raise ValidationError({"file": [_("The file's content does not match its type (%(ext)s).") % {"ext": suffix}]})
    return content_type


def attachment_check(*, name: str, head: bytes, size: int) -> str:
    """The checks of a web upload, for a file that arrives another way (an e-mail's
    attachment): its content type, or a ValidationError naming the problem."""
    return _check_file(Path(name or "file").name[:200], head, size)


def _stored_name(upload) -> str:
    return Path(upload.name or "file").name[:200]


def attachment_matches(message: TicketMessage, upload) -> bool:
    """Whether `upload` is (by name and size) a file already stored on `message`: a
    replayed reply carries the file it carried the first time."""
    name, size = _stored_name(upload), upload.size or 0
    return any(a.filename == name and a.size == size for a in message.attachments.all())


@transaction.atomic
def attachment_add(*, ticket: Ticket, actor, upload, message: TicketMessage | None = None) -> Attachment:
    """Store an uploaded file on a ticket (an `UploadedFile`: name, size, chunks()).
    `actor` is a user, or `SYSTEM` for the mail intake (a contact's e-mail attachment,
    whose organisation the caller has checked)."""
    require(actor, "attachment.add", ticket)
    if ticket.status == TicketStatus.CLOSED:
        raise ValidationError({"file": [_("This ticket is closed.")]})
    if message is not None and message.ticket_id != ticket.pk:
        raise ValidationError({"message": [_("Unknown message.")]})
    name = _stored_name(upload)
    chunks = upload.chunks()
    first = b""
    digest = hashlib.sha256()
    key = f"attachments/{ticket.tenant_id}/{ticket.pk}/{uuid.uuid4().hex}"
    path = Path(settings.MEDIA_ROOT) / key
    size = 0
    out = None  # opened once the first chunk has passed the checks
    try:
        for chunk in chunks:
            if not first:
                first = chunk[:16]
                content_type = _check_file(name, first, upload.size or 0)
                path.parent.mkdir(parents=True, exist_ok=True)
                out = path.open("wb")
            size += len(chunk)
            if size > settings.UPLOAD_MAX_BYTES:
                raise ValidationError({"file": [_("The file is too large.")]})
            digest.update(chunk)
            out.write(chunk)
        if not first:
            _check_file(name, b"", 0)
    except BaseException:
        if out is not None:
            out.close()
            path.unlink(missing_ok=True)
        raise
    out.close()
    # Should the surrounding transaction roll back later, the file stays as an orphan
    # under a random key that nothing references: harmless, and never served.
    attachment = Attachment.objects.create(
        tenant_id=ticket.tenant_id, ticket=ticket, message=message,
        uploaded_by=actor if getattr(actor, "pk", None) else None, filename=name,
        content_type=content_type, size=size, sha256=digest.hexdigest(), storage_key=key)
    return attachment

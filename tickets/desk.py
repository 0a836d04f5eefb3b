"""The support desk's own settings: canned replies (ready-made answers in French or
English that staff insert in the ticket composer) and how clients reach support (phone,
a note about the hours), shown on the clients' home page."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portal.audit import audit_log
from portal.permissions import require
from portal.validators import TEXT_MAX_LENGTH
from tickets.models import CannedReply, SupportDesk


def _canned_errors(*, title: str, language: str, body: str) -> dict:
    errors = {}
    if not title.strip():
        errors["title"] = [_("Give the reply a title.")]
    elif len(title.strip()) > 120:
        errors["title"] = [_("A title is at most 120 characters.")]
    if language not in CannedReply.Language.values:
        errors["language"] = [_("The language is French or English.")]
    if not body.strip():
        errors["body"] = [_("Write the text of the reply.")]
    elif len(body) > TEXT_MAX_LENGTH:
        errors["body"] = [_("A text is at most %(n)s characters.") % {"n": f"{TEXT_MAX_LENGTH:,}"}]
    return errors


def _save(reply: CannedReply) -> CannedReply:
    try:
        with transaction.atomic():
            reply.save()
    except IntegrityError:
        raise ValidationError({"title": [_("A reply with this title already exists in this language.")]}) from None
    return reply


@transaction.atomic
def canned_reply_create(*, tenant, actor, title: str, language: str, body: str) -> CannedReply:
    require(actor, "canned_reply.manage", tenant=tenant)
    title, body = (title or "").strip(), (body or "").strip()
    errors = _canned_errors(title=title, language=language, body=body)
    if errors:
        raise ValidationError(errors)
    reply = _save(CannedReply(tenant=tenant, title=title, language=language, body=body))
    audit_log(tenant=tenant, actor=actor, action="canned_reply.create", obj=reply,
              changes={"title": title, "language": language})
    return reply


@transaction.atomic
def canned_reply_update(*, reply: CannedReply, actor, title: str, language: str, body: str) -> CannedReply:
    require(actor, "canned_reply.manage", reply)
    title, body = (title or "").strip(), (body or "").strip()
    errors = _canned_errors(title=title, language=language, body=body)
    if errors:
        raise ValidationError(errors)
    before = {"title": reply.title, "language": reply.language}
    reply.title, reply.language, reply.body = title, language, body
    _save(reply)
    audit_log(tenant=reply.tenant, actor=actor, action="canned_reply.update", obj=reply,
              changes={k: [v, getattr(reply, k)] for k, v in before.items() if v != getattr(reply, k)})
    return reply


@transaction.atomic
def canned_reply_delete(*, reply: CannedReply, actor) -> None:
    require(actor, "canned_reply.manage", reply)
    audit_log(tenant=reply.tenant, actor=actor, action="canned_reply.delete", obj=reply,
              changes={"title": reply.title})
    reply.delete()


@transaction.atomic
def support_desk_update(*, tenant, actor, phone: str = "", hours_note: str = "", email: str = "") -> SupportDesk:
    """The support phone, e-mail and a note about the hours, shown to clients."""
    require(actor, "support_desk.edit", tenant=tenant)
    phone, hours_note, email = (phone or "").strip(), (hours_note or "").strip(), (email or "").strip()
    errors = {}
    if phone and not all(c.isdigit() or c in " +-.()" for c in phone) or len(phone) > 40:
        errors["phone"] = [_("A phone number has digits, spaces and + - . ( ) only.")]
    if len(hours_note) > 300:
        errors["hours_note"] = [_("At most 300 characters.")]
    if email:
        from django.core.validators import validate_email

        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [_("Enter a valid e-mail address.")]
    if errors:
        raise ValidationError(errors)
    desk = SupportDesk.objects.select_for_update().filter(tenant=tenant).first() or SupportDesk(tenant=tenant)
    before = {"phone": desk.phone, "hours_note": desk.hours_note, "email": desk.email}
    desk.phone, desk.hours_note, desk.email = phone, hours_note, email
    desk.save()
    diff = {k: [v, getattr(desk, k)] for k, v in before.items() if v != getattr(desk, k)}
    if diff:
        audit_log(tenant=tenant, actor=actor, action="support_desk.update", object_type="supportdesk",
                  object_ref=tenant.slug, changes=diff)
    return desk

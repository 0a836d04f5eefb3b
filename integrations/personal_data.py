"""Personal data (GDPR, articles 15, 17 and 20): what the portal holds about one person,
and erasing it. A person is named by e-mail address, within one tenant: the user
account with that address (a member of the tenant) and the organisations' contacts that
carry it.

Erasing anonymises instead of deleting, so that tickets, invoices and the audit trail
keep their integrity: the user's name and address are replaced, the account is closed
(no password, inactive, tokens revoked) and its outgoing e-mail rows forget the address;
a contact's name, address, phone and job title are replaced. The ticket messages the
person wrote stay, signed by the anonymised account. The audit log is append-only and is
kept as the record of what was done (its label of the actor is the legal record).

Legal retention: a billing contact of an organisation with issued invoices is printed on
them (the invoice must be kept 10 years, French Code de commerce L123-22), so erasing
that contact is refused while such an invoice is younger than 10 years. A tenant's last
administrator and the actor themself cannot be erased either.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import Invoice, InvoiceStatus
from contracts.models import Contact, ContactRole
from portal.audit import audit_log
from portal.exceptions import ApplicationError
from portal.models import ApiToken, AuditEvent, Membership, OutboxMessage, Role, User
from portal.permissions import require
from tickets.models import Attachment, Intervention, Ticket, TicketMessage

RETENTION_YEARS = 10
ERASED_DOMAIN = "erased.invalid"


def _clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    if not email or "@" not in email or len(email) > 254:
        raise ValidationError({"email": [_("Enter the person's e-mail address.")]})
    return email


def _find(tenant, email: str) -> tuple[User | None, list[Contact]]:
    user = User.objects.filter(email__iexact=email, membership__tenant=tenant).select_related(
        "membership__organization").first()
    contacts = list(Contact.objects.filter(tenant=tenant, email__iexact=email).select_related("organization"))
    return user, contacts


def _found_or_404(user, contacts) -> None:
    if user is None and not contacts:
        raise ValidationError({"email": [_("Nobody with this e-mail address in your portal.")]})


def personal_data_export(*, tenant, actor, email: str) -> dict:
    """Everything held about the person, as JSON-ready data; audited."""
    require(actor, "personal_data.export", tenant=tenant)
    email = _clean_email(email)
    user, contacts = _find(tenant, email)
    _found_or_404(user, contacts)
    data: dict = {"email": email, "exported_at": timezone.now().isoformat(), "tenant": tenant.name,
                  "contacts": [{
                      "organization": c.organization.legal_name, "role": c.role, "first_name": c.first_name,
                      "last_name": c.last_name, "job_title": c.job_title, "email": c.email, "phone": c.phone,
                      "created_at": c.created_at.isoformat()} for c in contacts]}
    if user is not None:
        membership = user.membership
        data["account"] = {
            "email": user.email, "full_name": user.full_name, "language": user.language,
            "role": membership.role, "organization": membership.organization.legal_name
            if membership.organization_id else None, "is_active": user.is_active,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "notification_optouts": user.notification_optouts}
        data["api_tokens"] = [{"name": t.name, "prefix": t.prefix, "created_at": t.created_at.isoformat(),
                               "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
                               "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None}
                              for t in ApiToken.objects.filter(tenant=tenant, user=user)]
        data["tickets_requested"] = [
            {"reference": t.reference, "title": t.title, "description": t.description, "status": t.status,
             "created_at": t.created_at.isoformat()}
            for t in Ticket.objects.filter(tenant=tenant, requester=user).order_by("reference")]
        data["tickets_assigned"] = list(Ticket.objects.filter(tenant=tenant, assignee=user)
                                        .order_by("reference").values_list("reference", flat=True))
        data["messages"] = [
            {"ticket": m.ticket.reference, "body": m.body, "internal": m.internal,
             "created_at": m.created_at.isoformat()}
            for m in TicketMessage.objects.filter(tenant=tenant, author=user).select_related("ticket")
            .order_by("created_at")]
        data["attachments"] = [
            {"ticket": a.ticket.reference, "filename": a.filename, "size": a.size, "sha256": a.sha256,
             "created_at": a.created_at.isoformat()}
            for a in Attachment.objects.filter(tenant=tenant, uploaded_by=user).select_related("ticket")]
        data["interventions"] = [
            {"ticket": i.ticket.reference, "date": i.date.isoformat(), "minutes": i.minutes,
             "description": i.description}
            for i in Intervention.objects.filter(tenant=tenant, technician=user).select_related("ticket")]
        data["audit_events"] = [
            {"at": e.created_at.isoformat(), "action": e.action, "object": f"{e.object_type} {e.object_ref}",
             "ip_address": e.ip_address}
            for e in AuditEvent.objects.filter(tenant=tenant, actor=user).order_by("created_at")]
        data["emails_sent"] = [
            {"kind": o.kind, "state": o.state, "created_at": o.created_at.isoformat()}
            for o in OutboxMessage.objects.filter(tenant=tenant, recipient__iexact=email).order_by("created_at")]
    audit_log(tenant=tenant, actor=actor, action="personal_data.export", object_type="person",
              object_ref=_person_ref(user, contacts), changes={"contacts": len(contacts), "account": user is not None})
    return data


def _person_ref(user, contacts) -> str:
    # Never the address itself: the audit log outlives the erasure.
    if user is not None:
        return f"user {user.pk}"
    return ("contact " + ", ".join(str(c.pk) for c in contacts))[:64]


def _retained(tenant, contacts: list[Contact], today: date) -> list[str]:
    """The billing contacts still printed on invoices under legal retention."""
    since = date(today.year - RETENTION_YEARS, today.month, min(today.day, 28))
    held = []
    for contact in contacts:
        if contact.role == ContactRole.BILLING and Invoice.objects.filter(
                tenant=tenant, client_id=contact.organization_id, issue_date__gte=since).exclude(
                status=InvoiceStatus.DRAFT).exists():
            held.append(contact.organization.legal_name)
    return held


@transaction.atomic
def personal_data_erase(*, tenant, actor, email: str, today: date | None = None) -> dict:
    """Anonymise the person (account and contacts); audited. Refused, with nothing
    changed, while a legal retention applies."""
    require(actor, "personal_data.erase", tenant=tenant)
    email = _clean_email(email)
    user, contacts = _find(tenant, email)
    _found_or_404(user, contacts)
    held = _retained(tenant, contacts, today or timezone.localdate())
    if held:
        raise ApplicationError(_(
            "This person is the billing contact of %(orgs)s, whose issued invoices carry their name and must be "
            "kept %(years)s years: the contact cannot be erased yet.") % {"orgs": ", ".join(held),
                                                                          "years": RETENTION_YEARS},
            code="legal_retention")
    if user is not None:
        if user.pk == getattr(actor, "pk", None):
            raise ApplicationError(_("You cannot erase your own account."), code="self")
        if user.membership.role == Role.TENANT_ADMIN and not Membership.objects.filter(
                tenant=tenant, role=Role.TENANT_ADMIN, user__is_active=True).exclude(user=user).exists():
            raise ApplicationError(_("The last administrator of the portal cannot be erased."), code="last_admin")
    ref = _person_ref(user, contacts)
    now = timezone.now()
    for contact in contacts:
        Contact.objects.filter(pk=contact.pk).update(
            first_name=_("Erased"), last_name=_("contact %(id)s") % {"id": contact.pk}, email="", phone="",
            job_title="", updated_at=now)
    if user is not None:
        erased = f"erased-{user.pk}@{ERASED_DOMAIN}"
        user.email, user.full_name, user.first_name, user.last_name = erased, "", "", ""
        user.is_active = False
        user.notification_optouts = []
        user.set_unusable_password()
        user.save()
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
        OutboxMessage.objects.filter(tenant=tenant, recipient__iexact=email, state="pending").update(
            state="cancelled", last_error="recipient erased")
        OutboxMessage.objects.filter(tenant=tenant, recipient__iexact=email).update(recipient=erased)
    audit_log(tenant=tenant, actor=actor, action="personal_data.erase", object_type="person", object_ref=ref,
              changes={"contacts": len(contacts), "account": user is not None})
    return {"contacts": len(contacts), "account": user is not None}

"""How audit events are shown on the /audit/ page: each change as a label and a readable
text, built in Python (a template looking up `changes.items` hits a stored key named
"items" instead of the dict's method).

The services write `changes` in two shapes: a diff, `{field: [old, new]}` (from
`portal.audit.changed` or written by hand for a status, priority or assignee), and plain
values, `{field: value}` (a snapshot at creation, a list of clause titles, a reason).
A two-item list is a change only where the action writes diffs or the key is one of
the transitions below; elsewhere it is a list (e.g. two clause titles)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.models import AuditEvent, User

# Actions whose every two-item list is [old, new] (their changes come from a diff).
DIFF_ACTIONS = frozenset({
    "calendar.update", "clause_template.create", "clause_template.update", "contact.update", "contract.amend",
    "contract.clause_update", "contract.update", "organization.update", "priority_matrix.update",
    "sla_policy.update", "tenant.settings", "user.preferences", "billing.settings", "webhook.update",
    "canned_reply.update", "support_desk.update", "member.role", "mailbox.update",
})
# Keys written as [old, new] by any action.
TRANSITION_KEYS = frozenset({"status", "priority", "assignee", "monthly_fee"})
# Keys written as [old, new] by one action only (elsewhere they hold one value).
ACTION_TRANSITION_KEYS = {"contract.renew": frozenset({"term"})}

# Every action code the services write (the `action` of portal.audit.audit_log), as a sentence in words:
# who did what to which object. tests/portal/test_audit_labels.py fails when an action
# written anywhere in the code base has no sentence here.
ACTION_LABELS = {
    "api_token.create": gettext_lazy("%(actor)s created the API token %(object)s"),
    "api_token.revoke": gettext_lazy("%(actor)s revoked the API token %(object)s"),
    "billing.settings": gettext_lazy("%(actor)s changed the billing settings"),
    "calendar.create": gettext_lazy("%(actor)s created the calendar %(object)s"),
    "calendar.update": gettext_lazy("%(actor)s changed the calendar %(object)s"),
    "canned_reply.create": gettext_lazy("%(actor)s added the canned reply %(object)s"),
    "canned_reply.delete": gettext_lazy("%(actor)s deleted the canned reply %(object)s"),
    "canned_reply.update": gettext_lazy("%(actor)s changed the canned reply %(object)s"),
    "clause_template.create": gettext_lazy("%(actor)s added the clause template %(object)s"),
    "clause_template.update": gettext_lazy("%(actor)s changed the clause template %(object)s"),
    "contact.create": gettext_lazy("%(actor)s added the contact %(object)s"),
    "contact.delete": gettext_lazy("%(actor)s deleted the contact %(object)s"),
    "contact.update": gettext_lazy("%(actor)s changed the contact %(object)s"),
    "contract.activate": gettext_lazy("%(actor)s activated contract %(object)s"),
    "contract.amend": gettext_lazy("%(actor)s amended contract %(object)s"),
    "contract.clause_update": gettext_lazy("%(actor)s changed a clause of contract %(object)s"),
    "contract.clauses": gettext_lazy("%(actor)s chose the clauses of contract %(object)s"),
    "contract.create": gettext_lazy("%(actor)s drafted contract %(object)s"),
    "contract.expired": gettext_lazy("%(actor)s: contract %(object)s expired"),
    "contract.renew": gettext_lazy("%(actor)s renewed contract %(object)s"),
    "contract.renew_tacit": gettext_lazy("%(actor)s: contract %(object)s renewed tacitly"),
    "contract.resume": gettext_lazy("%(actor)s resumed contract %(object)s"),
    "contract.scope": gettext_lazy("%(actor)s changed what contract %(object)s covers"),
    "contract.send": gettext_lazy("%(actor)s sent contract %(object)s for signature"),
    "contract.suspend": gettext_lazy("%(actor)s suspended contract %(object)s"),
    "contract.terminate": gettext_lazy("%(actor)s gave notice of termination of contract %(object)s"),
    "contract.terminated": gettext_lazy("%(actor)s: contract %(object)s ended after its termination"),
    "contract.update": gettext_lazy("%(actor)s changed contract %(object)s"),
    "export.create": gettext_lazy("%(actor)s requested the reversibility export of %(object)s"),
    "export.download": gettext_lazy("%(actor)s downloaded the reversibility export of %(object)s"),
    "hour_bank.adjust": gettext_lazy("%(actor)s adjusted the hour bank of contract %(object)s"),
    "hour_bank.buy": gettext_lazy("%(actor)s added a block of hours to contract %(object)s"),
    "intervention.create": gettext_lazy("%(actor)s logged work on ticket %(object)s"),
    "invitation.accept": gettext_lazy("%(actor)s accepted the invitation"),
    "invitation.create": gettext_lazy("%(actor)s invited %(object)s"),
    "invitation.resend": gettext_lazy("%(actor)s sent the invitation to %(object)s again"),
    "invitation.revoke": gettext_lazy("%(actor)s withdrew the invitation of %(object)s"),
    "invoice.credit": gettext_lazy("%(actor)s credited invoice %(object)s"),
    "invoice.draft": gettext_lazy("%(actor)s drafted invoice %(object)s"),
    "invoice.issue": gettext_lazy("%(actor)s issued invoice %(object)s"),
    "invoice.overdue": gettext_lazy("%(actor)s: invoice %(object)s is overdue"),
    "invoice.payment": gettext_lazy("%(actor)s recorded a payment of invoice %(object)s"),
    "invoice.resume_contract": gettext_lazy("%(actor)s: invoice %(object)s paid, its contract resumed"),
    "invoice.suspend_contract": gettext_lazy("%(actor)s: invoice %(object)s unpaid, its contract suspended"),
    "member.deactivate": gettext_lazy("%(actor)s deactivated the account of %(object)s"),
    "member.reactivate": gettext_lazy("%(actor)s reactivated the account of %(object)s"),
    "member.role": gettext_lazy("%(actor)s changed the role of %(object)s"),
    "member.two_factor_reset": gettext_lazy("%(actor)s reset the two-factor authentication of %(object)s"),
    "organization.create": gettext_lazy("%(actor)s added the organisation %(object)s"),
    "organization.update": gettext_lazy("%(actor)s changed the organisation %(object)s"),
    "personal_data.erase": gettext_lazy("%(actor)s erased the personal data of %(object)s"),
    "personal_data.export": gettext_lazy("%(actor)s exported the personal data of %(object)s"),
    "preventive_plan.create": gettext_lazy("%(actor)s planned preventive maintenance %(object)s"),
    "priority_matrix.update": gettext_lazy("%(actor)s changed the priority matrix"),
    "service_account.create": gettext_lazy("%(actor)s created the service account %(object)s"),
    "service_account.disable": gettext_lazy("%(actor)s disabled the service account %(object)s"),
    "sla_policy.create": gettext_lazy("%(actor)s created the SLA policy %(object)s"),
    "sla_policy.update": gettext_lazy("%(actor)s changed the SLA policy %(object)s"),
    "support_desk.update": gettext_lazy("%(actor)s changed the support phone and hours"),
    "mailbox.update": gettext_lazy("%(actor)s changed the support mailbox"),
    "mail_quarantine.release": gettext_lazy("%(actor)s released the held e-mail %(object)s"),
    "mail_quarantine.discard": gettext_lazy("%(actor)s discarded the held e-mail %(object)s"),
    "tenant.settings": gettext_lazy("%(actor)s changed the portal settings"),
    "ticket.assign": gettext_lazy("%(actor)s assigned ticket %(object)s"),
    "ticket.create": gettext_lazy("%(actor)s opened ticket %(object)s"),
    "ticket.note": gettext_lazy("%(actor)s added an internal note to ticket %(object)s"),
    "ticket.priority": gettext_lazy("%(actor)s changed the priority of ticket %(object)s"),
    "ticket.rate": gettext_lazy("%(actor)s rated ticket %(object)s"),
    "ticket.reply": gettext_lazy("%(actor)s replied on ticket %(object)s"),
    "ticket.status": gettext_lazy("%(actor)s changed the status of ticket %(object)s"),
    "ticket.take": gettext_lazy("%(actor)s took ticket %(object)s"),
    "user.password": gettext_lazy("%(actor)s changed their password"),
    "user.preferences": gettext_lazy("%(actor)s changed their preferences"),
    "user.recovery_codes": gettext_lazy("%(actor)s made new recovery codes"),
    "user.two_factor_disable": gettext_lazy("%(actor)s turned off two-factor authentication"),
    "user.two_factor_enable": gettext_lazy("%(actor)s turned on two-factor authentication"),
    "user.unlock": gettext_lazy("%(actor)s unlocked the sign-in of %(object)s"),
    "webhook.create": gettext_lazy("%(actor)s subscribed the webhook %(object)s"),
    "webhook.delete": gettext_lazy("%(actor)s deleted the webhook %(object)s"),
    "webhook.disable": gettext_lazy("%(actor)s: the webhook %(object)s was disabled after failing"),
    "webhook.roll_secret": gettext_lazy("%(actor)s replaced the secret of the webhook %(object)s"),
    "webhook.test": gettext_lazy("%(actor)s sent a test event to the webhook %(object)s"),
    "webhook.update": gettext_lazy("%(actor)s changed the webhook %(object)s"),
}

EMPTY = "—"
_TIME = re.compile(r"^\d{2}:\d{2}$")


@dataclass(frozen=True)
class AuditRow:
    event: AuditEvent
    changes: list[tuple[str, str]]  # (field, readable text)
    sentence: str = ""  # the action in words, with people's names


def _names_by_email(events: list[AuditEvent]) -> dict[str, str]:
    """The names of the people the events name by e-mail (their object), in one query."""
    emails = {e.object_ref.lower() for e in events if "@" in (e.object_ref or "")}
    if not emails:
        return {}
    return {email.lower(): name for email, name in
            User.objects.filter(email__in=emails).exclude(full_name="").values_list("email", "full_name")}


def actor_name(event: AuditEvent) -> str:
    """Who acted: the person's name (their e-mail only when they have none), the one kept
    when the account was deleted, or the portal itself for automatic actions."""
    if event.actor_id is not None and event.actor is not None:
        return event.actor.full_name or event.actor.email
    if event.actor_label and event.actor_label != "system":
        return event.actor_label
    return _("The portal")


def sentence(event: AuditEvent, names: dict[str, str] | None = None) -> str:
    """The action in words: "Marie Durand issued invoice INV-2026-000004"."""
    ref = event.object_ref or ""
    obj = (names or {}).get(ref.lower(), ref) if "@" in ref else ref
    label = ACTION_LABELS.get(event.action)
    if label is None:  # an action older than its label: still readable
        return f"{actor_name(event)} · {event.action} {obj}".strip()
    return str(label) % {"actor": actor_name(event), "object": obj}


def sentences(events: Iterable[AuditEvent]) -> list[tuple[AuditEvent, str]]:
    """(event, sentence) for a list of events (the dashboard's recent activity)."""
    events = list(events)
    names = _names_by_email(events)
    return [(e, sentence(e, names)) for e in events]


def _is_transition(action: str, key: str, value: Any) -> bool:
    if not (isinstance(value, list) and len(value) == 2):
        return False
    return action in DIFF_ACTIONS or key in TRANSITION_KEYS or key in ACTION_TRANSITION_KEYS.get(action, ())


def readable(value: Any) -> str:
    """One stored value (JSON: None, bool, number, string, list, dict) in plain words."""
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        if len(value) == 2 and all(isinstance(v, str) and _TIME.match(v) for v in value):
            return f"{value[0]}–{value[1]}"  # an opening interval of a calendar
        separator = "; " if any(isinstance(v, (dict, list)) for v in value) else ", "
        return separator.join(readable(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {readable(v)}" for k, v in value.items())
    return str(value)


@cache
def _models_by_name() -> dict[str, Any]:
    """The portal's models by `model_name`, as `object_type` stores them."""
    from django.apps import apps

    return {m._meta.model_name: m for m in apps.get_models()}


def _field(object_type: str, key: str):
    model = _models_by_name().get(object_type or "")
    if model is None:
        return None
    try:
        return model._meta.get_field(key)
    except FieldDoesNotExist:
        return None


def field_label(object_type: str, key: str) -> str:
    """A changed field's name in the viewer's language: the model field's verbose name
    where the key is one, else the key in words ("signed_on" → "signed on")."""
    field = _field(object_type, key)
    name = getattr(field, "verbose_name", None) if field is not None else None
    return capfirst(str(name)) if name else capfirst(str(key).replace("_", " "))


def _value_in_words(field, value: Any) -> str:
    """A stored value: a choice's label (a status "active" → "Active"), else `readable`."""
    choices = dict(getattr(field, "flatchoices", None) or ()) if field is not None else {}
    if isinstance(value, str) and value in choices:
        return str(choices[value])
    return readable(value)


def change_lines(action: str, changes: Any, object_type: str = "") -> list[tuple[str, str]]:
    """The (field, text) lines of one event's changes; `old → new` for a change. Field
    names and choice values in words, as the model names them."""
    if not isinstance(changes, dict):
        return [("", readable(changes))] if changes else []
    lines = []
    for key, value in changes.items():
        field = _field(object_type, str(key))
        if _is_transition(action, key, value):
            text = f"{_value_in_words(field, value[0])} → {_value_in_words(field, value[1])}"
        else:
            text = _value_in_words(field, value)
        lines.append((field_label(object_type, str(key)), text))
    return lines


def audit_rows(events: Iterable[AuditEvent]) -> list[AuditRow]:
    events = list(events)
    names = _names_by_email(events)
    return [AuditRow(event=e, changes=change_lines(e.action, e.changes, e.object_type), sentence=sentence(e, names))
            for e in events]

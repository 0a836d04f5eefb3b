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
from typing import Any

from django.utils.translation import gettext as _

from portal.models import AuditEvent

# Actions whose every two-item list is [old, new] (their changes come from a diff).
DIFF_ACTIONS = frozenset({
    "calendar.update", "clause_template.create", "clause_template.update", "contact.update", "contract.amend",
    "contract.clause_update", "contract.update", "organization.update", "priority_matrix.update",
    "sla_policy.update", "tenant.settings", "user.preferences", "billing.settings", "webhook.update",
    "canned_reply.update", "support_desk.update", "member.role",
})
# Keys written as [old, new] by any action.
TRANSITION_KEYS = frozenset({"status", "priority", "assignee", "monthly_fee"})
# Keys written as [old, new] by one action only (elsewhere they hold one value).
ACTION_TRANSITION_KEYS = {"contract.renew": frozenset({"term"})}

EMPTY = "—"
_TIME = re.compile(r"^\d{2}:\d{2}$")


@dataclass(frozen=True)
class AuditRow:
    event: AuditEvent
    changes: list[tuple[str, str]]  # (field, readable text)


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


def change_lines(action: str, changes: Any) -> list[tuple[str, str]]:
    """The (field, text) lines of one event's changes; `old → new` for a change."""
    if not isinstance(changes, dict):
        return [("", readable(changes))] if changes else []
    lines = []
    for key, value in changes.items():
        if _is_transition(action, key, value):
            text = f"{readable(value[0])} → {readable(value[1])}"
        else:
            text = readable(value)
        lines.append((str(key), text))
    return lines


def audit_rows(events: Iterable[AuditEvent]) -> list[AuditRow]:
    return [AuditRow(event=e, changes=change_lines(e.action, e.changes)) for e in events]

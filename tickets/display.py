"""How a ticket's SLA state is said to people: badges for the queue and plain
sentences for clients ("response due by Tue 14:00", "resolved within target")."""

from __future__ import annotations

from datetime import datetime

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from tickets.models import Ticket


def _when(value: str | None) -> str:
    if not value:
        return ""
    moment = timezone.localtime(datetime.fromisoformat(value))
    return formats.date_format(moment, "D d/m H:i")


def badge(ticket: Ticket) -> dict:
    """The queue's countdown badge: css class (ok, warn, bad, paused, done) and the
    deadline the browser counts down to."""
    if not ticket.is_open:
        return {"css": "done", "deadline": None, "label": ticket.get_status_display()}
    if ticket.sla_paused:
        return {"css": "paused", "deadline": None, "label": _("paused")}
    if ticket.sla_breached:
        css = "bad"
    elif ticket.sla_warning:
        css = "warn"
    else:
        css = "ok"
    if ticket.sla_due_at is None:
        return {"css": css if ticket.sla_breached else "none", "deadline": None,
                "label": _("breached") if ticket.sla_breached else _("no SLA")}
    return {"css": css, "deadline": ticket.sla_due_at.isoformat(), "label": _when(ticket.sla_due_at.isoformat())}


def sentences(ticket: Ticket) -> list[tuple[str, str, str]]:
    """(metric, sentence, css) for each metric with a target, in plain words."""
    state = ticket.sla_state or {}
    out = []
    for name, label in (("response", _("Response")), ("resolution", _("Resolution"))):
        metric = state.get(name)
        if not metric:
            continue
        if metric["state"] == "completed":
            if metric["breached"]:
                text = (_("taken in charge late, on %(when)s") if name == "response"
                        else _("resolved late, on %(when)s")) % {"when": _when(metric["completed_at"])}
                css = "bad"
            else:
                text = _("taken in charge within target") if name == "response" else _("resolved within target")
                css = "ok"
        elif metric["state"] == "paused":
            text = _("paused while we wait for your answer")
            css = "paused"
        elif metric["breached"]:
            text = _("overdue since %(when)s") % {"when": _when(metric["breached_at"])}
            css = "bad"
        else:
            text = (_("response due by %(when)s") if name == "response"
                    else _("resolution due by %(when)s")) % {"when": _when(metric["deadline"])}
            css = "warn" if metric.get("remaining_business_minutes") is not None and \
                metric["target_minutes"] and metric["remaining_business_minutes"] * 5 < metric["target_minutes"] \
                else "ok"
        out.append((label, text, css))
    return out

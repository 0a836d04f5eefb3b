"""How a ticket's SLA state is said to people: badges that name their metric and count
business time ("Response · 1 h 59 business", "Resolution · Mon 07/12 09:06"), plain
sentences for clients ("response due by Tue 14:00", "resolved within target"), and the
history in words (status labels and people's names, never codes or addresses)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from portal.formatting import duration
from sla.models import Priority
from tickets.models import Ticket, TicketEventKind, TicketStatus

# Below this much business time left, a badge counts it down; above, it gives the date.
COUNTDOWN_UNDER = timedelta(hours=24)


def _when(value: str | None) -> str:
    if not value:
        return ""
    moment = timezone.localtime(datetime.fromisoformat(value))
    return formats.date_format(moment, "D d/m H:i")


class Clocks:
    """The business clocks of the tickets' policies, read once per page (share one
    instance between the lists of a page)."""

    def __init__(self):
        self._by_policy: dict = {}

    def business_minutes(self, ticket: Ticket, start: datetime, end: datetime) -> int | None:
        from sla.models import SlaPolicy
        from tickets.sla import _clock

        if ticket.sla_policy_id is None:
            return None
        if ticket.sla_policy_id not in self._by_policy:
            policy = ticket.sla_policy if Ticket.sla_policy.is_cached(ticket) else \
                SlaPolicy.objects.select_related("calendar").get(pk=ticket.sla_policy_id)
            self._by_policy[ticket.sla_policy_id] = _clock(policy)
        return int(self._by_policy[ticket.sla_policy_id].business_time(start, end).total_seconds() // 60)


def _due_metric(ticket: Ticket) -> tuple[str, dict] | None:
    """The running metric whose deadline is the ticket's nearest (the queue's sort key)."""
    state = ticket.sla_state or {}
    running = [(name, m) for name in ("response", "resolution") if (m := state.get(name))
               and m.get("state") == "running" and m.get("deadline")]
    if not running:
        return None
    return min(running, key=lambda item: item[1]["deadline"])


def badge(ticket: Ticket, *, for_client: bool = False, now: datetime | None = None, clocks: Clocks | None = None
          ) -> dict:
    """The SLA badge: which metric it counts and what is left in business time (or the
    deadline's date when more than a day is left), with its css class (ok, warn, bad,
    paused, done, none) and the exact deadline as its title."""
    if not ticket.is_open:
        return {"css": "done", "deadline": None, "label": ticket.get_status_display(), "title": ""}
    if ticket.sla_paused or ticket.status == TicketStatus.WAITING_ON_CLIENT:
        label = _("Waiting for your answer") if for_client else _("Waiting for the client's answer")
        return {"css": "paused", "deadline": None, "label": label, "title": _("The SLA clock is paused.")}
    due = _due_metric(ticket)
    if due is None:
        return {"css": "bad" if ticket.sla_breached else "none", "deadline": None,
                "label": _("Overdue") if ticket.sla_breached else _("No SLA"), "title": ""}
    name, metric = due
    metric_label = _("Response") if name == "response" else _("Resolution")
    deadline = datetime.fromisoformat(metric["deadline"])
    now = now or timezone.now()
    clocks = clocks or Clocks()
    title = _("Due on %(when)s") % {"when": _when(metric["deadline"])}
    if metric.get("breached") or deadline <= now:
        late = clocks.business_minutes(ticket, deadline, now) if deadline <= now else 0
        if late is not None and timedelta(minutes=late) < COUNTDOWN_UNDER:
            text = _("overdue by %(time)s business") % {"time": duration(late)}
        else:
            text = _("overdue since %(when)s") % {"when": _when(metric["deadline"])}
        return {"css": "bad", "deadline": metric["deadline"], "label": f"{metric_label} · {text}", "title": title}
    left = clocks.business_minutes(ticket, now, deadline)
    css = "warn" if ticket.sla_warning else "ok"
    if left is not None and timedelta(minutes=left) < COUNTDOWN_UNDER:
        text = _("%(time)s business") % {"time": duration(left)}
    else:
        text = _when(metric["deadline"])
    return {"css": css, "deadline": metric["deadline"], "label": f"{metric_label} · {text}", "title": title}


def badges(tickets, *, for_client: bool = False, clocks: Clocks | None = None) -> list[tuple[Ticket, dict]]:
    """(ticket, badge) rows of a list, sharing one clock per SLA policy (and `clocks`'
    with the page's other lists)."""
    clocks, now = clocks or Clocks(), timezone.now()
    return [(t, badge(t, for_client=for_client, now=now, clocks=clocks)) for t in tickets]


def history_rows(events) -> list[dict]:
    """The history in words: who (a name, or "System"), what, the change with status and
    priority labels and people's names (the rows keep e-mails), and why."""
    from portal.models import User

    events = list(events)
    emails = {v for e in events if e.kind == TicketEventKind.ASSIGNED for v in (e.from_value, e.to_value) if v}
    names = {u.email: u.display_name for u in User.objects.filter(email__in=emails)} if emails else {}

    def word(kind: str, value: str) -> str:
        if not value:
            return "—"
        if kind == TicketEventKind.STATUS and value in TicketStatus.values:
            return str(TicketStatus(value).label)
        if kind in (TicketEventKind.PRIORITY, TicketEventKind.CREATED) and value in Priority.values:
            return str(Priority(value).label)
        if kind == TicketEventKind.ASSIGNED:
            return names.get(value, _("a former member"))
        return value

    rows = []
    for e in events:
        change = ""
        if e.from_value or e.to_value:
            if e.kind == TicketEventKind.CREATED:
                change = _("priority %(p)s") % {"p": word(e.kind, e.to_value)}
            else:
                change = f"{word(e.kind, e.from_value)} → {word(e.kind, e.to_value)}"
        rows.append({"at": e.at, "who": e.actor.display_name if e.actor_id and e.actor else _("System"),
                     "what": e.get_kind_display(), "change": change, "why": e.reason})
    return rows


def sentences(ticket: Ticket, *, for_client: bool = True) -> list[tuple[str, str, str]]:
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
            text = _("paused while we wait for your answer") if for_client else \
                _("paused: waiting for the client's answer")
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


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _day_names() -> dict[str, str]:
    return {"mon": _("Mon"), "tue": _("Tue"), "wed": _("Wed"), "thu": _("Thu"), "fri": _("Fri"), "sat": _("Sat"),
            "sun": _("Sun")}


def calendar_hours(calendar, *, at: datetime | None = None) -> list[str]:
    """A business calendar's weekly hours in words, days with the same hours together:
    ["Mon–Fri 09:00–12:30, 14:00–18:00", "Sat 09:00–12:00"] (or "24/7")."""
    from sla.selectors import calendar_version_at

    version = calendar_version_at(calendar, at or timezone.now())
    if version is None:
        return []
    if version.always_open:
        return [_("24 hours a day, 7 days a week")]
    names = _day_names()
    hours = version.hours or {}

    def spans(day: str) -> str:
        return ", ".join(f"{a}–{b}" for a, b in hours.get(day) or [])

    lines, run = [], []
    for day in (*WEEKDAYS, None):
        if day is not None and run and spans(day) == spans(run[0]) and spans(day):
            run.append(day)
            continue
        if run and spans(run[0]):
            label = names[run[0]] if len(run) == 1 else f"{names[run[0]]}–{names[run[-1]]}"
            lines.append(f"{label} {spans(run[0])}")
        run = [day] if day is not None else []
    return lines

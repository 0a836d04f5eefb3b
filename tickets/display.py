"""How a ticket's SLA state is said to people: badges that name their metric and count
business time ("Response · 1 h 59 business", "Resolution · Mon 07/12 09:06"), plain
sentences for clients ("response due by Tue 14:00", "resolved within target"), and the
history in words (status labels and people's names, never codes or addresses)."""

from __future__ import annotations

import html
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.formatting import duration
from sla.models import Priority
from tickets.models import Ticket, TicketEventKind, TicketStatus


def stamp(moment: datetime | None, pattern: str = "%d/%m/%Y %H:%M") -> str:
    """An instant in the current zone, as the template filter `date:"d/m/Y H:i"` prints it
    (`pattern` in strftime's words: numbers only, nothing to translate), for the long
    lists of a page (conversation, history, timeline) without a filter call per cell."""
    if moment is None:
        return ""
    return format(timezone.localtime(moment), pattern)


# Below this much business time left, a badge counts it down; above, it gives the date.
COUNTDOWN_UNDER = timedelta(hours=24)


def _when(value: str | None) -> str:
    """An ISO instant as `date_format(…, "D d/m H:i")` in the current zone and language
    ("Mon 07/12 09:06"), without the template engine's format lookup (a badge shows it
    once or twice, a page of the queue 50 to 100 times)."""
    if not value:
        return ""
    moment = timezone.localtime(datetime.fromisoformat(value))
    return f"{WEEKDAYS_ABBR[moment.weekday()]} {moment:%d/%m %H:%M}"


class Clocks:
    """The business clocks of the tickets' policies, read once per page (share one
    instance between the lists of a page)."""

    def __init__(self):
        self._by_policy: dict = {}
        self._minutes: dict = {}
        self._texts: dict = {}

    def text(self, message) -> str:
        """A lazy translation of this module, translated once for the page."""
        found = self._texts.get(id(message))
        if found is None:
            found = self._texts[id(message)] = str(message)
        return found

    def business_minutes(self, ticket: Ticket, start: datetime, end: datetime) -> int | None:
        """Business minutes of the ticket's policy's calendar in [start, end), computed
        once per (policy, start, end) for the page (tickets sharing a deadline share it)."""
        from sla import config_cache
        from tickets.sla import _clock

        if ticket.sla_policy_id is None:
            return None
        key = (ticket.sla_policy_id, start, end)
        found = self._minutes.get(key)
        if found is not None:
            return found
        if ticket.sla_policy_id not in self._by_policy:
            self._by_policy[ticket.sla_policy_id] = _clock(ticket.sla_policy) if Ticket.sla_policy.is_cached(ticket) \
                else config_cache.policy_clock(ticket.tenant_id, ticket.sla_policy_id)
        found = self._minutes[key] = \
            int(self._by_policy[ticket.sla_policy_id].business_time(start, end).total_seconds() // 60)
        return found


def _due_metric(ticket: Ticket) -> tuple[str, dict] | None:
    """The running metric whose deadline is the ticket's nearest (the queue's sort key)."""
    state = ticket.sla_state or {}
    running = [(name, m) for name in ("response", "resolution") if (m := state.get(name))
               and m.get("state") == "running" and m.get("deadline")]
    if not running:
        return None
    return min(running, key=lambda item: item[1]["deadline"])


# The badges' words, translated once per page (Clocks.text) rather than once per row.
_WAITING_YOURS = gettext_lazy("Waiting for your answer")
_WAITING_CLIENT = gettext_lazy("Waiting for the client's answer")
_PAUSED = gettext_lazy("The SLA clock is paused.")
_OVERDUE = gettext_lazy("Overdue")
_NO_SLA = gettext_lazy("No SLA")
_RESPONSE = gettext_lazy("Response")
_RESOLUTION = gettext_lazy("Resolution")
_DUE_ON = gettext_lazy("Due on %(when)s")
_OVERDUE_BY = gettext_lazy("overdue by %(time)s business")
_OVERDUE_SINCE = gettext_lazy("overdue since %(when)s")
_LEFT = gettext_lazy("%(time)s business")


def badge(ticket: Ticket, *, for_client: bool = False, now: datetime | None = None, clocks: Clocks | None = None
          ) -> dict:
    """The SLA badge: which metric it counts and what is left in business time (or the
    deadline's date when more than a day is left), with its css class (ok, warn, bad,
    paused, done, none) and the exact deadline as its title."""
    if not ticket.is_open:
        return {"css": "done", "deadline": None, "label": ticket.get_status_display(), "title": ""}
    clocks = clocks or Clocks()
    text_of = clocks.text
    if ticket.sla_paused or ticket.status == TicketStatus.WAITING_ON_CLIENT:
        label = text_of(_WAITING_YOURS) if for_client else text_of(_WAITING_CLIENT)
        return {"css": "paused", "deadline": None, "label": label, "title": text_of(_PAUSED)}
    due = _due_metric(ticket)
    if due is None:
        return {"css": "bad" if ticket.sla_breached else "none", "deadline": None,
                "label": text_of(_OVERDUE) if ticket.sla_breached else text_of(_NO_SLA), "title": ""}
    name, metric = due
    metric_label = text_of(_RESPONSE) if name == "response" else text_of(_RESOLUTION)
    deadline = datetime.fromisoformat(metric["deadline"])
    now = now or timezone.now()
    when = _when(metric["deadline"])
    title = text_of(_DUE_ON) % {"when": when}
    if metric.get("breached") or deadline <= now:
        late = clocks.business_minutes(ticket, deadline, now) if deadline <= now else 0
        if late is not None and timedelta(minutes=late) < COUNTDOWN_UNDER:
            text = text_of(_OVERDUE_BY) % {"time": duration(late)}
        else:
            text = text_of(_OVERDUE_SINCE) % {"when": when}
        return {"css": "bad", "deadline": metric["deadline"], "label": f"{metric_label} · {text}", "title": title}
    left = clocks.business_minutes(ticket, now, deadline)
    css = "warn" if ticket.sla_warning else "ok"
    if left is not None and timedelta(minutes=left) < COUNTDOWN_UNDER:
        text = text_of(_LEFT) % {"time": duration(left)}
    else:
        text = when
    return {"css": css, "deadline": metric["deadline"], "label": f"{metric_label} · {text}", "title": title}


def badges(tickets, *, for_client: bool = False, clocks: Clocks | None = None) -> list[tuple[Ticket, dict]]:
    """(ticket, badge) rows of a list, sharing one clock per SLA policy (and `clocks`'
    with the page's other lists)."""
    clocks, now = clocks or Clocks(), timezone.now()
    return [(t, badge(t, for_client=for_client, now=now, clocks=clocks)) for t in tickets]


def queue_rows(tickets, *, clocks: Clocks | None = None) -> list[dict]:
    """The provider's queue rows, ready to print (templates/tickets/snippets/queue_table.html):
    plain values only, so that the template does no method call, include or reverse() per
    row. The links are built from one reverse() per page, the choice labels read once."""
    rows = queue_rows_of(badges(tickets, clocks=clocks))
    take = _("Take")
    for r in rows:  # the queue's table prints each row whole (the dashboard's list does not)
        r["html"] = queue_row_html(r, take=take)
    return rows


def queue_rows_of(pairs) -> list[dict]:
    """`queue_rows` of (ticket, badge) pairs already made (`badges`)."""
    from urllib.parse import quote

    from django.urls import reverse

    from sla.models import MaintenanceType

    marker = "__ref__"
    detail_head, detail_tail = reverse("ticket-detail", args=[marker]).split(marker)
    take_head, take_tail = reverse("ticket-take", args=[marker]).split(marker)
    types = {value: str(label) for value, label in MaintenanceType.choices}
    statuses = {value: str(label) for value, label in TicketStatus.choices}
    rows = []
    for t, b in pairs:
        ref = quote(t.reference, safe="")
        assignee = t.assignee
        rows.append({
            "reference": t.reference, "title": t.title, "breached": t.sla_breached,
            "url": f"{detail_head}{ref}{detail_tail}",
            "take_url": None if t.assignee_id else f"{take_head}{ref}{take_tail}",
            "type": types.get(t.maintenance_type, t.maintenance_type),
            "organization": str(t.organization), "priority": t.priority,
            "status": statuses.get(t.status, t.status),
            "assignee": assignee.display_name if assignee is not None else "",
            "badge_css": b["css"], "badge_title": b["title"], "badge_label": b["label"],
        })
    return rows


# One row of the queue's table, printed in Python rather than by the template's loop:
# the loop's ~20 variable lookups, filters and tags a row were a quarter of the queue
# page's time (6.3 ms of 28 for 50 rows). Every value is escaped (`_e`, as the template's
# autoescape: safe strings as they are, the rest through html.escape).
def autoescape(value) -> str:
    """`{{ value }}` of a value: escaped unless already safe (as the template's autoescape;
    shared with tickets.detail_rows)."""
    return str(value) if hasattr(value, "__html__") else html.escape(str(value))


_e = autoescape


def queue_row_html(r: dict, *, take: str) -> str:
    """The HTML of one queue row (see `queue_rows`)."""
    ref = _e(r["reference"])
    title = f' title="{_e(r["badge_title"])}"' if r["badge_title"] else ""
    button = (f'<button class="btn small" type="submit" formaction="{_e(r["take_url"])}">{_e(take)}</button>'
              if r["take_url"] else "")
    return mark_safe(  # noqa: S308 - every value above is escaped
        f'<tr class="{"row-bad" if r["breached"] else ""}">\n'
        f'<td><input type="checkbox" name="tickets" value="{ref}" aria-label="{ref}"></td>\n'
        f'<td><span class="sla sla-{_e(r["badge_css"])}"{title}>{_e(r["badge_label"])}</span></td>\n'
        f'<td><a class="mono" href="{_e(r["url"])}">{ref}</a><div>{_e(r["title"])}</div>'
        f'<div class="muted">{_e(r["type"])}</div></td>\n'
        f'<td>{_e(r["organization"])}</td><td><span class="prio {_e(r["priority"])}">{_e(r["priority"])}</span></td>\n'
        f'<td>{_e(r["status"])}</td><td>{_e(r["assignee"] or "—")}</td>\n<td>{button}</td>\n</tr>')


def history_rows(events, *, people=()) -> list[dict]:
    """The history in words: who (a name, or "System"), what, the change with status and
    priority labels and people's names (the rows keep e-mails), and why. `people`: users
    the page has read already (the team): only the other e-mails are looked up."""
    from portal.models import User

    events = list(events)
    emails = {v for e in events if e.kind == TicketEventKind.ASSIGNED for v in (e.from_value, e.to_value) if v}
    names = {u.email: u.display_name for u in people if u.email in emails}
    if emails - names.keys():
        names.update((u.email, u.display_name) for u in User.objects.filter(email__in=emails - names.keys()))

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
        rows.append({"at": e.at, "when": stamp(e.at), "who": e.actor.display_name if e.actor_id and e.actor else _("System"),
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

"""What each provider role's dashboard shows, read in a fixed number of queries
(whatever the number of tickets or contracts; tests/home/test_role_dashboards.py pins
them):

- technician: the next ticket to take (the head of the unassigned queue), mine in queue
  order (breached first, then the nearest SLA deadline — the urgency the SLA gives),
  and the interventions I logged today;
- account manager: drafts to send, contracts awaiting signature, notice deadlines and
  ends within 90 days, contracts by status (chart), monthly recurring revenue of the
  active contracts (the sum of their monthly fees, per currency);
- tenant admin: SLA compliance per month over 12 months for response and resolution
  (chart, the monthly report's definition for the whole tenant), the backlog at the
  end of each month (chart), breaches by client over the 12 months, satisfaction.

The caller (home.views) has checked the viewer belongs to `tenant`; each function asks
the policy for what it reads beyond the viewer's own tickets.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cached_property

from django.db.models import Count, Min, Q, Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from billing.selectors import month_range_utc, previous_month, tenant_zone
from contracts.models import ContractStatus
from contracts.selectors import contracts as contract_selectors
from home import charts
from portal import formatting
from tickets import display as ticket_display
from tickets import selectors as ticket_selectors
from tickets.models import Intervention, SlaEvent, Ticket, TicketEvent, TicketEventKind

MONTHS = 12
HORIZON_DAYS = 90


def _months_back(today: date, count: int) -> list[tuple[int, int]]:
    out = [(today.year, today.month)]
    while len(out) < count:
        out.append(previous_month(*out[-1]))
    return out[::-1]


def _month_label(year: int, month: int) -> str:
    return formats.date_format(date(year, month, 1), "M Y")


# =========================================================================== technician


# What the technician's lists read of a ticket (the page, its badges and the API's rows):
# the queue's other joins (contract, requester) and columns cost compilation and
# instances on every request.
_LIST_FIELDS = ("tenant_id", "reference", "title", "status", "priority", "maintenance_type", "organization",
                "assignee", "sla_policy_id", "sla_state", "sla_breached", "sla_paused", "sla_warning", "sla_due_at")


def _narrow(tickets):
    return tickets.select_related(None).select_related("organization", "assignee").only(*_LIST_FIELDS)


def technician(*, tenant, viewer, today: date, clocks=None) -> dict:
    """3 queries: the next ticket, mine, today's interventions (+ the policies' clocks,
    once per page when the page passes its `clocks`)."""
    clocks = clocks or ticket_display.Clocks()
    next_ticket = _narrow(ticket_selectors.ticket_list(tenant=tenant, viewer=viewer, open_only=True,
                                                       unassigned=True)).first()
    mine = ticket_display.badges(_narrow(ticket_selectors.ticket_list(tenant=tenant, viewer=viewer, open_only=True,
                                                                      mine=True))[:15], clocks=clocks)
    interventions = list(
        Intervention.objects.filter(tenant=tenant, technician_id=viewer.user_id, date=today)
        .select_related("ticket__organization").order_by("id"))
    return {"next_ticket": next_ticket, "next_badge": ticket_display.badge(next_ticket, clocks=clocks) if next_ticket else None,
            # the page prints `mine` from plain values (no include, url or method call per row)
            "mine": mine, "mine_rows": _LazyRows(mine), "today_interventions": interventions,
            "today_minutes": sum(i.minutes for i in interventions)}


class _LazyRows:
    """The plain-value rows (`tickets.display.queue_rows_of`) of (ticket, badge) pairs,
    made on the first look (the page's; the API reads the pairs)."""

    def __init__(self, pairs):
        self._pairs = pairs

    @cached_property
    def _rows(self) -> list[dict]:
        return ticket_display.queue_rows_of(self._pairs)

    def __iter__(self):
        return iter(self._rows)

    def __bool__(self) -> bool:
        return bool(self._pairs)


# =========================================================================== account manager


@dataclass
class Revenue:
    currency: str
    amount: Decimal
    contracts: int

    @property
    def shown(self) -> str:
        return formatting.money(self.amount, self.currency)


def account_manager(*, tenant, viewer, today: date) -> dict:
    """5 queries: drafts, sent, the contracts of the 90-day horizon, counts by status,
    recurring revenue."""
    contracts = contract_selectors.contract_list(tenant=tenant, viewer=viewer)
    drafts = list(contracts.filter(status=ContractStatus.DRAFT)[:10])
    awaiting = list(contracts.filter(status=ContractStatus.SENT).order_by("updated_at", "pk")[:10])
    horizon = []
    for contract, info in contract_selectors.contracts_with_notice_within(tenant=tenant, viewer=viewer, today=today,
                                                                         days=HORIZON_DAYS):
        deadline = info.get("next_notice_deadline")
        ends_on = info.get("ends_on") or contract.end_date
        if deadline is not None and (deadline - today).days <= HORIZON_DAYS:
            horizon.append({"contract": contract, "kind": "notice", "day": deadline, "days": (deadline - today).days})
        elif ends_on is not None:
            horizon.append({"contract": contract, "kind": "end", "day": ends_on, "days": (ends_on - today).days})
    horizon.sort(key=lambda row: row["day"])
    counts = dict(contracts.order_by().values_list("status").annotate(n=Count("id")))
    statuses = [(value, label, counts.get(value, 0)) for value, label in ContractStatus.choices]
    revenue = [Revenue(row["currency"], row["total"] or Decimal(0), row["n"]) for row in
               contracts.filter(status=ContractStatus.ACTIVE).order_by("currency").values("currency")
               .annotate(total=Sum("monthly_fee"), n=Count("id"))]
    chart = charts.by_status(
        labels=[str(label) for _v, label, _n in statuses], values=[n for _v, _l, n in statuses],
        title=_("Contracts by status"),
        alt=_("Contracts by status: %(list)s.") % {"list": ", ".join(f"{label} {n}" for _v, label, n in statuses)})
    return {"drafts": drafts, "awaiting_signature": awaiting, "horizon": horizon, "horizon_days": HORIZON_DAYS,
            "statuses": statuses, "status_chart": chart, "revenue": revenue,
            "draft_count": counts.get(ContractStatus.DRAFT, 0), "sent_count": counts.get(ContractStatus.SENT, 0)}


# =========================================================================== tenant admin


@dataclass
class MonthRow:
    year: int
    month: int
    label: str
    response_total: int = 0
    response_met: int = 0
    resolution_total: int = 0
    resolution_met: int = 0
    backlog: int = 0

    @staticmethod
    def _percent(met: int, total: int) -> float | None:
        return round(100 * met / total, 1) if total else None

    @property
    def response_percent(self) -> float | None:
        return self._percent(self.response_met, self.response_total)

    @property
    def resolution_percent(self) -> float | None:
        return self._percent(self.resolution_met, self.resolution_total)


@dataclass
class ClientBreaches:
    reference: str
    name: str
    response: int = 0
    resolution: int = 0

    @property
    def total(self) -> int:
        return self.response + self.resolution


@dataclass
class AdminFigures:
    months: list[MonthRow] = field(default_factory=list)
    breaches_by_client: list[ClientBreaches] = field(default_factory=list)


def tenant_admin(*, tenant, viewer, now: datetime) -> dict:
    """5 queries: the zone, first responses and resolutions, breaches, the backlog at each
    month's end, the clients' satisfaction.

    Compliance of a metric in a month (as the monthly report defines it, for every
    contract): among the tickets first taken in charge (response) or first resolved
    (resolution) in the month, or whose deadline was breached in the month, the share
    with no breach of that metric. A month with none has no figure (not 100 %)."""
    zone = tenant_zone(tenant)
    local_today = timezone.localtime(now, zone).date()
    months = _months_back(local_today, MONTHS)
    bounds = {ym: month_range_utc(zone, *ym) for ym in months}
    window_start = bounds[months[0]][0]
    rows = {ym: MonthRow(*ym, label=_month_label(*ym)) for ym in months}

    def month_of(moment: datetime) -> tuple[int, int]:
        local = timezone.localtime(moment, zone)
        return local.year, local.month

    firsts = (TicketEvent.objects.filter(tenant=tenant)
              .filter(Q(kind=TicketEventKind.RESPONDED) | Q(kind=TicketEventKind.STATUS, to_value="resolved"))
              .values("ticket_id", "kind").annotate(first=Min("at")).filter(first__gte=window_start))
    breach_rows = list(SlaEvent.objects.filter(tenant=tenant, kind="breach", at__gte=window_start - timedelta(days=92))
                       .values_list("ticket_id", "metric", "at", "ticket__organization__reference",
                                    "ticket__organization__legal_name"))
    breached = {(ticket_id, metric) for ticket_id, metric, *_rest in breach_rows}
    populations: dict[tuple[str, tuple[int, int]], set[int]] = defaultdict(set)
    for row in firsts:
        metric = "response" if row["kind"] == TicketEventKind.RESPONDED else "resolution"
        populations[(metric, month_of(row["first"]))].add(row["ticket_id"])
    by_client: dict[str, ClientBreaches] = {}
    for ticket_id, metric, at, reference, name in breach_rows:
        if at < window_start:
            continue
        populations[(metric, month_of(at))].add(ticket_id)
        client = by_client.setdefault(reference, ClientBreaches(reference=reference, name=name))
        setattr(client, metric, getattr(client, metric) + 1)
    for (metric, ym), ids in populations.items():
        row = rows.get(ym)
        if row is None:
            continue
        setattr(row, f"{metric}_total", len(ids))
        setattr(row, f"{metric}_met", sum(1 for ticket_id in ids if (ticket_id, metric) not in breached))

    # The backlog at the end of each month (now for the current one), in one query:
    # opened before that instant and neither resolved nor closed by then.
    ends = {ym: min(bounds[ym][1], now) for ym in months}
    backlog = Ticket.objects.filter(tenant=tenant).aggregate(**{
        f"m{y}_{m}": Count("id", filter=Q(created_at__lt=end)
                           & (Q(resolved_at__isnull=True) | Q(resolved_at__gte=end))
                           & (Q(closed_at__isnull=True) | Q(closed_at__gte=end)))
        for (y, m), end in ends.items()})
    for (y, m), row in rows.items():
        row.backlog = backlog[f"m{y}_{m}"] or 0

    figures = AdminFigures(months=[rows[ym] for ym in months],
                           breaches_by_client=sorted(by_client.values(), key=lambda c: (-c.total, c.name))[:10])
    # The charts name the months short (12 consecutive months: no name repeats); the table
    # under them gives the year.
    labels = [formats.date_format(date(row.year, row.month, 1), "M") for row in figures.months]
    compliance = charts.compliance(
        months=labels, response=[r.response_percent for r in figures.months],
        resolution=[r.resolution_percent for r in figures.months], title=_("SLA compliance per month"),
        response_label=_("Response"), resolution_label=_("Resolution"),
        alt=_("SLA compliance per month over the last 12 months, for response and resolution; "
              "the figures are in the table below."))
    backlog_chart = charts.backlog(
        months=labels, values=[r.backlog for r in figures.months], title=_("Open tickets at the end of each month"),
        label=_("Open tickets"),
        alt=_("Open tickets at the end of each month over the last 12 months; the figures are in the table below."))
    return {"figures": figures, "compliance_chart": compliance, "backlog_chart": backlog_chart,
            "satisfaction": satisfaction(tenant=tenant, since=window_start)}


# =========================================================================== satisfaction


def satisfaction(*, tenant, since: datetime) -> dict | None:
    """The clients' ratings of closed tickets since `since`: {"good", "bad", "percent",
    "recent"} (the five latest ratings with a comment), or None when nobody rated
    (templates/home/snippets/satisfaction.html). Two queries."""
    from tickets.models import TicketRating
    from tickets.selectors import satisfaction_summary

    summary = satisfaction_summary(tenant, since=since)
    if not summary["total"]:
        return None
    recent = list(TicketRating.objects.filter(tenant=tenant, rated_at__gte=since).exclude(comment="")
                  .select_related("ticket", "organization").order_by("-rated_at", "-id")[:5])
    return {"good": summary["good"], "bad": summary["bad"], "percent": summary["percent_good"], "recent": recent}

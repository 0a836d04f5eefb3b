"""What the monthly client report of a contract says, read in a constant number of
queries (whatever the number of tickets, interventions or months), as plain values.

`monthly_report_data` is the selector; `billing.documents` renders its result. The
month is a calendar month in the tenant's billing time zone, like the invoices.

Definitions (the report prints them in words):
- SLA compliance of a metric in a month: among the tickets whose response (first
  taken in charge) or resolution (first resolved) happened in the month, or whose
  deadline for that metric was breached in the month, the share with no breach of
  that metric. A month with none of them has no figure (not 100 %).
- How late a breach is: from the deadline (the breach instant recorded by the SLA
  scan) to the response or resolution, or to the end of the month when it is still
  pending then; in elapsed time, as the client lived it.
- Time spent: the interventions dated in the month, as logged (not rounded).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Min, Q, Sum
from django.utils import timezone

from billing.plans import month_bounds
from billing.selectors import month_range_utc, previous_month, tenant_zone

PRIORITIES = ("P1", "P2", "P3", "P4")
MODES = ("remote", "on_site")
HISTORY_MONTHS = 12


@dataclass(frozen=True)
class BreachRow:
    ticket: str
    title: str
    priority: str
    maintenance_type: str
    metric: str  # response | resolution
    deadline: datetime
    done_at: datetime | None  # None: still pending at the end of the month
    late: timedelta


@dataclass(frozen=True)
class InterventionRow:
    day: date
    ticket: str
    title: str
    mode: str
    minutes: int
    billable: bool
    technician: str


@dataclass(frozen=True)
class MovementRow:
    day: date
    kind: str
    minutes: int
    block: str
    ticket: str
    reason: str


@dataclass(frozen=True)
class PreventiveRow:
    plan: str
    due: date
    ticket: str
    done: bool


@dataclass(frozen=True)
class CreditRow:
    ticket: str
    priority: str
    metric: str
    percent: Decimal


@dataclass
class MonthCompliance:
    year: int
    month: int
    response_total: int = 0
    response_met: int = 0
    resolution_total: int = 0
    resolution_met: int = 0

    @staticmethod
    def _percent(met: int, total: int) -> Decimal | None:
        if not total:
            return None
        return (Decimal(met) * 100 / total).quantize(Decimal("0.1"))

    @property
    def response_percent(self) -> Decimal | None:
        return self._percent(self.response_met, self.response_total)

    @property
    def resolution_percent(self) -> Decimal | None:
        return self._percent(self.resolution_met, self.resolution_total)


@dataclass
class ReportData:
    """Everything the monthly report shows (no query from the template)."""

    tenant_id: int
    contract_reference: str
    contract_title: str
    client_name: str
    provider_name: str
    language: str
    billing_model: str
    year: int
    month: int
    period: tuple[date, date]
    currency: str = "EUR"
    # Tickets: {maintenance type: n}, {priority: n}, {(type, priority): n}
    opened_by_type: dict[str, int] = field(default_factory=dict)
    resolved_by_type: dict[str, int] = field(default_factory=dict)
    opened_by_priority: dict[str, int] = field(default_factory=dict)
    resolved_by_priority: dict[str, int] = field(default_factory=dict)
    open_at_end: int = 0
    # SLA
    history: list[MonthCompliance] = field(default_factory=list)  # oldest first, the month last
    breaches: list[BreachRow] = field(default_factory=list)
    # Interventions
    interventions: list[InterventionRow] = field(default_factory=list)
    # Hour bank (None: the contract has no block)
    bank_opening: int | None = None
    bank_closing: int | None = None
    bank_movements: list[MovementRow] = field(default_factory=list)
    # Preventive maintenance
    preventive: list[PreventiveRow] = field(default_factory=list)
    # Service credits (from the month's invoice; None: not invoiced yet)
    invoice_number: str | None = None
    invoiced: bool = False
    credit_amount: Decimal = Decimal("0.00")
    credit_cap_percent: Decimal | None = None
    credits: list[CreditRow] = field(default_factory=list)

    @property
    def current(self) -> MonthCompliance:
        return self.history[-1]

    @property
    def opened(self) -> int:
        return sum(self.opened_by_type.values())

    @property
    def resolved(self) -> int:
        return sum(self.resolved_by_type.values())

    @property
    def minutes(self) -> int:
        return sum(i.minutes for i in self.interventions)

    def minutes_by_mode(self) -> dict[str, int]:
        out = dict.fromkeys(MODES, 0)
        for row in self.interventions:
            out[row.mode] = out.get(row.mode, 0) + row.minutes
        return out

    @property
    def billable_minutes(self) -> int:
        return sum(i.minutes for i in self.interventions if i.billable)

    @property
    def preventive_done(self) -> int:
        return sum(1 for p in self.preventive if p.done)

    @property
    def credit_percent(self) -> Decimal:
        return sum((c.percent for c in self.credits), Decimal("0"))


def _months_back(year: int, month: int, count: int) -> list[tuple[int, int]]:
    out = [(year, month)]
    while len(out) < count:
        out.append(previous_month(*out[-1]))
    return out[::-1]


def monthly_report_data(*, contract, year: int, month: int, now: datetime | None = None) -> ReportData:
    """The report's facts for (contract, month). Internal: the caller has checked
    access (`billing.documents`). `contract` comes with its client and provider
    (select_related) or they cost a query each. Ten queries, whatever the volume."""
    from billing.models import HourBankMovement, Invoice
    from tickets.models import Intervention, PlanOccurrence, SlaEvent, Ticket, TicketEvent, TicketEventKind

    tenant_id = contract.tenant_id
    zone = tenant_zone(contract.tenant)  # 1 query (billing settings); the tenant is loaded with the contract
    first, last = month_bounds(year, month)
    start, end = month_range_utc(zone, year, month)
    months = _months_back(year, month, HISTORY_MONTHS)
    window_start = month_range_utc(zone, *months[0])[0]
    cutoff = min(end, now or timezone.now())
    snapshot_language = contract.language or "fr"
    data = ReportData(
        tenant_id=tenant_id, contract_reference=contract.reference, contract_title=contract.title,
        client_name=contract.client.legal_name, provider_name=contract.provider.legal_name,
        language=snapshot_language, billing_model=contract.billing_model, year=year, month=month,
        period=(first, last), currency=contract.currency or "EUR")

    def month_of(moment: datetime) -> tuple[int, int]:
        local = timezone.localtime(moment, zone)
        return local.year, local.month

    # 1. Tickets opened in the month, by type and priority; open at the end of it.
    tickets = Ticket.objects.filter(tenant_id=tenant_id, contract=contract)
    opened = Counter()
    for mtype, priority in tickets.filter(created_at__gte=start, created_at__lt=end).values_list(
            "maintenance_type", "priority"):
        opened[(mtype, priority)] += 1
    # 2. First response and first resolution of every ticket touched in the window.
    firsts = (TicketEvent.objects.filter(tenant_id=tenant_id, ticket__contract=contract)
              .filter(Q(kind=TicketEventKind.RESPONDED) | Q(kind=TicketEventKind.STATUS, to_value="resolved"))
              .values("ticket_id", "kind", "ticket__maintenance_type", "ticket__priority")
              .annotate(first=Min("at")).filter(first__gte=window_start - timedelta(days=92)))
    responded: dict[int, datetime] = {}
    resolved: dict[int, datetime] = {}
    ticket_info: dict[int, tuple[str, str]] = {}
    for row in firsts:
        target = responded if row["kind"] == TicketEventKind.RESPONDED else resolved
        target[row["ticket_id"]] = row["first"]
        ticket_info[row["ticket_id"]] = (row["ticket__maintenance_type"], row["ticket__priority"])
    resolved_counts = Counter()
    for ticket_id, at in resolved.items():
        if start <= at < end:
            resolved_counts[ticket_info[ticket_id]] += 1
    # 3. Breaches recorded in the window (and a quarter before, for tickets done in it).
    breach_rows = list(SlaEvent.objects.filter(tenant_id=tenant_id, ticket__contract=contract, kind="breach",
                                               at__gte=window_start - timedelta(days=92), at__lt=end)
                       .values("ticket_id", "metric", "at", "ticket__reference", "ticket__title",
                               "ticket__priority", "ticket__maintenance_type").order_by("at", "id"))
    breached = {(b["ticket_id"], b["metric"]) for b in breach_rows}
    # 4. Tickets still open at the end of the month: opened before its end, not resolved by then.
    data.open_at_end = (tickets.filter(created_at__lt=end)
                        .exclude(pk__in=TicketEvent.objects.filter(
                            tenant_id=tenant_id, ticket__contract=contract, kind=TicketEventKind.STATUS,
                            to_value="resolved", at__lt=end).values("ticket_id"))
                        .count())

    for mtype, _priority in (*opened, *resolved_counts):
        data.opened_by_type.setdefault(mtype, 0)
        data.resolved_by_type.setdefault(mtype, 0)
    for (mtype, priority), n in opened.items():
        data.opened_by_type[mtype] += n
        data.opened_by_priority[priority] = data.opened_by_priority.get(priority, 0) + n
    for (mtype, priority), n in resolved_counts.items():
        data.resolved_by_type[mtype] += n
        data.resolved_by_priority[priority] = data.resolved_by_priority.get(priority, 0) + n

    # SLA compliance per month of the window.
    history = {ym: MonthCompliance(*ym) for ym in months}
    populations: dict[tuple[str, tuple[int, int]], set[int]] = defaultdict(set)
    for metric, done in (("response", responded), ("resolution", resolved)):
        for ticket_id, at in done.items():
            if at >= window_start:
                populations[(metric, month_of(at))].add(ticket_id)
    for b in breach_rows:
        if b["at"] >= window_start:
            populations[(b["metric"], month_of(b["at"]))].add(b["ticket_id"])
    for (metric, ym), ids in populations.items():
        row = history.get(ym)
        if row is None:
            continue
        met = sum(1 for ticket_id in ids if (ticket_id, metric) not in breached)
        setattr(row, f"{metric}_total", len(ids))
        setattr(row, f"{metric}_met", met)
    data.history = [history[ym] for ym in months]

    for b in breach_rows:
        if not (start <= b["at"] < end):
            continue
        if b["metric"] == "response":  # a ticket resolved without a reply was taken in charge then
            done = responded.get(b["ticket_id"]) or resolved.get(b["ticket_id"])
        else:
            done = resolved.get(b["ticket_id"])
        if done is not None and done < b["at"]:
            done = None  # an earlier resolution, reopened since: the breach is of the new deadline
        finish = done if done is not None and done < end else None
        late = (finish or max(cutoff, b["at"])) - b["at"]
        data.breaches.append(BreachRow(
            ticket=b["ticket__reference"], title=b["ticket__title"], priority=b["ticket__priority"],
            maintenance_type=b["ticket__maintenance_type"], metric=b["metric"], deadline=b["at"], done_at=finish,
            late=late))

    # 5. Interventions dated in the month.
    for iv in (Intervention.objects.filter(tenant_id=tenant_id, ticket__contract=contract, date__gte=first,
                                           date__lte=last)
               .values("date", "minutes", "mode", "billable", "ticket__reference", "ticket__title",
                       "technician__full_name", "technician__email").order_by("date", "id")):
        data.interventions.append(InterventionRow(
            day=iv["date"], ticket=iv["ticket__reference"], title=iv["ticket__title"], mode=iv["mode"],
            minutes=iv["minutes"], billable=iv["billable"],
            technician=iv["technician__full_name"] or iv["technician__email"]))

    # 6–7. Hour bank: the balance before the month, and the month's movements.
    movements = HourBankMovement.objects.filter(tenant_id=tenant_id, contract=contract)
    before = movements.filter(day__lt=first).aggregate(total=Sum("minutes"))  # None: no movement yet
    rows = list(movements.filter(day__gte=first, day__lte=last)
                .values("day", "kind", "minutes", "block__reference", "ticket__reference", "reason")
                .order_by("day", "id"))
    if before["total"] is not None or rows:
        data.bank_opening = before["total"] or 0
        data.bank_movements = [MovementRow(day=m["day"], kind=m["kind"], minutes=m["minutes"],
                                           block=m["block__reference"], ticket=m["ticket__reference"] or "",
                                           reason=m["reason"]) for m in rows]
        data.bank_closing = data.bank_opening + sum(m.minutes for m in data.bank_movements)

    # 8. Preventive operations planned in the month and whether they were done.
    for occ in (PlanOccurrence.objects.filter(tenant_id=tenant_id, plan__contract=contract, due_date__gte=first,
                                              due_date__lte=last)
                .values("plan__title", "due_date", "ticket__reference", "ticket__status")
                .order_by("due_date", "id")):
        data.preventive.append(PreventiveRow(plan=occ["plan__title"], due=occ["due_date"],
                                             ticket=occ["ticket__reference"] or "",
                                             done=occ["ticket__status"] in ("resolved", "closed")))

    # 9–10. Service credits, as invoiced for the month.
    invoice = (Invoice.objects.filter(tenant_id=tenant_id, contract=contract, year=year, month=month)
               .prefetch_related("lines").first())
    if invoice is not None:
        data.invoiced = True
        data.invoice_number = invoice.number
        data.currency = invoice.currency
        for line in invoice.lines.all():
            if line.kind != "credit":
                continue
            data.credit_amount += -line.amount
            data.credit_cap_percent = Decimal(str(line.detail.get("cap_percent", "0")))
            for b in line.detail.get("breaches", []):
                data.credits.append(CreditRow(ticket=b["ticket"], priority=b["priority"], metric=b["metric"],
                                              percent=Decimal(str(b.get("percent", "0")))))
    return data

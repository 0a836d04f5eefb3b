"""Six months of demo history, made through the real services with the clock moved to
each moment (time-machine), so that the SLA events, the tickets' history, the audit
log, the hour-bank ledger and the invoices are the ones the portal itself records.

Two halves:
- `plan_tickets` is pure: from a tenant's contracts, "now" and a seeded
  `random.Random`, it lays out every ticket's life (opening, assignment, take, replies,
  notes, priority change, waits on the client and answers, interventions, resolution,
  acceptance or reopening). Same inputs, same plans (tested).
- `run_tickets` and `run_billing` replay those plans through `tickets.services` and
  `billing.services`, in time order, each ticket in one transaction.

The clock: every service that takes `now=`/`today=` gets it; time-machine (a dev
dependency, installed by `make install`) also moves `timezone.now()` for the rows whose
timestamp is not passed in (audit events, messages' `created_at`). Without it the
history is the same, only those timestamps are the seeding moment."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction

from demo.scenarios import (
    CLIENT_FOLLOW_UPS,
    EN,
    FR,
    PREVENTIVE_DONE,
    PREVENTIVE_WORK,
    PRIORITY_REASONS,
    TECH_FOLLOW_UPS,
    THANKS,
    Scenario,
)

PARIS = ZoneInfo("Europe/Paris")
MONTHS = 6  # months of history
# The ticket's fate (its state today), for tickets opened in the last RECENT_DAYS days;
# older tickets have lived their whole life (closed, a few still resolved or waiting).
RECENT_DAYS = 12
RECENT_FATES = [("new", 3), ("assigned", 2), ("in_progress", 4), ("waiting", 3), ("reopened", 2),
                ("resolved", 3), ("closed", 3)]
OLD_FATES = [("closed", 90), ("reopened_closed", 7), ("waiting", 1), ("resolved", 2)]


# ============================================================================ the clock


class Clock:
    """Moves the process clock (time-machine) to each moment of the history."""

    def __init__(self) -> None:
        self._traveller = None

    def at(self, moment: datetime) -> None:
        if self._traveller is not None:
            self._traveller.move_to(moment)

    @contextmanager
    def running(self, start: datetime) -> Iterator[Clock]:
        try:
            import time_machine
        except ImportError:  # a production image without the dev dependencies
            yield self
            return
        with time_machine.travel(start, tick=False) as traveller:
            self._traveller = traveller
            try:
                yield self
            finally:
                self._traveller = None


# ============================================================================ the plans


@dataclass(frozen=True)
class ContractInfo:
    reference: str
    client_key: str
    language: str  # the language its client's people write in
    start: date
    until: date  # last day a ticket may be opened on it
    weight: int  # share of the tenant's tickets


@dataclass(frozen=True)
class Step:
    at: datetime
    action: str  # assign take reply note priority follow wait answer work resolve close reopen
    text: str = ""
    minutes: int = 0
    mode: str = ""
    billable: bool = True


@dataclass(frozen=True)
class TicketPlan:
    contract: str
    opened: datetime
    requester: str  # "referent" or "user"
    language: str
    scenario: int  # index in FR or EN
    fate: str
    steps: tuple[Step, ...] = field(default_factory=tuple)

    @property
    def scenario_data(self) -> Scenario:
        return (EN if self.language == "en" else FR)[self.scenario]


def _weighted(rng: random.Random, choices: list[tuple[str, int]]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def _opening(rng: random.Random, day: date) -> datetime:
    """An opening moment on `day`: office hours mostly, some evenings and weekends."""
    if day.weekday() < 5 and rng.random() < 0.85:
        minute = rng.randint(8 * 60 + 30, 17 * 60 + 45)
    else:
        minute = rng.randint(7 * 60, 22 * 60)
    return datetime.combine(day, time(minute // 60, minute % 60, rng.randint(0, 59)), PARIS).astimezone(UTC)


def _life(rng: random.Random, opened: datetime, scenario: Scenario, language: str, fate: str,
          preventive: bool) -> list[Step]:
    """Every step of a ticket's life, from its opening; `fate` decides where it stops."""
    steps: list[Step] = []
    t = opened

    def add(delta_minutes: float, action: str, **values) -> None:
        nonlocal t
        t = t + timedelta(minutes=max(1, delta_minutes))
        steps.append(Step(at=t, action=action, **values))

    late_response = rng.random() < 0.1
    late_resolution = rng.random() < 0.12
    urgent = scenario.impact == "high" or scenario.urgency == "high"
    if fate == "assigned" or rng.random() < 0.3:
        add(rng.randint(2, 20), "assign")
    if fate in ("new", "assigned"):
        return steps
    add(rng.randint(240, 1800) if late_response else rng.randint(5, 40 if urgent else 80), "take")
    if preventive:
        add(rng.randint(60, 3 * 24 * 60), "work", text=PREVENTIVE_WORK[language], minutes=rng.choice([60, 90, 120]),
            mode="on_site", billable=False)
        add(rng.randint(5, 30), "resolve", text=PREVENTIVE_DONE[language])
        if fate == "closed":
            add(rng.randint(60, 2 * 24 * 60), "close")
        return steps
    add(rng.randint(1, 10), "reply", text=scenario.diagnosis)
    if rng.random() < 0.35:
        add(rng.randint(5, 40), "note", text=scenario.note)
    if rng.random() < 0.06:
        add(rng.randint(5, 30), "priority", text=PRIORITY_REASONS[language])
    if rng.random() < 0.2:
        add(rng.randint(20, 120), "follow", text=rng.choice(CLIENT_FOLLOW_UPS[language]))
    if fate == "waiting" or rng.random() < 0.35:
        add(rng.randint(20, 300), "wait", text=scenario.question)
        if fate == "waiting":
            return steps
        add(rng.randint(60, 3 * 24 * 60), "answer", text=scenario.answer)
    if fate == "in_progress":
        return steps
    if rng.random() < 0.2:
        add(rng.randint(30, 120 if urgent else 600), "reply", text=rng.choice(TECH_FOLLOW_UPS[language]))
    on_site_likely = scenario.maintenance_type == "curative" or scenario.impact == "high"
    for _ in range(rng.choice([1, 1, 1, 2])):
        add(rng.randint(6 * 60, 4 * 24 * 60) if late_resolution else rng.randint(15, 90 if urgent else 8 * 60),
            "work",
            text=scenario.work, minutes=rng.choice([15, 30, 30, 45, 45, 60, 60, 90, 120, 180, 240]),
            mode="on_site" if rng.random() < (0.5 if on_site_likely else 0.15) else "remote",
            billable=rng.random() < 0.88)
    add(rng.randint(5, 60), "resolve", text=scenario.resolution)
    if fate == "resolved":
        return steps
    if fate in ("reopened", "reopened_closed"):
        add(rng.randint(60, 2 * 24 * 60), "reopen", text=scenario.reopen)
        if fate == "reopened":
            return steps
        add(rng.randint(30, 24 * 60), "reply", text=rng.choice(TECH_FOLLOW_UPS[language]))
        add(rng.randint(60, 2 * 24 * 60), "work", text=scenario.work, minutes=rng.choice([30, 45, 60, 90]),
            mode="remote", billable=rng.random() < 0.5)
        add(rng.randint(5, 60), "resolve", text=scenario.resolution)
    if rng.random() < 0.8:
        add(rng.randint(30, 3 * 24 * 60), "close", text=THANKS[language])
    return steps  # else closed automatically after the tenant's delay (tickets_autoclose)


def _fit(steps: list[Step], opened: datetime, now: datetime) -> list[Step]:
    """Squeeze a recent ticket's steps between its opening and now, keeping their order."""
    if not steps or steps[-1].at <= now - timedelta(minutes=2):
        return steps
    span = (steps[-1].at - opened).total_seconds()
    room = max(60.0, (now - opened).total_seconds() - 120)
    factor = room / span
    return [Step(at=opened + timedelta(seconds=(s.at - opened).total_seconds() * factor), action=s.action,
                 text=s.text, minutes=s.minutes, mode=s.mode, billable=s.billable) for s in steps]


def plan_tickets(*, seed: str, contracts: list[ContractInfo], now: datetime, count: int) -> list[TicketPlan]:
    """The tenant's tickets over the last MONTHS months, in opening order. Pure and
    deterministic: the same seed, contracts and `now` give the same plans."""
    rng = random.Random(seed)
    window_start = (now - timedelta(days=MONTHS * 31)).date()
    today = now.astimezone(PARIS).date()
    plans = []
    weights = [c.weight for c in contracts]
    for _ in range(count):
        contract = rng.choices(contracts, weights=weights)[0]
        first = max(window_start, contract.start)
        last = min(today, contract.until)
        if last < first:
            continue
        # More tickets recently (the queue has something in it), the rest spread out.
        if rng.random() < 0.12 and today - timedelta(days=RECENT_DAYS) <= last:
            first = max(first, today - timedelta(days=RECENT_DAYS))
        day = first + timedelta(days=rng.randint(0, (last - first).days))
        opened = _opening(rng, day)
        if opened >= now - timedelta(minutes=30):
            opened = now - timedelta(minutes=rng.randint(30, 600))
        language = contract.language
        catalogue = EN if language == "en" else FR
        index = rng.randrange(len(catalogue))
        recent = (now - opened) < timedelta(days=RECENT_DAYS)
        fate = _weighted(rng, RECENT_FATES if recent else OLD_FATES)
        if fate in ("new", "assigned") and contract.until < today:
            fate = "closed"
        elif fate in ("new", "assigned"):  # the queue's untouched tickets came in today
            opened = now - timedelta(minutes=rng.randint(15, 240))
            recent = True
        if fate == "waiting" and not recent and (now - opened) > timedelta(days=40):
            fate = "closed"  # nobody waits on a client for months
        steps = _life(rng, opened, catalogue[index], language, fate, preventive=False)
        steps = _fit(steps, opened, now) if recent else [s for s in steps if s.at <= now]
        plans.append(TicketPlan(contract=contract.reference, opened=opened,
                                requester="referent" if rng.random() < 0.4 else "user", language=language,
                                scenario=index, fate=fate, steps=tuple(steps)))
    plans.sort(key=lambda p: p.opened)
    return plans


def preventive_life(*, seed: str, opened: datetime, due: date, now: datetime, language: str) -> list[Step]:
    """A preventive ticket's life: taken, the visit on its due day, resolved, closed."""
    rng = random.Random(f"{seed}:{due.isoformat()}")
    visit = datetime.combine(due, time(9, 30), PARIS).astimezone(UTC)
    steps = [Step(at=opened + timedelta(minutes=rng.randint(60, 240)), action="take")]
    steps.append(Step(at=max(visit, steps[-1].at + timedelta(minutes=5)), action="work",
                      text=PREVENTIVE_WORK[language], minutes=rng.choice([60, 90, 120]), mode="on_site",
                      billable=False))
    steps.append(Step(at=steps[-1].at + timedelta(minutes=rng.randint(60, 180)), action="resolve",
                      text=PREVENTIVE_DONE[language]))
    steps.append(Step(at=steps[-1].at + timedelta(hours=rng.randint(2, 48)), action="close",
                      text=THANKS[language]))
    return [s for s in steps if s.at <= now]


# ============================================================================ replaying them


@dataclass
class People:
    admin: object
    manager: object
    tech: object
    clients: dict  # (client key, "referent" | "user") → User


def _raise(priority: str) -> str:
    return {"P4": "P3", "P3": "P2", "P2": "P1"}.get(priority, priority)


def play(ticket, steps, *, people: People, requester, clock: Clock) -> None:
    """Replay `steps` on `ticket` through the ticket services, each at its moment."""
    from tickets import services as ts

    for step in steps:
        clock.at(step.at)
        now = step.at
        if step.action == "assign":
            ticket = ts.ticket_assign(ticket=ticket, actor=people.manager, assignee=people.tech, now=now)
        elif step.action == "take":
            ticket = ts.ticket_take(ticket=ticket, actor=people.tech, now=now)
        elif step.action == "reply":
            ts.ticket_reply(ticket=ticket, actor=people.tech, body=step.text, now=now)
        elif step.action == "note":
            ts.ticket_reply(ticket=ticket, actor=people.tech, body=step.text, internal=True, now=now)
        elif step.action == "follow" or step.action == "answer":
            ts.ticket_reply(ticket=ticket, actor=requester, body=step.text, now=now)
        elif step.action == "priority":
            ticket = ts.ticket_set_priority(ticket=ticket, actor=people.tech, priority=_raise(ticket.priority),
                                            reason=step.text, now=now)
        elif step.action == "wait":
            ticket = ts.ticket_change_status(ticket=ticket, actor=people.tech, status="waiting_on_client",
                                             reason=step.text[:300], now=now)
            ts.ticket_reply(ticket=ticket, actor=people.tech, body=step.text, now=now + timedelta(seconds=1))
        elif step.action == "work":
            ts.intervention_log(ticket=ticket, actor=people.tech, date=now.astimezone(PARIS).date(),
                                minutes=step.minutes, mode=step.mode, description=step.text, billable=step.billable)
        elif step.action == "resolve":
            ticket = ts.ticket_change_status(ticket=ticket, actor=people.tech, status="resolved",
                                             reason=step.text[:300], now=now)
        elif step.action == "close":
            ticket = ts.ticket_change_status(ticket=ticket, actor=requester, status="closed", now=now)
        elif step.action == "reopen":
            ticket = ts.ticket_change_status(ticket=ticket, actor=requester, status="in_progress",
                                             reason=step.text[:300], now=now)
        else:  # pragma: no cover — a typo in a plan
            raise ValueError(step.action)
    return ticket


def run_tickets(*, tenant, plans: list[TicketPlan], contracts: dict, people: People, now: datetime,
                clock: Clock, preventive_runs: list[date], preventive_seed: str,
                progress: Callable[[int], None] | None = None) -> int:
    """Open and live every planned ticket in time order, each in one transaction; the
    preventive plans run on their days in between. Returns the tickets opened."""
    from tickets import services as ts
    from tickets.models import PlanOccurrence
    from tickets.plans import plans_run

    opened = 0
    runs = sorted(preventive_runs)
    queue = list(plans)
    while queue or runs:
        run_at = datetime.combine(runs[0], time(3, 0), UTC) if runs else None
        if run_at is not None and (not queue or run_at <= queue[0].opened):
            runs.pop(0)
            clock.at(run_at)
            before = set(PlanOccurrence.objects.filter(tenant=tenant).values_list("pk", flat=True))
            plans_run(tenant=tenant, today=run_at.date())
            for occurrence in (PlanOccurrence.objects.filter(tenant=tenant).exclude(pk__in=before)
                               .select_related("ticket", "plan__contract").order_by("due_date", "pk")):
                if occurrence.ticket is None:
                    continue
                info, _contract = contracts[occurrence.plan.contract.reference]
                steps = preventive_life(seed=preventive_seed, opened=run_at, due=occurrence.due_date, now=now,
                                        language=info.language)
                with transaction.atomic():
                    play(occurrence.ticket, steps, people=people, requester=occurrence.ticket.requester
                         or people.clients[(info.client_key, "referent")],
                         clock=clock)
                opened += 1
            continue
        plan = queue.pop(0)
        info, contract = contracts[plan.contract]
        scenario = plan.scenario_data
        requester = people.clients[(info.client_key, plan.requester)]
        clock.at(plan.opened)
        with transaction.atomic():
            ticket = ts.ticket_create(tenant=tenant, actor=requester, contract=contract,
                                      title=scenario.title, description=scenario.description,
                                      maintenance_type=scenario.maintenance_type, impact=scenario.impact,
                                      urgency=scenario.urgency, now=plan.opened)
            play(ticket, plan.steps, people=people, requester=requester, clock=clock)
        opened += 1
        if progress is not None:
            progress(opened)
    return opened


# ============================================================================ billing


def month_list(today: date, count: int = MONTHS) -> list[tuple[int, int]]:
    """The `count` complete months before `today`'s month, oldest first."""
    year, month = today.year, today.month
    out = []
    for _ in range(count):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        out.append((year, month))
    return out[::-1]


def _next_first(year: int, month: int) -> date:
    return date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)


@dataclass
class BillingScript:
    """Which invoice gets what, chosen by (contract reference, year, month)."""

    unpaid: tuple[str, int, int] | None  # left unpaid: overdue, then its contract suspended
    partial: tuple[str, int, int] | None  # partly paid (the rest still due)
    instalments: tuple[str, int, int] | None  # paid in two instalments
    gesture: tuple[str, int, int] | None  # a partial credit note, the rest paid
    cancelled: tuple[str, int, int] | None  # credited in full


def run_billing(*, tenant, now: datetime, people: People, clock: Clock, script: BillingScript, seed: str) -> None:
    """Six monthly runs (the 1st at 02:00 local), their invoices issued the same
    morning, paid (transfer or direct debit) 5–25 days later, a partial credit note, a
    full one, instalments, one invoice left unpaid — overdue, then its contract
    suspended by the daily follow-up — and the daily follow-up every week."""
    from billing import services as bs
    from billing.models import Invoice, InvoiceStatus
    from billing.selectors import tenant_zone

    rng = random.Random(seed)
    zone = tenant_zone(tenant)
    today = now.astimezone(zone).date()
    events: list[tuple[datetime, int, Callable[[], None]]] = []

    def local(day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), zone).astimezone(UTC)

    def key(invoice) -> tuple[str, int, int]:
        return (invoice.contract.reference, invoice.year, invoice.month)

    def month_run(year: int, month: int) -> Callable[[], None]:
        def run() -> None:
            day = _next_first(year, month)
            bs.billing_run_month(tenant=tenant, year=year, month=month, today=day)
            clock.at(local(day, 9, 15))
            drafts = (Invoice.objects.filter(tenant=tenant, year=year, month=month, status=InvoiceStatus.DRAFT)
                      .select_related("contract").order_by("contract__reference"))
            for invoice in drafts:
                if invoice.gross <= 0:
                    continue  # nothing to bill this month: the draft stays for the record
                invoice = bs.invoice_issue(invoice=invoice, actor=people.manager, today=day)
                schedule_settlement(invoice, day)
        return run

    def schedule_settlement(invoice, issued: date) -> None:
        k = key(invoice)
        if k == script.unpaid:
            return
        pay_day = issued + timedelta(days=rng.randint(5, 25))
        method = "direct_debit" if invoice.plan.get("billing_model") == "flat_fee" else "transfer"
        if k == script.cancelled:
            events.append((local(issued + timedelta(days=3), 10), 1, lambda: bs.credit_note_create(
                invoice=invoice, actor=people.manager, today=issued + timedelta(days=3),
                reason="Facture émise par erreur : prestation non réalisée ce mois-ci.")))
            return
        if k == script.gesture:
            events.append((local(issued + timedelta(days=2), 11), 1, lambda: bs.credit_note_create(
                invoice=invoice, actor=people.manager, amount=Decimal("50.00"), today=issued + timedelta(days=2),
                reason="Geste commercial : indisponibilité de la messagerie.")))
        if k == script.partial:
            pay_day = min(pay_day, today)
            events.append((local(pay_day, 10), 2, lambda: bs.payment_record(
                invoice=Invoice.objects.get(pk=invoice.pk), actor=people.manager, date=pay_day,
                amount=(invoice.gross * Decimal("0.4")).quantize(Decimal("0.01")), method="transfer",
                reference=f"VIR {invoice.number} 1/2")))
            return
        if pay_day > today:
            return  # not paid yet (not due either)
        if k == script.instalments:
            first_day = pay_day
            second_day = min(today, pay_day + timedelta(days=10))
            events.append((local(first_day, 10), 2, lambda: bs.payment_record(
                invoice=Invoice.objects.get(pk=invoice.pk), actor=people.manager, date=first_day,
                amount=(invoice.gross / 2).quantize(Decimal("0.01")), method="transfer",
                reference=f"VIR {invoice.number} 1/2")))
            events.append((local(second_day, 10, 30), 2, lambda: pay_rest(invoice.pk, second_day, "transfer",
                                                                        f"VIR {invoice.number} 2/2")))
            return
        events.append((local(pay_day, 10), 2, lambda: pay_rest(invoice.pk, pay_day, method,
                                                               f"{'PRLV' if method == 'direct_debit' else 'VIR'} "
                                                               f"{invoice.number}")))

    def pay_rest(pk: int, day: date, method: str, reference: str) -> None:
        invoice = Invoice.objects.get(pk=pk)
        if invoice.balance_due > 0 and invoice.status not in (InvoiceStatus.PAID, InvoiceStatus.CANCELLED):
            bs.payment_record(invoice=invoice, actor=people.manager, date=day, amount=invoice.balance_due,
                              method=method, reference=reference)

    def daily(day: date) -> Callable[[], None]:
        return lambda: bs.invoices_daily(tenant=tenant, today=day)

    for year, month in month_list(today):
        events.append((local(_next_first(year, month), 2), 0, month_run(year, month)))
    first_run = _next_first(*month_list(today)[0])
    day = first_run + timedelta(days=(7 - first_run.weekday()) % 7)
    while day < today:
        events.append((local(day, 6, 30), 3, daily(day)))
        day += timedelta(days=7)
    events.append((now - timedelta(minutes=1), 3, daily(today)))
    # Later events are added while earlier ones run (issuing schedules the payments).
    done = 0
    while done < len(events):
        events[done:] = sorted(events[done:], key=lambda e: (e[0], e[1]))
        moment, _order, action = events[done]
        done += 1
        if moment > now:
            continue
        clock.at(moment)
        action()

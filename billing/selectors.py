"""Reads of billing data. Every selector takes the tenant and puts it in the query;
those that show data to a person also take `viewer=`: provider staff see the tenant's
rows, client users only their own organisation's, anyone else nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from billing.hour_bank import rounded
from billing.models import (
    ZERO,
    BillingSettings,
    HourBankBlock,
    HourBankMovement,
    Invoice,
    InvoicedWork,
    InvoiceStatus,
)
from billing.plans import month_bounds
from contracts.models import Contract, ContractStatus
from portal.permissions import can
from portal.tenancy import membership_for

# ------------------------------------------------------------------ settings and months


def billing_settings_get(*, tenant) -> BillingSettings:
    """The tenant's billing settings (defaults, unsaved, until changed once)."""
    found = BillingSettings.objects.filter(tenant=tenant).first()
    return found if found is not None else BillingSettings(tenant=tenant)


def tenant_zone(tenant, *, billing_settings: BillingSettings | None = None) -> ZoneInfo:
    """The zone whose calendar months are billed (BillingSettings.time_zone)."""
    name = (billing_settings or billing_settings_get(tenant=tenant)).time_zone or settings.TIME_ZONE
    return ZoneInfo(name)


def local_today(tenant, *, now: datetime | None = None, zone: ZoneInfo | None = None) -> date:
    return timezone.localtime(now or timezone.now(), zone or tenant_zone(tenant)).date()


def month_range_utc(zone: ZoneInfo, year: int, month: int) -> tuple[datetime, datetime]:
    """[start, end) of the calendar month in `zone`, as aware datetimes (DST-safe: each
    bound is a local midnight)."""
    first, last = month_bounds(year, month)
    return (datetime.combine(first, time(0), tzinfo=zone),
            datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone))


def previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def month_has_ended(year: int, month: int, today: date) -> bool:
    return month_bounds(year, month)[1] < today


# ------------------------------------------------------------------ contracts of a month

BILLED_STATUSES = (ContractStatus.ACTIVE, ContractStatus.SUSPENDED, ContractStatus.TERMINATED,
                   ContractStatus.EXPIRED)


def contracts_active_in_month(*, tenant, year: int, month: int) -> QuerySet[Contract]:
    """Contracts signed and running on at least one day of the month (a suspended
    contract is still under contract: its fee runs)."""
    first, last = month_bounds(year, month)
    return (Contract.objects.filter(tenant=tenant, status__in=BILLED_STATUSES, activated_at__isnull=False,
                                    start_date__lte=last)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
            .order_by("reference"))


def active_range(contract: Contract, year: int, month: int) -> tuple[date, date]:
    first, last = month_bounds(year, month)
    start = max(first, contract.start_date)
    end = min(last, contract.end_date) if contract.end_date else last
    return start, end


# ------------------------------------------------------------------ who sees what


def _membership(viewer):
    """`viewer` is a user (services, tasks) or a membership (pages and API views pass
    `request.membership`, as for the other apps' selectors)."""
    from portal.models import Membership

    return viewer if isinstance(viewer, Membership) else membership_for(viewer)


def _scoped(qs: QuerySet, *, tenant, viewer, client_field: str = "client") -> QuerySet:
    """Rows of `tenant` that `viewer` may read: none for outsiders, their organisation's
    for client users, all for provider staff."""
    membership = _membership(viewer)
    if (membership is None or tenant is None or membership.tenant_id != tenant.id
            or not can(membership, "billing.read")):
        return qs.none()
    qs = qs.filter(tenant=tenant)
    if membership.is_client:
        qs = qs.filter(**{client_field: membership.organization_id})
    return qs


# ------------------------------------------------------------------ invoices


def _client_sees_issued(qs: QuerySet[Invoice], viewer) -> QuerySet[Invoice]:
    """A draft is the provider's work in progress: a client never sees one."""
    membership = _membership(viewer)
    if membership is not None and membership.is_client:
        qs = qs.exclude(status=InvoiceStatus.DRAFT)
    return qs


@dataclass
class InvoiceFilters:
    status: str | None = None
    client: int | None = None  # organisation id
    year: int | None = None
    month: int | None = None
    overdue: bool | None = None  # True: past due and unpaid, whatever the daily task has marked yet
    today: date | None = None


def invoice_list(*, tenant, viewer, filters: InvoiceFilters | None = None) -> QuerySet[Invoice]:
    """Invoices the viewer may read, newest month first, filtered."""
    f = filters or InvoiceFilters()
    qs = _client_sees_issued(_scoped(Invoice.objects.all(), tenant=tenant, viewer=viewer), viewer)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.client:
        qs = qs.filter(client_id=f.client)
    if f.year:
        qs = qs.filter(year=f.year)
    if f.month:
        qs = qs.filter(month=f.month)
    if f.overdue is not None:
        qs = invoices_past_due(qs, today=f.today or local_today(tenant), past_due=f.overdue)
    return qs.select_related("contract", "client").order_by("-year", "-month", "-number", "-id")


def invoices_past_due(qs: QuerySet[Invoice], *, today: date, past_due: bool = True) -> QuerySet[Invoice]:
    """Past due and unpaid (or, with `past_due=False`, the others), whatever the daily
    task has marked yet."""
    cond = Q(status__in=[InvoiceStatus.ISSUED, InvoiceStatus.OVERDUE], due_date__lt=today)
    return qs.filter(cond) if past_due else qs.exclude(cond)


def invoice_totals(*, tenant, viewer, filters: InvoiceFilters | None = None) -> dict[str, dict]:
    """Per status: the number of invoices, their gross total and what is still due."""
    qs = invoice_list(tenant=tenant, viewer=viewer, filters=filters).order_by()
    rows = qs.values("status").annotate(
        n=Count("id"), total_gross=Coalesce(Sum("gross"), ZERO),
        total_due=Coalesce(Sum(F("gross") - F("amount_paid") - F("amount_credited")), ZERO))
    out = {s: {"count": 0, "gross": ZERO, "due": ZERO} for s in InvoiceStatus.values}
    for row in rows:
        due = row["total_due"] if row["status"] in (InvoiceStatus.ISSUED, InvoiceStatus.OVERDUE) else ZERO
        out[row["status"]] = {"count": row["n"], "gross": row["total_gross"], "due": max(ZERO, due)}
    return out


def invoice_get(*, tenant, viewer, number: str | None = None, pk: int | None = None) -> Invoice | None:
    """One invoice by number (issued) or id (drafts have no number), if the viewer may read it."""
    qs = _client_sees_issued(_scoped(Invoice.objects.all(), tenant=tenant, viewer=viewer), viewer)
    qs = qs.select_related("contract", "client")
    lookup = {"number": number} if number else {"pk": pk}
    return qs.prefetch_related("lines", "payments", "credit_notes").filter(**lookup).first()


# ------------------------------------------------------------------ hour bank


def can_read_contract(*, tenant, viewer, contract: Contract) -> bool:
    membership = _membership(viewer)
    if (membership is None or tenant is None or membership.tenant_id != tenant.id
            or contract.tenant_id != tenant.id or not can(membership, "billing.read")):
        return False
    return not membership.is_client or membership.organization_id == contract.client_id


def hour_bank_balance(*, tenant, viewer, contract: Contract) -> int | None:
    """The balance in minutes: the sum of the ledger, nothing else. None for a viewer
    who may not read the contract."""
    if not can_read_contract(tenant=tenant, viewer=viewer, contract=contract):
        return None
    return (HourBankMovement.objects.filter(tenant=tenant, contract=contract)
            .aggregate(total=Coalesce(Sum("minutes"), 0))["total"])


def hour_bank_movements(*, tenant, viewer, contract: Contract) -> QuerySet[HourBankMovement]:
    return (_scoped(HourBankMovement.objects.filter(contract=contract), tenant=tenant, viewer=viewer,
                    client_field="contract__client")
            .select_related("block", "ticket", "intervention").order_by("day", "id"))


def hour_bank_blocks(*, tenant, viewer, contract: Contract) -> QuerySet[HourBankBlock]:
    """The blocks with what is left of each (`remaining`, from the ledger)."""
    return (_scoped(HourBankBlock.objects.filter(contract=contract), tenant=tenant, viewer=viewer,
                    client_field="contract__client")
            .annotate(remaining=Coalesce(Sum("movements__minutes"), 0)).order_by("bought_on", "reference"))


@dataclass
class BankState:
    """The blocks in force on a day and how much of them is consumed."""

    total: int = 0
    remaining: int = 0
    refs: list[str] = field(default_factory=list)

    @property
    def consumed_percent(self) -> Decimal:
        if not self.total:
            return Decimal("0")
        return (Decimal(self.total - self.remaining) * 100 / self.total).quantize(Decimal("0.01"))


def hour_bank_state(*, contract: Contract, day: date) -> BankState:
    """For the alerts: blocks valid on `day`, their minutes and what the ledger leaves
    of them. Internal (no viewer): the caller has checked access."""
    blocks = (HourBankBlock.objects.filter(tenant_id=contract.tenant_id, contract=contract, bought_on__lte=day)
              .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=day))
              .annotate(remaining=Coalesce(Sum("movements__minutes"), 0)).order_by("reference"))
    state = BankState()
    for block in blocks:
        state.total += block.minutes
        state.remaining += max(0, block.remaining)
        state.refs.append(block.reference)
    return state


# ------------------------------------------------------------------ the month's facts


def first_resolutions(*, contract: Contract, start: datetime, end: datetime) -> list[tuple[int, str, str]]:
    """(ticket id, reference, maintenance type) of the contract's tickets whose *first*
    resolution (TicketEvent history) falls in [start, end): a reopened ticket is billed
    once, in the month it was first resolved (B7)."""
    return first_resolutions_many(tenant_id=contract.tenant_id, contract_ids=[contract.pk], start=start,
                                  end=end)[contract.pk]


def first_resolutions_many(*, tenant_id: int, contract_ids: list[int], start: datetime,
                           end: datetime) -> dict[int, list[tuple[int, str, str]]]:
    """`first_resolutions` of several contracts in one query, by contract id."""
    from tickets.models import TicketEvent, TicketEventKind, TicketStatus

    rows = (TicketEvent.objects
            .filter(tenant_id=tenant_id, ticket__contract__in=contract_ids, kind=TicketEventKind.STATUS,
                    to_value=TicketStatus.RESOLVED)
            .values("ticket_id", "ticket__reference", "ticket__maintenance_type", "ticket__contract_id")
            .annotate(first=Min("at")).filter(first__gte=start, first__lt=end)
            .order_by("ticket__reference"))
    out: dict[int, list[tuple[int, str, str]]] = {pk: [] for pk in contract_ids}
    for r in rows:
        out[r["ticket__contract_id"]].append((r["ticket_id"], r["ticket__reference"], r["ticket__maintenance_type"]))
    return out


def month_breaches(*, contract: Contract, start: datetime, end: datetime):
    """SLA breaches recorded for the contract's tickets with their breach instant in
    [start, end) (B10), oldest first, with their ticket."""
    return month_breaches_many(tenant_id=contract.tenant_id, contract_ids=[contract.pk], start=start,
                               end=end)[contract.pk]


def month_breaches_many(*, tenant_id: int, contract_ids: list[int], start: datetime, end: datetime) -> dict[int, list]:
    """`month_breaches` of several contracts in one query, by contract id."""
    from tickets.models import SlaEvent

    rows = (SlaEvent.objects.filter(tenant_id=tenant_id, ticket__contract__in=contract_ids, kind="breach",
                                    at__gte=start, at__lt=end)
            .select_related("ticket").only("id", "metric", "at", "ticket__reference", "ticket__priority",
                                           "ticket__contract_id")
            .order_by("at", "id"))
    out: dict[int, list] = {pk: [] for pk in contract_ids}
    for event in rows:
        out[event.ticket.contract_id].append(event)
    return out


def month_interventions(*, contract: Contract, year: int, month: int):
    """The interventions logged on the contract's tickets with a date in the month."""
    from tickets.models import Intervention

    first, last = month_bounds(year, month)
    return list(Intervention.objects.filter(tenant_id=contract.tenant_id, ticket__contract=contract,
                                            date__gte=first, date__lte=last)
                .select_related("ticket").only("id", "date", "minutes", "mode", "billable", "ticket_id",
                                               "ticket__reference", "ticket__maintenance_type")
                .order_by("date", "id"))


# Work is logged at most a year back (tickets.validation): late work is looked for that far.
LATE_WORK_WINDOW_DAYS = 400


@dataclass(slots=True)
class Work:
    """One intervention as a month's invoice prices it. Work of the month is priced on
    its own date; late work (dated in a month already invoiced, not billed in full) on
    the month's first day, for the minutes still to bill."""

    intervention: Any
    day: date  # the day it is priced on
    minutes: int  # minutes priced (late work edited upwards: what it adds, already rounded)
    billable: bool
    late_from: date | None = None  # first day of the month it was dated in, for late work
    record_minutes: int = 0  # raw billable minutes this invoice bills of it (InvoicedWork.minutes)

    @property
    def pk(self) -> int:
        return self.intervention.pk

    @property
    def date(self) -> date:
        return self.intervention.date

    @property
    def ticket(self):
        return self.intervention.ticket

    @property
    def ticket_id(self) -> int:
        return self.intervention.ticket_id

    @property
    def mode(self) -> str:
        return self.intervention.mode


def billable_work(*, contract: Contract, year: int, month: int, increment: int) -> list[Work]:
    """The work a month's invoice prices, in one query: the interventions dated in the
    month, and the late work: interventions dated in an earlier month that already has
    its invoice (draft or issued) and that no invoice billed in full (logged after the
    invoice was drafted, or edited upwards since), when the month before this one is
    invoiced (this is the next month to bill). Late work is priced once, by the first
    invoice drafted after it was logged; a reduction of work already billed is
    corrected by a credit note, never here."""
    return billable_work_many(tenant_id=contract.tenant_id, increments={contract.pk: increment}, year=year,
                              month=month)[contract.pk]


def billable_work_many(*, tenant_id: int, increments: dict[int, int], year: int, month: int) -> dict[int, list[Work]]:
    """`billable_work` of several contracts in one query (the monthly run's batches):
    `increments` maps each contract id to its plan's rounding increment."""
    from tickets.models import Intervention

    first, last = month_bounds(year, month)
    billed = (InvoicedWork.objects.filter(tenant_id=tenant_id, intervention=OuterRef("pk"))
              .order_by().values("intervention").annotate(total=Sum("minutes")).values("total"))
    invoiced_month = Invoice.objects.filter(tenant_id=tenant_id, contract=OuterRef("ticket__contract"),
                                            period_start__lte=OuterRef("date"), period_end__gte=OuterRef("date"))
    # Late work goes to the month right after an invoiced one (the next month to bill), so
    # that the provisional hour-bank sync of two open months never draws it twice.
    py, pm = previous_month(year, month)
    previous_invoiced = Invoice.objects.filter(tenant_id=tenant_id, contract=OuterRef("ticket__contract"), year=py,
                                               month=pm)
    late = (Q(date__lt=first, date__gte=first - timedelta(days=LATE_WORK_WINDOW_DAYS)) & Exists(invoiced_month)
            & Exists(previous_invoiced))
    rows = (Intervention.objects.filter(tenant_id=tenant_id, ticket__contract__in=list(increments))
            .filter(Q(date__gte=first, date__lte=last) | late)
            .annotate(billed=Subquery(billed))
            .select_related("ticket").only("id", "date", "minutes", "mode", "billable", "ticket_id",
                                           "ticket__reference", "ticket__maintenance_type", "ticket__contract_id")
            .order_by("date", "id"))
    out: dict[int, list[Work]] = {pk: [] for pk in increments}
    for iv in rows:
        contract_id = iv.ticket.contract_id
        now = iv.minutes if iv.billable else 0
        if iv.date >= first:
            out[contract_id].append(Work(iv, iv.date, iv.minutes, iv.billable, record_minutes=now))
            continue
        late_from = iv.date.replace(day=1)
        if iv.billed is None:  # never billed: all of it
            out[contract_id].append(Work(iv, first, iv.minutes, iv.billable, late_from=late_from, record_minutes=now))
        elif now > iv.billed:  # edited upwards after it was billed: what it adds
            increment = increments[contract_id]
            extra = rounded(now, increment) - rounded(iv.billed, increment)
            if extra > 0:
                out[contract_id].append(Work(iv, first, extra, True, late_from=late_from,
                                             record_minutes=now - iv.billed))
    return out


def intervention_ref(intervention) -> str:
    """A reference in string order of logging, for B9's tie-break."""
    return f"INT-{intervention.pk:09d}"



# ------------------------------------------------------------------ documents


def credit_note_get(*, tenant, viewer, number: str):
    """A credit note by number, with its invoice, if the viewer may read it (clients:
    their organisation's); None otherwise, as for a missing one."""
    from billing.models import CreditNote

    return (_scoped(CreditNote.objects.all(), tenant=tenant, viewer=viewer, client_field="invoice__client")
            .select_related("invoice__client", "invoice__contract").filter(number=number).first())


def monthly_report_list(*, tenant, viewer, contract: Contract | None = None) -> QuerySet:
    """The monthly reports the viewer may read (clients: their organisation's
    contracts'), newest month first, optionally of one contract."""
    from billing.models import MonthlyReport

    qs = _scoped(MonthlyReport.objects.all(), tenant=tenant, viewer=viewer, client_field="contract__client")
    if contract is not None:
        qs = qs.filter(contract=contract)
    return qs.select_related("contract__client").order_by("-year", "-month", "contract__reference")


def monthly_report_get(*, tenant, viewer, contract_reference: str, year: int, month: int):
    """One contract-month's report, by the contract's reference, or None."""
    return monthly_report_list(tenant=tenant, viewer=viewer).filter(
        contract__reference=contract_reference, year=year, month=month).first()


# ------------------------------------------------------------------ pages and API


def invoice_get_by_reference(*, tenant, viewer, reference: str) -> Invoice:
    """The invoice named in a URL: its number once issued, `draft-<id>` before (a draft
    has no number yet). Http404 for what the viewer may not read, as for a missing one."""
    from django.http import Http404

    invoice = None
    if reference.startswith("draft-"):
        pk = reference.removeprefix("draft-")
        if pk.isdigit():
            invoice = invoice_get(tenant=tenant, viewer=viewer, pk=int(pk))
            if invoice is not None and invoice.status != InvoiceStatus.DRAFT:
                invoice = None  # issued since: it is named by its number now
    elif reference:
        invoice = invoice_get(tenant=tenant, viewer=viewer, number=reference)
    if invoice is None:
        raise Http404
    return invoice


def latest_invoices(*, tenant, viewer, contract: Contract | None = None, limit: int = 5) -> list[Invoice]:
    qs = invoice_list(tenant=tenant, viewer=viewer)
    if contract is not None:
        qs = qs.filter(contract=contract)
    return list(qs[:limit])


def hour_bank_contracts(*, tenant, viewer) -> QuerySet[Contract]:
    """The hour-bank contracts the viewer may read, each with its `balance` (the sum of
    its ledger) and `bought` (the minutes of its blocks)."""
    membership = _membership(viewer)
    if (membership is None or tenant is None or membership.tenant_id != tenant.id
            or not can(membership, "billing.read")):
        return Contract.objects.none()
    qs = Contract.objects.filter(tenant=tenant, billing_model="hour_bank").exclude(status=ContractStatus.DRAFT)
    if membership.is_client:
        qs = qs.filter(client_id=membership.organization_id)
    balances = (HourBankMovement.objects.filter(tenant=tenant, contract=models.OuterRef("pk"))
                .order_by().values("contract").annotate(total=Sum("minutes")).values("total"))
    return (qs.select_related("client")
            .annotate(balance=Coalesce(models.Subquery(balances), 0))
            .order_by("client__legal_name", "reference"))


@dataclass
class RunProgress:
    run: object
    done: int
    total: int

    @property
    def finished(self) -> bool:
        return self.done >= self.total

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.done * 100 // self.total)


def billing_run_list(*, tenant, limit: int = 10, run_id: int | None = None) -> list[RunProgress]:
    """The tenant's latest runs (or the one `run_id`) with their progress: the invoices
    of their month against the contracts they queued (one query for the runs, one for
    the counts)."""
    from billing.models import BillingRun

    qs = BillingRun.objects.filter(tenant=tenant)
    if run_id is not None:
        qs = qs.filter(pk=run_id)
    runs = list(qs.select_related("requested_by").order_by("-started_at", "-id")[:limit])
    months = {(r.year, r.month) for r in runs}
    counts: dict[tuple[int, int], int] = {}
    if months:
        cond = Q()
        for year, month in months:
            cond |= Q(year=year, month=month)
        for row in (Invoice.objects.filter(tenant=tenant).filter(cond).order_by()
                    .values("year", "month").annotate(n=Count("id"))):
            counts[(row["year"], row["month"])] = row["n"]
    return [RunProgress(run=r, done=min(counts.get((r.year, r.month), 0), r.contracts), total=r.contracts)
            for r in runs]


def billing_run_get(*, tenant, run_id: int) -> RunProgress:
    """One run of the tenant with its progress, or Http404 (another tenant's too)."""
    from django.http import Http404

    found = billing_run_list(tenant=tenant, run_id=run_id, limit=1)
    if not found:
        raise Http404
    return found[0]

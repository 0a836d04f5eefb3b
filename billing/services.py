"""Billing use cases: hour-bank blocks, ledger sync and adjustments, the monthly run,
issuing invoices, payments, credit notes and the unpaid-invoice follow-up.

Each checks who may act (the policy table of portal/permissions.py), locks what it changes, writes in a
transaction and logs to the audit trail. The arithmetic is `billing.pricing` (pure);
the plan is the contract version in force (`billing.plans`).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from billing import pricing
from billing.documents import issue_snapshot, monthly_reports_request
from billing.hour_bank import BankBlock, BankWork, allocate, rounded
from billing.models import (
    ZERO,
    BillingRun,
    BillingSettings,
    CreditNote,
    HourBankAlert,
    HourBankBlock,
    HourBankMovement,
    Invoice,
    InvoicedWork,
    InvoiceLine,
    InvoiceStatus,
    MovementKind,
    Payment,
    PaymentMethod,
    PdfStatus,
)
from billing.plans import included_types, month_bounds, plan_from_snapshot, snapshot_for
from billing.selectors import (
    Work,
    active_range,
    billable_work,
    billable_work_many,
    billing_settings_get,
    contracts_active_in_month,
    first_resolutions_many,
    hour_bank_state,
    intervention_ref,
    local_today,
    month_breaches_many,
    month_has_ended,
    month_range_utc,
    previous_month,
    tenant_zone,
)
from contracts.models import Contract, ContractStatus
from contracts.services.contracts import contract_resume, contract_suspend
from portal.audit import audit_event, audit_log, audit_log_many
from portal.celery import enqueue_on_commit
from portal.events import emit
from portal.permissions import SYSTEM, require
from portal.sequences import sequence_next
from sla.models import MaintenanceType

logger = logging.getLogger(__name__)

ALERT_THRESHOLDS = (80, 100)
# Contracts per task of a monthly run, billed together in one transaction with a
# constant number of queries (`billing_run_batch`): enough that the task's own costs
# (the worker opens a new database connection for every task) stay small beside the
# billing (10,000 contracts: 57 s in tasks of 100, 37-47 s in tasks of 200, on a loaded
# machine), few enough that a redelivered batch redoes about a second of work and the
# batch's contract locks are held about as long.
RUN_BATCH = 200




def _money(value, field: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise ValidationError({field: [_("Enter an amount.")]}) from exc
    if not amount.is_finite():
        raise ValidationError({field: [_("Enter an amount.")]})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({field: [_("An amount has at most two decimals.")]})
    return amount


def _actor_user(actor):
    return None if actor is SYSTEM else actor


# ============================================================================ settings


SETTINGS_FIELDS = ("time_zone", "unpaid_suspend_days", "auto_issue", "late_interest_rate", "recovery_indemnity",
                   "iban", "bic")


def _bank_details(values: dict[str, Any]) -> dict[str, list[str]]:
    """IBAN and BIC checked (python-stdnum) and written in their compact form."""
    from stdnum import bic as stdnum_bic
    from stdnum import iban as stdnum_iban
    from stdnum.exceptions import ValidationError as StdnumError

    errors: dict[str, list[str]] = {}
    for name, module, message in (
            ("iban", stdnum_iban, _("Enter a valid IBAN (its check digits do not match).")),
            ("bic", stdnum_bic, _("Enter a valid BIC (8 or 11 letters and digits)."))):
        if name not in values:
            continue
        raw = values[name]
        if raw is None:
            raw = ""
        if not isinstance(raw, str):
            errors[name] = [message]
            continue
        if not raw.strip():
            values[name] = ""
            continue
        try:
            values[name] = module.validate(raw)
        except StdnumError:
            errors[name] = [message]
    return errors


@transaction.atomic
def billing_settings_update(*, tenant, actor, **values: Any) -> BillingSettings:
    """Time zone of the billing calendar, days past due before suspension, automatic
    issuing, and what invoices print: the late-payment interest rate (empty: the
    statutory default), the fixed recovery indemnity (40 € at least), the IBAN and BIC
    (checked). Tenant administrators; omitted settings are kept; audited with the diff."""
    require(actor, "billing.settings", tenant=tenant)
    unknown = set(values) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValidationError({k: [_("Unknown field.")] for k in sorted(unknown)})
    errors = _bank_details(values)
    for name in ("late_interest_rate", "recovery_indemnity"):
        if name in values and values[name] is not None and not isinstance(values[name], Decimal):
            try:
                values[name] = Decimal(str(values[name]))
            except (InvalidOperation, ValueError):
                errors[name] = [_("Enter a number.")]
    if "recovery_indemnity" in values and values["recovery_indemnity"] is None:
        errors["recovery_indemnity"] = [_("The fixed recovery indemnity is required (40 € by law).")]
    if errors:
        raise ValidationError(errors)
    current, _created = BillingSettings.objects.select_for_update().get_or_create(tenant=tenant)
    before = {k: getattr(current, k) for k in SETTINGS_FIELDS}
    for name, value in values.items():
        setattr(current, name, value)
    current.full_clean(exclude=["tenant"])
    if "time_zone" in values:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(str(current.time_zone))
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValidationError({"time_zone": [_("Unknown time zone.")]}) from exc
    diff = {k: [before[k], getattr(current, k)] for k in SETTINGS_FIELDS if before[k] != getattr(current, k)}
    if diff:
        current.save()
        audit_log(tenant=tenant, actor=actor, action="billing.settings", object_type="tenant",
                  object_ref=tenant.slug, changes=diff)
    return current


# ============================================================================ hour bank


@transaction.atomic
def hour_bank_block_buy(*, contract: Contract, actor, minutes: int, price, bought_on: date,
                        expires_on: date | None = None) -> HourBankBlock:
    """Record a block of prepaid minutes bought by the client: the block and its
    `purchase` movement. The block itself is invoiced when bought, not by the monthly
    statement (B9)."""
    require(actor, "hour_bank.buy", tenant=contract.tenant)
    contract = Contract.objects.select_for_update().get(pk=contract.pk, tenant_id=contract.tenant_id)
    if contract.billing_model != "hour_bank":
        raise ValidationError({"contract": [_("Only a contract billed on an hour bank takes hour-bank blocks.")]})
    if contract.status not in (ContractStatus.ACTIVE, ContractStatus.SUSPENDED):
        raise ValidationError({"contract": [_("This contract is not active.")]})
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 1:
        raise ValidationError({"minutes": [_("A block holds at least one minute.")]})
    block = HourBankBlock(tenant_id=contract.tenant_id, contract=contract, minutes=minutes,
                          price=_money(price, "price"), bought_on=bought_on, expires_on=expires_on)
    block.full_clean(exclude=["reference", "contract", "tenant"])
    block.reference = f"HB-{sequence_next(tenant=contract.tenant, key='hour-bank-block'):06d}"
    block.save()
    HourBankMovement.objects.create(tenant_id=contract.tenant_id, contract=contract, block=block,
                                    kind=MovementKind.PURCHASE, minutes=minutes, day=bought_on,
                                    actor=_actor_user(actor))
    audit_log(tenant=contract.tenant, actor=actor, action="hour_bank.buy", obj=block, organization=contract.client,
              changes={"contract": contract.reference, "minutes": minutes, "price": block.price,
                       "bought_on": bought_on, "expires_on": expires_on})
    return block


@transaction.atomic
def hour_bank_adjust(*, block: HourBankBlock, actor, minutes: int, reason: str,
                     day: date | None = None) -> HourBankMovement:
    """A manual correction of a block (tenant administrators), with its reason. A block
    never goes below zero."""
    require(actor, "hour_bank.adjust", tenant=block.contract.tenant)
    contract = Contract.objects.select_for_update().get(pk=block.contract_id, tenant_id=block.tenant_id)
    errors = {}
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes == 0:
        errors["minutes"] = [_("Give a number of minutes to add (positive) or remove (negative).")]
    if not (reason or "").strip():
        errors["reason"] = [_("Say why the hour bank is adjusted.")]
    if errors:
        raise ValidationError(errors)
    left = HourBankMovement.objects.filter(tenant_id=block.tenant_id, block=block).aggregate(
        total=Coalesce(Sum("minutes"), 0))["total"]
    if left + minutes < 0:
        raise ValidationError({"minutes": [_("The block has %(left)s minutes left; it cannot go below zero.")
                                           % {"left": left}]})
    day = day or local_today(contract.tenant)
    movement = HourBankMovement.objects.create(
        tenant_id=block.tenant_id, contract=contract, block=block, kind=MovementKind.ADJUSTMENT, minutes=minutes,
        day=day, reason=reason.strip()[:300], actor=_actor_user(actor))
    audit_log(tenant=contract.tenant, actor=actor, action="hour_bank.adjust", obj=block,
              organization=contract.client, changes={"minutes": minutes, "reason": reason.strip(), "day": day})
    _check_alerts(contract, day)
    return movement


@dataclass
class SyncResult:
    frozen: bool = False
    created: int = 0
    updated: int = 0
    deleted: int = 0
    blocks: list[pricing.Block] | None = None  # the month's blocks as the run prices them
    overage: dict[int, int] | None = None  # intervention id → minutes no block covered

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.deleted


def _month_blocks(tenant_id: int, contract_ids: list[int], first: date, last: date) -> dict[int, list[HourBankBlock]]:
    """The hour-bank blocks of the contracts usable in the month, by contract, each with
    `start`: its purchases and adjustments dated up to the month's end, less the
    consumption and expiries of earlier months. One query."""
    early = [MovementKind.PURCHASE, MovementKind.ADJUSTMENT]
    late = [MovementKind.CONSUMPTION, MovementKind.EXPIRY]
    rows = (HourBankBlock.objects.filter(tenant_id=tenant_id, contract__in=contract_ids, bought_on__lte=last)
            .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=first))
            .annotate(start=Coalesce(Sum("movements__minutes", filter=(
                Q(movements__kind__in=early, movements__day__lte=last)
                | Q(movements__kind__in=late, movements__day__lt=first))), 0))
            .order_by("contract_id", "reference"))
    out: dict[int, list[HourBankBlock]] = {pk: [] for pk in contract_ids}
    for block in rows:
        out[block.contract_id].append(block)
    return out


def _month_movements(tenant_id: int, contract_ids: list[int], first: date, last: date) -> dict[int, dict]:
    """The consumption and expiry movements dated in the month, by contract, keyed as
    `_ledger_plan` derives them. One query."""
    out: dict[int, dict] = {pk: {} for pk in contract_ids}
    for m in HourBankMovement.objects.filter(tenant_id=tenant_id, contract__in=contract_ids,
                                             kind__in=[MovementKind.CONSUMPTION, MovementKind.EXPIRY],
                                             day__gte=first, day__lte=last):
        out[m.contract_id][(m.kind, m.intervention_id, m.block_id)] = m
    return out


@dataclass
class LedgerWrites:
    """What the ledger needs to follow the month's work: rows to add, change, remove."""

    create: list[HourBankMovement] = field(default_factory=list)
    update: list[HourBankMovement] = field(default_factory=list)
    delete: list[int] = field(default_factory=list)

    def extend(self, other: LedgerWrites) -> None:
        self.create += other.create
        self.update += other.update
        self.delete += other.delete

    def write(self) -> None:
        if self.create:
            HourBankMovement.objects.bulk_create(self.create)
        if self.update:
            HourBankMovement.objects.bulk_update(self.update, ["minutes", "day", "ticket_id", "raw_minutes",
                                                               "updated_at"])
        if self.delete:
            HourBankMovement.objects.filter(pk__in=self.delete).delete()


def _ledger_plan(contract: Contract, year: int, month: int, today: date, *, snapshot: dict, blocks: list,
                 existing: dict, interventions: list) -> tuple[SyncResult, LedgerWrites]:
    """The month's consumption and expiry movements derived from its work (B9 order,
    `billing.hour_bank`), as the difference with the ledger's `existing` rows; pure
    (the caller read `blocks` and `existing`, and writes the result). The month must
    not be invoiced yet (an invoiced month is frozen)."""
    writes = LedgerWrites()
    if not blocks:  # no hour bank: nothing to derive
        return SyncResult(blocks=[], overage={}), writes
    first, last = month_bounds(year, month)
    result = SyncResult(blocks=[pricing.Block(ref=b.reference, minutes=max(0, b.start), expires=b.expires_on,
                                              bought=b.bought_on) for b in blocks], overage={})
    by_ref = {b.reference: b for b in blocks}
    increment = int(snapshot.get("increment_minutes") or 15)
    work: list[BankWork] = []
    ivs = {}
    if snapshot.get("billing_model") == "hour_bank":
        included = included_types(snapshot)
        for iv in interventions:
            if iv.billable and iv.minutes and included.get(iv.ticket.maintenance_type, False):
                ref = intervention_ref(iv)
                ivs[ref] = iv
                work.append(BankWork(ref=ref, day=iv.day, minutes=rounded(iv.minutes, increment)))
    alloc = allocate([BankBlock(ref=b.reference, minutes=max(0, b.start), bought=b.bought_on, expires=b.expires_on)
                      for b in blocks], work, first=first, last=last)
    result.overage = {ivs[ref].pk: minutes for ref, minutes in alloc.overage.items()}
    desired: dict[tuple, dict] = {}
    for ref, block_ref, take in alloc.takes:
        iv, block = ivs[ref], by_ref[block_ref]
        desired[(MovementKind.CONSUMPTION, iv.pk, block.pk)] = {
            "minutes": -take, "day": iv.day, "ticket_id": iv.ticket_id, "raw_minutes": iv.minutes}
    for block_ref, left in alloc.expired.items():
        block = by_ref[block_ref]
        if block.expires_on < today:  # its last day is over
            desired[(MovementKind.EXPIRY, None, block.pk)] = {
                "minutes": -left, "day": block.expires_on, "ticket_id": None, "raw_minutes": None}
    existing = dict(existing)
    for key, values in desired.items():
        row = existing.pop(key, None)
        if row is None:
            kind, intervention_id, block_id = key
            writes.create.append(HourBankMovement(tenant_id=contract.tenant_id, contract=contract, block_id=block_id,
                                                  kind=kind, intervention_id=intervention_id, **values))
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            writes.update.append(row)
    writes.delete = [m.pk for m in existing.values()]
    result.created, result.updated, result.deleted = len(writes.create), len(writes.update), len(writes.delete)
    return result, writes


def _sync_month(contract: Contract, year: int, month: int, today: date, *, snapshot: dict) -> SyncResult:
    """Derive the month's consumption and expiry movements from its interventions (B9
    order, `billing.hour_bank`), and write only the difference with the ledger. Late work
    (`billing.selectors.billable_work`) draws on the bank on the month's first day: its
    consumption is written once, in the month whose invoice bills it.

    The caller holds the contract's row lock. A month that has its invoice is frozen:
    its movements are what the invoice was priced with. Before that they are
    provisional and follow the work logged (interventions logged late, out of order).
    Blocks start the month with their purchases and adjustments dated up to its end,
    less the consumption and expiries of earlier months. The monthly run derives the
    same rows for a whole batch (`_bill_batch`)."""
    first, last = month_bounds(year, month)
    blocks = _month_blocks(contract.tenant_id, [contract.pk], first, last)[contract.pk]
    if not blocks:  # no hour bank: nothing to derive (and no query more)
        return SyncResult(blocks=[], overage={})
    if Invoice.objects.filter(tenant_id=contract.tenant_id, contract=contract, year=year, month=month).exists():
        return SyncResult(frozen=True)
    increment = int(snapshot.get("increment_minutes") or 15)
    interventions = billable_work(contract=contract, year=year, month=month, increment=increment)
    existing = _month_movements(contract.tenant_id, [contract.pk], first, last)[contract.pk]
    result, writes = _ledger_plan(contract, year, month, today, snapshot=snapshot, blocks=blocks, existing=existing,
                                  interventions=interventions)
    writes.write()
    return result


def hour_bank_sync(*, contract: Contract, actor=SYSTEM, today: date | None = None,
                   months: Iterable[tuple[int, int]] | None = None) -> int:
    """Bring the ledger up to date with the interventions logged: the previous month
    (until it is invoiced) and the current one, in that order, then the 80 % / 100 %
    alerts. Idempotent; returns the number of movements written. Called by the daily
    and quarter-hourly tasks, the monthly run, and pages before showing a balance."""
    require(actor, "hour_bank.sync", tenant=contract.tenant)
    today = today or local_today(contract.tenant)
    if months is None:
        months = [previous_month(today.year, today.month), (today.year, today.month)]
    changed = 0
    with transaction.atomic():
        contract = Contract.objects.select_for_update().get(pk=contract.pk, tenant_id=contract.tenant_id)
        versions = list(contract.versions.all())
        for year, month in months:
            snapshot, _number = snapshot_for(contract, year, month, versions=versions)
            changed += _sync_month(contract, year, month, today, snapshot=snapshot).changed
        _check_alerts(contract, today)
    return changed


def _check_alerts(contract: Contract, day: date) -> list[HourBankAlert]:
    """Record and send the 80 % and 100 % alerts of the blocks in force, once each."""
    state = hour_bank_state(contract=contract, day=day)
    if not state.total:
        return []
    percent = state.consumed_percent
    key = ",".join(state.refs)
    if len(key) > 200:
        key = hashlib.sha256(key.encode()).hexdigest()
    sent = []
    for threshold in ALERT_THRESHOLDS:
        if percent < threshold:
            continue
        try:
            with transaction.atomic():
                alert = HourBankAlert.objects.create(tenant_id=contract.tenant_id, contract=contract,
                                                     threshold=threshold, blocks_key=key, consumed_percent=percent)
                # The e-mails are outbox rows of the same transaction as the alert.
                _notify_hour_bank_threshold(contract=contract, alert=alert)
        except IntegrityError:
            continue  # already sent for these blocks
        sent.append(alert)
    return sent


def _notify_hour_bank_threshold(*, contract: Contract, alert: HourBankAlert) -> None:
    """E-mail the client's administrators and the account manager that the hour bank
    reached `alert.threshold` %: outbox rows in the caller's transaction."""
    from billing.notifications import hour_bank_alert_notify

    alert.contract = contract
    hour_bank_alert_notify(alert=alert)


# ============================================================================ monthly run


def _check_month(year: int, month: int, today: date) -> None:
    if not (isinstance(month, int) and 1 <= month <= 12 and isinstance(year, int) and 2000 <= year <= 9999):
        raise ValidationError({"month": [_("Give a month as YYYY-MM.")]})
    if not month_has_ended(year, month, today):
        raise ValidationError({"month": [_("%(month)s is not over yet: only a past month can be billed.")
                                         % {"month": f"{year}-{month:02d}"}]})


MTYPE_LABELS = dict(MaintenanceType.choices)


def _line_label(line: pricing.Line, *, model: str, first: date) -> str:
    """The words of a line, in the contract's language (active at the call)."""
    if line.kind == "fee":
        return _("Maintenance fee, %(period)s") % {"period": formats.date_format(first, "F Y")}
    if line.kind == "tickets":
        return _("Tickets resolved: %(type)s maintenance") % {"type": str(MTYPE_LABELS.get(line.label, line.label)).lower()}
    if line.kind == "overage":
        if model == "hour_bank":
            return _("Hours not covered by the hour bank")
        return _("Hours beyond the included hours")
    if line.kind == "on_quote":
        return _("Work on quote: %(type)s maintenance") % {"type": str(MTYPE_LABELS.get(line.label, line.label)).lower()}
    return _("SLA service credit")


def _iv_detail(iv: Work, increment: int, **extra) -> dict:
    if iv.late_from is not None:
        extra["late_from"] = iv.late_from.isoformat()
    return {"ref": intervention_ref(iv), "id": iv.pk, "ticket": iv.ticket.reference, "date": iv.date.isoformat(),
            "minutes": iv.minutes, "rounded": rounded(iv.minutes, increment), "mode": iv.mode, **extra}


def _line_detail(line: pricing.Line, *, plan: pricing.Plan, covered: list, on_quote: dict, resolved: list,
                 breaches: list, overage: dict | None, active: tuple[date, date], carried: int) -> dict:
    increment = plan.increment_minutes
    if line.kind == "fee":
        return {"active": [active[0].isoformat(), active[1].isoformat()]}
    if line.kind == "tickets":
        return {"tickets": [ref for _id, ref, mtype in resolved if mtype == line.label]}
    if line.kind == "overage":
        if plan.model == "hour_bank" and overage is not None:
            return {"interventions": [_iv_detail(iv, increment, overage=overage[iv.pk])
                                      for iv in covered if iv.pk in overage]}
        return {"interventions": [_iv_detail(iv, increment) for iv in covered],
                "carried_minutes": carried, "included_minutes": plan.included_minutes}
    if line.kind == "on_quote":
        return {"interventions": [_iv_detail(iv, increment) for iv in on_quote.get(line.label, [])]}
    table = plan.penalty_percent
    return {"breaches": [{"ticket": e.ticket.reference, "priority": e.ticket.priority, "metric": e.metric,
                          "at": e.at.isoformat(), "percent": str(table.get((e.ticket.priority, e.metric), 0))}
                         for e in breaches],
            "cap_percent": str(plan.penalty_cap_percent)}


@dataclass
class MonthFacts:
    """What one contract's month is priced with, read for a whole batch at once."""

    versions: list
    invoice: Invoice | None  # the month's invoice, if it has one already
    carried: int  # minutes the previous month's invoice carries (hybrid)
    work: list[Work]
    resolved: list[tuple[int, str, str]]
    breaches: list
    blocks: list
    movements: dict


def _gather(contracts: list[Contract], year: int, month: int, zone) -> dict[int, MonthFacts]:
    """The month's facts of the batch's contracts (one tenant), in a constant number of
    queries whatever their number: versions, invoices of the month and the one before,
    work (late work included), first resolutions, breaches, hour-bank blocks and the
    month's ledger movements."""
    from contracts.models import ContractVersion

    if not contracts:
        return {}
    tenant_id = contracts[0].tenant_id
    ids = [c.pk for c in contracts]
    first, last = month_bounds(year, month)
    py, pm = previous_month(year, month)
    versions: dict[int, list] = {pk: [] for pk in ids}
    for version in ContractVersion.objects.filter(contract__in=ids):
        versions[version.contract_id].append(version)
    invoices: dict[tuple[int, int, int], Invoice] = {
        (inv.contract_id, inv.year, inv.month): inv
        for inv in Invoice.objects.filter(tenant_id=tenant_id, contract__in=ids).filter(
            Q(year=year, month=month) | Q(year=py, month=pm))}
    increments = {}
    for contract in contracts:
        snapshot, _number = snapshot_for(contract, year, month, versions=versions[contract.pk])
        increments[contract.pk] = int(snapshot.get("increment_minutes") or 15)
    work = billable_work_many(tenant_id=tenant_id, increments=increments, year=year, month=month)
    start_utc, end_utc = month_range_utc(zone, year, month)
    resolved = first_resolutions_many(tenant_id=tenant_id, contract_ids=ids, start=start_utc, end=end_utc)
    breaches = month_breaches_many(tenant_id=tenant_id, contract_ids=ids, start=start_utc, end=end_utc)
    blocks = _month_blocks(tenant_id, ids, first, last)
    movements = _month_movements(tenant_id, ids, first, last)
    out = {}
    for pk in ids:
        previous = invoices.get((pk, py, pm))
        out[pk] = MonthFacts(versions=versions[pk], invoice=invoices.get((pk, year, month)),
                             carried=(previous.carry_minutes if previous is not None else 0) or 0, work=work[pk],
                             resolved=resolved[pk], breaches=breaches[pk], blocks=blocks[pk],
                             movements=movements[pk])
    return out


@dataclass
class Priced:
    """One contract's month priced: the invoice and lines to store (unsaved), what it
    bills of each intervention, and the ledger rows that follow."""

    invoice: Invoice
    lines: list[InvoiceLine]
    work: list[Work]
    ledger: LedgerWrites


def _price(contract: Contract, year: int, month: int, today: date, facts: MonthFacts) -> Priced:
    """Price the month's facts and build the (unsaved) invoice and lines. No query: the
    facts were gathered for the whole batch (`_gather`)."""
    snapshot, version_number = snapshot_for(contract, year, month, versions=facts.versions)
    try:
        plan = plan_from_snapshot(snapshot)
    except ValueError as exc:
        name = str(exc).split(":", 1)[0].split("[", 1)[0]
        raise ValidationError({name or "plan": [str(exc)]}) from exc
    included = included_types(snapshot)
    first, last = month_bounds(year, month)
    active = active_range(contract, year, month)
    interventions = facts.work
    resolved = []
    if plan.model == "per_ticket":
        resolved = [r for r in facts.resolved if included.get(r[2], False)]
    breaches = facts.breaches
    carried = facts.carried if plan.model == "hybrid" else 0
    sync, ledger = _ledger_plan(contract, year, month, today, snapshot=snapshot, blocks=facts.blocks,
                                existing=facts.movements, interventions=interventions)
    blocks = sync.blocks or []
    priced = [pricing.Intervention(ref=intervention_ref(iv), day=iv.day, minutes=iv.minutes,
                                   maintenance_type=iv.ticket.maintenance_type,
                                   included=included.get(iv.ticket.maintenance_type, False), billable=iv.billable)
              for iv in interventions]
    try:
        statement = pricing.price_month(
            plan, year=year, month=month, active=active, interventions=priced,
            resolved_tickets=[(ref, mtype) for _id, ref, mtype in resolved],
            breaches=[pricing.Breach(ticket=e.ticket.reference, priority=e.ticket.priority, metric=e.metric)
                      for e in breaches],
            carried_minutes=carried, blocks=blocks)
    except ValueError as exc:
        name = str(exc).split(":", 1)[0].split("[", 1)[0]
        if name == "ticket_prices":
            name = "ticket_price"
        raise ValidationError({name: [str(exc)]}) from exc
    covered = [iv for iv in interventions if iv.billable and included.get(iv.ticket.maintenance_type, False)]
    on_quote: dict[str, list] = {}
    for iv in interventions:
        if iv.billable and not included.get(iv.ticket.maintenance_type, False):
            on_quote.setdefault(iv.ticket.maintenance_type, []).append(iv)
    invoice = Invoice(
        tenant_id=contract.tenant_id, contract=contract, client_id=contract.client_id, year=year, month=month,
        period_start=first, period_end=last, currency=snapshot.get("currency") or contract.currency,
        vat_rate=plan.vat_rate, net=statement.net, vat=statement.vat, gross=statement.gross, plan=snapshot,
        contract_version=version_number, carry_minutes=statement.carry_minutes, used_minutes=statement.used_minutes,
        expired_minutes=statement.expired_minutes,
        facts={"active": [active[0].isoformat(), active[1].isoformat()], "interventions": len(interventions),
               "billable_minutes": sum(iv.minutes for iv in interventions if iv.billable),
               "resolved_tickets": len(resolved), "breaches": len(breaches), "carried_in": carried,
               "late_work": [{"id": iv.pk, "ticket": iv.ticket.reference, "date": iv.date.isoformat(),
                              "minutes": iv.minutes, "billable": iv.billable}
                             for iv in interventions if iv.late_from is not None],
               "blocks_after": [{"ref": b.ref, "minutes": b.minutes} for b in statement.blocks_after]},
    )
    lines = []
    with translation.override(snapshot.get("language") or contract.language or "fr"):
        for position, line in enumerate(statement.lines, start=1):
            lines.append(InvoiceLine(
                tenant_id=contract.tenant_id, position=position, kind=line.kind,
                label=_line_label(line, model=plan.model, first=first)[:300], quantity=line.quantity,
                unit=line.unit, unit_price=line.unit_price, amount=line.amount,
                maintenance_type=line.label if line.kind in ("tickets", "on_quote") else "",
                detail=_line_detail(line, plan=plan, covered=covered, on_quote=on_quote, resolved=resolved,
                                    breaches=breaches, overage=sync.overage, active=active, carried=carried)))
    return Priced(invoice=invoice, lines=lines, work=interventions, ledger=ledger)


@dataclass
class BatchResult:
    invoices: dict[int, Invoice] = field(default_factory=dict)  # contract id → its invoice of the month
    created: list[Invoice] = field(default_factory=list)  # those this batch drafted
    errors: dict[int, Exception] = field(default_factory=dict)  # contract id → why it was not billed


def _bill_batch(contracts: list[Contract], year: int, month: int, today: date, zone, actor) -> BatchResult:
    """Bill the contracts (one tenant, locked by the caller, in its transaction): facts
    gathered for all (`_gather`), each priced alone, then every row written in one
    statement per table — invoices, lines, billed work, ledger movements, audit events,
    report requests. A contract that has its invoice already is left as it is; one whose
    plan the pricing refuses is reported in `errors` and writes nothing. A conflict on
    the unique (contract, month) raises IntegrityError: the caller's transaction is then
    rolled back whole."""
    out = BatchResult()
    facts = _gather(contracts, year, month, zone)
    priced: list[tuple[Contract, Priced]] = []
    for contract in contracts:
        month_facts = facts[contract.pk]
        if month_facts.invoice is not None:
            out.invoices[contract.pk] = month_facts.invoice
            continue
        try:
            priced.append((contract, _price(contract, year, month, today, month_facts)))
        except ValidationError as exc:
            out.errors[contract.pk] = exc
    if not priced:
        return out
    invoices = Invoice.objects.bulk_create([p.invoice for _c, p in priced])
    lines, billed, ledger, events = [], [], LedgerWrites(), []
    for (contract, p), invoice in zip(priced, invoices, strict=True):
        invoice._loaded = {f.attname: getattr(invoice, f.attname) for f in invoice._meta.concrete_fields}
        for line in p.lines:
            line.invoice = invoice
        lines += p.lines
        # What it billed of each intervention: late work is billed once (billing.selectors.billable_work).
        billed += [InvoicedWork(tenant_id=contract.tenant_id, invoice=invoice, intervention_id=w.pk,
                                minutes=w.record_minutes, late_from=w.late_from) for w in p.work]
        ledger.extend(p.ledger)
        events.append(audit_event(
            tenant=contract.tenant, actor=actor, action="invoice.draft", obj=invoice,
            object_ref=f"{contract.reference} {year}-{month:02d}", organization=contract.client,
            changes={"net": invoice.net, "vat": invoice.vat, "gross": invoice.gross, "lines": len(p.lines),
                     "version": invoice.contract_version}))
        out.invoices[contract.pk] = invoice
        out.created.append(invoice)
    InvoiceLine.objects.bulk_create(lines)
    if billed:
        InvoicedWork.objects.bulk_create(billed)
    ledger.write()
    audit_log_many(events)
    # The month's client reports, after the invoice drafts (they show their credits).
    monthly_reports_request(contracts=[c for c, _p in priced], year=year, month=month, actor=SYSTEM, today=today)
    return out


def _locked(tenant_id: int, contract_ids: Iterable[int]) -> list[Contract]:
    """The contracts, locked in id order (two batches never wait on each other in a
    circle). The lock serialises the run with the hour-bank sync and with another run;
    it is FOR NO KEY UPDATE, so rows that merely refer to a contract (a ticket, an
    intervention, an invoice) can still be written while its batch is billed."""
    return list(Contract.objects.select_for_update(of=("self",), no_key=True).select_related("client", "tenant")
                .filter(tenant_id=tenant_id, pk__in=list(contract_ids)).order_by("pk"))


def _issue_created(created: list[Invoice], *, issue: bool | None, billing_settings: BillingSettings,
                   today: date) -> dict[int, Invoice]:
    if not (issue if issue is not None else billing_settings.auto_issue):
        return {}
    return {invoice.contract_id: invoice_issue(invoice=invoice, actor=SYSTEM, today=today) for invoice in created}


def billing_run_contract(*, contract: Contract, year: int, month: int, today: date | None = None,
                         actor=SYSTEM, issue: bool | None = None,
                         billing_settings: BillingSettings | None = None) -> Invoice:
    """The month's draft invoice of one contract: its facts gathered, priced, stored with
    copied lines (a batch of one, `billing_run_batch`). Idempotent by the unique
    (tenant, contract, year, month): a second run (a retry, a restart, a concurrent
    worker) returns the invoice already there.

    `issue`: also issue it (default: the tenant's `auto_issue` setting). `billing_settings`:
    the tenant's, when the caller has them already."""
    require(actor, "billing.run", tenant=contract.tenant)
    if billing_settings is None:
        billing_settings = billing_settings_get(tenant=contract.tenant)
    zone = tenant_zone(contract.tenant, billing_settings=billing_settings)
    today = today or local_today(contract.tenant, zone=zone)
    _check_month(year, month, today)
    try:
        with transaction.atomic():
            locked = _locked(contract.tenant_id, [contract.pk])
            if not locked:
                raise Contract.DoesNotExist(f"contract {contract.pk} of tenant {contract.tenant_id}")
            result = _bill_batch(locked, year, month, today, zone, actor)
    except IntegrityError:
        existing = Invoice.objects.filter(tenant_id=contract.tenant_id, contract=contract, year=year,
                                          month=month).first()
        if existing is None:
            raise
        return existing
    if contract.pk in result.errors:
        raise result.errors[contract.pk]
    issued = _issue_created(result.created, issue=issue, billing_settings=billing_settings, today=today)
    return issued.get(contract.pk) or result.invoices[contract.pk]


def billing_run_batch(*, tenant, contract_ids: Iterable[int], year: int, month: int, today: date | None = None,
                      actor=SYSTEM, issue: bool | None = None,
                      billing_settings: BillingSettings | None = None) -> BatchResult:
    """A batch of the month's run (a task of `billing_run_dispatch`, a slice of
    `billing_run_month`): the contracts billed together in one transaction, with a
    constant number of queries whatever their number. Exactly one invoice per
    (contract, month) whatever the retries, restarts or concurrent runs: the contracts
    are locked, those invoiced already are left alone, and the unique constraint stands
    behind; if it trips (an invoice drafted by a path that did not lock), the batch is
    rolled back and its contracts billed one by one, each returning the invoice there.
    A contract whose plan the pricing refuses is in `errors`; the others are billed."""
    require(actor, "billing.run", tenant=tenant)
    if billing_settings is None:
        billing_settings = billing_settings_get(tenant=tenant)
    zone = tenant_zone(tenant, billing_settings=billing_settings)
    today = today or local_today(tenant, zone=zone)
    _check_month(year, month, today)
    ids = list(contract_ids)
    try:
        with transaction.atomic():
            result = _bill_batch(_locked(tenant.pk, ids), year, month, today, zone, actor)
    except IntegrityError:
        logger.warning("billing batch of %s contracts for %s-%02d conflicted: billed one by one", len(ids), year,
                       month)
        result = BatchResult()
        for contract in Contract.objects.filter(tenant=tenant, pk__in=ids).select_related("tenant").order_by("pk"):
            try:
                result.invoices[contract.pk] = billing_run_contract(
                    contract=contract, year=year, month=month, today=today, actor=actor, issue=False,
                    billing_settings=billing_settings)
            except ValidationError as exc:
                result.errors[contract.pk] = exc
        return result
    result.invoices.update(_issue_created(result.created, issue=issue, billing_settings=billing_settings,
                                          today=today))
    return result


def billing_run_month(*, tenant, year: int, month: int, actor=SYSTEM, today: date | None = None,
                      progress: Callable[[int, int, Contract], None] | None = None) -> list[Invoice]:
    """Run the month for every contract active in it, here and now (the command), in
    batches of RUN_BATCH (`billing_run_batch`); `progress(done, total, contract)` after
    each contract of a batch."""
    require(actor, "billing.run", tenant=tenant)
    today = today or local_today(tenant)
    _check_month(year, month, today)
    contracts = list(contracts_active_in_month(tenant=tenant, year=year, month=month).select_related("tenant"))
    BillingRun.objects.create(tenant=tenant, year=year, month=month, trigger="manual",
                              requested_by=_actor_user(actor), contracts=len(contracts))
    settings_row = billing_settings_get(tenant=tenant)
    invoices = []
    done = 0
    for start in range(0, len(contracts), RUN_BATCH):
        batch = contracts[start:start + RUN_BATCH]
        result = billing_run_batch(tenant=tenant, contract_ids=[c.pk for c in batch], year=year, month=month,
                                   today=today, actor=actor, billing_settings=settings_row)
        for contract in batch:
            if contract.pk in result.errors:
                raise result.errors[contract.pk]
            invoices.append(result.invoices[contract.pk])
            done += 1
            if progress is not None:
                progress(done, len(contracts), contract)
    return invoices


def billing_run_dispatch(*, tenant, year: int, month: int, trigger: str = "manual", actor=SYSTEM,
                         today: date | None = None) -> BillingRun | None:
    """Queue the contracts active in the month (the scheduler, the run page), RUN_BATCH
    to a task, each task billing its contracts together (`billing_run_batch`).
    A scheduled run claims (tenant, month) once; None if it was already claimed."""
    require(actor, "billing.run", tenant=tenant)
    today = today or local_today(tenant)
    _check_month(year, month, today)
    from billing.tasks import billing_run_contracts_task

    with transaction.atomic():
        ids = list(contracts_active_in_month(tenant=tenant, year=year, month=month).values_list("pk", flat=True))
        try:
            with transaction.atomic():
                run = BillingRun.objects.create(tenant=tenant, year=year, month=month, trigger=trigger,
                                                requested_by=_actor_user(actor), contracts=len(ids))
        except IntegrityError:
            return None  # this month's scheduled run is already under way
        for start in range(0, len(ids), RUN_BATCH):
            enqueue_on_commit(billing_run_contracts_task, tenant.pk, ids[start:start + RUN_BATCH], year, month)
    return run


def billing_catch_up(*, tenant, today: date | None = None) -> int:
    """Finish last month's scheduled run: the contracts active in it that still have no
    invoice (a task lost with the broker, a worker killed mid-run) are billed here, in
    batches. Idempotent like every run; called by the daily task. Returns how many it billed."""
    today = today or local_today(tenant)
    year, month = previous_month(today.year, today.month)
    if not BillingRun.objects.filter(tenant=tenant, year=year, month=month, trigger="schedule").exists():
        return 0  # not started yet: the hourly schedule starts it
    done = Invoice.objects.filter(tenant=tenant, year=year, month=month).values("contract_id")
    missing = list(contracts_active_in_month(tenant=tenant, year=year, month=month).exclude(pk__in=done)
                   .values_list("pk", flat=True))
    count = 0
    for start in range(0, len(missing), RUN_BATCH):
        result = billing_run_batch(tenant=tenant, contract_ids=missing[start:start + RUN_BATCH], year=year,
                                   month=month, today=today)
        for contract_id, exc in result.errors.items():
            logger.error("billing contract %s for %s-%02d failed: %s", contract_id, year, month, exc)
        count += len(result.invoices)
    return count


# ============================================================================ invoices


def invoice_event_payload(invoice: Invoice) -> dict:
    """What a webhook says about an invoice (portal.events); amounts as strings."""
    return {"invoice": {
        "number": invoice.number, "status": invoice.status, "client": invoice.client.reference,
        "contract": invoice.contract.reference, "year": invoice.year, "month": invoice.month,
        "issue_date": invoice.issue_date.isoformat() if invoice.issue_date else None,
        "due_date": invoice.due_date.isoformat() if invoice.due_date else None,
        "gross": str(invoice.gross), "amount_paid": str(invoice.amount_paid), "currency": invoice.currency}}


def _lock_invoice(invoice: Invoice) -> Invoice:
    return (Invoice.objects.select_for_update(of=("self",)).select_related("contract", "client", "tenant")
            .get(pk=invoice.pk, tenant_id=invoice.tenant_id))


@transaction.atomic
def invoice_issue(*, invoice: Invoice, actor, today: date | None = None) -> Invoice:
    """Give a draft its number and dates. Numbers are per tenant and year of issue,
    INV-2026-000001, strictly sequential with no gap: the counter row is locked in this
    transaction (`portal.sequences`), so a rollback gives the number back and two
    concurrent issuers wait for each other."""
    require(actor, "invoice.issue", tenant=invoice.tenant)
    invoice = _lock_invoice(invoice)
    if invoice.status != InvoiceStatus.DRAFT:
        raise ValidationError({"status": [_("This invoice is already issued (%(number)s).")
                                          % {"number": invoice.number}]})
    today = today or local_today(invoice.tenant)
    terms = int(invoice.plan.get("payment_terms_days") or invoice.contract.payment_terms_days or 0)
    invoice.number = f"INV-{today.year}-{sequence_next(tenant=invoice.tenant, key=f'invoice-{today.year}'):06d}"
    invoice.status = InvoiceStatus.ISSUED
    invoice.issue_date = today
    invoice.due_date = today + timedelta(days=terms)
    invoice.issued_by = _actor_user(actor)
    # The legal identities and payment details as printed: a later change of address
    # never alters an invoice already sent (billing.documents).
    invoice.facts = {**(invoice.facts or {}), "parties": issue_snapshot(invoice)}
    invoice.pdf_status = PdfStatus.QUEUED
    invoice.save()
    from billing.tasks import invoice_pdf_task

    enqueue_on_commit(invoice_pdf_task, invoice.tenant_id, invoice.pk)
    audit_log(tenant=invoice.tenant, actor=actor, action="invoice.issue", obj=invoice, organization=invoice.client,
              changes={"number": invoice.number, "issue_date": today, "due_date": invoice.due_date,
                       "gross": invoice.gross})
    emit(tenant_id=invoice.tenant_id, event_type="invoice.issued", payload=invoice_event_payload(invoice))
    return invoice


def _settle(invoice: Invoice, day: date) -> list[str]:
    """Status from what was paid and credited; returns the fields it changed."""
    if invoice.amount_credited >= invoice.gross and invoice.amount_paid == 0:
        invoice.status, invoice.cancelled_at = InvoiceStatus.CANCELLED, day
        return ["status", "cancelled_at"]
    if invoice.amount_paid + invoice.amount_credited >= invoice.gross and invoice.amount_paid > 0:
        invoice.status, invoice.paid_at = InvoiceStatus.PAID, day
        return ["status", "paid_at"]
    return []


@transaction.atomic
def payment_record(*, invoice: Invoice, actor, date: date, amount, method: str, reference: str = "") -> Payment:
    """Record a payment received. A partial payment leaves the rest due; the last one
    marks the invoice paid and resumes a contract suspended for it."""
    require(actor, "payment.record", tenant=invoice.tenant)
    invoice = _lock_invoice(invoice)
    if invoice.status == InvoiceStatus.DRAFT:
        raise ValidationError({"status": [_("A draft invoice cannot be paid: issue it first.")]})
    if invoice.status in (InvoiceStatus.PAID, InvoiceStatus.CANCELLED):
        raise ValidationError({"status": [_("This invoice is %(status)s: nothing is due.")
                                          % {"status": invoice.get_status_display().lower()}]})
    errors = {}
    try:
        amount = _money(amount, "amount")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    else:
        if amount <= 0:
            errors["amount"] = [_("A payment is a positive amount.")]
        elif amount > invoice.balance_due:
            errors["amount"] = [_("%(amount)s is more than what is due (%(due)s).")
                                % {"amount": amount, "due": invoice.balance_due}]
    if method not in PaymentMethod.values:
        errors["method"] = [_("Unknown payment method.")]
    if date is None:
        errors["date"] = [_("The payment date is required.")]
    elif invoice.issue_date and date < invoice.issue_date:
        errors["date"] = [_("A payment cannot be dated before the invoice was issued.")]
    if errors:
        raise ValidationError(errors)
    payment = Payment.objects.create(tenant_id=invoice.tenant_id, invoice=invoice, date=date, amount=amount,
                                     method=method, reference=(reference or "").strip()[:100],
                                     recorded_by=_actor_user(actor))
    invoice.amount_paid += amount
    fields = ["amount_paid", "updated_at", *_settle(invoice, date)]
    invoice.save(update_fields=fields)
    audit_log(tenant=invoice.tenant, actor=actor, action="invoice.payment", obj=invoice, organization=invoice.client,
              changes={"amount": amount, "date": date, "method": method, "reference": payment.reference,
                       "status": invoice.status})
    if invoice.status == InvoiceStatus.PAID:
        emit(tenant_id=invoice.tenant_id, event_type="invoice.paid", payload=invoice_event_payload(invoice))
    if invoice.status == InvoiceStatus.PAID and invoice.suspended_contract_at is not None:
        _resume_if_settled(invoice, actor=actor, today=date)
    return payment


@transaction.atomic
def credit_note_create(*, invoice: Invoice, actor, reason: str, amount=None,
                       lines: Iterable[Mapping[str, Any]] | None = None, today: date | None = None) -> CreditNote:
    """Correct an issued invoice: `lines` (label, quantity, unit, unit_price), or an
    `amount` excl. VAT, or neither for all that remains. VAT at the invoice's rate.
    Never more than what remains of the invoice; all of it cancels the invoice."""
    require(actor, "credit_note.create", tenant=invoice.tenant)
    invoice = _lock_invoice(invoice)
    if invoice.status in (InvoiceStatus.DRAFT, InvoiceStatus.CANCELLED):
        raise ValidationError({"status": [_("Only an issued invoice can be credited.")]})
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why the invoice is credited.")]})
    credited = invoice.credit_notes.aggregate(net=Coalesce(Sum("net"), ZERO), vat=Coalesce(Sum("vat"), ZERO))
    copied: list[dict] = []
    if lines:
        net = ZERO
        for index, raw in enumerate(lines, start=1):
            try:
                quantity = Decimal(str(raw["quantity"]))
                unit_price = _money(raw["unit_price"], "unit_price")
                label = str(raw["label"]).strip()
            except (KeyError, InvalidOperation, ValueError, ValidationError) as exc:
                raise ValidationError({"lines": [_("Line %(n)s: give a label, a quantity and a unit price.")
                                                 % {"n": index}]}) from exc
            if not label or quantity <= 0 or unit_price < 0:
                raise ValidationError({"lines": [_("Line %(n)s: give a label, a quantity and a unit price.")
                                                 % {"n": index}]})
            line_amount = pricing.round_half_up(quantity * unit_price)
            net += line_amount
            copied.append({"label": label[:300], "quantity": str(quantity), "unit": str(raw.get("unit") or "unit"),
                           "unit_price": str(unit_price), "amount": str(line_amount)})
        vat = pricing.round_half_up(net * invoice.vat_rate / 100)
    elif amount is not None:
        net = _money(amount, "amount")
        if net <= 0:
            raise ValidationError({"amount": [_("A credit note is a positive amount.")]})
        vat = pricing.round_half_up(net * invoice.vat_rate / 100)
    else:  # all that remains, to the cent of what was invoiced
        net, vat = invoice.net - credited["net"], invoice.vat - credited["vat"]
    gross = net + vat
    if gross <= 0:
        raise ValidationError({"amount": [_("Nothing remains to credit on this invoice.")]})
    if gross > invoice.credit_remaining:
        raise ValidationError({"amount": [_("%(gross)s incl. VAT is more than what remains of the invoice (%(left)s).")
                                          % {"gross": gross, "left": invoice.credit_remaining}]})
    today = today or local_today(invoice.tenant)
    number = f"CN-{today.year}-{sequence_next(tenant=invoice.tenant, key=f'credit-note-{today.year}'):06d}"
    note = CreditNote.objects.create(tenant_id=invoice.tenant_id, invoice=invoice, number=number, issue_date=today,
                                     reason=reason.strip()[:300], currency=invoice.currency, net=net, vat=vat,
                                     gross=gross, lines=copied, created_by=_actor_user(actor),
                                     pdf_status=PdfStatus.QUEUED)
    from billing.tasks import credit_note_pdf_task

    enqueue_on_commit(credit_note_pdf_task, note.tenant_id, note.pk)
    invoice.amount_credited += gross
    invoice.save(update_fields=["amount_credited", "updated_at", *_settle(invoice, today)])
    audit_log(tenant=invoice.tenant, actor=actor, action="invoice.credit", obj=invoice, organization=invoice.client,
              changes={"credit_note": number, "net": net, "vat": vat, "gross": gross, "reason": reason.strip(),
                       "status": invoice.status})
    if invoice.status in (InvoiceStatus.PAID, InvoiceStatus.CANCELLED) and invoice.suspended_contract_at is not None:
        _resume_if_settled(invoice, actor=actor, today=today)
    return note


# ============================================================================ unpaid invoices


@dataclass
class DailyReport:
    overdue: list[str]
    suspended: list[str]


def _past_threshold(tenant_id: int, contract: Contract, today: date, days: int):
    return Invoice.objects.filter(tenant_id=tenant_id, contract=contract, status=InvoiceStatus.OVERDUE,
                                  due_date__lte=today - timedelta(days=days))


def invoices_daily(*, tenant, today: date | None = None) -> DailyReport:
    """The day's unpaid-invoice follow-up: issued invoices past their due date become
    overdue and the client gets a warning; `unpaid_suspend_days` past the due date the
    contract is suspended (curative tickets then refused as for any suspension).
    Conditional updates and the contract's own state checks make a rerun harmless."""
    settings_row = billing_settings_get(tenant=tenant)
    today = today or local_today(tenant, zone=tenant_zone(tenant, billing_settings=settings_row))
    report = DailyReport(overdue=[], suspended=[])
    for invoice in Invoice.objects.filter(tenant=tenant, status=InvoiceStatus.ISSUED,
                                          due_date__lt=today).select_related("client"):
        with transaction.atomic():
            if not Invoice.objects.filter(pk=invoice.pk, status=InvoiceStatus.ISSUED).update(
                    status=InvoiceStatus.OVERDUE, overdue_at=today, updated_at=timezone.now()):
                continue
            audit_log(tenant=tenant, actor=None, action="invoice.overdue", obj=invoice, organization=invoice.client,
                      changes={"status": ["issued", "overdue"], "due_date": invoice.due_date})
            from billing.notifications import invoice_overdue_notify

            Invoice.objects.filter(pk=invoice.pk).update(warned_at=timezone.now())
            invoice_overdue_notify(invoice=invoice, suspend_after_days=settings_row.unpaid_suspend_days)
            invoice.status = InvoiceStatus.OVERDUE
            emit(tenant_id=invoice.tenant_id, event_type="invoice.overdue", payload=invoice_event_payload(invoice))
        report.overdue.append(invoice.number)
    days = settings_row.unpaid_suspend_days
    due = (Invoice.objects.filter(tenant=tenant, status=InvoiceStatus.OVERDUE, suspended_contract_at__isnull=True,
                                  due_date__lte=today - timedelta(days=days))
           .select_related("contract", "client"))
    for invoice in due:
        with transaction.atomic():
            invoice = _lock_invoice(invoice)
            if invoice.status != InvoiceStatus.OVERDUE or invoice.suspended_contract_at is not None:
                continue
            contract = invoice.contract
            if contract.status != ContractStatus.ACTIVE:
                continue  # already suspended (another invoice, a manual suspension) or ended
            with translation.override(contract.language or "fr"):
                reason = _("Unpaid invoice %(number)s") % {"number": invoice.number}
            contract_suspend(contract=contract, actor=SYSTEM, reason=reason)
            invoice.suspended_contract_at = timezone.now()
            invoice.save(update_fields=["suspended_contract_at", "updated_at"])
            audit_log(tenant=tenant, actor=None, action="invoice.suspend_contract", obj=invoice,
                      organization=invoice.client,
                      changes={"contract": contract.reference, "days_past_due": (today - invoice.due_date).days})
        report.suspended.append(contract.reference)
    return report


def _resume_if_settled(invoice: Invoice, *, actor, today: date) -> None:
    """Resume the contract this invoice suspended, unless another invoice is still
    unpaid past the tenant's delay."""
    contract = Contract.objects.get(pk=invoice.contract_id, tenant_id=invoice.tenant_id)
    if contract.status != ContractStatus.SUSPENDED:
        return
    days = billing_settings_get(tenant=invoice.tenant).unpaid_suspend_days
    if _past_threshold(invoice.tenant_id, contract, today, days).exclude(pk=invoice.pk).exists():
        return
    contract_resume(contract=contract, actor=actor)
    audit_log(tenant=invoice.tenant, actor=actor, action="invoice.resume_contract", obj=invoice,
              organization=invoice.client, changes={"contract": contract.reference})

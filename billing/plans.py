"""The billing plan a month is priced with.

The plan is contract data, versioned with the contract (`ContractVersion.snapshot`). A
month is always priced with one version: the one in force on its first day, or on the
contract's start day for its first month. So an amendment applies from the first month
that begins on or after its effective date (DOMAIN: the billing issue).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from billing import pricing


def month_bounds(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return first, date.fromordinal(following.toordinal() - 1)


def plan_day(contract, year: int, month: int) -> date:
    """The day whose version prices the month: max(first day of the month, start)."""
    first, _ = month_bounds(year, month)
    return max(first, contract.start_date) if contract.start_date else first


def version_on(versions, day: date):
    """The version in force on `day` among `versions` (any iterable of ContractVersion):
    the latest effective on or before it (the highest number on the same day)."""
    best = None
    for version in versions:
        if version.effective_from <= day and (
            best is None or (version.effective_from, version.number) > (best.effective_from, best.number)
        ):
            best = version
    return best


def snapshot_for(contract, year: int, month: int, *, versions=None) -> tuple[dict[str, Any], int]:
    """The plan's snapshot for the month and its version number. `versions` may be given
    (prefetched) to spare a query; a contract never activated has none, and is read live."""
    if versions is None:
        versions = list(contract.versions.all())
    version = version_on(versions, plan_day(contract, year, month))
    if version is not None:
        return version.snapshot, version.number
    from contracts.services.contracts import contract_snapshot

    return contract_snapshot(contract), contract.version


def _decimal(value, default: str = "0") -> Decimal:
    return Decimal(str(value if value not in (None, "") else default))


def included_types(snapshot: dict[str, Any]) -> dict[str, bool]:
    """maintenance type → included in the price (False: billed on quote, B5)."""
    return {m["maintenance_type"]: bool(m.get("included", True)) for m in snapshot.get("maintenance_types", [])}


def plan_from_snapshot(snapshot: dict[str, Any]) -> pricing.Plan:
    """A `pricing.Plan` from a version snapshot (`contracts.services.contract_snapshot`).
    Bad values raise `ValueError` naming the field (pricing B12)."""
    credits = snapshot.get("service_credits") or {}
    minutes = snapshot.get("included_minutes")
    if minutes is None:  # a snapshot taken before the plan was in minutes
        minutes = int(_decimal(snapshot.get("included_hours")) * 60)
    return pricing.Plan(
        model=snapshot.get("billing_model", "flat_fee"),
        monthly_fee=_decimal(snapshot.get("monthly_fee")),
        hourly_rate=_decimal(snapshot.get("hourly_rate")),
        included_minutes=int(minutes),
        rollover_cap_minutes=snapshot.get("rollover_cap_minutes"),
        increment_minutes=int(snapshot.get("increment_minutes") or 15),
        ticket_prices={m["maintenance_type"]: _decimal(m["ticket_price"])
                       for m in snapshot.get("maintenance_types", [])
                       if m.get("ticket_price") not in (None, "")},
        penalty_percent={(priority, metric): _decimal(pct)
                         for priority, row in credits.items() for metric, pct in row.items()},
        penalty_cap_percent=_decimal(snapshot.get("penalty_cap_percent")),
        vat_rate=_decimal(snapshot.get("vat_rate"), "20"),
    )


def plan_for(contract, year: int, month: int, *, versions=None) -> pricing.Plan:
    """The `pricing.Plan` for (contract, year, month)."""
    snapshot, _ = snapshot_for(contract, year, month, versions=versions)
    return plan_from_snapshot(snapshot)

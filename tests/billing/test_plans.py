"""The billing plan as contract data: validation naming the field, versioned with the
contract, and the version that prices a month (billing.plans)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from billing import pricing
from billing.plans import plan_for, plan_from_snapshot, snapshot_for
from contracts.models import Contract
from contracts.services import contracts as contract_services
from tests.billing import factories as bf
from tests.contracts import factories as cf


def _refused_field(call) -> dict:
    with pytest.raises(ValidationError) as exc:
        call()
    return exc.value.message_dict


# ---------------------------------------------------------------- validation (bad input)


def test_it_refuses_a_plan_with_a_negative_price(amy, org_a1, policy):
    errors = _refused_field(lambda: cf.draft(actor=amy, client=org_a1, policy=policy, monthly_fee=Decimal("-1")))
    assert list(errors) == ["monthly_fee"]
    assert not Contract.objects.exists()


def test_it_refuses_a_plan_with_an_increment_of_zero(amy, org_a1, policy):
    errors = _refused_field(lambda: cf.draft(actor=amy, client=org_a1, policy=policy, increment_minutes=0))
    assert list(errors) == ["increment_minutes"]
    assert not Contract.objects.exists()


def test_it_refuses_a_credit_cap_above_100_percent(amy, org_a1, policy):
    errors = _refused_field(lambda: cf.draft(actor=amy, client=org_a1, policy=policy,
                                             penalty_cap_percent=Decimal("100.01")))
    assert list(errors) == ["penalty_cap_percent"]
    assert not Contract.objects.exists()


def test_it_refuses_a_per_ticket_plan_without_a_price_for_a_covered_type(amy, org_a1, policy):
    draft = cf.draft(actor=amy, client=org_a1, policy=policy, scope=False, billing_model="per_ticket")
    types = [{**m, "ticket_price": Decimal("90.00")} for m in bf.MAINTENANCE_TYPES if m["maintenance_type"] != "curative"]
    types.append({"maintenance_type": "curative", "included": True})
    errors = _refused_field(lambda: contract_services.contract_set_scope(contract=draft, actor=amy,
                                                                         maintenance_types=types))
    assert list(errors) == ["ticket_price"]
    assert "curative" in errors["ticket_price"][0]
    assert not draft.maintenance_types.exists()


def test_it_does_not_ask_a_price_for_a_type_billed_on_quote(amy, org_a1, policy):
    contract = bf.contract(actor=amy, client=org_a1, policy=policy, billing_model="per_ticket",
                           maintenance_types=[{**m, "ticket_price": Decimal("90.00") if m["included"] else None}
                                              for m in bf.MAINTENANCE_TYPES])
    assert contract.billing_model == "per_ticket"


def test_it_refuses_switching_a_draft_to_per_ticket_while_a_type_has_no_price(amy, org_a1, policy):
    draft = cf.draft(actor=amy, client=org_a1, policy=policy)
    errors = _refused_field(lambda: contract_services.contract_update(contract=draft, actor=amy,
                                                                      billing_model="per_ticket"))
    assert list(errors) == ["ticket_price"]
    draft.refresh_from_db()
    assert draft.billing_model == "flat_fee"


def test_it_refuses_an_amendment_to_per_ticket_without_prices(make_contract, amy):
    contract = make_contract("flat_fee")
    errors = _refused_field(lambda: bf.amend(contract=contract, actor=amy, effective=date(2026, 3, 1),
                                             billing_model="per_ticket"))
    assert list(errors) == ["ticket_price"]
    contract.refresh_from_db()
    assert (contract.billing_model, contract.version, contract.amendments.count()) == ("flat_fee", 1, 0)


@pytest.mark.parametrize("grid, message", [
    ({"P9": {"response": "5"}}, "P9"),
    ({"P1": {"uptime": "5"}}, "uptime"),
    ({"P1": {"response": "101"}}, "between 0 and 100"),
    ({"P1": {"response": "-1"}}, "between 0 and 100"),
    ({"P1": {"response": "five"}}, "percentage"),
    (["P1", "5"], "percentage"),
])
def test_it_refuses_a_bad_service_credit_grid(amy, org_a1, policy, grid, message):
    errors = _refused_field(lambda: cf.draft(actor=amy, client=org_a1, policy=policy, service_credits=grid))
    assert list(errors) == ["service_credits"]
    assert message in errors["service_credits"][0]


def test_it_stores_the_service_credit_grid_as_decimal_strings_without_zero_cells(amy, org_a1, policy):
    draft = cf.draft(actor=amy, client=org_a1, policy=policy,
                     service_credits={"P1": {"response": 5, "resolution": "10.5"}, "P2": {"response": "0"}})
    assert draft.service_credits == {"P1": {"response": "5.00", "resolution": "10.50"}}


def test_it_still_accepts_included_hours_from_the_forms_and_api(amy, org_a1, policy):
    draft = cf.draft(actor=amy, client=org_a1, policy=policy, included_hours=Decimal("7.5"))
    assert (draft.included_minutes, draft.included_hours) == (450, Decimal("7.50"))


# ---------------------------------------------------------------- versioned with the contract


def test_it_keeps_the_whole_plan_in_the_version_snapshot(make_contract):
    contract = make_contract("per_ticket", included_minutes=600, rollover_cap_minutes=120, increment_minutes=30,
                             service_credits={"P1": {"resolution": "5"}}, penalty_cap_percent=Decimal("20"))
    snap = contract.versions.get().snapshot
    assert {k: snap[k] for k in ("billing_model", "included_minutes", "rollover_cap_minutes", "increment_minutes",
                                 "service_credits", "penalty_cap_percent", "monthly_fee", "hourly_rate", "vat_rate",
                                 "payment_terms_days", "currency")} == {
        "billing_model": "per_ticket", "included_minutes": 600, "rollover_cap_minutes": 120, "increment_minutes": 30,
        "service_credits": {"P1": {"resolution": "5.00"}}, "penalty_cap_percent": "20.00", "monthly_fee": "450.00",
        "hourly_rate": "80.00", "vat_rate": "20.00", "payment_terms_days": 30, "currency": "EUR"}
    assert {m["maintenance_type"]: m["ticket_price"] for m in snap["maintenance_types"]} == {
        "preventive": "120.00", "corrective": "120.00", "curative": "120.00", "evolutive": "120.00"}


def test_it_reprices_tickets_by_amendment_in_a_new_version(make_contract, amy):
    contract = make_contract("per_ticket")
    bf.amend(contract=contract, actor=amy, effective=date(2026, 4, 1), ticket_prices={"corrective": "150.00"})
    v1, v2 = contract.versions.order_by("number")
    prices = [{m["maintenance_type"]: m["ticket_price"] for m in v.snapshot["maintenance_types"]}["corrective"]
              for v in (v1, v2)]
    assert prices == ["120.00", "150.00"]


def test_it_builds_the_pricing_plan_from_a_snapshot(make_contract):
    contract = make_contract("hybrid", monthly_fee=Decimal("900.00"), included_minutes=600, rollover_cap_minutes=300,
                             service_credits={"P1": {"resolution": "5"}}, penalty_cap_percent=Decimal("20"))
    plan = plan_for(contract, 2026, 3)
    assert plan == pricing.Plan(
        model="hybrid", monthly_fee=Decimal("900.00"), hourly_rate=Decimal("80.00"), included_minutes=600,
        rollover_cap_minutes=300, increment_minutes=15, ticket_prices={},
        penalty_percent={("P1", "resolution"): Decimal("5.00")}, penalty_cap_percent=Decimal("20.00"),
        vat_rate=Decimal("20.00"))


def test_it_reads_a_snapshot_taken_when_the_plan_was_in_hours():
    plan = plan_from_snapshot({"billing_model": "hybrid", "monthly_fee": "690.00", "hourly_rate": "80.00",
                               "included_hours": "6.00", "vat_rate": "20.00", "maintenance_types": []})
    assert (plan.included_minutes, plan.increment_minutes, plan.rollover_cap_minutes) == (360, 15, None)


# ---------------------------------------------------------------- which version prices a month


@pytest.mark.parametrize("effective, month, expected_fee", [
    (date(2026, 3, 1), (2026, 2), "450.00"),   # the month before: old plan
    (date(2026, 3, 1), (2026, 3), "500.00"),   # effective on the 1st: from that month
    (date(2026, 3, 2), (2026, 3), "450.00"),   # effective on the 2nd: the month began with the old plan…
    (date(2026, 3, 2), (2026, 4), "500.00"),   # …and the next month is the first to begin after it
    (date(2026, 3, 31), (2026, 3), "450.00"),  # last day of a month
    (date(2026, 3, 31), (2026, 4), "500.00"),
    (date(2026, 2, 28), (2026, 2), "450.00"),  # month end in February
    (date(2026, 2, 28), (2026, 3), "500.00"),
])
def test_it_prices_a_month_with_the_version_in_force_on_its_first_day(make_contract, amy, effective, month,
                                                                        expected_fee):
    contract = make_contract("flat_fee")
    bf.amend(contract=contract, actor=amy, effective=effective, monthly_fee=Decimal("500.00"))
    assert plan_for(contract, *month).monthly_fee == Decimal(expected_fee)


def test_it_prices_the_first_month_with_the_version_in_force_on_the_start_day(amy, org_a1, policy):
    contract = bf.contract(actor=amy, client=org_a1, policy=policy, start_date=date(2026, 1, 20))
    bf.amend(contract=contract, actor=amy, effective=date(2026, 1, 20), monthly_fee=Decimal("500.00"))
    snapshot, number = snapshot_for(contract, 2026, 1)
    assert (number, snapshot["monthly_fee"]) == (2, "500.00")


def test_it_uses_the_last_of_two_amendments_effective_the_same_day(make_contract, amy):
    contract = make_contract("flat_fee")
    bf.amend(contract=contract, actor=amy, effective=date(2026, 5, 1), monthly_fee=Decimal("500.00"))
    bf.amend(contract=contract, actor=amy, effective=date(2026, 5, 1), monthly_fee=Decimal("550.00"))
    assert plan_for(contract, 2026, 5).monthly_fee == Decimal("550.00")

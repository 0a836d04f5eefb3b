"""sla.selectors: what provider users read (calendars, policies, matrix), which target
applies to a ticket, and the deadline simulator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.http import Http404

from portal.models import Membership
from sla import selectors, services
from tests.sla.conftest import PARIS, utc

WORKDAYS = ("mon", "tue", "wed", "thu", "fri")
FR_BUSINESS_HOURS = {d: [["09:00", "12:00"], ["14:00", "18:00"]] for d in WORKDAYS}
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)
CHRISTMAS_EVE_1630 = datetime(2026, 12, 24, 16, 30, tzinfo=PARIS)


def viewer(user) -> Membership:
    return Membership.objects.get(user=user)


@pytest.fixture
def fr_hours(tenant_a, alice):
    return services.calendar_create(
        tenant=tenant_a, actor=alice, code="fr-business-hours", name="Heures ouvrées", timezone_name="Europe/Paris",
        hours=FR_BUSINESS_HOURS, holidays=[{"date": "2026-12-25", "name": "Noël"}], effective_from=LONG_AGO,
    )


def policy_with(tenant, actor, calendar, targets, code="standard", **extra):
    return services.policy_create(tenant=tenant, actor=actor, code=code, name=code.title(), calendar=calendar,
                                  targets=targets, **extra)


@pytest.fixture
def standard(tenant_a, alice, fr_hours):
    policy = policy_with(tenant_a, alice, fr_hours, [
        {"priority": "P1", "response_minutes": 60, "resolution_minutes": 480},
        {"priority": "P2", "response_minutes": 120, "resolution_minutes": 840},
        {"priority": "P4", "maintenance_type": "evolutive", "response_minutes": 480, "resolution_minutes": 4200},
        {"priority": "P4", "response_minutes": 480, "resolution_minutes": 2100},
        {"priority": "P3", "maintenance_type": "preventive", "resolution_minutes": 1680},
    ])
    return selectors.policy_get(tenant=tenant_a, viewer=viewer(alice), code=policy.code)


# =========================================================================== target_for


def test_it_picks_the_target_of_the_priority_and_maintenance_type(standard):
    target = selectors.target_for(standard, priority="P4", maintenance_type="evolutive")
    assert (target.maintenance_type, target.resolution_minutes) == ("evolutive", 4200)


def test_it_falls_back_to_the_general_target_of_the_priority(standard):
    target = selectors.target_for(standard, priority="P4", maintenance_type="corrective")
    assert (target.maintenance_type, target.resolution_minutes) == ("", 2100)


def test_it_picks_the_general_target_when_no_maintenance_type_is_given(standard):
    target = selectors.target_for(standard, priority="P4")
    assert (target.maintenance_type, target.resolution_minutes) == ("", 2100)


def test_it_finds_no_target_for_a_priority_without_one(standard):
    assert selectors.target_for(standard, priority="P3", maintenance_type="corrective") is None


def test_it_finds_no_general_target_when_the_priority_only_has_typed_ones(standard):
    assert selectors.target_for(standard, priority="P3") is None


# =========================================================================== priority matrix


def test_it_uses_the_itil_default_when_the_tenant_has_no_matrix(tenant_a):
    assert selectors.priority_for(tenant=tenant_a, impact="high", urgency="high") == "P1"
    assert selectors.priority_for(tenant=tenant_a, impact="medium", urgency="low") == "P4"


def test_it_uses_the_tenants_matrix_for_the_priority(tenant_a, alice):
    services.priority_matrix_set(tenant=tenant_a, actor=alice, cells={("medium", "low"): "P3"})
    assert selectors.priority_for(tenant=tenant_a, impact="medium", urgency="low") == "P3"


def test_it_ignores_another_tenants_matrix(tenant_a, tenant_b, carol):
    services.priority_matrix_set(tenant=tenant_b, actor=carol, cells={("high", "high"): "P2"})
    assert selectors.priority_for(tenant=tenant_a, impact="high", urgency="high") == "P1"


def test_it_fills_cells_not_set_with_the_default(tenant_a, alice):
    services.priority_matrix_set(tenant=tenant_a, actor=alice, cells={("low", "low"): "P3"})
    matrix = selectors.priority_matrix(tenant=tenant_a)
    assert (len(matrix), matrix[("low", "low")], matrix[("high", "medium")]) == (9, "P3", "P2")


# =========================================================================== calendars


def test_it_lists_the_calendars_to_provider_users(tenant_a, fr_hours, bob):
    assert list(selectors.calendar_list(tenant=tenant_a, viewer=viewer(bob))) == [fr_hours]


def test_it_lists_no_calendar_to_client_users(tenant_a, fr_hours, cody):
    assert list(selectors.calendar_list(tenant=tenant_a, viewer=viewer(cody))) == []


def test_it_hides_other_tenants_calendars(tenant_b, fr_hours, carol):
    with pytest.raises(Http404):
        selectors.calendar_get(tenant=tenant_b, viewer=viewer(carol), code=fr_hours.code)


def test_it_finds_the_version_in_force_at_an_instant(fr_hours, alice):
    edit = datetime(2026, 6, 10, 10, 0, tzinfo=UTC)
    services.calendar_update(calendar=fr_hours, actor=alice, now=edit, hours={"mon": [["09:00", "18:00"]]})
    before = selectors.calendar_version_at(fr_hours, edit - timedelta(seconds=1))
    after = selectors.calendar_version_at(fr_hours, edit)
    assert (before.hours, after.hours) == (FR_BUSINESS_HOURS, {"mon": [["09:00", "18:00"]]})


# =========================================================================== policies


def test_it_lists_no_policy_to_client_users(tenant_a, standard, clara):
    assert list(selectors.policy_list(tenant=tenant_a, viewer=viewer(clara))) == []


def test_it_hides_other_tenants_policies(tenant_b, standard, carol):
    with pytest.raises(Http404):
        selectors.policy_get(tenant=tenant_b, viewer=viewer(carol), code=standard.code)


# =========================================================================== policy_simulate
# Thu 2026-12-24 16:30 + 120 business minutes: 16:30–18:00 (90 min), Fri 25 is Christmas,
# then the weekend, Mon 28 09:00–09:30 (30 min) -> Mon 28 09:30+01:00.


def simulate(policy, priority="P2", start=CHRISTMAS_EVE_1630, **kwargs):
    return selectors.policy_simulate(policy=policy, start=start, priority=priority, **kwargs)


def test_it_simulates_the_response_deadline_over_christmas_and_the_weekend(standard):
    response = simulate(standard)["response"]
    assert response["target_minutes"] == 120
    assert utc(response["deadline"]) == utc(datetime.fromisoformat("2026-12-28T09:30:00+01:00"))


def test_it_simulates_the_resolution_deadline(standard):
    # 840 min: 90 on Thu 24, 420 on Mon 28, then 330 on Tue 29: 09:00–12:00 (180) and
    # 14:00–16:30 (150) -> Tue 29 16:30.
    resolution = simulate(standard)["resolution"]
    assert utc(resolution["deadline"]) == utc(datetime(2026, 12, 29, 16, 30, tzinfo=PARIS))


def test_it_simulates_the_warning_at_the_policys_percentage(standard):
    # 80 % of 120 min = 96 min: 90 on Thursday, 6 on Monday morning.
    assert utc(simulate(standard)["response"]["warning_at"]) == utc(datetime(2026, 12, 28, 9, 6, tzinfo=PARIS))


def test_it_explains_the_deadline_with_a_timeline(standard):
    timeline = simulate(standard)["response"]["timeline"]
    assert [(s["kind"], s["minutes"]) for s in timeline] == [
        ("business", 90), ("closed", (15 + 24 * 3) * 60), ("business", 30),
    ]
    assert utc(timeline[0]["start"]) == utc(CHRISTMAS_EVE_1630)


def test_it_counts_timeline_minutes_that_add_up_to_the_target(standard):
    for metric in ("response", "resolution"):
        result = simulate(standard)[metric]
        counted = sum(s["minutes"] for s in result["timeline"] if s["kind"] == "business")
        assert counted == result["timeline"][-1]["counted_minutes"] == result["target_minutes"], metric


def test_it_ends_the_timeline_at_the_deadline(standard):
    result = simulate(standard)["response"]
    assert utc(result["timeline"][-1]["end"]) == utc(result["deadline"])


def test_it_simulates_no_sla_for_a_metric_without_target(standard):
    result = simulate(standard, priority="P3", maintenance_type="preventive")
    assert result["response"] is None
    assert result["resolution"]["target_minutes"] == 1680


def test_it_simulates_no_sla_for_a_priority_without_target(standard):
    result = simulate(standard, priority="P3")
    assert (result["response"], result["resolution"]) == (None, None)


def test_it_simulates_with_the_maintenance_types_own_target(standard):
    result = simulate(standard, priority="P4", maintenance_type="evolutive")
    assert result["resolution"]["target_minutes"] == 4200


def test_it_gives_the_simulated_start_in_the_calendars_zone(standard):
    start = simulate(standard, start=CHRISTMAS_EVE_1630.astimezone(UTC))["start"]
    assert (start.hour, start.minute, str(start.tzinfo)) == (16, 30, "Europe/Paris")


def test_it_simulates_with_the_hours_in_force_after_an_edit(tenant_a, alice, standard, fr_hours):
    # From Mon 28 on, the calendar also opens at lunch: 09:00–18:00.
    edit = datetime(2026, 12, 28, 0, 0, tzinfo=PARIS)
    services.calendar_update(calendar=fr_hours, actor=alice, now=edit,
                             hours={d: [["09:00", "18:00"]] for d in WORKDAYS}, holidays=[])
    policy = selectors.policy_get(tenant=tenant_a, viewer=viewer(alice), code=standard.code)
    # 840 min: 90 on Thu 24 (old hours, Fri 25 a holiday then), 540 on Mon 28, 210 on Tue 29.
    assert utc(simulate(policy)["resolution"]["deadline"]) == utc(datetime(2026, 12, 29, 12, 30, tzinfo=PARIS))

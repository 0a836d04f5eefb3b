"""sla.services: calendars (versioned, R16), holidays import, policies and targets, the
priority matrix."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from portal.models import AuditEvent
from sla import selectors, services
from sla.clock import BusinessCalendar as Clock
from sla.models import (
    ITIL_DEFAULT_MATRIX,
    BusinessCalendar,
    CalendarVersion,
    PriorityMatrixCell,
    SlaPolicy,
    SlaTarget,
)
from tests.sla.conftest import PARIS, utc

WORKDAYS = ("mon", "tue", "wed", "thu", "fri")
OFFICE = {d: [["09:00", "18:00"]] for d in WORKDAYS}
MORNINGS = {d: [["09:00", "12:00"]] for d in WORKDAYS}
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)
# A week of June 2026 without French holidays: Tue 9, Wed 10, Thu 11 June.
TUE_0900 = datetime(2026, 6, 9, 9, 0, tzinfo=PARIS)
WED_1200 = datetime(2026, 6, 10, 12, 0, tzinfo=PARIS)
NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)

P1 = {"priority": "P1", "response_minutes": 60, "resolution_minutes": 240}
P2 = {"priority": "P2", "response_minutes": 120, "resolution_minutes": 480}


def new_calendar(tenant, actor, code="office", **overrides) -> BusinessCalendar:
    data = {"code": code, "name": f"Calendar {code}", "timezone_name": "Europe/Paris", "hours": OFFICE,
            "effective_from": LONG_AGO}
    return services.calendar_create(tenant=tenant, actor=actor, **(data | overrides))


def new_policy(tenant, actor, calendar, code="standard", targets=(P1,), **overrides) -> SlaPolicy:
    data = {"code": code, "name": f"Policy {code}", "calendar": calendar}
    return services.policy_create(tenant=tenant, actor=actor, targets=list(targets), **(data | overrides))


def rows(*models) -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in models}


CALENDAR_ROWS = (BusinessCalendar, CalendarVersion, AuditEvent)
POLICY_ROWS = (SlaPolicy, SlaTarget, AuditEvent)


def refused_calendar(tenant, actor, field: str, **overrides) -> list[str]:
    """Create a calendar that must be refused on `field`; nothing may be saved."""
    before = rows(*CALENDAR_ROWS)
    with pytest.raises(ValidationError) as caught:
        new_calendar(tenant, actor, **overrides)
    assert rows(*CALENDAR_ROWS) == before
    assert field in caught.value.message_dict, caught.value.message_dict
    return caught.value.message_dict[field]


def refused_targets(tenant, actor, calendar, targets) -> str:
    before = rows(*POLICY_ROWS)
    with pytest.raises(ValidationError) as caught:
        new_policy(tenant, actor, calendar, targets=targets)
    assert rows(*POLICY_ROWS) == before
    assert set(caught.value.message_dict) == {"targets"}, caught.value.message_dict
    return " ".join(caught.value.message_dict["targets"])


def versions(calendar) -> list[CalendarVersion]:
    return list(CalendarVersion.objects.filter(calendar=calendar).order_by("effective_from"))


def last_audit(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).latest("id")


@pytest.fixture
def office(tenant_a, alice) -> BusinessCalendar:
    return new_calendar(tenant_a, alice)


# =========================================================================== calendar_create


def test_it_creates_a_calendar_with_its_first_version(tenant_a, alice):
    calendar = new_calendar(tenant_a, alice, holidays=[{"date": "2026-12-25", "name": "Noël"}])
    [version] = versions(calendar)
    assert (version.timezone, version.hours, version.effective_from) == ("Europe/Paris", OFFICE, LONG_AGO)
    assert version.holidays == [{"date": "2026-12-25", "name": "Noël"}]


def test_it_accepts_holidays_given_as_plain_dates(tenant_a, alice):
    calendar = new_calendar(tenant_a, alice, holidays=["2026-12-25", "2026-12-25"])
    assert versions(calendar)[0].holidays == [{"date": "2026-12-25", "name": ""}]


def test_it_creates_a_24_7_calendar_without_hours(tenant_a, alice):
    calendar = new_calendar(tenant_a, alice, code="always", always_open=True, hours=None)
    [version] = versions(calendar)
    assert (version.always_open, version.hours, version.holidays) == (True, {}, [])


def test_it_refuses_an_unknown_timezone(tenant_a, alice):
    [message] = refused_calendar(tenant_a, alice, "timezone", timezone_name="Europe/Lutece")
    assert "Europe/Lutece" in message


def test_it_refuses_overlapping_hours(tenant_a, alice):
    [message] = refused_calendar(tenant_a, alice, "hours", hours={"mon": [["09:00", "12:00"], ["11:00", "14:00"]]})
    assert "overlapping" in message


def test_it_refuses_reversed_hours(tenant_a, alice):
    [message] = refused_calendar(tenant_a, alice, "hours", hours={"mon": [["18:00", "09:00"]]})
    assert "reversed" in message


@pytest.mark.parametrize("bad", ["9h00", "9:00", "25:00", "12:60", "24:00"], ids=["h", "one-digit", "hour", "minute", "24-start"])
def test_it_refuses_a_bad_time_of_day(tenant_a, alice, bad):
    [message] = refused_calendar(tenant_a, alice, "hours", hours={"mon": [[bad, "23:00"]]})
    assert bad in message


@pytest.mark.parametrize("spans", [5, [5], [None], "09:00-18:00"], ids=["number", "number-pair", "null-pair", "text"])
def test_it_refuses_hours_that_are_not_lists_of_intervals(tenant_a, alice, spans):
    refused_calendar(tenant_a, alice, "hours", hours={"mon": spans})


def test_it_refuses_a_calendar_without_any_open_interval(tenant_a, alice):
    [message] = refused_calendar(tenant_a, alice, "hours", hours={"mon": [], "tue": []})
    assert "no open interval" in message


def test_it_refuses_an_unknown_weekday(tenant_a, alice):
    [message] = refused_calendar(tenant_a, alice, "hours", hours={"monday": [["09:00", "18:00"]]})
    assert "monday" in message


@pytest.mark.parametrize("bad", ["2026-02-30", "25/12/2026", ""], ids=["no-such-day", "french-format", "empty"])
def test_it_refuses_a_holiday_that_is_not_a_date(tenant_a, alice, bad):
    [message] = refused_calendar(tenant_a, alice, "holidays", holidays=[{"date": bad, "name": "Noël"}])
    assert "not a date" in message


def test_it_refuses_holidays_on_a_24_7_calendar(tenant_a, alice):
    refused_calendar(tenant_a, alice, "holidays", always_open=True, hours=None, holidays=["2026-12-25"])


@pytest.mark.parametrize("persona", ["amy", "bob", "clara"])
def test_it_lets_only_tenant_admins_create_calendars(tenant_a, persona, request):
    actor = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        new_calendar(tenant_a, actor)
    assert rows(*CALENDAR_ROWS) == {"BusinessCalendar": 0, "CalendarVersion": 0, "AuditEvent": 0}


def test_it_refuses_a_calendar_created_in_another_tenant(tenant_a, carol):
    with pytest.raises(PermissionDenied):
        new_calendar(tenant_a, carol)
    assert BusinessCalendar.objects.count() == 0


def test_it_audits_the_creation_of_a_calendar(tenant_a, alice):
    calendar = new_calendar(tenant_a, alice)
    event = last_audit("calendar.create")
    assert (event.tenant, event.actor, event.object_ref) == (tenant_a, alice, calendar.code)
    assert event.changes == {"name": "Calendar office", "timezone": "Europe/Paris", "always_open": False,
                             "hours": OFFICE, "holidays": []}


# =========================================================================== calendar_update


def test_it_adds_a_version_effective_now_when_the_hours_change(office, alice):
    services.calendar_update(calendar=office, actor=alice, now=NOW, hours=MORNINGS)
    old, new = versions(office)
    assert (old.effective_from, old.hours) == (LONG_AGO, OFFICE)
    assert (new.effective_from, new.hours, new.created_by) == (NOW, MORNINGS, alice)


def test_it_adds_a_version_when_only_the_holidays_change(office, alice):
    services.calendar_update(calendar=office, actor=alice, now=NOW, holidays=["2026-12-25"])
    assert [v.holidays for v in versions(office)] == [[], [{"date": "2026-12-25", "name": ""}]]


def test_it_adds_a_version_when_the_timezone_changes(office, alice):
    services.calendar_update(calendar=office, actor=alice, now=NOW, timezone_name="America/New_York")
    assert [v.timezone for v in versions(office)] == ["Europe/Paris", "America/New_York"]


@pytest.fixture
def announced():
    """What `sla.signals.calendar_changed` tells the apps above sla (tickets re-evaluates
    its open tickets on it)."""
    from sla.signals import calendar_changed

    calls: list[dict] = []

    def receiver(sender, **kwargs):
        calls.append({k: kwargs[k] for k in ("tenant_id", "calendar_id")})

    calendar_changed.connect(receiver, dispatch_uid="test-announced")
    yield calls
    calendar_changed.disconnect(dispatch_uid="test-announced")


def test_it_announces_a_schedule_change_to_the_apps_above(office, alice, announced):
    services.calendar_update(calendar=office, actor=alice, now=NOW, hours=MORNINGS)
    assert announced == [{"tenant_id": office.tenant_id, "calendar_id": office.pk}]


def test_it_announces_no_change_for_a_rename(office, alice, announced):
    services.calendar_update(calendar=office, actor=alice, now=NOW, name="Office hours")
    assert announced == []


def test_it_does_not_add_a_version_for_a_rename(office, alice):
    services.calendar_update(calendar=office, actor=alice, now=NOW, name="Office hours")
    office.refresh_from_db()
    assert office.name == "Office hours"
    assert len(versions(office)) == 1


def test_it_does_not_add_a_version_when_the_same_schedule_is_saved_again(office, alice):
    services.calendar_update(calendar=office, actor=alice, now=NOW, hours=OFFICE, timezone_name="Europe/Paris",
                             holidays=[])
    assert len(versions(office)) == 1
    assert not AuditEvent.objects.filter(action="calendar.update").exists()


def test_it_audits_a_schedule_change_with_old_and_new_hours(office, alice):
    services.calendar_update(calendar=office, actor=alice, now=NOW, hours=MORNINGS)
    assert last_audit("calendar.update").changes == {"hours": [OFFICE, MORNINGS]}


def test_it_audits_a_rename_with_old_and_new_name(office, alice):
    services.calendar_update(calendar=office, actor=alice, now=NOW, name="Office hours")
    assert last_audit("calendar.update").changes == {"name": ["Calendar office", "Office hours"]}


def test_it_refuses_a_version_that_would_start_before_the_current_one(office, alice):
    with pytest.raises(ValidationError) as caught:
        services.calendar_update(calendar=office, actor=alice, now=LONG_AGO - timedelta(days=1), hours=MORNINGS)
    assert "effective_from" in caught.value.message_dict
    assert len(versions(office)) == 1


def test_it_saves_nothing_when_an_update_has_bad_hours(office, alice):
    with pytest.raises(ValidationError) as caught:
        services.calendar_update(calendar=office, actor=alice, now=NOW, name="Renamed", hours={"mon": [["12:00", "09:00"]]})
    assert "hours" in caught.value.message_dict
    office.refresh_from_db()
    assert (office.name, len(versions(office))) == ("Calendar office", 1)


def test_it_refuses_unknown_fields_in_an_update(office, alice):
    with pytest.raises(ValidationError) as caught:
        services.calendar_update(calendar=office, actor=alice, now=NOW, colour="blue")
    assert "colour" in caught.value.message_dict


@pytest.mark.parametrize("persona", ["amy", "bob"])
def test_it_lets_only_tenant_admins_update_calendars(office, persona, request):
    actor = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        services.calendar_update(calendar=office, actor=actor, now=NOW, name="Hijacked", hours=MORNINGS)
    office.refresh_from_db()
    assert (office.name, len(versions(office))) == ("Calendar office", 1)


def test_it_refuses_an_update_by_another_tenants_admin(office, carol):
    with pytest.raises(PermissionDenied):
        services.calendar_update(calendar=office, actor=carol, now=NOW, hours=MORNINGS)
    assert len(versions(office)) == 1


# --------------------------------------------------------------------------- R16
# Mon–Fri 09:00–18:00, edited on Wed 10 June 12:00 to 09:00–12:00 only. A 15-hour
# target started Tue 09:00: Tue 09:00–18:00 (9 h, old hours) + Wed 09:00–12:00 (3 h, old
# hours; 12 h counted at the edit) + Wed afternoon closed under the new hours + Thu
# 09:00–12:00 (3 h) = 15 h on Thu 11 June 12:00. Old hours alone would give Wed 15:00,
# new hours alone Mon 15 June 12:00.


@pytest.fixture
def edited_office(office, alice) -> BusinessCalendar:
    return services.calendar_update(calendar=office, actor=alice, now=WED_1200, hours=MORNINGS)


def test_it_keeps_time_counted_before_an_edit_under_the_old_hours(edited_office):
    deadline = selectors.calendar_clock(edited_office).deadline(TUE_0900, 15 * 60)
    assert utc(deadline) == utc(datetime(2026, 6, 11, 12, 0, tzinfo=PARIS))


def test_it_counts_a_deadline_across_an_edit_as_the_sum_of_both_pieces(edited_office):
    deadline = selectors.calendar_clock(edited_office).deadline(TUE_0900, 15 * 60)
    old, new = (Clock(tz="Europe/Paris", hours=h) for h in (OFFICE, MORNINGS))
    before_edit = old.business_seconds(TUE_0900, WED_1200)
    after_edit = new.business_seconds(WED_1200, deadline)
    assert (before_edit, after_edit) == (12 * 3600, 3 * 3600)
    assert old.deadline(TUE_0900, 15 * 60) < deadline < new.deadline(TUE_0900, 15 * 60)


def test_it_does_not_rewrite_time_already_counted_when_the_hours_shrink(edited_office):
    clock = selectors.calendar_clock(edited_office)
    assert clock.business_seconds(TUE_0900, WED_1200) == 12 * 3600


def test_it_applies_the_new_hours_from_the_moment_of_the_edit(edited_office):
    clock = selectors.calendar_clock(edited_office)
    assert clock.business_seconds(WED_1200, datetime(2026, 6, 10, 18, 0, tzinfo=PARIS)) == 0


def test_it_leaves_a_deadline_that_fell_before_the_edit_unchanged(edited_office):
    # 10 h from Tue 09:00: 9 h on Tuesday, 1 h on Wednesday morning, before the edit.
    deadline = selectors.calendar_clock(edited_office).deadline(TUE_0900, 10 * 60)
    assert utc(deadline) == utc(datetime(2026, 6, 10, 10, 0, tzinfo=PARIS))


# =========================================================================== holidays import


def import_fr(calendar, actor, first=2026, last=2026, now=NOW):
    return services.calendar_import_holidays(
        calendar=calendar, actor=actor, country="FR", first_year=first, last_year=last, now=now
    )


def holidays_of(calendar) -> dict[str, str]:
    return {h["date"]: h["name"] for h in versions(calendar)[-1].holidays}


def test_it_imports_french_public_holidays_with_french_names(office, alice):
    import_fr(office, alice)
    holidays = holidays_of(office)
    assert (holidays["2026-07-14"], holidays["2026-12-25"], holidays["2026-05-01"]) == (
        "Fête nationale", "Noël", "Fête du Travail"
    )
    assert len(holidays) == 11


def test_it_imports_holidays_for_each_year_of_the_range(office, alice):
    import_fr(office, alice, first=2026, last=2027)
    assert {"2026-07-14", "2027-07-14"} <= set(holidays_of(office))


def test_it_imports_holidays_as_a_new_version_effective_now(office, alice):
    import_fr(office, alice)
    old, new = versions(office)
    assert (old.holidays, new.effective_from) == ([], NOW)


def test_it_merges_imported_holidays_with_the_calendars_own(tenant_a, alice):
    calendar = new_calendar(tenant_a, alice, holidays=[
        {"date": "2026-07-14", "name": "Quatorze juillet"}, {"date": "2026-06-08", "name": "Pont"},
    ])
    import_fr(calendar, alice)
    holidays = versions(calendar)[-1].holidays
    dates = [h["date"] for h in holidays]
    assert len(dates) == len(set(dates)) == 12
    assert dates == sorted(dates)
    assert holidays_of(calendar)["2026-07-14"] == "Quatorze juillet"
    assert holidays_of(calendar)["2026-06-08"] == "Pont"


def test_it_changes_nothing_when_the_same_holidays_are_imported_twice(office, alice):
    import_fr(office, alice)
    import_fr(office, alice, now=NOW + timedelta(days=1))
    assert len(versions(office)) == 2
    assert len(holidays_of(office)) == 11


def test_it_refuses_an_unknown_country(office, alice):
    with pytest.raises(ValidationError) as caught:
        services.calendar_import_holidays(calendar=office, actor=alice, country="XX", first_year=2026,
                                          last_year=2026, now=NOW)
    assert "XX" in caught.value.message_dict["country"][0]
    assert len(versions(office)) == 1


def test_it_refuses_a_year_range_that_ends_before_it_starts(office, alice):
    with pytest.raises(ValidationError) as caught:
        import_fr(office, alice, first=2027, last=2026)
    assert "last_year" in caught.value.message_dict
    assert len(versions(office)) == 1


def test_it_refuses_to_import_holidays_into_a_24_7_calendar(tenant_a, alice):
    always = new_calendar(tenant_a, alice, code="always", always_open=True, hours=None)
    with pytest.raises(ValidationError):
        import_fr(always, alice)
    assert versions(always)[-1].holidays == []


@pytest.mark.parametrize("persona", ["amy", "bob"])
def test_it_lets_only_tenant_admins_import_holidays(office, persona, request):
    with pytest.raises(PermissionDenied):
        import_fr(office, request.getfixturevalue(persona))
    assert len(versions(office)) == 1


# =========================================================================== policies


def test_it_creates_a_policy_with_its_targets(tenant_a, alice, office):
    policy = new_policy(tenant_a, alice, office, targets=[P1, P2])
    saved = SlaTarget.objects.filter(policy=policy).order_by("priority")
    assert [(t.priority, t.maintenance_type, t.response_minutes, t.resolution_minutes) for t in saved] == [
        ("P1", "", 60, 240), ("P2", "", 120, 480),
    ]


def test_it_accepts_a_target_for_one_metric_only(tenant_a, alice, office):
    policy = new_policy(tenant_a, alice, office, targets=[{"priority": "P4", "resolution_minutes": 2100}])
    target = SlaTarget.objects.get(policy=policy)
    assert (target.response_minutes, target.resolution_minutes) == (None, 2100)


def test_it_accepts_one_priority_with_several_maintenance_types(tenant_a, alice, office):
    policy = new_policy(tenant_a, alice, office, targets=[P1, {**P1, "maintenance_type": "evolutive"}])
    assert SlaTarget.objects.filter(policy=policy).count() == 2


def test_it_refuses_a_policy_without_targets(tenant_a, alice, office):
    assert "at least one target" in refused_targets(tenant_a, alice, office, [])


def test_it_refuses_a_resolution_target_shorter_than_the_response(tenant_a, alice, office):
    message = refused_targets(tenant_a, alice, office, [{"priority": "P1", "response_minutes": 240, "resolution_minutes": 60}])
    assert "must not be shorter" in message


@pytest.mark.parametrize("minutes", [0, -5, 1.5, "60", True], ids=["zero", "negative", "float", "string", "bool"])
def test_it_refuses_a_target_that_is_not_a_positive_number_of_minutes(tenant_a, alice, office, minutes):
    message = refused_targets(tenant_a, alice, office, [{"priority": "P1", "response_minutes": minutes}])
    assert "response_minutes must be a positive number" in message


def test_it_refuses_a_target_with_neither_response_nor_resolution(tenant_a, alice, office):
    assert "give a response or a resolution" in refused_targets(tenant_a, alice, office, [{"priority": "P1"}])


def test_it_refuses_the_same_priority_twice_for_the_same_maintenance_type(tenant_a, alice, office):
    message = refused_targets(tenant_a, alice, office, [P1, {**P1, "resolution_minutes": 480}])
    assert "Target 2: P1 is given twice" in message


def test_it_refuses_an_unknown_priority(tenant_a, alice, office):
    assert "Target 1: priority must be one of" in refused_targets(tenant_a, alice, office, [{**P1, "priority": "P9"}])


def test_it_refuses_an_unknown_maintenance_type(tenant_a, alice, office):
    message = refused_targets(tenant_a, alice, office, [{**P1, "maintenance_type": "cosmetic"}])
    assert "cosmetic" in message


def test_it_refuses_unknown_policy_fields(tenant_a, alice, office):
    with pytest.raises(ValidationError) as caught:
        new_policy(tenant_a, alice, office, colour="blue")
    assert "colour" in caught.value.message_dict
    assert SlaPolicy.objects.count() == 0


@pytest.mark.parametrize("persona", ["amy", "bob"])
def test_it_lets_only_tenant_admins_create_policies(tenant_a, office, persona, request):
    with pytest.raises(PermissionDenied):
        new_policy(tenant_a, request.getfixturevalue(persona), office)
    assert rows(SlaPolicy, SlaTarget) == {"SlaPolicy": 0, "SlaTarget": 0}


def test_it_audits_the_creation_of_a_policy_with_its_targets(tenant_a, alice, office):
    policy = new_policy(tenant_a, alice, office)
    event = last_audit("sla_policy.create")
    assert (event.actor, event.object_ref) == (alice, policy.code)
    assert event.changes["targets"] == [{**P1, "maintenance_type": ""}]
    assert (event.changes["name"], event.changes["calendar"]) == ("Policy standard", office.pk)


@pytest.fixture
def standard(tenant_a, alice, office) -> SlaPolicy:
    return new_policy(tenant_a, alice, office, targets=[P1, P2])


def targets_of(policy) -> list[tuple]:
    return [(t.priority, t.maintenance_type, t.response_minutes, t.resolution_minutes)
            for t in SlaTarget.objects.filter(policy=policy).order_by("priority", "maintenance_type")]


def test_it_replaces_the_targets_as_a_whole_on_update(standard, alice):
    services.policy_update(policy=standard, actor=alice, targets=[{"priority": "P3", "response_minutes": 240}])
    assert targets_of(standard) == [("P3", "", 240, None)]


def test_it_keeps_the_targets_when_an_update_does_not_give_them(standard, alice):
    services.policy_update(policy=standard, actor=alice, name="Standard+")
    assert targets_of(standard) == [("P1", "", 60, 240), ("P2", "", 120, 480)]


def test_it_refuses_an_update_with_bad_targets_and_saves_nothing(standard, alice):
    with pytest.raises(ValidationError) as caught:
        services.policy_update(policy=standard, actor=alice, name="Renamed",
                               targets=[{"priority": "P1", "response_minutes": 240, "resolution_minutes": 60}])
    assert set(caught.value.message_dict) == {"targets"}
    standard.refresh_from_db()
    assert standard.name == "Policy standard"
    assert targets_of(standard) == [("P1", "", 60, 240), ("P2", "", 120, 480)]


def test_it_refuses_an_update_with_no_targets(standard, alice):
    with pytest.raises(ValidationError) as caught:
        services.policy_update(policy=standard, actor=alice, targets=[])
    assert "targets" in caught.value.message_dict
    assert len(targets_of(standard)) == 2


def test_it_moves_a_policy_to_another_calendar(tenant_a, alice, standard):
    always = new_calendar(tenant_a, alice, code="always", always_open=True, hours=None)
    services.policy_update(policy=standard, actor=alice, calendar=always)
    standard.refresh_from_db()
    assert standard.calendar == always


def test_it_audits_a_policy_update_with_old_and_new_targets(standard, alice):
    services.policy_update(policy=standard, actor=alice, warning_percent=75, targets=[P1])
    changes = last_audit("sla_policy.update").changes
    assert changes["warning_percent"] == [80, 75]
    assert changes["targets"] == [[{**P1, "maintenance_type": ""}, {**P2, "maintenance_type": ""}],
                                  [{**P1, "maintenance_type": ""}]]


def test_it_does_not_audit_an_update_that_changes_nothing(standard, alice):
    services.policy_update(policy=standard, actor=alice, name=standard.name, targets=[P1, P2])
    assert not AuditEvent.objects.filter(action="sla_policy.update").exists()


def test_it_does_not_audit_the_same_targets_given_in_another_order(standard, alice):
    # Targets are a set keyed by (priority, maintenance type): order is not a change.
    services.policy_update(policy=standard, actor=alice, targets=[P2, P1])
    assert not AuditEvent.objects.filter(action="sla_policy.update").exists()


@pytest.mark.parametrize("persona", ["amy", "bob"])
def test_it_lets_only_tenant_admins_update_policies(standard, persona, request):
    with pytest.raises(PermissionDenied):
        services.policy_update(policy=standard, actor=request.getfixturevalue(persona), name="Hijacked", targets=[P1])
    standard.refresh_from_db()
    assert (standard.name, len(targets_of(standard))) == ("Policy standard", 2)


# =========================================================================== priority matrix


def matrix_rows(tenant) -> dict[tuple[str, str], str]:
    return {(c.impact, c.urgency): c.priority for c in PriorityMatrixCell.objects.filter(tenant=tenant)}


def test_it_gives_a_tenant_the_itil_3x3_matrix_by_default(tenant_a):
    services.priority_matrix_ensure_default(tenant=tenant_a)
    assert matrix_rows(tenant_a) == ITIL_DEFAULT_MATRIX
    assert len(ITIL_DEFAULT_MATRIX) == 9
    assert ITIL_DEFAULT_MATRIX[("high", "high")] == "P1"
    assert ITIL_DEFAULT_MATRIX[("low", "low")] == "P4"


def test_it_keeps_cells_already_set_when_ensuring_the_default(tenant_a, alice):
    services.priority_matrix_set(tenant=tenant_a, actor=alice, cells={("low", "low"): "P3"})
    services.priority_matrix_ensure_default(tenant=tenant_a)
    assert matrix_rows(tenant_a)[("low", "low")] == "P3"
    assert PriorityMatrixCell.objects.filter(tenant=tenant_a).count() == 9


def test_it_sets_cells_of_the_matrix(tenant_a, alice):
    matrix = services.priority_matrix_set(tenant=tenant_a, actor=alice, cells={("medium", "medium"): "P2"})
    assert matrix[("medium", "medium")] == "P2"
    assert matrix_rows(tenant_a) == {**ITIL_DEFAULT_MATRIX, ("medium", "medium"): "P2"}


def test_it_audits_only_the_cells_that_changed(tenant_a, alice):
    services.priority_matrix_set(tenant=tenant_a, actor=alice, cells={("high", "high"): "P1", ("low", "low"): "P3"})
    assert last_audit("priority_matrix.update").changes == {"low×low": ["P4", "P3"]}


def test_it_does_not_audit_a_matrix_save_that_changes_nothing(tenant_a, alice):
    services.priority_matrix_set(tenant=tenant_a, actor=alice, cells=dict(ITIL_DEFAULT_MATRIX))
    assert not AuditEvent.objects.filter(action="priority_matrix.update").exists()


@pytest.mark.parametrize(
    "cells",
    [{("severe", "high"): "P1"}, {("high", "asap"): "P1"}, {("high", "high"): "P0"}],
    ids=["impact", "urgency", "priority"],
)
def test_it_refuses_unknown_levels_and_priorities_in_the_matrix(tenant_a, alice, cells):
    with pytest.raises(ValidationError) as caught:
        services.priority_matrix_set(tenant=tenant_a, actor=alice, cells={("low", "low"): "P3", **cells})
    assert "cells" in caught.value.message_dict
    assert PriorityMatrixCell.objects.filter(tenant=tenant_a).count() == 0


@pytest.mark.parametrize("persona", ["amy", "bob"])
def test_it_lets_only_tenant_admins_set_the_matrix(tenant_a, persona, request):
    with pytest.raises(PermissionDenied):
        services.priority_matrix_set(tenant=tenant_a, actor=request.getfixturevalue(persona), cells={("low", "low"): "P1"})
    assert PriorityMatrixCell.objects.count() == 0


def test_it_keeps_each_tenants_matrix_apart(tenant_a, tenant_b, alice, carol):
    services.priority_matrix_set(tenant=tenant_a, actor=alice, cells={("low", "low"): "P1"})
    services.priority_matrix_set(tenant=tenant_b, actor=carol, cells={("low", "low"): "P2"})
    assert (matrix_rows(tenant_a)[("low", "low")], matrix_rows(tenant_b)[("low", "low")]) == ("P1", "P2")

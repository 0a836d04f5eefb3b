"""/api/v1/sla/: calendars (with holidays import), policies (with the simulator) and the
priority matrix. Provider staff read, tenant administrators write, clients see nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from portal.models import AuditEvent
from sla import services
from sla.models import BusinessCalendar, CalendarVersion, PriorityMatrixCell, SlaPolicy, SlaTarget

CALENDARS = "/api/v1/sla/calendars/"
POLICIES = "/api/v1/sla/policies/"
MATRIX = "/api/v1/sla/priority-matrix/"

WORKDAYS = ("mon", "tue", "wed", "thu", "fri")
FR_BUSINESS_HOURS = {d: [["09:00", "12:00"], ["14:00", "18:00"]] for d in WORKDAYS}
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)
P1 = {"priority": "P1", "maintenance_type": "", "response_minutes": 60, "resolution_minutes": 240}
P2 = {"priority": "P2", "maintenance_type": "", "response_minutes": 120, "resolution_minutes": 480}


def make_calendar(tenant, actor, code="fr-business-hours", **overrides):
    data = {"code": code, "name": f"Calendar {code}", "timezone_name": "Europe/Paris", "hours": FR_BUSINESS_HOURS,
            "holidays": [{"date": "2026-12-25", "name": "Noël"}], "effective_from": LONG_AGO}
    return services.calendar_create(tenant=tenant, actor=actor, **(data | overrides))


def make_policy(tenant, actor, calendar, code="standard", targets=(P1, P2)):
    return services.policy_create(tenant=tenant, actor=actor, code=code, name=f"Policy {code}", calendar=calendar,
                                  targets=list(targets))


@pytest.fixture
def calendar(tenant_a, alice):
    return make_calendar(tenant_a, alice)


@pytest.fixture
def policy(tenant_a, alice, calendar):
    return make_policy(tenant_a, alice, calendar)


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


def calendar_payload(**overrides) -> dict:
    data = {"code": "night-shift", "name": "Night shift", "timezone": "Europe/Paris",
            "hours": {"mon": [["22:00", "24:00"]], "tue": [["00:00", "06:00"]]}}
    return data | overrides


def policy_payload(calendar_code="fr-business-hours", **overrides) -> dict:
    data = {"code": "gold", "name": "Gold", "calendar": calendar_code, "warning_percent": 75,
            "targets": [P1, {"priority": "P4", "maintenance_type": "evolutive", "resolution_minutes": 4200}]}
    return data | overrides


def error_fields(response) -> dict:
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert (error["status"], error["code"]) == (400, "invalid")
    assert error["message"]
    return error["fields"]


def rows(*models) -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in models}


CALENDAR_ROWS = (BusinessCalendar, CalendarVersion, AuditEvent)
POLICY_ROWS = (SlaPolicy, SlaTarget, AuditEvent)
PROVIDERS = ["alice", "amy", "bob"]
CLIENTS = ["clara", "cody"]
READ_ONLY = ["amy", "bob"]


# =========================================================================== calendars: read


@pytest.mark.parametrize("persona", PROVIDERS)
def test_it_lists_the_calendars_to_provider_users(api, calendar, persona, request):
    response = api.as_(request.getfixturevalue(persona)).get(CALENDARS)
    assert codes(response) == ["fr-business-hours"]


def test_it_lists_calendars_with_their_current_schedule(api, bob, calendar):
    row = api.as_(bob).get(CALENDARS).json()["results"][0]
    assert (row["timezone"], row["always_open"], row["hours"]) == ("Europe/Paris", False, FR_BUSINESS_HOURS)
    assert row["holidays"] == [{"date": "2026-12-25", "name": "Noël"}]


@pytest.mark.parametrize("persona", CLIENTS)
def test_it_lists_no_calendar_to_client_users(api, calendar, persona, request):
    assert codes(api.as_(request.getfixturevalue(persona)).get(CALENDARS)) == []


def test_it_hides_other_tenants_calendars_in_the_list(api, carol, calendar, tenant_b):
    make_calendar(tenant_b, carol, code="b-hours")
    assert codes(api.as_(carol).get(CALENDARS)) == ["b-hours"]


def test_it_shows_a_calendar_with_its_versions(api, bob, calendar):
    response = api.as_(bob).get(f"{CALENDARS}fr-business-hours/")
    assert response.status_code == 200
    [version] = response.json()["versions"]
    assert (version["hours"], version["effective_from"]) == (FR_BUSINESS_HOURS, "2020-01-01T01:00:00+01:00")


@pytest.mark.parametrize("persona", CLIENTS)
def test_it_hides_calendars_from_client_users(api, calendar, persona, request):
    response = api.as_(request.getfixturevalue(persona)).get(f"{CALENDARS}fr-business-hours/")
    assert response.status_code == 404


def test_it_hides_other_tenants_calendars(api, carol, calendar):
    response = api.as_(carol).get(f"{CALENDARS}fr-business-hours/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_it_refuses_anonymous_users(api, calendar):
    assert api.get(CALENDARS).status_code in (401, 403)


# One query each for: session, user, membership, page count, calendars, their versions.
@pytest.mark.parametrize("n_calendars", [1, 6])
def test_it_lists_calendars_in_a_fixed_number_of_queries(api, alice, tenant_a, django_assert_num_queries, n_calendars):
    for index in range(n_calendars):
        calendar = make_calendar(tenant_a, alice, code=f"cal-{index}")
        services.calendar_update(calendar=calendar, actor=alice, now=datetime(2026, 1, 1, tzinfo=UTC), holidays=[])
    client = api.as_(alice)
    with django_assert_num_queries(6):
        response = client.get(CALENDARS)
    assert len(codes(response)) == n_calendars
    assert all(len(row["versions"]) == 2 for row in response.json()["results"])


# =========================================================================== calendars: write


def test_it_creates_a_calendar_for_a_tenant_admin(api, alice):
    response = api.as_(alice).post(CALENDARS, calendar_payload(), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["code"], body["hours"], len(body["versions"])) == ("night-shift", calendar_payload()["hours"], 1)
    assert BusinessCalendar.objects.filter(code="night-shift").exists()


def test_it_creates_a_24_7_calendar(api, alice):
    response = api.as_(alice).post(CALENDARS, calendar_payload(code="always", always_open=True, hours={}), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["always_open"] is True


@pytest.mark.parametrize("persona", READ_ONLY)
def test_it_refuses_to_create_a_calendar_for_read_only_staff(api, persona, request):
    response = api.as_(request.getfixturevalue(persona)).post(CALENDARS, calendar_payload(), format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert rows(*CALENDAR_ROWS) == {"BusinessCalendar": 0, "CalendarVersion": 0, "AuditEvent": 0}


def test_it_refuses_to_create_a_calendar_for_a_client_user(api, clara):
    response = api.as_(clara).post(CALENDARS, calendar_payload(), format="json")
    assert response.status_code == 403
    assert BusinessCalendar.objects.count() == 0


def test_it_refuses_overlapping_hours_naming_the_field(api, alice):
    payload = calendar_payload(hours={"mon": [["09:00", "12:00"], ["11:00", "13:00"]]})
    fields = error_fields(api.as_(alice).post(CALENDARS, payload, format="json"))
    assert "overlapping" in fields["hours"][0]
    assert BusinessCalendar.objects.count() == 0


def test_it_refuses_malformed_hours_with_a_400_naming_the_field(api, alice):
    fields = error_fields(api.as_(alice).post(CALENDARS, calendar_payload(hours={"mon": 9}), format="json"))
    assert "hours" in fields
    assert BusinessCalendar.objects.count() == 0


def test_it_refuses_a_calendar_without_hours_naming_the_field(api, alice):
    fields = error_fields(api.as_(alice).post(CALENDARS, calendar_payload(hours={}), format="json"))
    assert "hours" in fields


def test_it_refuses_an_unknown_timezone_naming_the_field(api, alice):
    fields = error_fields(api.as_(alice).post(CALENDARS, calendar_payload(timezone="Mars/Olympus"), format="json"))
    assert "Mars/Olympus" in fields["timezone"][0]
    assert rows(*CALENDAR_ROWS) == {"BusinessCalendar": 0, "CalendarVersion": 0, "AuditEvent": 0}


def test_it_refuses_a_holiday_that_is_not_a_date_naming_the_field(api, alice):
    payload = calendar_payload(holidays=[{"date": "2026-13-01", "name": "?"}])
    fields = error_fields(api.as_(alice).post(CALENDARS, payload, format="json"))
    assert any(name.startswith("holidays") for name in fields), fields


def test_it_refuses_a_duplicate_calendar_code(api, alice, calendar):
    response = api.as_(alice).post(CALENDARS, calendar_payload(code=calendar.code), format="json")
    assert response.status_code == 400
    assert BusinessCalendar.objects.count() == 1


def test_it_adds_a_version_when_a_calendars_hours_are_patched(api, alice, calendar):
    url = f"{CALENDARS}fr-business-hours/"
    response = api.as_(alice).patch(url, {"hours": {"mon": [["08:00", "20:00"]]}}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert [v["hours"] for v in body["versions"]] == [FR_BUSINESS_HOURS, {"mon": [["08:00", "20:00"]]}]
    assert body["hours"] == {"mon": [["08:00", "20:00"]]}
    assert body["holidays"] == [{"date": "2026-12-25", "name": "Noël"}]


def test_it_does_not_add_a_version_for_a_patched_name(api, alice, calendar):
    response = api.as_(alice).patch(f"{CALENDARS}fr-business-hours/", {"name": "Bureau"}, format="json")
    assert (response.status_code, response.json()["name"], len(response.json()["versions"])) == (200, "Bureau", 1)


def test_it_renames_a_calendar_code(api, alice, calendar):
    response = api.as_(alice).patch(f"{CALENDARS}fr-business-hours/", {"code": "bureau"}, format="json")
    assert response.status_code == 200
    assert api.get(f"{CALENDARS}bureau/").status_code == 200


def test_it_refuses_bad_patched_hours_naming_the_field(api, alice, calendar):
    url = f"{CALENDARS}fr-business-hours/"
    fields = error_fields(api.as_(alice).patch(url, {"hours": {"mon": [["20:00", "08:00"]]}}, format="json"))
    assert "hours" in fields
    assert CalendarVersion.objects.count() == 1


@pytest.mark.parametrize("persona", READ_ONLY)
def test_it_refuses_to_patch_a_calendar_for_read_only_staff(api, calendar, persona, request):
    url = f"{CALENDARS}fr-business-hours/"
    response = api.as_(request.getfixturevalue(persona)).patch(url, {"name": "X", "hours": {"mon": [["08:00", "20:00"]]}},
                                                               format="json")
    assert response.status_code == 403
    calendar.refresh_from_db()
    assert (calendar.name, CalendarVersion.objects.count()) == ("Calendar fr-business-hours", 1)


def test_it_hides_other_tenants_calendars_from_patches(api, carol, calendar):
    response = api.as_(carol).patch(f"{CALENDARS}fr-business-hours/", {"name": "Mine"}, format="json")
    assert response.status_code == 404
    calendar.refresh_from_db()
    assert calendar.name == "Calendar fr-business-hours"


# --------------------------------------------------------------------------- import-holidays


def import_url(code="fr-business-hours") -> str:
    return f"{CALENDARS}{code}/import-holidays/"


def test_it_imports_french_holidays_through_the_api(api, alice, calendar):
    response = api.as_(alice).post(import_url(), {"country": "FR", "first_year": 2026, "last_year": 2026}, format="json")
    assert response.status_code == 200, response.content
    holidays = {h["date"]: h["name"] for h in response.json()["holidays"]}
    assert (holidays["2026-07-14"], holidays["2026-12-25"], len(holidays)) == ("Fête nationale", "Noël", 11)
    assert len(response.json()["versions"]) == 2


@pytest.mark.parametrize("persona", READ_ONLY)
def test_it_refuses_the_holidays_import_to_read_only_staff(api, calendar, persona, request):
    response = api.as_(request.getfixturevalue(persona)).post(
        import_url(), {"country": "FR", "first_year": 2026, "last_year": 2026}, format="json")
    assert response.status_code == 403
    assert CalendarVersion.objects.count() == 1


def test_it_refuses_an_unknown_country_naming_the_field(api, alice, calendar):
    response = api.as_(alice).post(import_url(), {"country": "XX", "first_year": 2026, "last_year": 2026}, format="json")
    assert "country" in error_fields(response)
    assert CalendarVersion.objects.count() == 1


def test_it_refuses_a_reversed_year_range_naming_the_field(api, alice, calendar):
    response = api.as_(alice).post(import_url(), {"country": "FR", "first_year": 2027, "last_year": 2026}, format="json")
    assert "last_year" in error_fields(response)


def test_it_hides_other_tenants_calendars_from_the_holidays_import(api, carol, calendar):
    response = api.as_(carol).post(import_url(), {"country": "FR", "first_year": 2026, "last_year": 2026}, format="json")
    assert response.status_code == 404
    assert CalendarVersion.objects.count() == 1


# =========================================================================== policies: read


@pytest.mark.parametrize("persona", PROVIDERS)
def test_it_lists_the_policies_to_provider_users(api, policy, persona, request):
    assert codes(api.as_(request.getfixturevalue(persona)).get(POLICIES)) == ["standard"]


def test_it_lists_policies_with_their_calendar_and_targets(api, bob, policy):
    row = api.as_(bob).get(POLICIES).json()["results"][0]
    assert (row["calendar"], row["warning_percent"]) == ("fr-business-hours", 80)
    assert row["targets"] == [P1, P2]


@pytest.mark.parametrize("persona", CLIENTS)
def test_it_lists_no_policy_to_client_users(api, policy, persona, request):
    assert codes(api.as_(request.getfixturevalue(persona)).get(POLICIES)) == []


def test_it_shows_a_policy(api, amy, policy):
    response = api.as_(amy).get(f"{POLICIES}standard/")
    assert (response.status_code, response.json()["code"]) == (200, "standard")


@pytest.mark.parametrize("persona", CLIENTS)
def test_it_hides_policies_from_client_users(api, policy, persona, request):
    assert api.as_(request.getfixturevalue(persona)).get(f"{POLICIES}standard/").status_code == 404


def test_it_hides_other_tenants_policies(api, carol, policy):
    assert api.as_(carol).get(f"{POLICIES}standard/").status_code == 404


# One query each for: session, user, membership, page count, policies with their
# calendars, their targets.
@pytest.mark.parametrize("n_policies", [1, 6])
def test_it_lists_policies_in_a_fixed_number_of_queries(api, alice, tenant_a, calendar, django_assert_num_queries,
                                                        n_policies):
    for index in range(n_policies):
        other = make_calendar(tenant_a, alice, code=f"cal-{index}")
        make_policy(tenant_a, alice, other, code=f"policy-{index}")
    client = api.as_(alice)
    with django_assert_num_queries(6):
        response = client.get(POLICIES)
    assert len(codes(response)) == n_policies


# =========================================================================== policies: write


def test_it_creates_a_policy_for_a_tenant_admin(api, alice, calendar):
    response = api.as_(alice).post(POLICIES, policy_payload(), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["code"], body["calendar"], len(body["targets"])) == ("gold", "fr-business-hours", 2)
    assert SlaTarget.objects.filter(policy__code="gold").count() == 2


@pytest.mark.parametrize("persona", READ_ONLY)
def test_it_refuses_to_create_a_policy_for_read_only_staff(api, calendar, persona, request):
    before = rows(*POLICY_ROWS)
    response = api.as_(request.getfixturevalue(persona)).post(POLICIES, policy_payload(), format="json")
    assert response.status_code == 403
    assert rows(*POLICY_ROWS) == before


def test_it_refuses_a_resolution_shorter_than_the_response_naming_targets(api, alice, calendar):
    payload = policy_payload(targets=[{"priority": "P1", "response_minutes": 240, "resolution_minutes": 60}])
    fields = error_fields(api.as_(alice).post(POLICIES, payload, format="json"))
    assert "must not be shorter" in fields["targets"][0]
    assert SlaPolicy.objects.count() == 0


def test_it_refuses_a_policy_without_targets_naming_targets(api, alice, calendar):
    fields = error_fields(api.as_(alice).post(POLICIES, policy_payload(targets=[]), format="json"))
    assert "targets" in fields
    assert SlaPolicy.objects.count() == 0


def test_it_refuses_a_negative_target_naming_targets(api, alice, calendar):
    payload = policy_payload(targets=[{"priority": "P1", "response_minutes": -60}])
    assert "targets" in error_fields(api.as_(alice).post(POLICIES, payload, format="json"))


def test_it_refuses_an_unknown_priority_naming_the_target(api, alice, calendar):
    payload = policy_payload(targets=[{"priority": "P9", "response_minutes": 60}])
    fields = error_fields(api.as_(alice).post(POLICIES, payload, format="json"))
    assert any(name.startswith("targets") for name in fields), fields


def test_it_refuses_an_unknown_calendar_naming_the_field(api, alice, calendar):
    fields = error_fields(api.as_(alice).post(POLICIES, policy_payload(calendar_code="nowhere"), format="json"))
    assert "nowhere" in fields["calendar"][0]
    assert SlaPolicy.objects.count() == 0


def test_it_refuses_another_tenants_calendar_as_if_unknown(api, carol, calendar):
    fields = error_fields(api.as_(carol).post(POLICIES, policy_payload(), format="json"))
    assert "calendar" in fields
    assert SlaPolicy.objects.count() == 0


def test_it_replaces_the_targets_of_a_patched_policy(api, alice, policy):
    targets = [{"priority": "P3", "maintenance_type": "", "response_minutes": None, "resolution_minutes": 1680}]
    response = api.as_(alice).patch(f"{POLICIES}standard/", {"targets": targets}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["targets"] == targets
    assert SlaTarget.objects.filter(policy=policy).count() == 1


def test_it_keeps_the_targets_of_a_policy_patched_without_them(api, alice, policy):
    response = api.as_(alice).patch(f"{POLICIES}standard/", {"warning_percent": 70}, format="json")
    assert (response.status_code, response.json()["warning_percent"], response.json()["targets"]) == (200, 70, [P1, P2])


def test_it_moves_a_policy_to_another_calendar(api, alice, tenant_a, policy):
    make_calendar(tenant_a, alice, code="24x7", always_open=True, hours=None, holidays=[])
    response = api.as_(alice).patch(f"{POLICIES}standard/", {"calendar": "24x7"}, format="json")
    assert (response.status_code, response.json()["calendar"]) == (200, "24x7")


def test_it_replaces_a_whole_policy_with_put(api, alice, policy):
    response = api.as_(alice).put(f"{POLICIES}standard/", policy_payload(code="standard"), format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["name"], len(response.json()["targets"])) == ("Gold", 2)


def test_it_refuses_bad_patched_targets_and_keeps_the_old_ones(api, alice, policy):
    targets = [{"priority": "P1", "response_minutes": 120, "resolution_minutes": 60}]
    fields = error_fields(api.as_(alice).patch(f"{POLICIES}standard/", {"targets": targets, "name": "X"}, format="json"))
    assert "targets" in fields
    policy.refresh_from_db()
    assert (policy.name, SlaTarget.objects.filter(policy=policy).count()) == ("Policy standard", 2)


@pytest.mark.parametrize("persona", READ_ONLY)
def test_it_refuses_to_patch_a_policy_for_read_only_staff(api, policy, persona, request):
    response = api.as_(request.getfixturevalue(persona)).patch(
        f"{POLICIES}standard/", {"name": "X", "targets": [P1]}, format="json")
    assert response.status_code == 403
    policy.refresh_from_db()
    assert (policy.name, SlaTarget.objects.filter(policy=policy).count()) == ("Policy standard", 2)


def test_it_hides_other_tenants_policies_from_patches(api, carol, policy):
    assert api.as_(carol).patch(f"{POLICIES}standard/", {"name": "Mine"}, format="json").status_code == 404


# --------------------------------------------------------------------------- simulate


def simulate(client, code="standard", **params):
    return client.get(f"{POLICIES}{code}/simulate/", params)


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_it_simulates_the_deadlines_of_a_ticket(api, bob, policy):
    response = simulate(api.as_(bob), start="2026-12-24T16:30:00+01:00", priority="P2")
    assert response.status_code == 200, response.content
    body = response.json()
    assert instant(body["response"]["deadline"]) == instant("2026-12-28T09:30:00+01:00")
    assert body["response"]["target_minutes"] == 120


def test_it_explains_the_simulated_deadline_with_a_timeline(api, bob, policy):
    body = simulate(api.as_(bob), start="2026-12-24T16:30:00+01:00", priority="P2").json()
    timeline = body["response"]["timeline"]
    assert [s["kind"] for s in timeline] == ["business", "closed", "business"]
    assert timeline[-1]["counted_minutes"] == 120


def test_it_simulates_no_sla_for_a_priority_without_target(api, bob, policy):
    body = simulate(api.as_(bob), start="2026-12-24T16:30:00+01:00", priority="P4").json()
    assert (body["response"], body["resolution"]) == (None, None)


@pytest.mark.parametrize("start", ["not-a-date", "2026-12-32T10:00", ""], ids=["text", "bad-day", "empty"])
def test_it_refuses_a_bad_simulation_start_naming_the_field(api, bob, policy, start):
    assert "start" in error_fields(simulate(api.as_(bob), start=start, priority="P2"))


def test_it_refuses_an_unknown_simulation_priority_naming_the_field(api, bob, policy):
    assert "priority" in error_fields(simulate(api.as_(bob), start="2026-12-24T16:30:00+01:00", priority="P7"))


def test_it_hides_the_simulator_from_client_users(api, cody, policy):
    assert simulate(api.as_(cody), start="2026-12-24T16:30:00+01:00", priority="P2").status_code == 404


def test_it_hides_other_tenants_policies_from_the_simulator(api, carol, policy):
    assert simulate(api.as_(carol), start="2026-12-24T16:30:00+01:00", priority="P2").status_code == 404


# =========================================================================== priority matrix


def cells(response) -> dict[tuple[str, str], str]:
    assert response.status_code == 200, response.content
    return {(c["impact"], c["urgency"]): c["priority"] for c in response.json()["cells"]}


@pytest.mark.parametrize("persona", PROVIDERS)
def test_it_shows_the_default_matrix_to_provider_users(api, persona, request):
    matrix = cells(api.as_(request.getfixturevalue(persona)).get(MATRIX))
    assert (len(matrix), matrix[("high", "high")], matrix[("low", "low")]) == (9, "P1", "P4")


def test_it_sets_matrix_cells_for_a_tenant_admin(api, alice):
    body = {"cells": [{"impact": "low", "urgency": "low", "priority": "P3"}]}
    matrix = cells(api.as_(alice).put(MATRIX, body, format="json"))
    assert matrix[("low", "low")] == "P3"
    assert cells(api.get(MATRIX))[("low", "low")] == "P3"


@pytest.mark.parametrize("persona", READ_ONLY)
def test_it_refuses_matrix_changes_to_read_only_staff(api, persona, request):
    body = {"cells": [{"impact": "low", "urgency": "low", "priority": "P1"}]}
    response = api.as_(request.getfixturevalue(persona)).put(MATRIX, body, format="json")
    assert response.status_code == 403
    assert PriorityMatrixCell.objects.count() == 0


def test_it_refuses_an_unknown_level_naming_the_field(api, alice):
    body = {"cells": [{"impact": "severe", "urgency": "low", "priority": "P1"}]}
    fields = error_fields(api.as_(alice).put(MATRIX, body, format="json"))
    assert "cells.0.impact" in fields
    assert PriorityMatrixCell.objects.count() == 0


def test_it_keeps_each_tenants_matrix_apart_in_the_api(api, alice, carol):
    api.as_(alice).put(MATRIX, {"cells": [{"impact": "low", "urgency": "low", "priority": "P1"}]}, format="json")
    assert cells(api.as_(carol).get(MATRIX))[("low", "low")] == "P4"


@pytest.mark.parametrize("persona", CLIENTS)
def test_it_refuses_the_priority_matrix_to_client_users(api, persona, request):
    # SLA configuration is for the provider's staff (like the matrix page).
    user = request.getfixturevalue(persona)
    assert api.as_(user).get(MATRIX).status_code == 403
    body = {"cells": [{"impact": "low", "urgency": "low", "priority": "P1"}]}
    assert api.as_(user).put(MATRIX, body, format="json").status_code == 403


# --------------------------------------------------------------------------- hostile input (issue 8, defect 2)


@pytest.mark.parametrize("method", ["put", "patch"])
def test_it_refuses_holidays_sent_as_a_plain_form_field_naming_the_field(api, alice, calendar, method):
    url = f"{CALENDARS}fr-business-hours/"
    response = getattr(api.as_(alice), method)(url, {"name": "Office", "holidays": "2026-12-24"}, format="multipart")
    assert response.status_code == 400
    assert "holidays" in error_fields(response)
    assert CalendarVersion.objects.count() == 1


def test_it_reads_holidays_sent_as_indexed_form_fields(api, alice, calendar):
    url = f"{CALENDARS}fr-business-hours/"
    data = {"holidays[0]date": "2026-12-24", "holidays[0]name": "Christmas Eve"}
    response = api.as_(alice).patch(url, data, format="multipart")
    assert response.status_code == 200, response.content
    assert response.json()["holidays"] == [{"date": "2026-12-24", "name": "Christmas Eve"}]


@pytest.mark.parametrize("day", ["0001-01-01", "1989-12-31", "2101-01-01", "9999-12-31"])
def test_it_refuses_a_holiday_outside_1990_2100_naming_the_field(api, alice, day):
    response = api.as_(alice).post(CALENDARS, calendar_payload(holidays=[{"date": day}]), format="json")
    assert response.status_code == 400
    assert list(error_fields(response)) == ["holidays.0.date"]

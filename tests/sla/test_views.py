"""Browser pages for SLA configuration: calendars, policies (with the deadline simulator
and the targets formset) and the priority matrix."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

import pytest

from sla import services
from sla.models import (
    ITIL_DEFAULT_MATRIX,
    BusinessCalendar,
    CalendarVersion,
    PriorityMatrixCell,
    SlaPolicy,
    SlaTarget,
)

CALENDARS = "/sla/calendars/"
NEW_CALENDAR = "/sla/calendars/new/"
POLICIES = "/sla/policies/"
NEW_POLICY = "/sla/policies/new/"
MATRIX = "/sla/priority-matrix/"

WORKDAYS = ("mon", "tue", "wed", "thu", "fri")
FR_BUSINESS_HOURS = {d: [["09:00", "12:00"], ["14:00", "18:00"]] for d in WORKDAYS}
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


def text(response) -> str:
    return html.unescape(response.content.decode())


def cell_selects(response) -> list[str]:
    return re.findall(r'<select name="(\w+__\w+)"', text(response))


@pytest.fixture(autouse=True)
def _paris_display(settings):
    """Pages show instants in the display zone; pin it so the expected text is fixed."""
    settings.TIME_ZONE = "Europe/Paris"


@pytest.fixture
def calendar(tenant_a, alice):
    return services.calendar_create(
        tenant=tenant_a, actor=alice, code="fr-business-hours", name="Heures ouvrées", timezone_name="Europe/Paris",
        hours=FR_BUSINESS_HOURS, holidays=[{"date": "2026-12-25", "name": "Noël"}], effective_from=LONG_AGO,
    )


@pytest.fixture
def policy(tenant_a, alice, calendar):
    return services.policy_create(
        tenant=tenant_a, actor=alice, code="standard", name="Standard", calendar=calendar, targets=[
            {"priority": "P1", "response_minutes": 60, "resolution_minutes": 480},
            {"priority": "P2", "response_minutes": 120, "resolution_minutes": 840},
        ],
    )


def calendar_form(**overrides) -> dict:
    data = {"code": "night", "name": "Night shift", "description": "", "timezone": "Europe/Paris", "holidays": "",
            **{f"hours_{d}": "" for d in (*WORKDAYS, "sat", "sun")},
            "hours_mon": "09:00-12:00, 14:00-18:00", "hours_tue": "9:00-18:00"}
    return data | overrides


def policy_form(calendar, targets=(("P1", "", "1h", "4h"),), **overrides) -> dict:
    data = {"code": "gold", "name": "Gold", "description": "", "calendar": str(calendar.pk), "warning_percent": "80",
            "availability_target": "", "is_active": "on",
            "targets-TOTAL_FORMS": str(len(targets)), "targets-INITIAL_FORMS": "0",
            "targets-MIN_NUM_FORMS": "0", "targets-MAX_NUM_FORMS": "40"}
    for i, (priority, mtype, response, resolution) in enumerate(targets):
        data |= {f"targets-{i}-priority": priority, f"targets-{i}-maintenance_type": mtype,
                 f"targets-{i}-response": response, f"targets-{i}-resolution": resolution}
    return data | overrides


def rows(*models) -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in models}


# =========================================================================== calendars


def test_it_lists_the_calendars_to_provider_staff(web, bob, calendar):
    response = web.as_(bob).get(CALENDARS)
    assert response.status_code == 200
    assert [c.code for c, _version in response.context["rows"]] == ["fr-business-hours"]
    assert "Heures ouvrées" in text(response)


def test_it_links_the_calendar_list_to_the_portal_pages_not_the_api(web, bob, calendar, policy):
    page = text(web.as_(bob).get(CALENDARS))
    assert 'href="/sla/calendars/fr-business-hours/"' in page
    assert 'href="/sla/policies/"' in page
    assert 'href="/api/v1/' not in page


def test_it_offers_a_new_calendar_only_to_tenant_admins(web, alice, bob, calendar):
    assert NEW_CALENDAR in text(web.as_(alice).get(CALENDARS))
    assert NEW_CALENDAR not in text(web.as_(bob).get(CALENDARS))


@pytest.mark.parametrize("persona", ["clara", "cody"])
def test_it_refuses_the_calendar_list_to_client_users(web, calendar, persona, request):
    assert web.as_(request.getfixturevalue(persona)).get(CALENDARS).status_code == 403


def test_it_shows_a_calendars_hours_and_holidays(web, bob, calendar):
    page = text(web.as_(bob).get(f"{CALENDARS}fr-business-hours/"))
    assert "09:00–12:00" in page and "14:00–18:00" in page
    assert "2026-12-25" in page and "Noël" in page


def test_it_shows_the_calendar_edit_link_only_to_tenant_admins(web, alice, bob, calendar):
    edit = f"{CALENDARS}fr-business-hours/edit/"
    assert edit in text(web.as_(alice).get(f"{CALENDARS}fr-business-hours/"))
    assert edit not in text(web.as_(bob).get(f"{CALENDARS}fr-business-hours/"))


@pytest.mark.parametrize("persona", ["cody", "carol"])
def test_it_hides_a_calendar_from_clients_and_other_tenants(web, calendar, persona, request):
    user = request.getfixturevalue(persona)
    assert web.as_(user).get(f"{CALENDARS}fr-business-hours/").status_code == 404
    assert web.as_(user).get(f"{CALENDARS}fr-business-hours/edit/").status_code == 404


def test_it_imports_holidays_from_the_calendar_page(web, alice, calendar):
    response = web.as_(alice).post(f"{CALENDARS}fr-business-hours/", {"country": "FR", "first_year": "2026",
                                                                      "last_year": "2026"})
    assert response.status_code == 302
    holidays = {h["date"]: h["name"] for h in CalendarVersion.objects.filter(calendar=calendar).latest("effective_from").holidays}
    assert holidays["2026-07-14"] == "Fête nationale"


def test_it_shows_an_unknown_country_as_a_form_error(web, alice, calendar):
    response = web.as_(alice).post(f"{CALENDARS}fr-business-hours/", {"country": "XX", "first_year": "2026",
                                                                      "last_year": "2026"})
    assert response.status_code == 200
    assert "XX" in " ".join(response.context["import_form"].errors["country"])
    assert CalendarVersion.objects.count() == 1


def test_it_refuses_a_holidays_import_to_read_only_staff(web, bob, calendar):
    response = web.as_(bob).post(f"{CALENDARS}fr-business-hours/", {"country": "FR", "first_year": "2026",
                                                                    "last_year": "2026"})
    assert response.status_code == 403
    assert CalendarVersion.objects.count() == 1


def test_it_creates_a_calendar_from_the_form(web, alice):
    response = web.as_(alice).post(NEW_CALENDAR, calendar_form(holidays="2026-12-25 Noël\n2027-01-01 Jour de l'an"))
    assert response.status_code == 302
    assert response["Location"] == f"{CALENDARS}night/"
    version = CalendarVersion.objects.get(calendar__code="night")
    assert version.hours == {"mon": [["09:00", "12:00"], ["14:00", "18:00"]], "tue": [["09:00", "18:00"]]}
    assert version.holidays == [{"date": "2026-12-25", "name": "Noël"}, {"date": "2027-01-01", "name": "Jour de l'an"}]


def test_it_shows_a_bad_interval_as_an_error_of_its_weekday(web, alice):
    response = web.as_(alice).post(NEW_CALENDAR, calendar_form(hours_wed="9-12"))
    assert response.status_code == 200
    assert "“9-12” is not an interval" in response.context["form"].errors["hours_wed"][0]
    assert BusinessCalendar.objects.count() == 0


def test_it_shows_overlapping_hours_as_a_form_error(web, alice):
    response = web.as_(alice).post(NEW_CALENDAR, calendar_form(hours_mon="09:00-12:00, 11:00-14:00"))
    assert response.status_code == 200
    assert "overlapping" in text(response)
    assert BusinessCalendar.objects.count() == 0


def test_it_shows_a_calendar_without_hours_as_a_form_error(web, alice):
    response = web.as_(alice).post(NEW_CALENDAR, calendar_form(hours_mon="", hours_tue=""))
    assert "no open interval" in text(response)
    assert BusinessCalendar.objects.count() == 0


def test_it_shows_an_unknown_timezone_on_its_field(web, alice):
    response = web.as_(alice).post(NEW_CALENDAR, calendar_form(timezone="Paris"))
    assert "Unknown time zone" in response.context["form"].errors["timezone"][0]
    assert BusinessCalendar.objects.count() == 0


def test_it_shows_a_bad_holiday_line_on_its_field(web, alice):
    response = web.as_(alice).post(NEW_CALENDAR, calendar_form(holidays="25/12/2026 Noël"))
    assert "Line 1" in response.context["form"].errors["holidays"][0]
    assert BusinessCalendar.objects.count() == 0


@pytest.mark.parametrize("persona", ["amy", "bob", "cody"])
def test_it_refuses_the_new_calendar_page_to_anyone_but_tenant_admins(web, persona, request):
    client = web.as_(request.getfixturevalue(persona))
    assert client.get(NEW_CALENDAR).status_code == 403
    assert client.post(NEW_CALENDAR, calendar_form()).status_code == 403
    assert BusinessCalendar.objects.count() == 0


def test_it_fills_the_edit_form_with_the_current_schedule(web, alice, calendar):
    form = web.as_(alice).get(f"{CALENDARS}fr-business-hours/edit/").context["form"]
    assert form.initial["hours_mon"] == "09:00-12:00, 14:00-18:00"
    assert (form.initial["hours_sat"], form.initial["holidays"]) == ("", "2026-12-25 Noël")


def test_it_adds_a_version_when_the_hours_are_edited(web, alice, calendar):
    data = calendar_form(code="fr-business-hours", name="Heures ouvrées", holidays="2026-12-25 Noël",
                         **{f"hours_{d}": "08:00-19:00" for d in WORKDAYS})
    response = web.as_(alice).post(f"{CALENDARS}fr-business-hours/edit/", data)
    assert response.status_code == 302
    versions = CalendarVersion.objects.filter(calendar=calendar).order_by("effective_from")
    assert [v.hours["mon"] for v in versions] == [[["09:00", "12:00"], ["14:00", "18:00"]], [["08:00", "19:00"]]]


def test_it_does_not_add_a_version_when_only_the_name_is_edited(web, alice, calendar):
    data = calendar_form(code="fr-business-hours", name="Bureau", holidays="2026-12-25 Noël",
                         **{f"hours_{d}": "09:00-12:00, 14:00-18:00" for d in WORKDAYS})
    assert web.as_(alice).post(f"{CALENDARS}fr-business-hours/edit/", data).status_code == 302
    calendar.refresh_from_db()
    assert (calendar.name, CalendarVersion.objects.count()) == ("Bureau", 1)


@pytest.mark.parametrize("persona", ["amy", "bob"])
def test_it_refuses_calendar_edits_to_read_only_staff(web, calendar, persona, request):
    client = web.as_(request.getfixturevalue(persona))
    assert client.get(f"{CALENDARS}fr-business-hours/edit/").status_code == 403
    response = client.post(f"{CALENDARS}fr-business-hours/edit/", calendar_form(code="fr-business-hours"))
    assert response.status_code == 403
    assert CalendarVersion.objects.count() == 1


# =========================================================================== policies


def test_it_lists_the_policies_to_provider_staff(web, amy, policy):
    response = web.as_(amy).get(POLICIES)
    assert response.status_code == 200
    assert [p.code for p in response.context["policies"]] == ["standard"]


@pytest.mark.parametrize("persona", ["clara", "cody"])
def test_it_refuses_the_policy_list_to_client_users(web, policy, persona, request):
    assert web.as_(request.getfixturevalue(persona)).get(POLICIES).status_code == 403


def test_it_shows_a_policys_targets(web, bob, policy):
    page = text(web.as_(bob).get(f"{POLICIES}standard/"))
    assert "Heures ouvrées" in page
    assert "14 business hours" in page and "840 min" not in page


@pytest.mark.parametrize("persona", ["cody", "carol"])
def test_it_hides_a_policy_from_clients_and_other_tenants(web, policy, persona, request):
    client = web.as_(request.getfixturevalue(persona))
    assert client.get(f"{POLICIES}standard/").status_code == 404
    assert client.get(f"{POLICIES}standard/edit/").status_code == 404


def test_it_simulates_the_deadline_on_the_policy_page(web, bob, policy):
    # Thu 24 Dec 16:30 + 120 min: 90 min on Thursday, Christmas, the weekend, 30 min on Monday.
    response = web.as_(bob).get(f"{POLICIES}standard/", {"start": "2026-12-24T16:30", "priority": "P2"})
    simulation = response.context["simulation"]
    assert simulation["response"]["deadline"].isoformat() == "2026-12-28T09:30:00+01:00"
    assert "Mon 28/12/2026 09:30" in text(response)


def test_it_shows_a_bad_simulation_start_as_an_error(web, bob, policy):
    response = web.as_(bob).get(f"{POLICIES}standard/", {"start": "tomorrow", "priority": "P2"})
    assert response.status_code == 200
    assert response.context["simulation"] is None
    assert response.context["error"]


def test_it_explains_a_bad_simulation_start_in_a_translated_sentence_not_the_parsers(web, bob, policy):
    response = web.as_(bob).get(f"{POLICIES}standard/", {"start": "mardi", "priority": "P1"})
    assert response.context["error"] == "Give the start as a date and a time, for example 2026-03-02 09:30."


def test_it_explains_a_start_the_clock_cannot_count_from(web, bob, policy):
    response = web.as_(bob).get(f"{POLICIES}standard/", {"start": "9999-12-31T23:00", "priority": "P1"})
    assert response.context["error"] == ("The deadlines cannot be computed from this start: "
                                         "choose a date between 1990 and 2100.")


def test_it_shows_an_unknown_simulation_priority_as_an_error(web, bob, policy):
    response = web.as_(bob).get(f"{POLICIES}standard/", {"start": "2026-12-24T16:30", "priority": "P9"})
    assert "Unknown priority" in response.context["error"]


def test_it_creates_a_policy_with_its_targets_from_the_form(web, alice, calendar):
    targets = (("P1", "", "1h", "4h"), ("P4", "evolutive", "", "1h30"), ("", "", "", ""))
    response = web.as_(alice).post(NEW_POLICY, policy_form(calendar, targets))
    assert response.status_code == 302
    assert response["Location"] == f"{POLICIES}gold/"
    saved = SlaTarget.objects.filter(policy__code="gold").order_by("priority")
    assert [(t.priority, t.maintenance_type, t.response_minutes, t.resolution_minutes) for t in saved] == [
        ("P1", "", 60, 240), ("P4", "evolutive", None, 90),
    ]


def test_it_shows_a_bad_duration_as_a_form_error(web, alice, calendar):
    response = web.as_(alice).post(NEW_POLICY, policy_form(calendar, (("P1", "", "abc", "4h"),)))
    assert response.status_code == 200
    assert "“abc” is not a duration" in response.context["targets"].forms[0].errors["response"][0]
    assert "“abc” is not a duration" in text(response)
    assert rows(SlaPolicy, SlaTarget) == {"SlaPolicy": 0, "SlaTarget": 0}


def test_it_shows_a_resolution_shorter_than_the_response_as_a_form_error(web, alice, calendar):
    response = web.as_(alice).post(NEW_POLICY, policy_form(calendar, (("P1", "", "4h", "1h"),)))
    assert response.status_code == 200
    assert "the resolution target must not be shorter than the response target" in text(response)
    assert rows(SlaPolicy, SlaTarget) == {"SlaPolicy": 0, "SlaTarget": 0}


def test_it_shows_a_policy_without_targets_as_a_form_error(web, alice, calendar):
    response = web.as_(alice).post(NEW_POLICY, policy_form(calendar, (("", "", "", ""),)))
    assert "A policy needs at least one target." in text(response)
    assert SlaPolicy.objects.count() == 0


@pytest.mark.parametrize("persona", ["amy", "bob", "cody"])
def test_it_refuses_the_new_policy_page_to_anyone_but_tenant_admins(web, calendar, persona, request):
    client = web.as_(request.getfixturevalue(persona))
    assert client.get(NEW_POLICY).status_code == 403
    assert client.post(NEW_POLICY, policy_form(calendar)).status_code == 403
    assert SlaPolicy.objects.count() == 0


def test_it_fills_the_policy_edit_form_with_its_targets(web, alice, policy):
    formset = web.as_(alice).get(f"{POLICIES}standard/edit/").context["targets"]
    assert [(f.initial["priority"], f.initial["response"], f.initial["resolution"]) for f in formset.initial_forms] == [
        ("P1", "1h", "8h"), ("P2", "2h", "14h"),
    ]


def test_it_replaces_the_targets_from_the_edit_form(web, alice, policy, calendar):
    data = policy_form(calendar, (("P3", "", "4h", "28h"),), code="standard", name="Standard")
    assert web.as_(alice).post(f"{POLICIES}standard/edit/", data).status_code == 302
    assert list(SlaTarget.objects.filter(policy=policy).values_list("priority", "resolution_minutes")) == [("P3", 1680)]


def test_it_keeps_the_targets_when_the_edit_form_has_a_bad_duration(web, alice, policy, calendar):
    data = policy_form(calendar, (("P3", "", "soon", "28h"),), code="standard", name="Renamed")
    response = web.as_(alice).post(f"{POLICIES}standard/edit/", data)
    assert response.status_code == 200
    policy.refresh_from_db()
    assert (policy.name, SlaTarget.objects.filter(policy=policy).count()) == ("Standard", 2)


@pytest.mark.parametrize("persona", ["amy", "bob"])
def test_it_refuses_policy_edits_to_read_only_staff(web, policy, calendar, persona, request):
    client = web.as_(request.getfixturevalue(persona))
    assert client.get(f"{POLICIES}standard/edit/").status_code == 403
    data = policy_form(calendar, (("P3", "", "4h", "28h"),), code="standard", name="Hijacked")
    assert client.post(f"{POLICIES}standard/edit/", data).status_code == 403
    policy.refresh_from_db()
    assert (policy.name, SlaTarget.objects.filter(policy=policy).count()) == ("Standard", 2)


# =========================================================================== priority matrix


def matrix_form(**cells) -> dict:
    data = {f"{i}__{u}": p for (i, u), p in ITIL_DEFAULT_MATRIX.items()}
    return data | cells


def test_it_lets_a_tenant_admin_edit_the_matrix(web, alice, tenant_a):
    response = web.as_(alice).get(MATRIX)
    assert response.context["can_edit"] is True
    assert len(cell_selects(response)) == 9


def test_it_saves_matrix_changes_from_the_page(web, alice, tenant_a):
    response = web.as_(alice).post(MATRIX, matrix_form(low__low="P3"))
    assert (response.status_code, response["Location"]) == (302, MATRIX)
    assert PriorityMatrixCell.objects.get(tenant=tenant_a, impact="low", urgency="low").priority == "P3"


def test_it_refuses_an_unknown_priority_in_the_matrix_form(web, alice, tenant_a):
    response = web.as_(alice).post(MATRIX, matrix_form(low__low="P0"))
    assert response.status_code == 200
    assert "low__low" in response.context["form"].errors
    assert PriorityMatrixCell.objects.count() == 0


def test_it_shows_the_matrix_read_only_to_an_account_manager(web, amy, tenant_a, alice):
    services.priority_matrix_set(tenant=tenant_a, actor=alice, cells={("low", "low"): "P3"})
    response = web.as_(amy).get(MATRIX)
    assert (response.status_code, response.context["can_edit"]) == (200, False)
    assert cell_selects(response) == []
    assert [value for _field, value in response.context["grid"][2][1]] == ["P3", "P4", "P3"]


@pytest.mark.parametrize("persona", ["amy", "bob"])
def test_it_refuses_matrix_changes_to_read_only_staff(web, persona, request):
    response = web.as_(request.getfixturevalue(persona)).post(MATRIX, matrix_form(low__low="P1"))
    assert response.status_code == 403
    assert PriorityMatrixCell.objects.count() == 0


@pytest.mark.parametrize("persona", ["clara", "cody"])
def test_it_refuses_the_matrix_page_to_client_users(web, persona, request):
    client = web.as_(request.getfixturevalue(persona))
    assert client.get(MATRIX).status_code == 403
    assert client.post(MATRIX, matrix_form(low__low="P1")).status_code == 403

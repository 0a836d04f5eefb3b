"""The demo seed's SLA data: both calendars and both policies per demo tenant, French
holidays, the default priority matrix; seeding twice changes nothing."""

from __future__ import annotations

import pytest
from django.test import override_settings

from demo import seed
from portal.models import AuditEvent, Tenant
from sla.models import (
    ITIL_DEFAULT_MATRIX,
    BusinessCalendar,
    CalendarVersion,
    PriorityMatrixCell,
    SlaPolicy,
    SlaTarget,
)


def rows(*models) -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in models}


def versions(calendar) -> list[CalendarVersion]:
    return list(CalendarVersion.objects.filter(calendar=calendar).order_by("effective_from"))


def matrix_rows(tenant) -> dict[tuple[str, str], str]:
    return {(c.impact, c.urgency): c.priority for c in PriorityMatrixCell.objects.filter(tenant=tenant)}


SEEDED = (BusinessCalendar, CalendarVersion, SlaPolicy, SlaTarget, PriorityMatrixCell, AuditEvent)


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # as tests/conftest.py


@pytest.fixture(scope="module")
def _seeded_once(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        seed.seed_all(history=False)
        yield
        from django.core.management import call_command

        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def seeded(_seeded_once, db):
    return None


def test_it_seeds_each_demo_tenant_with_both_calendars(seeded):
    for spec in seed.TENANTS:
        tenant = Tenant.objects.get(slug=spec["slug"])
        codes = set(BusinessCalendar.objects.filter(tenant=tenant).values_list("code", flat=True))
        assert codes == {"fr-business-hours", "24x7"}, spec["slug"]


def test_it_seeds_each_demo_tenant_with_both_policies(seeded):
    for spec in seed.TENANTS:
        tenant = Tenant.objects.get(slug=spec["slug"])
        codes = set(SlaPolicy.objects.filter(tenant=tenant).values_list("code", flat=True))
        assert codes == {"standard", "critical-24-7"}, spec["slug"]


def test_it_seeds_policies_on_the_right_calendars(seeded):
    for policy in SlaPolicy.objects.select_related("calendar"):
        expected = {"standard": "fr-business-hours", "critical-24-7": "24x7"}[policy.code]
        assert (policy.calendar.code, policy.calendar.tenant_id) == (expected, policy.tenant_id)


def test_it_seeds_french_holidays_into_the_business_hours_calendar(seeded):
    for calendar in BusinessCalendar.objects.filter(code="fr-business-hours"):
        holidays = {h["date"]: h["name"] for h in versions(calendar)[-1].holidays}
        assert holidays["2026-07-14"] == "Fête nationale"


def test_it_seeds_the_default_priority_matrix(seeded):
    for spec in seed.TENANTS:
        assert matrix_rows(Tenant.objects.get(slug=spec["slug"])) == ITIL_DEFAULT_MATRIX


def test_it_changes_no_counts_when_seeding_twice(seeded):
    before = rows(*SEEDED)
    seed.seed_all(history=False)
    assert rows(*SEEDED) == before

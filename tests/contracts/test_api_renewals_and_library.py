"""/api/v1/contracts/renewals/ (the renewals page's rows) and the clause library's
writes (/api/v1/clause-templates/), through the same selector and service as the pages."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine

from contracts.models import ClauseTemplate
from portal.models import AuditEvent

pytestmark = pytest.mark.django_db

RENEWALS = "/api/v1/contracts/renewals/"
LIBRARY = "/api/v1/clause-templates/"
SEPT_1 = datetime(2026, 9, 1, 10, 0, tzinfo=UTC)  # the contract's notice deadline, 2026-10-01, is 30 days away


@pytest.fixture
def today():
    with time_machine.travel(SEPT_1, tick=False):
        yield date(2026, 9, 1)


def test_it_lists_a_contract_whose_notice_deadline_is_near(api, amy, active, today):
    rows = api.as_(amy).get(RENEWALS).json()
    assert [(r["contract"]["reference"], r["next_notice_deadline"], r["days_to_notice"]) for r in rows] == [
        (active.reference, "2026-10-01", 30)]


def test_it_refuses_the_renewals_to_a_client(api, clara, active, today):
    assert api.as_(clara).get(RENEWALS).status_code == 403


def test_it_lists_no_renewal_of_another_tenant(api, carol, active, today):
    assert api.as_(carol).get(RENEWALS).json() == []


def test_an_account_manager_adds_a_clause_to_the_library(api, amy, tenant_a):
    response = api.as_(amy).post(LIBRARY, {"kind": "gdpr", "language": "en", "title": "Personal data",
                                           "body": "The provider is a sub-processor."}, format="json")
    assert (response.status_code, ClauseTemplate.objects.get(tenant=tenant_a).title) == (201, "Personal data")


def test_it_names_a_refused_kind(api, amy):
    response = api.as_(amy).post(LIBRARY, {"kind": "nope", "title": "T", "body": "B"}, format="json")
    assert (response.status_code, list(response.json()["error"]["fields"])) == (400, ["kind"])


def test_an_account_manager_changes_a_clause_of_the_library(api, amy, tenant_a):
    template = ClauseTemplate.objects.create(tenant=tenant_a, kind="gdpr", language="en", title="Old", body="B")
    response = api.as_(amy).patch(f"{LIBRARY}{template.pk}/", {"title": "New"}, format="json")
    assert (response.status_code, response.json()["title"]) == (200, "New")
    assert AuditEvent.objects.filter(action="clause_template.update", object_ref=str(template.pk)).exists()


def test_a_technician_may_not_change_the_library(api, bob, tenant_a):
    template = ClauseTemplate.objects.create(tenant=tenant_a, kind="gdpr", language="en", title="Old", body="B")
    assert api.as_(bob).patch(f"{LIBRARY}{template.pk}/", {"title": "New"}, format="json").status_code == 403


def test_another_tenant_does_not_find_the_clause(api, carol, tenant_a):
    template = ClauseTemplate.objects.create(tenant=tenant_a, kind="gdpr", language="en", title="Old", body="B")
    assert api.as_(carol).patch(f"{LIBRARY}{template.pk}/", {"title": "New"}, format="json").status_code == 404

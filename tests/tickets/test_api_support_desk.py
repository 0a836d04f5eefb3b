"""/api/v1/support-desk/: the provider's support contact clients see on their home page,
read and changed by tenant administrators through the same service as the page
(tickets.desk.support_desk_update)."""

from __future__ import annotations

import pytest

from portal.models import AuditEvent
from tickets.selectors import support_desk

pytestmark = pytest.mark.django_db
API = "/api/v1/support-desk/"


def test_a_tenant_admin_sets_the_support_phone(api, alice, tenant_a):
    response = api.as_(alice).patch(API, {"phone": "+33 4 78 00 00 00"}, format="json")
    assert (response.status_code, support_desk(tenant=tenant_a).phone) == (200, "+33 4 78 00 00 00")


def test_it_keeps_the_fields_left_out(api, alice, tenant_a):
    api.as_(alice).patch(API, {"phone": "+33 1 00 00 00 00", "hours_note": "Nights too."}, format="json")
    api.as_(alice).patch(API, {"phone": "+33 2 00 00 00 00"}, format="json")
    assert support_desk(tenant=tenant_a).hours_note == "Nights too."


def test_it_names_a_refused_phone(api, alice):
    response = api.as_(alice).patch(API, {"phone": "call us"}, format="json")
    assert (response.status_code, list(response.json()["error"]["fields"])) == (400, ["phone"])


def test_the_change_is_audited(api, alice, tenant_a):
    api.as_(alice).patch(API, {"email": "support@a.test"}, format="json")
    assert AuditEvent.objects.filter(tenant=tenant_a, action="support_desk.update").exists()


def test_a_technician_may_not_change_it(api, bob):
    assert api.as_(bob).patch(API, {"phone": "+33 1"}, format="json").status_code == 403


def test_each_tenant_reads_its_own(api, alice, carol, tenant_a):
    api.as_(alice).patch(API, {"phone": "+33 4 78 00 00 00"}, format="json")
    assert api.as_(carol).get(API).json()["phone"] == ""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from portal import services
from portal.models import AuditEvent, Tenant


def test_it_defaults_to_reminders_30_and_7_days_before(tenant_a):
    assert tenant_a.reminder_days == [30, 7]


def test_it_saves_the_reminder_days_in_decreasing_order(tenant_a, alice):
    services.tenant_settings_update(tenant=tenant_a, actor=alice, contract_reminder_days=[7, 60, 14])
    assert Tenant.objects.get(pk=tenant_a.pk).reminder_days == [60, 14, 7]


def test_it_audits_a_settings_change(tenant_a, alice):
    services.tenant_settings_update(tenant=tenant_a, actor=alice, contract_reminder_days=[45])
    event = AuditEvent.objects.get(tenant=tenant_a, action="tenant.settings")
    assert event.changes == {"contract_reminder_days": [[30, 7], [45]]}


def test_it_saves_the_ticket_settings(tenant_a, alice):
    services.tenant_settings_update(tenant=tenant_a, actor=alice, contract_reminder_days=[30, 7],
                                    allow_curative_when_suspended=True, ticket_autoclose_days=14)
    tenant = Tenant.objects.get(pk=tenant_a.pk)
    assert (tenant.allow_curative_when_suspended, tenant.ticket_autoclose_days) == (True, 14)


def test_it_refuses_an_autoclose_delay_out_of_range(tenant_a, alice):
    with pytest.raises(ValidationError) as excinfo:
        services.tenant_settings_update(tenant=tenant_a, actor=alice, contract_reminder_days=[30],
                                        ticket_autoclose_days=0)
    assert set(excinfo.value.message_dict) == {"ticket_autoclose_days"}


@pytest.mark.parametrize("days", [[], [0], [400], [1, 2, 3, 4, 5, 6]])
def test_it_refuses_reminder_days_out_of_range(tenant_a, alice, days):
    with pytest.raises(ValidationError) as excinfo:
        services.tenant_settings_update(tenant=tenant_a, actor=alice, contract_reminder_days=days)
    assert set(excinfo.value.message_dict) == {"contract_reminder_days"}
    assert Tenant.objects.get(pk=tenant_a.pk).reminder_days == [30, 7]


def test_it_lets_only_tenant_admins_change_settings(tenant_a, amy):
    with pytest.raises(PermissionDenied):
        services.tenant_settings_update(tenant=tenant_a, actor=amy, contract_reminder_days=[10])


def test_it_shows_the_settings_page_to_tenant_admins(web, alice):
    response = web.as_(alice).get("/settings/")
    assert response.status_code == 200
    assert "30, 7" in response.content.decode()


def test_it_refuses_the_settings_page_to_account_managers(web, amy):
    assert web.as_(amy).get("/settings/").status_code == 403


def test_it_shows_a_form_error_for_words_instead_of_days(web, alice, tenant_a):
    response = web.as_(alice).post("/settings/", {"contract_reminder_days": "thirty", "ticket_autoclose_days": "7"})
    assert "Write whole numbers of days" in response.content.decode()
    assert Tenant.objects.get(pk=tenant_a.pk).reminder_days == [30, 7]

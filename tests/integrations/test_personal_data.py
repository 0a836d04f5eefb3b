"""Personal data (GDPR): export what is held about a person, erase (anonymise) them while
tickets, invoices and the audit log keep their integrity, refused under legal retention."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from contracts.models import Contact
from integrations.personal_data import personal_data_erase, personal_data_export
from portal.exceptions import ApplicationError
from portal.models import AuditEvent, User
from tests.factories import ContactFactory
from tests.tickets import factories as tf
from tickets.models import TicketMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(tenant_a, org_a1, amy, cody):
    contract = tf.active_contract(actor=amy, client=org_a1, policy=tf.sla_policy(tenant_a))
    return tf.open_ticket(actor=cody, contract=contract, title="Cody's printer")


def test_the_export_holds_the_account_and_the_tickets_requested(alice, cody, ticket):
    data = personal_data_export(tenant=alice.membership.tenant, actor=alice, email=cody.email)
    assert data["account"]["email"] == cody.email
    assert [t["reference"] for t in data["tickets_requested"]] == [ticket.reference]


def test_the_export_holds_the_contacts_with_that_address(alice, org_a1):
    ContactFactory(organization=org_a1, email="paul@a1.test", last_name="Martin")
    data = personal_data_export(tenant=alice.membership.tenant, actor=alice, email="PAUL@a1.test")
    assert [c["last_name"] for c in data["contacts"]] == ["Martin"]


def test_the_export_is_audited_without_the_address(alice, cody):
    personal_data_export(tenant=alice.membership.tenant, actor=alice, email=cody.email)
    event = AuditEvent.objects.get(action="personal_data.export")
    assert event.object_ref == f"user {cody.pk}" and cody.email not in str(event.changes)


def test_an_unknown_address_is_refused_naming_the_field(alice):
    with pytest.raises(ValidationError) as refused:
        personal_data_export(tenant=alice.membership.tenant, actor=alice, email="nobody@nowhere.test")
    assert "email" in refused.value.message_dict


def test_another_tenant_s_person_is_unknown(carol, cody):
    with pytest.raises(ValidationError):
        personal_data_export(tenant=carol.membership.tenant, actor=carol, email=cody.email)


def test_erasing_a_user_removes_their_name_and_address(alice, cody, ticket):
    personal_data_erase(tenant=alice.membership.tenant, actor=alice, email="cody@a1.test")
    cody.refresh_from_db()
    assert (cody.full_name, cody.email.endswith("@erased.invalid"), cody.is_active) == ("", True, False)


def test_an_erased_user_can_no_longer_log_in(alice, cody):
    personal_data_erase(tenant=alice.membership.tenant, actor=alice, email=cody.email)
    assert not User.objects.get(pk=cody.pk).has_usable_password()


def test_the_tickets_of_an_erased_user_keep_their_history(alice, bob, cody, ticket):
    from tickets.services import ticket_reply

    ticket_reply(ticket=ticket, actor=cody, body="Still broken.")
    personal_data_erase(tenant=alice.membership.tenant, actor=alice, email=cody.email)
    message = TicketMessage.objects.get(ticket=ticket)
    assert (message.body, message.author_id, ticket.requester_id) == ("Still broken.", cody.pk, cody.pk)


def test_the_audit_log_is_kept_whole(alice, cody, ticket):
    before = AuditEvent.objects.count()
    personal_data_erase(tenant=alice.membership.tenant, actor=alice, email=cody.email)
    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.get(action="personal_data.erase").object_ref == f"user {cody.pk}"


def test_erasing_a_contact_anonymises_it(alice, org_a1):
    contact = ContactFactory(organization=org_a1, email="paul@a1.test", last_name="Martin", role="technical")
    personal_data_erase(tenant=alice.membership.tenant, actor=alice, email="paul@a1.test")
    contact.refresh_from_db()
    assert (contact.email, contact.phone, "Martin" in contact.last_name) == ("", "", False)


def test_a_billing_contact_on_issued_invoices_is_kept(alice, amy, org_a1, tenant_a):
    from tests.billing import factories as bf

    contract = tf.active_contract(actor=amy, client=org_a1, policy=tf.sla_policy(tenant_a))
    bf.issued(contract, 2026, 3, actor=amy)
    contact = ContactFactory(organization=org_a1, email="billing@a1.test", last_name="Compta", role="billing")
    with pytest.raises(ApplicationError) as refused:
        personal_data_erase(tenant=tenant_a, actor=alice, email="billing@a1.test", today=bf.TODAY)
    assert refused.value.code == "legal_retention"
    assert Contact.objects.get(pk=contact.pk).last_name == "Compta"


def test_a_billing_contact_without_invoices_can_be_erased(alice, org_a1, tenant_a):
    ContactFactory(organization=org_a1, email="billing@a1.test", last_name="Compta", role="billing")
    assert personal_data_erase(tenant=tenant_a, actor=alice, email="billing@a1.test") == {
        "contacts": 1, "account": False}


def test_an_administrator_cannot_erase_themself(alice):
    with pytest.raises(ApplicationError):
        personal_data_erase(tenant=alice.membership.tenant, actor=alice, email=alice.email)


def test_the_page_downloads_the_json(web, alice, cody):
    response = web.as_(alice).post("/integrations/personal-data/", {"email": cody.email, "export": "1"})
    assert response["Content-Type"] == "application/json"
    assert cody.email in response.content.decode()


def test_the_page_shows_a_refusal_on_the_form(web, alice):
    response = web.as_(alice).post("/integrations/personal-data/", {"email": alice.email, "erase": "1"})
    assert response.status_code == 200
    assert "your own account" in response.content.decode()


def test_a_client_admin_may_not_use_the_page(web, clara):
    assert web.as_(clara).get("/integrations/personal-data/").status_code == 403


def test_the_api_erases_a_person(api, alice, cody):
    response = api.as_(alice).post("/api/v1/personal-data/erase/", {"email": cody.email}, format="json")
    assert (response.status_code, response.json()) == (200, {"contacts": 0, "account": True})


def test_the_api_refuses_a_malformed_address_naming_the_field(api, alice):
    response = api.as_(alice).post("/api/v1/personal-data/export/", {"email": "not-an-address"}, format="json")
    assert response.status_code == 400
    assert "email" in response.json()["error"]["fields"]


def test_the_api_answers_a_retention_refusal_with_the_reason(api, alice, amy, org_a1, tenant_a):
    from tests.billing import factories as bf

    contract = tf.active_contract(actor=amy, client=org_a1, policy=tf.sla_policy(tenant_a))
    bf.issued(contract, 2026, 3, actor=amy)
    ContactFactory(organization=org_a1, email="billing@a1.test", role="billing", last_name="Compta")
    response = api.as_(alice).post("/api/v1/personal-data/erase/", {"email": "billing@a1.test"}, format="json")
    assert response.status_code in (400, 409)
    assert "must be kept 10 years" in response.json()["error"]["message"]

"""Invoices: issuing (gap-free numbers), immutability (model and PostgreSQL trigger),
payments, credit notes, the unpaid-invoice follow-up, and the list selectors."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction

from billing.models import CreditNote, Invoice, InvoiceLine, Payment
from billing.selectors import InvoiceFilters, invoice_get, invoice_list, invoice_totals
from billing.services import (
    billing_settings_update,
    credit_note_create,
    invoice_issue,
    invoices_daily,
    payment_record,
)
from portal.models import AuditEvent
from tests.billing import factories as bf

ISSUE_DAY = date(2026, 4, 2)
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")


@pytest.fixture
def contract(make_contract):
    return make_contract("flat_fee")


@pytest.fixture
def invoice(contract, amy):
    """March 2026, 450.00 + 20 % VAT = 540.00, issued on 2 April, due 30 days later."""
    return bf.issued(contract, 2026, 3, actor=amy, today=ISSUE_DAY)


def _pay(invoice, actor, amount, day=date(2026, 4, 10)):
    return payment_record(invoice=invoice, actor=actor, date=day, amount=amount, method="transfer", reference="VIR-1")


def _refused(call) -> dict:
    with pytest.raises(ValidationError) as exc:
        call()
    return exc.value.message_dict


# ---------------------------------------------------------------- issuing


def test_it_numbers_an_issued_invoice_and_dates_it(invoice):
    assert (invoice.status, invoice.number, invoice.issue_date, invoice.due_date) == (
        "issued", "INV-2026-000001", ISSUE_DAY, date(2026, 5, 2))


def test_it_numbers_invoices_per_tenant_and_year(make_contract, amy, carol, org_b1, tenant_b):
    first = bf.issued(make_contract("flat_fee"), 2026, 3, actor=amy, today=date(2026, 12, 31))
    second = bf.issued(make_contract("flat_fee"), 2026, 12, actor=amy, today=date(2027, 1, 2))
    from tests.tickets import factories as tf

    other = bf.contract(actor=carol, client=org_b1, policy=tf.sla_policy(tenant_b))
    third = bf.issued(other, 2026, 3, actor=carol, today=date(2026, 12, 31))
    assert [first.number, second.number, third.number] == ["INV-2026-000001", "INV-2027-000001", "INV-2026-000001"]


def test_it_refuses_issuing_twice(invoice, amy):
    errors = _refused(lambda: invoice_issue(invoice=invoice, actor=amy, today=ISSUE_DAY))
    assert list(errors) == ["status"]
    invoice.refresh_from_db()
    assert invoice.number == "INV-2026-000001"


def test_it_refuses_a_technician_issuing(contract, bob):
    draft = bf.run(contract, 2026, 3)
    with pytest.raises(PermissionDenied):
        invoice_issue(invoice=draft, actor=bob, today=ISSUE_DAY)
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_it_audits_the_issue(invoice, amy):
    event = AuditEvent.objects.get(action="invoice.issue")
    assert (event.actor_id, event.object_ref, event.changes["number"]) == (amy.pk, "INV-2026-000001",
                                                                             "INV-2026-000001")


# ---------------------------------------------------------------- immutability


def test_it_refuses_editing_an_issued_invoice(invoice):
    invoice.net = Decimal("1.00")
    with pytest.raises(ValidationError) as exc:
        invoice.save()
    assert list(exc.value.message_dict) == ["net"]
    assert Invoice.objects.get(pk=invoice.pk).net == Decimal("450.00")


def test_it_refuses_editing_the_lines_of_an_issued_invoice(invoice):
    line = invoice.lines.get()
    line.amount = Decimal("1.00")
    with pytest.raises(ValidationError) as exc:
        line.save()
    assert list(exc.value.message_dict) == ["lines"]
    assert InvoiceLine.objects.get(pk=line.pk).amount == Decimal("450.00")


def test_it_refuses_deleting_an_issued_invoice(invoice):
    with pytest.raises(ValidationError):
        invoice.delete()
    assert Invoice.objects.filter(pk=invoice.pk).exists()


def test_it_lets_the_bookkeeping_fields_of_an_issued_invoice_change(invoice):
    invoice.pdf_status = "ready"
    invoice.pdf_sha256 = "0" * 64
    invoice.save()
    assert Invoice.objects.get(pk=invoice.pk).pdf_status == "ready"


@postgres_only
def test_it_refuses_a_raw_update_of_an_issued_invoice_in_the_database(invoice):
    with pytest.raises(DatabaseError, match="cannot be changed"), transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk).update(gross=Decimal("1.00"))
    assert Invoice.objects.get(pk=invoice.pk).gross == Decimal("540.00")


@postgres_only
def test_it_refuses_a_raw_change_of_the_lines_of_an_issued_invoice_in_the_database(invoice):
    with pytest.raises(DatabaseError, match="cannot be changed"), transaction.atomic():
        InvoiceLine.objects.filter(invoice=invoice).update(amount=Decimal("1.00"))
    with pytest.raises(DatabaseError, match="cannot be changed"), transaction.atomic():
        InvoiceLine.objects.filter(invoice=invoice).delete()
    assert InvoiceLine.objects.get(invoice=invoice).amount == Decimal("450.00")


@postgres_only
def test_it_refuses_a_raw_delete_of_an_issued_invoice_in_the_database(invoice):
    with pytest.raises(DatabaseError, match="cannot be deleted"), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM billing_invoice WHERE id = %s", [invoice.pk])
    assert Invoice.objects.filter(pk=invoice.pk).exists()


@postgres_only
def test_it_lets_the_database_update_the_bookkeeping_fields(invoice):
    Invoice.objects.filter(pk=invoice.pk).update(status="overdue", overdue_at=date(2026, 5, 3))
    assert Invoice.objects.get(pk=invoice.pk).status == "overdue"


def test_it_lets_a_draft_change(contract):
    draft = bf.run(contract, 2026, 3)
    Invoice.objects.filter(pk=draft.pk).update(net=Decimal("1.00"))
    draft.lines.get().delete()
    assert not draft.lines.exists()


# ---------------------------------------------------------------- payments


def test_it_refuses_a_payment_on_a_draft(contract, amy):
    draft = bf.run(contract, 2026, 3)
    errors = _refused(lambda: _pay(draft, amy, "540.00"))
    assert list(errors) == ["status"]
    assert not Payment.objects.exists()
    draft.refresh_from_db()
    assert draft.amount_paid == 0


def test_it_leaves_the_rest_due_after_a_partial_payment(invoice, amy):
    _pay(invoice, amy, "200.00")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_paid, invoice.balance_due) == ("issued", Decimal("200.00"),
                                                                           Decimal("340.00"))


def test_it_marks_the_invoice_paid_with_the_last_payment(invoice, amy):
    _pay(invoice, amy, "200.00")
    _pay(invoice, amy, "340.00", day=date(2026, 4, 20))
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_at, invoice.balance_due) == ("paid", date(2026, 4, 20), Decimal("0.00"))


def test_it_refuses_a_payment_larger_than_what_is_due(invoice, amy):
    errors = _refused(lambda: _pay(invoice, amy, "540.01"))
    assert list(errors) == ["amount"]
    assert not Payment.objects.exists()


@pytest.mark.parametrize("amount", ["0", "-5.00", "abc", "1.005"])
def test_it_refuses_a_payment_that_is_not_a_positive_amount(invoice, amy, amount):
    assert list(_refused(lambda: _pay(invoice, amy, amount))) == ["amount"]


def test_it_refuses_an_unknown_payment_method(invoice, amy):
    errors = _refused(lambda: payment_record(invoice=invoice, actor=amy, date=date(2026, 4, 10), amount="10.00",
                                             method="bitcoin"))
    assert list(errors) == ["method"]


# ---------------------------------------------------------------- credit notes


def test_it_credits_part_of_an_invoice_with_its_own_number(invoice, amy):
    note = credit_note_create(invoice=invoice, actor=amy, reason="Two days without service", amount="45.00",
                              today=date(2026, 4, 5))
    invoice.refresh_from_db()
    assert (note.number, note.net, note.vat, note.gross) == ("CN-2026-000001", Decimal("45.00"), Decimal("9.00"),
                                                             Decimal("54.00"))
    assert (invoice.status, invoice.amount_credited, invoice.balance_due) == ("issued", Decimal("54.00"),
                                                                               Decimal("486.00"))


def test_it_cancels_the_invoice_with_a_total_credit(invoice, amy):
    credit_note_create(invoice=invoice, actor=amy, reason="Wrong contract", amount="100.00", today=date(2026, 4, 5))
    note = credit_note_create(invoice=invoice, actor=amy, reason="Wrong contract", today=date(2026, 4, 6))
    invoice.refresh_from_db()
    assert (note.net, note.vat, note.gross) == (Decimal("350.00"), Decimal("70.00"), Decimal("420.00"))
    assert (invoice.status, invoice.cancelled_at, invoice.amount_credited) == ("cancelled", date(2026, 4, 6),
                                                                                Decimal("540.00"))


def test_it_credits_lines(invoice, amy):
    note = credit_note_create(invoice=invoice, actor=amy, reason="Visit not made",
                              lines=[{"label": "On-site visit", "quantity": "1.5", "unit": "hour",
                                      "unit_price": "80.00"}], today=date(2026, 4, 5))
    assert (note.net, note.gross, note.lines[0]["amount"]) == (Decimal("120.00"), Decimal("144.00"), "120.00")


def test_it_refuses_a_credit_note_larger_than_what_remains(invoice, amy):
    credit_note_create(invoice=invoice, actor=amy, reason="Goodwill", amount="400.00", today=date(2026, 4, 5))
    errors = _refused(lambda: credit_note_create(invoice=invoice, actor=amy, reason="Again", amount="50.01",
                                                 today=date(2026, 4, 6)))
    assert list(errors) == ["amount"]
    assert CreditNote.objects.count() == 1
    invoice.refresh_from_db()
    assert invoice.amount_credited == Decimal("480.00")


def test_it_refuses_a_credit_note_on_a_draft(contract, amy):
    draft = bf.run(contract, 2026, 3)
    assert list(_refused(lambda: credit_note_create(invoice=draft, actor=amy, reason="x", amount="1.00"))) == [
        "status"]


def test_it_numbers_credit_notes_apart_from_invoices(invoice, make_contract, amy):
    credit_note_create(invoice=invoice, actor=amy, reason="Goodwill", amount="10.00", today=date(2026, 4, 5))
    second = bf.issued(make_contract("flat_fee"), 2026, 3, actor=amy, today=date(2026, 4, 6))
    note = credit_note_create(invoice=second, actor=amy, reason="Goodwill", amount="10.00", today=date(2026, 4, 7))
    assert (second.number, note.number) == ("INV-2026-000002", "CN-2026-000002")


def test_it_refuses_changing_a_credit_note(invoice, amy):
    note = credit_note_create(invoice=invoice, actor=amy, reason="Goodwill", amount="10.00", today=date(2026, 4, 5))
    note.net = Decimal("1.00")
    with pytest.raises(ValidationError):
        note.save()


# ---------------------------------------------------------------- unpaid invoices


def test_it_marks_an_unpaid_invoice_overdue_after_its_due_date(invoice, tenant_a):
    invoices_daily(tenant=tenant_a, today=date(2026, 5, 2))
    invoice.refresh_from_db()
    assert invoice.status == "issued"
    invoices_daily(tenant=tenant_a, today=date(2026, 5, 3))
    invoice.refresh_from_db()
    assert (invoice.status, invoice.overdue_at) == ("overdue", date(2026, 5, 3))


def test_it_warns_the_client_once_when_an_invoice_becomes_overdue(invoice, tenant_a, clara,
                                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invoices_daily(tenant=tenant_a, today=date(2026, 5, 3))
        invoices_daily(tenant=tenant_a, today=date(2026, 5, 4))
    warnings = [m for m in mail.outbox if "overdue" in m.subject]
    assert sorted(a for m in warnings for a in m.to) == ["amy@a.test", "clara@a1.test"]
    assert "01/06/2026" in warnings[0].body  # due on 2 May, suspended 30 days later


def test_it_links_the_overdue_warning_to_the_invoice_page(invoice, tenant_a, clara, settings,
                                                         django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://support.example.org"
    with django_capture_on_commit_callbacks(execute=True):
        invoices_daily(tenant=tenant_a, today=date(2026, 5, 3))
    warning = next(m for m in mail.outbox if "overdue" in m.subject)
    assert f"https://support.example.org/invoices/{invoice.number}/" in warning.body


def test_it_suspends_the_contract_the_tenants_delay_past_due(invoice, contract, tenant_a):
    invoices_daily(tenant=tenant_a, today=date(2026, 5, 31))
    contract.refresh_from_db()
    assert contract.status == "active"
    invoices_daily(tenant=tenant_a, today=date(2026, 6, 1))
    contract.refresh_from_db()
    assert (contract.status, contract.suspension_reason) == ("suspended", "Facture impayée INV-2026-000001")  # the contract's language
    assert AuditEvent.objects.filter(action="contract.suspend", actor_label="system").exists()


def test_it_follows_the_tenants_delay(invoice, contract, tenant_a, alice):
    billing_settings_update(tenant=tenant_a, actor=alice, unpaid_suspend_days=10)
    invoices_daily(tenant=tenant_a, today=date(2026, 5, 12))
    contract.refresh_from_db()
    assert contract.status == "suspended"


def test_it_refuses_curative_tickets_on_a_contract_suspended_for_an_unpaid_invoice(invoice, contract, tenant_a,
                                                                                   cody):
    invoices_daily(tenant=tenant_a, today=date(2026, 6, 1))
    contract.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        bf.ticket(actor=cody, contract=contract, day=date(2026, 6, 2), maintenance_type="curative")
    assert list(exc.value.message_dict) == ["contract"]


def test_it_resumes_the_contract_when_the_invoice_is_paid(invoice, contract, tenant_a, amy):
    invoices_daily(tenant=tenant_a, today=date(2026, 6, 1))
    _pay(Invoice.objects.get(pk=invoice.pk), amy, "540.00", day=date(2026, 6, 3))
    contract.refresh_from_db()
    assert contract.status == "active"
    assert list(AuditEvent.objects.filter(action__in=["contract.suspend", "contract.resume",
                                                      "invoice.resume_contract"])
                .order_by("id").values_list("action", flat=True)) == [
        "contract.suspend", "contract.resume", "invoice.resume_contract"]


def test_it_keeps_the_contract_suspended_while_another_invoice_is_unpaid(invoice, contract, tenant_a, amy):
    april = bf.issued(contract, 2026, 4, actor=amy, today=date(2026, 5, 2))
    invoices_daily(tenant=tenant_a, today=date(2026, 7, 1))
    _pay(Invoice.objects.get(pk=invoice.pk), amy, "540.00", day=date(2026, 7, 2))
    contract.refresh_from_db()
    assert contract.status == "suspended"
    _pay(Invoice.objects.get(pk=april.pk), amy, "540.00", day=date(2026, 7, 2))
    contract.refresh_from_db()
    assert contract.status == "active"


def test_it_runs_the_day_twice_harmlessly(invoice, contract, tenant_a):
    first = invoices_daily(tenant=tenant_a, today=date(2026, 6, 1))
    second = invoices_daily(tenant=tenant_a, today=date(2026, 6, 1))
    assert (first.overdue, first.suspended, second.overdue, second.suspended) == (
        ["INV-2026-000001"], [contract.reference], [], [])


# ---------------------------------------------------------------- selectors


@pytest.fixture
def three(make_contract, amy, org_a2):
    """An issued invoice of A1 (March), a paid one of A1 (April), a draft of A2 (March)."""
    a1 = make_contract("flat_fee")
    march = bf.issued(a1, 2026, 3, actor=amy, today=date(2026, 4, 2))
    april = bf.issued(a1, 2026, 4, actor=amy, today=date(2026, 5, 2))
    _pay(april, amy, "540.00", day=date(2026, 5, 10))
    a2 = make_contract("flat_fee", client=org_a2)
    draft = bf.run(a2, 2026, 3)
    return march, Invoice.objects.get(pk=april.pk), draft


def test_it_lists_invoices_by_status_client_month_and_overdue(three, amy, org_a2):
    march, april, draft = three
    tenant = march.tenant

    def numbers(**filters):
        return [i.pk for i in invoice_list(tenant=tenant, viewer=amy, filters=InvoiceFilters(**filters))]

    assert numbers() == [april.pk, draft.pk, march.pk]
    assert numbers(status="paid") == [april.pk]
    assert numbers(client=org_a2.pk) == [draft.pk]
    assert numbers(year=2026, month=3) == [draft.pk, march.pk]
    assert numbers(overdue=True, today=date(2026, 5, 3)) == [march.pk]


def test_it_totals_invoices_per_status(three, amy):
    totals = invoice_totals(tenant=three[0].tenant, viewer=amy)
    assert {k: (v["count"], v["gross"], v["due"]) for k, v in totals.items() if v["count"]} == {
        "issued": (1, Decimal("540.00"), Decimal("540.00")),
        "paid": (1, Decimal("540.00"), Decimal("0.00")),
        "draft": (1, Decimal("540.00"), Decimal("0.00")),
    }


def test_it_shows_a_client_user_only_their_organisations_invoices(three, cody, dora):
    march, april, draft = three
    assert [i.pk for i in invoice_list(tenant=march.tenant, viewer=cody)] == [april.pk, march.pk]
    assert invoice_get(tenant=march.tenant, viewer=dora, number=march.number) is None


def test_it_never_shows_a_client_a_draft(three, dora):
    draft = three[2]
    assert (list(invoice_list(tenant=draft.tenant, viewer=dora)),
            invoice_get(tenant=draft.tenant, viewer=dora, pk=draft.pk)) == ([], None)


def test_it_hides_other_tenants_invoices(three, carol):
    march = three[0]
    assert not invoice_list(tenant=march.tenant, viewer=carol).exists()
    assert not invoice_list(tenant=carol.membership.tenant, viewer=carol).exists()
    assert invoice_get(tenant=march.tenant, viewer=carol, number=march.number) is None


def test_it_reads_the_list_in_one_query(three, amy, django_assert_num_queries):
    tenant = three[0].tenant
    amy.membership  # noqa: B018 — resolved once per request by the middleware
    from portal.tenancy import membership_for

    membership_for(amy)
    with django_assert_num_queries(1):
        rows = [(i.number, i.contract.reference, i.client.legal_name)
                for i in invoice_list(tenant=tenant, viewer=amy)]
    assert len(rows) == 3

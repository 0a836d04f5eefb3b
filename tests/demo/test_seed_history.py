"""The demo's six months of history: tickets in every state through the real services,
SLA breaches, pauses, reopenings, interventions; invoices for six months, payments,
credit notes, an unpaid invoice and the contract suspended for it; reports; no e-mail
sent and no PDF rendered while seeding; seeding twice changes nothing; the plans are
deterministic. Seeded once for the module, at a fixed moment, with fewer tickets than
the real demo (which takes minutes on PostgreSQL); the real size is checked on the plans."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db.models import Count

from billing.models import CreditNote, HourBankMovement, Invoice, MonthlyReport, Payment
from contracts.models import Contract, ContractDocument
from demo import history, seed
from portal.models import AuditEvent, OutboxMessage, Tenant
from tickets.models import Intervention, SlaEvent, Ticket, TicketEvent, TicketMessage, TicketRating

NOW = datetime(2026, 11, 18, 10, 30, tzinfo=UTC)
TICKETS = 120
MONTHS = [(2026, 5), (2026, 6), (2026, 7), (2026, 8), (2026, 9), (2026, 10)]

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        seed.seed_all(now=NOW, tickets_per_tenant=TICKETS)
        yield
        call_command("flush", interactive=False, verbosity=0)


def tenants():
    return [Tenant.objects.get(slug=spec["slug"]) for spec in seed.TENANTS]


def counts() -> dict[str, int]:
    models = (Ticket, TicketEvent, TicketMessage, Intervention, SlaEvent, AuditEvent, OutboxMessage, Invoice,
              Payment, CreditNote, MonthlyReport, HourBankMovement, Contract, ContractDocument, TicketRating)
    return {m.__name__: m.objects.count() for m in models}


def test_each_demo_tenant_has_the_planned_tickets_and_its_preventive_visits():
    for tenant in tenants():
        assert Ticket.objects.filter(tenant=tenant).exclude(maintenance_type="preventive").count() == TICKETS
        assert Ticket.objects.filter(tenant=tenant, maintenance_type="preventive").count() >= 20, tenant


def test_the_real_demo_plans_hundreds_of_tickets_per_tenant():
    for spec in seed.TENANTS:
        contracts = seed._ticket_contracts(spec, Tenant.objects.get(slug=spec["slug"]), NOW.date())
        plans = history.plan_tickets(seed=f"demo-tickets:{spec['slug']}", contracts=[i for i, _c in
                                                                                       contracts.values()],
                                     now=NOW, count=seed.TICKETS_PER_TENANT)
        assert len(plans) >= 300, spec["slug"]


def test_tickets_are_in_every_state_in_each_tenant():
    for tenant in tenants():
        states = Counter(Ticket.objects.filter(tenant=tenant).values_list("status", flat=True))
        assert all(states[s] >= 1 for s in ("new", "in_progress", "waiting_on_client", "resolved", "closed")), states


def test_some_new_tickets_are_already_assigned():
    for tenant in tenants():
        assert Ticket.objects.filter(tenant=tenant, status="new", assignee__isnull=False).exists(), tenant


def test_tickets_spread_over_the_last_six_months():
    for tenant in tenants():
        dates = Ticket.objects.filter(tenant=tenant).values_list("created_at", flat=True)
        assert min(dates) < NOW - timedelta(days=150) and max(dates) <= NOW, tenant
        months = {(d.year, d.month) for d in dates}
        assert len(months) >= 6, months


def test_tickets_have_every_maintenance_type_and_priority():
    for tenant in tenants():
        tickets = Ticket.objects.filter(tenant=tenant)
        assert set(tickets.values_list("maintenance_type", flat=True)) == {
            "preventive", "corrective", "curative", "evolutive"}, tenant
        assert set(tickets.values_list("priority", flat=True)) == {"P1", "P2", "P3", "P4"}, tenant


def test_some_tickets_were_reopened_by_their_client():
    for tenant in tenants():
        assert TicketEvent.objects.filter(tenant=tenant, kind="status", from_value="resolved",
                                          to_value="in_progress").count() >= 5, tenant


def test_some_tickets_waited_on_their_client():
    for tenant in tenants():
        assert TicketEvent.objects.filter(tenant=tenant, kind="status", to_value="waiting_on_client").count() >= 20


def test_the_sla_scan_recorded_breaches_of_both_metrics():
    for tenant in tenants():
        metrics = set(SlaEvent.objects.filter(tenant=tenant, kind="breach").values_list("metric", flat=True))
        assert metrics == {"response", "resolution"}, tenant


def test_most_tickets_meet_their_sla():
    for tenant in tenants():
        total = Ticket.objects.filter(tenant=tenant).count()
        breached = SlaEvent.objects.filter(tenant=tenant, kind="breach").values("ticket").distinct().count()
        assert 0.05 * total < breached < 0.4 * total, (breached, total)


def test_interventions_are_remote_and_on_site_billable_or_not():
    for tenant in tenants():
        kinds = set(Intervention.objects.filter(tenant=tenant).values_list("mode", "billable"))
        assert kinds == {("remote", True), ("remote", False), ("on_site", True), ("on_site", False)}, kinds


def test_the_conversations_have_public_replies_and_internal_notes():
    for tenant in tenants():
        assert set(TicketMessage.objects.filter(tenant=tenant).values_list("internal", flat=True)) == {True, False}


def test_the_history_is_dated_when_it_happened_not_when_it_was_seeded():
    take = AuditEvent.objects.filter(action="ticket.take").order_by("created_at").first()
    assert take.created_at < NOW - timedelta(days=150)


def test_the_seed_sends_no_email():
    assert not OutboxMessage.objects.filter(state="pending").exists()


def test_the_seed_renders_no_pdf():
    assert not ContractDocument.objects.exclude(status="queued").exists()
    assert not Invoice.objects.filter(pdf_path__gt="").exists()
    assert set(MonthlyReport.objects.values_list("status", flat=True)) == {"queued"}


def test_every_billing_model_is_invoiced_in_each_tenant():
    for tenant in tenants():
        models = set(Invoice.objects.filter(tenant=tenant).values_list("contract__billing_model", flat=True))
        assert models == {"flat_fee", "per_ticket", "hour_bank", "hybrid"}, tenant


def test_hour_banks_have_purchases_and_consumption():
    for tenant in tenants():
        kinds = set(HourBankMovement.objects.filter(tenant=tenant).values_list("kind", flat=True))
        assert {"purchase", "consumption"} <= kinds, kinds


def test_each_tenant_has_issued_invoices_for_each_of_the_six_months():
    for tenant in tenants():
        months = set(Invoice.objects.filter(tenant=tenant).exclude(status="draft").values_list("year", "month"))
        assert months == set(MONTHS), months


def test_invoice_numbers_have_no_gap():
    for tenant in tenants():
        numbers = sorted(Invoice.objects.filter(tenant=tenant, number__isnull=False).exclude(number="")
                         .values_list("number", flat=True))
        assert [int(re.fullmatch(r"INV-2026-(\d{6})", n).group(1)) for n in numbers] == list(
            range(1, len(numbers) + 1))


def test_most_invoices_are_paid_and_one_is_partly_paid():
    for tenant in tenants():
        invoices = Invoice.objects.filter(tenant=tenant).exclude(status="draft")
        assert invoices.filter(status="paid").count() > invoices.count() / 2, tenant
        assert [i for i in invoices.exclude(status="paid") if 0 < i.amount_paid < i.gross], tenant


def test_one_invoice_is_overdue_and_its_contract_suspended_for_it():
    for tenant in tenants():
        overdue = Invoice.objects.get(tenant=tenant, status="overdue")
        assert overdue.suspended_contract_at is not None
        assert overdue.contract.status == "suspended"
        assert AuditEvent.objects.filter(tenant=tenant, action="invoice.suspend_contract",
                                         object_ref=overdue.number).exists()


def test_credit_notes_credit_part_of_an_invoice_and_cancel_another():
    for tenant in tenants():
        notes = CreditNote.objects.filter(tenant=tenant).select_related("invoice")
        assert {n.invoice.status for n in notes} == {"paid", "cancelled"}, tenant


def test_each_issued_invoice_month_has_its_monthly_reports():
    for tenant in tenants():
        invoiced = set(Invoice.objects.filter(tenant=tenant).values_list("contract", "year", "month"))
        reports = set(MonthlyReport.objects.filter(tenant=tenant).values_list("contract", "year", "month"))
        assert invoiced == reports


def test_seeding_again_changes_nothing():
    before = counts()
    seed.seed_all(now=NOW, tickets_per_tenant=TICKETS)
    assert counts() == before


def test_the_summary_counts_each_tenant():
    rows = dict(seed.summary())
    assert rows["Acme IT Services"]["tickets"] == Ticket.objects.filter(tenant__slug="acme").count()
    assert rows["Globex Maintenance"]["invoices"] > 0


def test_ticket_references_follow_the_opening_order():
    for tenant in tenants():
        refs = list(Ticket.objects.filter(tenant=tenant).order_by("created_at", "pk").values_list("reference",
                                                                                                  flat=True))
        assert refs == sorted(refs)


def test_states_are_spread_as_a_queue_needs():
    per_state = dict(Ticket.objects.filter(tenant__slug="acme").values_list("status").annotate(n=Count("pk")))
    assert per_state["closed"] > sum(v for k, v in per_state.items() if k != "closed")


# ------------------------------------------------------------------ the plans, pure


def _contracts():
    return [history.ContractInfo(reference="CTR-1", client_key="martin", language="fr", start=NOW.date()
                                 - timedelta(days=400), until=NOW.date(), weight=2),
            history.ContractInfo(reference="CTR-2", client_key="leroy", language="en", start=NOW.date()
                                 - timedelta(days=60), until=NOW.date(), weight=1)]


def test_the_plans_are_the_same_for_the_same_seed_and_moment():
    one = history.plan_tickets(seed="s", contracts=_contracts(), now=NOW, count=80)
    two = history.plan_tickets(seed="s", contracts=_contracts(), now=NOW, count=80)
    assert one == two


def test_another_seed_gives_other_plans():
    one = history.plan_tickets(seed="s", contracts=_contracts(), now=NOW, count=80)
    assert history.plan_tickets(seed="t", contracts=_contracts(), now=NOW, count=80) != one


def test_no_planned_step_is_in_the_future():
    plans = history.plan_tickets(seed="s", contracts=_contracts(), now=NOW, count=200)
    assert all(p.opened < NOW and all(p.opened < s.at <= NOW for s in p.steps) for p in plans)


def test_no_ticket_is_planned_before_its_contract_starts():
    plans = history.plan_tickets(seed="s", contracts=_contracts(), now=NOW, count=200)
    assert all(p.opened.date() >= NOW.date() - timedelta(days=61) for p in plans if p.contract == "CTR-2")


def test_english_speaking_clients_write_in_english():
    plans = history.plan_tickets(seed="s", contracts=_contracts(), now=NOW, count=50)
    assert {p.scenario_data.title in {s.title for s in history.EN} for p in plans if p.contract == "CTR-2"} == {True}


def test_clients_rated_some_closed_tickets_good_and_some_bad():
    for tenant in tenants():
        scores = Counter(TicketRating.objects.filter(tenant=tenant).values_list("score", flat=True))
        assert scores["good"] > scores["bad"] > 0, tenant


def test_ratings_are_dated_after_their_ticket_was_closed():
    ratings = TicketRating.objects.select_related("ticket")
    assert ratings.exists()
    assert all(r.ticket.closed_at < r.rated_at <= NOW for r in ratings)

"""The monthly client report (billing/reporting.py gathers, billing/charts.py draws,
billing/documents.py renders with WeasyPrint and stores).

A French hybrid contract with a busy March (and history in January and February) and
an English hour-bank contract are built and rendered once for the module, in a
transaction rolled back at the end; their PDFs land in test-artifacts/billing/."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.test import override_settings

from billing import charts, documents
from billing.models import MonthlyReport
from billing.reporting import monthly_report_data
from billing.services import hour_bank_block_buy
from billing.tasks import monthly_report_task
from tests.billing import documents as bd
from tests.billing import factories as bf

pytestmark = pytest.mark.skipif(bd.PDFTOTEXT is None, reason="pdftotext (poppler-utils) is not installed")
NOW = datetime(2026, 7, 15, 10, 0, tzinfo=UTC)


@dataclass
class Rendered:
    report: MonthlyReport
    data: object
    path: Path
    text: str
    en: MonthlyReport
    en_data: object
    en_text: str


def _history(contract, manager, tech):
    """January: one ticket resolved on time; February: two resolved, one three days
    late (the breach is recorded as the resolution is, by the SLA refresh)."""
    for day_, late in ((date(2026, 1, 12), False), (date(2026, 2, 9), False), (date(2026, 2, 16), True)):
        ticket = bf.ticket(actor=manager, contract=contract, day=day_, title="Poste lent")
        bf.resolve(ticket=ticket, actor=tech, at=datetime(day_.year, day_.month, day_.day + (3 if late else 0),
                                                          14, 0, tzinfo=UTC))


def _preventive(contract, manager, tech):
    from tickets.models import PlanOccurrence
    from tickets.plans import plan_create, plans_run

    plan_create(contract=contract, actor=manager, title="Sauvegardes et mises à jour", rrule="FREQ=WEEKLY;BYDAY=MO",
                start_date=date(2026, 3, 1), lead_days=31)
    with time_machine.travel(datetime(2026, 3, 1, 8, 0, tzinfo=UTC), tick=False):  # the daily job, on 1 March
        plans_run(tenant=contract.tenant, today=date(2026, 3, 1))
    from tickets.services import ticket_take

    for occurrence in PlanOccurrence.objects.filter(plan__contract=contract).order_by("due_date")[:3]:
        ticket_take(ticket=occurrence.ticket, actor=tech, now=datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
        bf.resolve(ticket=occurrence.ticket, actor=tech, at=datetime(2026, 3, 3, 15, 0, tzinfo=UTC))


def _build(media_root: Path) -> Rendered:
    tenant, manager, tech, provider, client, policy = bd.world("rep")
    contract = bd.hybrid_contract(manager=manager, client=client, policy=policy)
    _history(contract, manager, tech)
    bd.busy_march(contract=contract, manager=manager, tech=tech)
    _preventive(contract, manager, tech)
    bf.run(contract, 2026, 3, today=date(2026, 4, 1))  # requests the report too
    bank = bf.contract(actor=manager, client=client, policy=policy, billing_model="hour_bank", language="en",
                       hourly_rate=Decimal("90.00"))
    hour_bank_block_buy(contract=bank, actor=manager, minutes=1200, price="1500.00", bought_on=date(2026, 2, 1))
    ticket = bf.ticket(actor=manager, contract=bank, day=date(2026, 3, 9), title="VPN down")
    bf.work(ticket=ticket, actor=tech, day=date(2026, 3, 9), minutes=130)
    bf.work(ticket=ticket, actor=tech, day=date(2026, 3, 10), minutes=45)
    bf.resolve(ticket=ticket, actor=tech, at=datetime(2026, 3, 10, 16, 0, tzinfo=UTC))
    bf.run(bank, 2026, 3, today=date(2026, 4, 1))
    with override_settings(MEDIA_ROOT=media_root):
        report = MonthlyReport.objects.get(contract=contract, year=2026, month=3)
        report = documents.monthly_report_render(tenant_id=tenant.pk, report_id=report.pk, now=NOW)
        path = media_root / report.file_path
        bd.keep(path, "monthly-report-fr.pdf")
        en = MonthlyReport.objects.get(contract=bank, year=2026, month=3)
        en = documents.monthly_report_render(tenant_id=tenant.pk, report_id=en.pk, now=NOW)
        bd.keep(media_root / en.file_path, "monthly-report-en.pdf")
        return Rendered(
            report=report, data=monthly_report_data(contract=contract, year=2026, month=3, now=NOW), path=path,
            text=bd.pdf_text(path), en=en, en_data=monthly_report_data(contract=bank, year=2026, month=3, now=NOW),
            en_text=bd.pdf_text(media_root / en.file_path))


@pytest.fixture(scope="module")
def rendered(django_db_setup, django_db_blocker, tmp_path_factory) -> Rendered:
    media_root = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), transaction.atomic():
        result = _build(media_root)
        transaction.set_rollback(True)
    return result


# =========================================================================== the data


def test_it_counts_the_tickets_opened_by_type_and_priority(rendered):
    data = rendered.data
    assert (data.opened_by_type, data.opened_by_priority) == (
        {"corrective": 2, "evolutive": 1, "preventive": 5}, {"P2": 1, "P3": 2, "P4": 5})


def test_it_counts_the_tickets_resolved_in_the_month_by_type(rendered):
    assert rendered.data.resolved_by_type == {"corrective": 1, "evolutive": 0, "preventive": 3}


def test_it_gives_the_months_sla_compliance(rendered):
    current = rendered.data.current
    assert (current.resolution_total, current.resolution_met) == (5, 3)
    assert current.resolution_percent == Decimal("60.0")


def test_it_gives_twelve_months_of_compliance_ending_with_the_month(rendered):
    history = rendered.data.history
    assert [(m.year, m.month) for m in history][-3:] == [(2026, 1), (2026, 2), (2026, 3)]
    assert len(history) == 12
    assert [m.resolution_percent for m in history[-3:-1]] == [Decimal("100.0"), Decimal("50.0")]
    assert history[0].resolution_percent is None  # nothing was due: no figure, not 100 %


def test_it_lists_the_breaches_with_how_late_they_were(rendered):
    late = {(b.title, b.metric): b.late for b in rendered.data.breaches}
    assert late == {
        ("Imprimante hors ligne", "response"): timedelta(days=2, hours=21),  # 3 March 14:00 to 6 March 11:00
        ("Imprimante hors ligne", "resolution"): timedelta(hours=19),  # 5 March 16:00 to 6 March 11:00
        # still pending: 12 March 09:30 UTC to the end of March in Paris (31 March 22:00 UTC)
        ("Serveur de fichiers lent", "resolution"): timedelta(days=19, hours=12, minutes=30),
    }


def test_it_sums_the_time_spent_by_mode(rendered):
    assert rendered.data.minutes_by_mode() == {"remote": 565, "on_site": 220}


def test_it_counts_the_preventive_operations_planned_and_done(rendered):
    assert (len(rendered.data.preventive), rendered.data.preventive_done) == (5, 3)


def test_it_takes_the_service_credits_from_the_months_invoice(rendered):
    data = rendered.data
    assert data.invoiced and data.credit_amount > 0
    assert [(c.ticket, c.metric) for c in data.credits] == [(b["ticket"], b["metric"]) for b in sorted(
        ({"ticket": b.ticket, "metric": b.metric, "at": b.deadline} for b in data.breaches),
        key=lambda b: b["at"])]


def test_it_gives_the_hour_bank_balance_and_movements(rendered):
    data = rendered.en_data
    assert (data.bank_opening, data.bank_closing) == (1200, 1200 - 135 - 45)
    assert [(m.kind, m.minutes) for m in data.bank_movements] == [("consumption", -135), ("consumption", -45)]


def test_it_gathers_the_month_in_a_constant_number_of_queries(make_contract, amy, bob,
                                                              django_assert_num_queries):
    quiet = make_contract("flat_fee")
    bf.run(quiet, 2026, 3)
    busy = make_contract("hour_bank")
    hour_bank_block_buy(contract=busy, actor=amy, minutes=600, price="700.00", bought_on=date(2026, 2, 1))
    for n in range(4):
        ticket = bf.ticket(actor=amy, contract=busy, day=date(2026, 3, 2 + n))
        bf.work(ticket=ticket, actor=bob, day=date(2026, 3, 2 + n), minutes=30)
        bf.breach(ticket=ticket, at=datetime(2026, 3, 3 + n, 9, 0, tzinfo=UTC))
        bf.resolve(ticket=ticket, actor=bob, at=datetime(2026, 3, 4 + n, 9, 0, tzinfo=UTC))
    bf.run(busy, 2026, 3)
    counts = []
    for contract in (quiet, busy):
        contract = type(contract).objects.select_related("client", "provider", "tenant").get(pk=contract.pk)
        with django_assert_num_queries(11) as captured:
            monthly_report_data(contract=contract, year=2026, month=3, now=NOW)
        counts.append(len(captured.captured_queries))
    assert counts == [11, 11]


# =========================================================================== the PDF


def test_it_renders_the_report_as_ready(rendered):
    assert (rendered.report.status, rendered.report.error, rendered.report.pages >= 3) == ("ready", "", True)


def test_it_stores_the_report_under_the_contract_and_month(rendered):
    report = rendered.report
    assert report.file_path == f"reports/{report.tenant_id}/{rendered.data.contract_reference}/2026-03.pdf"


def test_it_stores_the_sha256_of_the_report(rendered):
    assert rendered.report.sha256 == hashlib.sha256(rendered.path.read_bytes()).hexdigest()


def test_it_writes_the_report_in_the_contracts_language(rendered):
    assert "Rapport mensuel de maintenance" in rendered.text and "mars 2026" in rendered.text
    assert "Monthly maintenance report" in rendered.en_text and "March 2026" in rendered.en_text


def test_it_puts_the_key_numbers_on_the_cover(rendered):
    assert "tickets ouverts" in rendered.text and "délais de résolution respectés" in rendered.text
    assert "60 %" in rendered.text


def test_it_draws_the_three_charts_with_their_titles(rendered):
    for title in ("Respect des engagements de service sur 12 mois (%)", "Tickets par type de maintenance",
                  "Temps passé par mode d'intervention"):
        assert title in rendered.text


def test_it_prints_every_section(rendered):
    for heading in ("1. Tickets", "2. Niveaux de service (SLA)", "3. Interventions et temps passé",
                    "4. Banque d'heures", "5. Maintenance préventive", "6. Pénalités de niveau de service"):
        assert heading in rendered.text


def test_it_prints_the_hour_bank_of_an_hour_bank_contract(rendered):
    assert "Balance at the start of the month Time 20 h 00" in rendered.en_text
    assert "−2 h 15" in rendered.en_text and "Balance at the end of the month 17 h 00" in rendered.en_text


# =========================================================================== requests, failures, downloads


def test_it_keeps_one_report_per_contract_month(make_contract, amy):
    contract = make_contract("flat_fee")
    first = documents.monthly_report_request(contract=contract, year=2026, month=3, actor=amy, today=bf.TODAY)
    again = documents.monthly_report_request(contract=contract, year=2026, month=3, actor=amy, today=bf.TODAY)
    assert first.pk == again.pk and MonthlyReport.objects.count() == 1


def test_it_requests_the_report_when_the_month_is_run(make_contract):
    contract = make_contract("flat_fee")
    bf.run(contract, 2026, 3)
    assert MonthlyReport.objects.get(contract=contract, year=2026, month=3).status == "queued"


def test_it_refuses_a_report_of_a_month_not_over(make_contract, amy):
    with pytest.raises(ValidationError) as refused:
        documents.monthly_report_request(contract=make_contract("flat_fee"), year=2026, month=7, actor=amy,
                                         today=bf.TODAY)
    assert "month" in refused.value.message_dict


def test_it_refuses_a_client_generating_a_report(make_contract, clara):
    with pytest.raises(PermissionDenied):
        documents.monthly_report_request(contract=make_contract("flat_fee"), year=2026, month=3, actor=clara,
                                         today=bf.TODAY)


@pytest.fixture
def queued(make_contract, amy, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return documents.monthly_report_request(contract=make_contract("flat_fee"), year=2026, month=3, actor=amy,
                                            today=bf.TODAY)


def test_it_records_a_failed_report_with_its_reason(queued, tmp_path):
    with mock.patch("billing.documents.html_to_pdf", side_effect=OSError("disk full")):
        report = documents.monthly_report_render(tenant_id=queued.tenant_id, report_id=queued.pk, now=NOW)
    assert (report.status, report.error, report.file_path) == ("failed", "OSError: disk full", "")
    assert list(tmp_path.rglob("*")) == []


def test_it_retries_a_failed_report_until_it_is_ready(queued, tmp_path):
    real, calls = documents.html_to_pdf, []

    def once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OSError("disk full")
        return real(*args, **kwargs)

    with mock.patch("billing.documents.html_to_pdf", side_effect=once):
        monthly_report_task.apply(args=(queued.tenant_id, queued.pk), throw=False)
    queued.refresh_from_db()
    assert (len(calls), queued.status, queued.attempts) == (2, "ready", 2)
    assert hashlib.sha256((tmp_path / queued.file_path).read_bytes()).hexdigest() == queued.sha256


@pytest.fixture
def ready(queued):
    return documents.monthly_report_render(tenant_id=queued.tenant_id, report_id=queued.pk, now=NOW)


def test_it_gives_the_contracts_client_its_report(ready, cody, tmp_path):
    download = documents.monthly_report_download(report=ready, actor=cody)
    assert download.path == tmp_path / ready.file_path and download.filename.endswith("-2026-03.pdf")


def test_it_hides_a_report_from_another_organisations_client(ready, dora):
    with pytest.raises(Http404):
        documents.monthly_report_download(report=ready, actor=dora)


def test_it_answers_not_found_before_the_report_is_rendered(queued, amy):
    with pytest.raises(Http404):
        documents.monthly_report_download(report=queued, actor=amy)


# =========================================================================== charts


def test_it_draws_charts_as_inline_svg_without_script():
    svg = charts.compliance_chart(months=["01/26", "02/26"], response=[100, None], resolution=[90, 80],
                                  title="Compliance", response_label="Response", resolution_label="Resolution")
    assert svg.startswith("<svg") and "<script" not in svg and "Compliance" in svg


def test_it_labels_the_time_by_mode_chart_in_hours():
    svg = charts.time_by_mode_chart(modes=["Remote", "On site"], minutes=[150, 60], title="Time")
    assert "2.5 h" in svg and "1 h" in svg


# =========================================================================== selectors for the pages and the API


def test_it_lists_a_clients_reports_only(make_contract, org_a2, amy, clara, alice):
    from billing.selectors import monthly_report_list

    own = make_contract("flat_fee")
    other = make_contract("flat_fee", client=org_a2)
    for contract in (own, other):
        documents.monthly_report_request(contract=contract, year=2026, month=3, actor=amy, today=bf.TODAY)
    tenant = own.tenant
    assert [r.contract_id for r in monthly_report_list(tenant=tenant, viewer=clara)] == [own.pk]
    assert monthly_report_list(tenant=tenant, viewer=alice).count() == 2


def test_it_hides_another_tenants_report(make_contract, amy, carol):
    from billing.selectors import monthly_report_get

    contract = make_contract("flat_fee")
    documents.monthly_report_request(contract=contract, year=2026, month=3, actor=amy, today=bf.TODAY)
    assert monthly_report_get(tenant=contract.tenant, viewer=carol, contract_reference=contract.reference,
                              year=2026, month=3) is None


def test_it_finds_a_credit_note_for_its_invoices_client_only(make_contract, amy, clara, dora):
    from billing.selectors import credit_note_get
    from billing.services import credit_note_create

    invoice = bf.issued(make_contract("flat_fee"), 2026, 3, actor=amy)
    note = credit_note_create(invoice=invoice, actor=amy, reason="Goodwill", amount="10.00", today=bf.TODAY)
    found = [credit_note_get(tenant=invoice.tenant, viewer=who, number=note.number) for who in (clara, dora)]
    assert found == [note, None]

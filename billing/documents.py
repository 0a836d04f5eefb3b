"""Billing documents: the Factur-X invoice and credit-note PDFs and the monthly client
report, rendered by WeasyPrint in Celery tasks (`billing.tasks`).

Each document is requested (its row set to *queued*, the task queued after commit),
then rendered by a task that calls one `*_render` function here: it reads what the
document shows, renders the HTML in the contract's language, turns it into a PDF and
writes it under a fixed key, so a re-render replaces the file instead of adding a copy:

    invoices/<tenant id>/<INV-2026-000001>.pdf      (credit notes: CN-2026-000001.pdf)
    reports/<tenant id>/<contract reference>/<2026-03>.pdf

The file is written to a temporary file beside it and renamed over it, so a reader
never sees half a file and a failed render leaves the previous file as it was. Its
SHA-256 is stored with the path. A failure is recorded on the row with its reason
(status *failed*) and the task retries it with back-off; the daily task requests
again what is still failed. Downloads go through `*_download`, which asks the policy
table first (clients: their organisation's documents only, never a draft invoice).
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from billing import charts, facturx
from billing.models import CreditNote, Invoice, InvoiceStatus, MonthlyReport, PdfStatus
from portal import formatting
from portal.celery import enqueue_on_commit
from portal.pdf import html_to_pdf as render_html_to_pdf
from portal.permissions import SYSTEM, require

logger = logging.getLogger(__name__)

INDEMNITY_EUR = 40  # Code de commerce, D441-5: fixed indemnity for recovery costs
MAX_ERROR = 2000


class RenderFailed(Exception):
    """A render failed; its reason is recorded on the document's row."""


# ============================================================================ storage


def invoice_pdf_key(invoice: Invoice) -> str:
    return f"invoices/{invoice.tenant_id}/{invoice.number}.pdf"


def credit_note_pdf_key(note: CreditNote) -> str:
    return f"invoices/{note.tenant_id}/{note.number}.pdf"


def report_key(report: MonthlyReport, contract_reference: str) -> str:
    return f"reports/{report.tenant_id}/{contract_reference}/{report.year}-{report.month:02d}.pdf"


def media_path(key: str) -> Path:
    return Path(settings.MEDIA_ROOT) / key


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` at `path` all at once: a temporary file in the same folder, flushed
    to disk, then renamed over the target (atomic on POSIX). On any error the
    temporary file is removed and the target is left as it was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def html_to_pdf(html: str, *, pdf_a: bool = False) -> tuple[bytes, int]:
    """The PDF bytes and its number of pages (PDF/A-3b for invoices)."""
    return render_html_to_pdf(html, pdf_variant="pdf/a-3b" if pdf_a else None)


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:MAX_ERROR]


# ============================================================================ formatting


def money(value, currency: str = "EUR") -> str:
    """An amount in the active language: 1 234,56 € in French, €1,234.56 in English
    (portal.formatting.money, the one formatting of every page, e-mail and PDF)."""
    return formatting.money(value, currency)


def number(value, places: int | None = None) -> str:
    """A quantity without trailing zeros (1, 0,4839, 2,25)."""
    value = Decimal(value)
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places))
    value = value.normalize()
    if value == value.to_integral():
        value = value.quantize(Decimal(1))
    exponent = int(value.as_tuple().exponent)
    return formats.number_format(value, max(0, -exponent), use_l10n=True, force_grouping=True)


def percent(value) -> str:
    return f"{number(value)}\u00a0%"


def hours(minutes: int) -> str:
    """Minutes as hours and minutes: 2 h 05, 45 min."""
    minutes = int(minutes or 0)
    sign = "−" if minutes < 0 else ""
    minutes = abs(minutes)
    if minutes < 60:
        return f"{sign}{minutes}\u00a0min"
    return f"{sign}{minutes // 60}\u00a0h\u00a0{minutes % 60:02d}"


def duration(delta: timedelta) -> str:
    """How late: 3 d 4 h, 5 h 20, 12 min."""
    total = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(total, 24 * 60)
    if days:
        return _("%(d)s d %(h)s h") % {"d": days, "h": rest // 60}
    return hours(rest)


# Day first in both languages, as the contract PDF prints them: the parties are French
# companies, and 04/02/2026 must never be read as the 2nd of April by one of them.
def day(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def moment(value: datetime | None, zone) -> str:
    if value is None:
        return ""
    return timezone.localtime(value, zone).strftime("%d/%m/%Y %H:%M")


def unit_label(unit: str, quantity) -> str:
    many = Decimal(quantity) > 1
    labels = {
        "month": (pgettext("invoice unit", "month"), pgettext("invoice unit", "months")),
        "hour": (pgettext("invoice unit", "hour"), pgettext("invoice unit", "hours")),
        "ticket": (pgettext("invoice unit", "ticket"), pgettext("invoice unit", "tickets")),
        "unit": (pgettext("invoice unit", "unit"), pgettext("invoice unit", "units")),
    }.get(unit)
    return unit if labels is None else labels[many]


def metric_label(metric: str) -> str:
    return {"response": _("response"), "resolution": _("resolution")}.get(metric, metric)


def type_label(maintenance_type: str) -> str:
    from sla.models import MaintenanceType

    return str(dict(MaintenanceType.choices).get(maintenance_type, maintenance_type))


def mode_label(mode: str) -> str:
    from tickets.models import InterventionMode

    return str(dict(InterventionMode.choices).get(mode, mode))


# ============================================================================ parties


def party_snapshot(org) -> dict:
    """A legal party as printed on an invoice: kept on the invoice when it is issued, so
    that a later move or change of name never alters a document already sent."""
    return {
        "name": org.legal_name, "legal_form": org.legal_form, "trade_name": org.trade_name,
        "address_line1": org.address_line1, "address_line2": org.address_line2, "postal_code": org.postal_code,
        "city": org.city, "country": org.country, "siret": org.siret, "siren": org.siren,
        "vat_number": org.vat_number, "email": org.email, "phone": org.phone,
    }


def payment_snapshot(billing_settings) -> dict:
    rate = billing_settings.late_interest_rate
    return {"late_interest_rate": None if rate is None else str(rate), "iban": billing_settings.iban,
            "bic": billing_settings.bic, "recovery_indemnity": str(billing_settings.recovery_indemnity)}


def issue_snapshot(invoice: Invoice) -> dict:
    """What `billing.services.invoice_issue` freezes in `Invoice.facts` at issue: both
    parties' legal identities and the payment details printed on the invoice."""
    from billing.selectors import billing_settings_get

    contract = invoice.contract
    return {"seller": party_snapshot(contract.provider), "buyer": party_snapshot(invoice.client),
            "payment": payment_snapshot(billing_settings_get(tenant=invoice.tenant))}


def _fx_party(data: dict) -> facturx.FxParty:
    return facturx.FxParty(name=data["name"], address_line1=data["address_line1"], postal_code=data["postal_code"],
                           city=data["city"], country=data.get("country") or "FR",
                           address_line2=data.get("address_line2") or "", siret=data.get("siret") or "",
                           siren=data.get("siren") or "", vat_number=data.get("vat_number") or "",
                           email=data.get("email") or "")


# ============================================================================ invoices and credit notes


@dataclass
class InvoiceDocument:
    """An invoice or a credit note as printed and as sent in XML."""

    fx: facturx.FxDocument
    context: dict
    author: str


def _document_language(invoice: Invoice) -> str:
    return invoice.plan.get("language") or invoice.contract.language or settings.LANGUAGE_CODE


def _parties(invoice: Invoice) -> tuple[dict, dict, dict]:
    frozen = invoice.facts.get("parties") if isinstance(invoice.facts, dict) else None
    if frozen:
        return frozen["seller"], frozen["buyer"], frozen.get("payment") or {}
    snapshot = issue_snapshot(invoice)  # issued before the snapshot was kept: as they are now
    return snapshot["seller"], snapshot["buyer"], snapshot["payment"]


def _mentions(payment: dict, terms_days: int) -> dict:
    rate = payment.get("late_interest_rate")
    if rate is None:
        late = _("Late-payment interest: the European Central Bank's refinancing rate plus 10 percentage points "
                 "(French Commercial Code, art. L441-10).")
        late_short = _("ECB refinancing rate plus 10 points")
    else:
        late = _("Late-payment interest: %(rate)s a year (French Commercial Code, art. L441-10).") % {
            "rate": percent(rate)}
        late_short = percent(rate)
    return {
        "terms": _("Payment within %(days)s days of the invoice date.") % {"days": terms_days} if terms_days
        else _("Payment on receipt."),
        "late": late,
        "late_short": late_short,
        "indemnity": _("Any late payment also gives rise to a fixed indemnity for recovery costs of %(amount)s "
                       "(art. D441-5).") % {"amount": money(Decimal(payment.get("recovery_indemnity") or INDEMNITY_EUR))},
        "discount": _("No discount is granted for early payment."),
    }


def _line_details(line) -> list[str]:
    detail = line.detail or {}
    if line.kind == "credit":
        rows = []
        for b in detail.get("breaches", []):
            at = b.get("at")
            when = day(datetime.fromisoformat(at).date()) if at else ""
            rows.append(_("%(ticket)s · %(priority)s · %(metric)s deadline missed on %(day)s · %(pct)s") % {
                "ticket": b["ticket"], "priority": b["priority"], "metric": metric_label(b["metric"]),
                "day": when, "pct": percent(b.get("percent", "0"))})
        cap = detail.get("cap_percent")
        if cap is not None:
            rows.append(_("Credits capped at %(cap)s of the month's base (fee, tickets, overage).") % {
                "cap": percent(cap)})
        return rows
    if line.kind == "tickets":
        refs = detail.get("tickets", [])
        return [", ".join(refs)] if refs else []
    if line.kind in ("overage", "on_quote"):
        rows = []
        for iv in detail.get("interventions", []):
            minutes = iv.get("overage", iv.get("rounded", iv.get("minutes", 0)))
            row = _("%(day)s · %(ticket)s · %(mode)s · %(time)s") % {
                "day": day(date.fromisoformat(iv["date"])), "ticket": iv["ticket"], "mode": mode_label(iv["mode"]),
                "time": hours(minutes)}
            if iv.get("late_from"):
                row += " · " + _("late work from %(month)s") % {
                    "month": formats.date_format(date.fromisoformat(iv["late_from"]), "F Y")}
            rows.append(row)
        return rows
    return []


def invoice_document(invoice: Invoice, *, lines=None) -> InvoiceDocument:
    """The printed invoice and its Factur-X data. Call in the document's language.
    `invoice` comes with its contract (and provider), client and lines (or `lines`)."""
    seller, buyer, payment = _parties(invoice)
    lines = list(invoice.lines.all() if lines is None else lines)
    terms_days = int(invoice.plan.get("payment_terms_days") or invoice.contract.payment_terms_days or 0)
    mentions = _mentions(payment, terms_days)
    currency = invoice.currency
    credit_total = -sum((line.amount for line in lines if line.kind == "credit"), Decimal("0.00"))
    fx_lines, printed, number_ = [], [], 0
    for line in lines:
        printed.append({
            "kind": line.kind, "label": line.label, "quantity": number(line.quantity),
            "unit": unit_label(line.unit, line.quantity), "unit_price": money(line.unit_price, currency),
            "amount": money(line.amount, currency), "details": _line_details(line)})
        if line.kind == "credit":
            continue
        number_ += 1
        fx_lines.append(facturx.FxLine(number=number_, name=line.label, quantity=line.quantity, unit=line.unit,
                                       unit_price=line.unit_price, amount=line.amount))
    if not fx_lines:  # EN 16931 wants one line at least (BR-16): a month with nothing billed says so
        label = _("No billable service in the period")
        fx_lines.append(facturx.FxLine(number=1, name=label, quantity=Decimal("1"), unit="unit",
                                       unit_price=Decimal("0.00"), amount=Decimal("0.00")))
        printed.append({"kind": "empty", "label": label, "quantity": "1", "unit": unit_label("unit", 1),
                        "unit_price": money(0, currency), "amount": money(0, currency), "details": []})
    allowances = [facturx.FxAllowance(reason=line.label, amount=-line.amount) for line in lines
                  if line.kind == "credit"]
    notes = [("PMD", mentions["late"]), ("PMT", mentions["indemnity"]), ("AAB", mentions["discount"])]
    fx = facturx.FxDocument(
        type_code=facturx.INVOICE, number=invoice.number, issue_date=invoice.issue_date, currency=currency,
        seller=_fx_party(seller), buyer=_fx_party(buyer), lines=fx_lines, allowances=allowances,
        vat_rate=invoice.vat_rate, net=invoice.net, vat=invoice.vat, gross=invoice.gross,
        period=(invoice.period_start, invoice.period_end), due_date=invoice.due_date,
        payment_terms=mentions["terms"], notes=notes, contract_reference=invoice.contract.reference,
        iban=payment.get("iban") or "", bic=payment.get("bic") or "",
        vat_exemption_reason=_("VAT exempt") if not invoice.vat_rate else "",
        language=_document_language(invoice))
    context = {
        "kind": "invoice", "title": pgettext("document", "Invoice"), "number": invoice.number,
        "issue_date": day(invoice.issue_date), "due_date": day(invoice.due_date),
        "period": _("%(start)s to %(end)s") % {"start": day(invoice.period_start), "end": day(invoice.period_end)},
        "contract_reference": invoice.contract.reference, "contract_title": invoice.contract.title,
        "seller": seller, "buyer": buyer, "lines": printed,
        "lines_total": money(fx.line_total, currency), "credit_total": money(credit_total, currency)
        if credit_total else "", "net": money(invoice.net, currency), "vat": money(invoice.vat, currency),
        "gross": money(invoice.gross, currency), "due": money(invoice.gross, currency),
        "vat_rows": [{"rate": percent(invoice.vat_rate), "base": money(invoice.net, currency),
                      "vat": money(invoice.vat, currency)}],
        "vat_exempt": not invoice.vat_rate, "mentions": mentions, "iban": fx.iban, "bic": fx.bic,
        "preceding": None, "reason": "",
    }
    return InvoiceDocument(fx=fx, context=context, author=seller["name"])


def credit_note_document(note: CreditNote) -> InvoiceDocument:
    """The printed credit note (Factur-X type 381). `note` comes with its invoice."""
    invoice = note.invoice
    seller, buyer, payment = _parties(invoice)
    currency = note.currency
    if note.lines:
        raw = [(row["label"], Decimal(row["quantity"]), row.get("unit") or "unit", Decimal(row["unit_price"]),
                Decimal(row["amount"])) for row in note.lines]
    else:
        label = _("Credit on invoice %(number)s: %(reason)s") % {"number": invoice.number, "reason": note.reason}
        raw = [(label[:300], Decimal("1"), "unit", note.net, note.net)]
    fx_lines = [facturx.FxLine(number=n, name=label, quantity=q, unit=u, unit_price=p, amount=a)
                for n, (label, q, u, p, a) in enumerate(raw, start=1)]
    fx = facturx.FxDocument(
        type_code=facturx.CREDIT_NOTE, number=note.number, issue_date=note.issue_date, currency=currency,
        seller=_fx_party(seller), buyer=_fx_party(buyer), lines=fx_lines, vat_rate=invoice.vat_rate, net=note.net,
        vat=note.vat, gross=note.gross, period=(invoice.period_start, invoice.period_end),
        contract_reference=invoice.contract.reference, preceding_invoice=(invoice.number, invoice.issue_date),
        notes=[("REG", note.reason)], vat_exemption_reason=_("VAT exempt") if not invoice.vat_rate else "",
        language=_document_language(invoice))
    context = {
        "kind": "credit_note", "title": pgettext("document", "Credit note"), "number": note.number,
        "issue_date": day(note.issue_date), "due_date": "",
        "period": _("%(start)s to %(end)s") % {"start": day(invoice.period_start), "end": day(invoice.period_end)},
        "contract_reference": invoice.contract.reference, "contract_title": invoice.contract.title,
        "seller": seller, "buyer": buyer,
        "lines": [{"kind": "credit_note", "label": label, "quantity": number(q), "unit": unit_label(u, q),
                   "unit_price": money(p, currency), "amount": money(a, currency), "details": []}
                  for label, q, u, p, a in raw],
        "lines_total": money(note.net, currency), "credit_total": "", "net": money(note.net, currency),
        "vat": money(note.vat, currency), "gross": money(note.gross, currency), "due": "",
        "vat_rows": [{"rate": percent(invoice.vat_rate), "base": money(note.net, currency),
                      "vat": money(note.vat, currency)}],
        "vat_exempt": not invoice.vat_rate, "mentions": None, "iban": "", "bic": "",
        "preceding": {"number": invoice.number, "issue_date": day(invoice.issue_date)}, "reason": note.reason,
    }
    return InvoiceDocument(fx=fx, context=context, author=seller["name"])


def facturx_pdf(document: InvoiceDocument) -> tuple[bytes, bytes]:
    """(the PDF/A-3 with its embedded XML, the XML). Call in the document's language."""
    xml = facturx.build_xml(document.fx)  # checked against the EN 16931 schema
    html = render_to_string("pdf/invoice.html", document.context)
    pdf, _pages = html_to_pdf(html, pdf_a=True)
    return facturx.embed(pdf, xml, doc=document.fx, author=document.author), xml


def _load_invoice(tenant_id: int, invoice_id: int) -> Invoice:
    return (Invoice.objects.select_related("contract__provider", "client", "tenant").prefetch_related("lines")
            .get(pk=invoice_id, tenant_id=tenant_id))


@transaction.atomic
def invoice_pdf_request(*, invoice: Invoice, actor) -> Invoice:
    """(Re)render an issued invoice's PDF: mark it queued and queue the task after
    commit. A draft has no PDF (it has no number yet)."""
    require(actor, "invoice.render_pdf", invoice)
    if invoice.status == InvoiceStatus.DRAFT or not invoice.number:
        raise ValidationError({"status": [_("A draft invoice has no PDF: issue it first.")]})
    Invoice.objects.filter(pk=invoice.pk, tenant_id=invoice.tenant_id).update(
        pdf_status=PdfStatus.QUEUED, pdf_error="", updated_at=timezone.now())
    invoice.pdf_status, invoice.pdf_error = PdfStatus.QUEUED, ""
    from billing.tasks import invoice_pdf_task

    enqueue_on_commit(invoice_pdf_task, invoice.tenant_id, invoice.pk)
    return invoice


def _render_stored_pdf(model, obj, *, key: str, language: str, document, label: str):
    """Render `obj`'s Factur-X PDF (`document()`, called in `language`), store it under
    `key` (replaced atomically) and record its SHA-256, or record the failure (status
    failed and its reason) without raising: the task retries. `obj` was claimed
    (status rendering) by the caller. Shared by invoices and credit notes."""
    try:
        with translation.override(language):
            pdf, _xml = facturx_pdf(document())
        write_atomic(media_path(key), pdf)
    except Exception as exc:  # any failure is recorded on the row, then retried by the task
        logger.exception("rendering the PDF of %s failed", label)
        model.objects.filter(pk=obj.pk).update(pdf_status=PdfStatus.FAILED, pdf_error=_error_text(exc),
                                               updated_at=timezone.now())
    else:
        model.objects.filter(pk=obj.pk).update(pdf_status=PdfStatus.READY, pdf_error="", pdf_path=key,
                                               pdf_sha256=hashlib.sha256(pdf).hexdigest(),
                                               updated_at=timezone.now())
    obj.refresh_from_db(fields=["pdf_status", "pdf_error", "pdf_path", "pdf_sha256"])
    return obj


def invoice_pdf_render(*, tenant_id: int, invoice_id: int) -> Invoice | None:
    """Render an issued invoice's Factur-X PDF and store it under its fixed key. Safe to
    run twice (the file is replaced); None for a missing, other tenant's or draft invoice.
    A failure is recorded (status failed, its reason) and returned, never raised."""
    claimed = (Invoice.objects.filter(pk=invoice_id, tenant_id=tenant_id).exclude(status=InvoiceStatus.DRAFT)
               .update(pdf_status=PdfStatus.RENDERING, updated_at=timezone.now()))
    if not claimed:
        return None
    invoice = _load_invoice(tenant_id, invoice_id)
    return _render_stored_pdf(Invoice, invoice, key=invoice_pdf_key(invoice), language=_document_language(invoice),
                              document=lambda: invoice_document(invoice), label=f"invoice {invoice.number}")


@transaction.atomic
def credit_note_pdf_request(*, note: CreditNote, actor) -> CreditNote:
    """(Re)render a credit note's PDF (rights of its invoice's PDF)."""
    require(actor, "invoice.render_pdf", note.invoice)
    CreditNote.objects.filter(pk=note.pk, tenant_id=note.tenant_id).update(
        pdf_status=PdfStatus.QUEUED, pdf_error="", updated_at=timezone.now())
    note.pdf_status, note.pdf_error = PdfStatus.QUEUED, ""
    from billing.tasks import credit_note_pdf_task

    enqueue_on_commit(credit_note_pdf_task, note.tenant_id, note.pk)
    return note


def credit_note_pdf_render(*, tenant_id: int, note_id: int) -> CreditNote | None:
    """Render a credit note's Factur-X PDF (type 381), like `invoice_pdf_render`."""
    if not CreditNote.objects.filter(pk=note_id, tenant_id=tenant_id).update(
            pdf_status=PdfStatus.RENDERING, updated_at=timezone.now()):
        return None
    note = (CreditNote.objects.select_related("invoice__contract__provider", "invoice__client", "invoice__tenant")
            .get(pk=note_id, tenant_id=tenant_id))
    return _render_stored_pdf(CreditNote, note, key=credit_note_pdf_key(note),
                              language=_document_language(note.invoice), document=lambda: credit_note_document(note),
                              label=f"credit note {note.number}")


# ============================================================================ monthly reports


def report_types(data) -> list[str]:
    types = [t for t in ("preventive", "corrective", "curative", "evolutive")
             if t in data.opened_by_type or t in data.resolved_by_type]
    return types + sorted(set(data.opened_by_type) - set(types))


def report_charts(data) -> dict[str, str]:
    """The report's three pygal charts (SVG, no script), in the active language: for the
    PDF, and for the contract page and the client dashboard (`billing.views`)."""
    types = report_types(data)
    months = [f"{m.month:02d}/{m.year % 100:02d}" for m in data.history]
    by_mode = data.minutes_by_mode()
    return {
        "compliance": charts.compliance_chart(
            months=months, response=[m.response_percent for m in data.history],
            resolution=[m.resolution_percent for m in data.history],
            title=_("SLA compliance over the last 12 months (%)"), response_label=_("Response"),
            resolution_label=_("Resolution")),
        "by_type": charts.tickets_by_type_chart(
            types=[type_label(t) for t in types] or [_("none")],
            opened=[data.opened_by_type.get(t, 0) for t in types] or [0],
            resolved=[data.resolved_by_type.get(t, 0) for t in types] or [0],
            title=_("Tickets by maintenance type"), opened_label=pgettext("report", "Opened"),
            resolved_label=pgettext("report", "Resolved")),
        "by_mode": charts.time_by_mode_chart(
            modes=[mode_label(m) for m in by_mode], minutes=list(by_mode.values()),
            title=_("Time spent by intervention mode"), decimal_separator=formats.get_format("DECIMAL_SEPARATOR")),
    }


def report_context(data, *, zone) -> dict:
    """The report's template context: figures formatted and charts drawn, in the active
    language. `data` is a `billing.reporting.ReportData`."""
    from billing.reporting import PRIORITIES

    types = report_types(data)
    by_mode = data.minutes_by_mode()
    current = data.current
    charts_svg = report_charts(data)
    month_name = formats.date_format(date(data.year, data.month, 1), "F Y")
    credit_rows = [{"ticket": c.ticket, "priority": c.priority, "metric": metric_label(c.metric),
                    "percent": percent(c.percent)} for c in data.credits]
    return {
        "data": data,
        "month_name": month_name,
        "period": _("%(start)s to %(end)s") % {"start": day(data.period[0]), "end": day(data.period[1])},
        "generated_on": day(timezone.localdate(timezone.now(), zone)),
        "kpis": {
            "opened": data.opened, "resolved": data.resolved, "open_at_end": data.open_at_end,
            "response": "—" if current.response_percent is None else percent(current.response_percent),
            "resolution": "—" if current.resolution_percent is None else percent(current.resolution_percent),
            "breaches": len(data.breaches), "time": hours(data.minutes), "interventions": len(data.interventions),
            "credit": money(data.credit_amount, data.currency) if data.invoiced else "—",
            "bank": None if data.bank_closing is None else hours(data.bank_closing),
            "preventive": f"{data.preventive_done}/{len(data.preventive)}" if data.preventive else None,
        },
        "by_type": [{"label": type_label(t), "opened": data.opened_by_type.get(t, 0),
                     "resolved": data.resolved_by_type.get(t, 0)} for t in types],
        "by_priority": [{"label": p, "opened": data.opened_by_priority.get(p, 0),
                         "resolved": data.resolved_by_priority.get(p, 0)} for p in PRIORITIES],
        "compliance": [{"label": _("Response"), "met": current.response_met, "total": current.response_total,
                        "percent": "—" if current.response_percent is None else percent(current.response_percent)},
                       {"label": _("Resolution"), "met": current.resolution_met, "total": current.resolution_total,
                        "percent": "—" if current.resolution_percent is None
                        else percent(current.resolution_percent)}],
        "breaches": [{"ticket": b.ticket, "title": b.title, "priority": b.priority, "metric": metric_label(b.metric),
                      "deadline": moment(b.deadline, zone), "done": moment(b.done_at, zone) or _("pending"),
                      "late": duration(b.late)} for b in data.breaches],
        "interventions": _by_ticket(data.interventions),
        "modes": [{"label": mode_label(m), "time": hours(v), "count": sum(1 for i in data.interventions
                                                                            if i.mode == m)}
                  for m, v in by_mode.items()],
        "total_time": hours(data.minutes), "billable_time": hours(data.billable_minutes),
        "bank": None if data.bank_closing is None else {
            "opening": hours(data.bank_opening), "closing": hours(data.bank_closing),
            "movements": [{"day": day(m.day), "kind": _movement_label(m.kind), "time": hours(m.minutes),
                           "block": m.block, "ticket": m.ticket, "reason": m.reason} for m in data.bank_movements]},
        "preventive": [{"plan": p.plan, "due": day(p.due), "ticket": p.ticket, "done": p.done}
                       for p in data.preventive],
        "credits": credit_rows,
        "credit_total": money(data.credit_amount, data.currency),
        "credit_percent": percent(data.credit_percent),
        "credit_cap": None if data.credit_cap_percent is None else percent(data.credit_cap_percent),
        "charts": charts_svg,
    }


def _by_ticket(interventions) -> list[dict]:
    """The month's interventions per ticket (most time first): the days, who, the time
    remote and on site, and what was not billable."""
    tickets: dict[str, dict] = {}
    for i in interventions:
        row = tickets.setdefault(i.ticket, {"ticket": i.ticket, "title": i.title, "days": [], "technicians": [],
                                            "remote": 0, "on_site": 0, "unbilled": 0, "count": 0})
        row["count"] += 1
        row["remote" if i.mode == "remote" else "on_site"] += i.minutes
        if not i.billable:
            row["unbilled"] += i.minutes
        if i.day.strftime("%d/%m") not in row["days"]:
            row["days"].append(i.day.strftime("%d/%m"))
        if i.technician not in row["technicians"]:
            row["technicians"].append(i.technician)
    rows = sorted(tickets.values(), key=lambda r: (-(r["remote"] + r["on_site"]), r["ticket"]))
    return [{**r, "days": ", ".join(r["days"]), "technicians": ", ".join(r["technicians"]),
             "remote": hours(r["remote"]) if r["remote"] else "—", "on_site": hours(r["on_site"]) if r["on_site"]
             else "—", "time": hours(r["remote"] + r["on_site"]),
             "unbilled": hours(r["unbilled"]) if r["unbilled"] else ""} for r in rows]


def _movement_label(kind: str) -> str:
    from billing.models import MovementKind

    return str(dict(MovementKind.choices).get(kind, kind))


def report_pdf(data, *, zone) -> tuple[bytes, int]:
    """The report's PDF and its number of pages. Call in the report's language."""
    html = render_to_string("pdf/monthly_report.html", report_context(data, zone=zone))
    return html_to_pdf(html)


def monthly_report_request(*, contract, year: int, month: int, actor, today: date | None = None) -> MonthlyReport:
    """(Re)generate the report of a past month (the monthly run, after the invoice
    draft; account managers on demand): the row, queued, and its task after commit.
    One row per contract-month (an upsert on the unique key: concurrent requests
    leave one)."""
    (report,) = monthly_reports_request(contracts=[contract], year=year, month=month, actor=actor, today=today)
    return report


def monthly_reports_request(*, contracts, year: int, month: int, actor, today: date | None = None
                            ) -> list[MonthlyReport]:
    """`monthly_report_request` for several contracts of one tenant (the monthly run's
    batches): one statement (INSERT … ON CONFLICT DO UPDATE) for all their rows, so no
    check-then-insert race, and a task per report queued after commit."""
    if not contracts:
        return []
    for contract in contracts:
        require(actor, "report.generate", contract)
    from billing.selectors import local_today, month_has_ended

    today = today or local_today(contracts[0].tenant)
    if not (isinstance(month, int) and 1 <= month <= 12 and isinstance(year, int) and 2000 <= year <= 9999):
        raise ValidationError({"month": [_("Give a month as YYYY-MM.")]})
    if not month_has_ended(year, month, today):
        raise ValidationError({"month": [_("%(month)s is not over yet: only a past month has a report.")
                                         % {"month": f"{year}-{month:02d}"}]})
    rows = [MonthlyReport(tenant_id=contract.tenant_id, contract=contract, year=year, month=month,
                          status=PdfStatus.QUEUED, error="", attempts=0,
                          requested_by=None if actor is SYSTEM else actor)
            for contract in contracts]
    reports = MonthlyReport.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["tenant", "contract", "year", "month"],
        update_fields=["status", "error", "attempts", "requested_by", "updated_at"])
    from billing.tasks import monthly_report_task

    for report in reports:
        enqueue_on_commit(monthly_report_task, report.tenant_id, report.pk)
    return reports


def monthly_report_render(*, tenant_id: int, report_id: int, now: datetime | None = None) -> MonthlyReport | None:
    """Gather the month (`billing.reporting`), draw the charts, render and store the
    report; like the invoices, a failure is recorded and returned, never raised."""
    from django.db.models import F

    from billing.reporting import monthly_report_data
    from billing.selectors import tenant_zone
    from contracts.models import Contract

    if not MonthlyReport.objects.filter(pk=report_id, tenant_id=tenant_id).update(
            status=PdfStatus.RENDERING, attempts=F("attempts") + 1, updated_at=timezone.now()):
        return None
    report = MonthlyReport.objects.get(pk=report_id)
    started = time.perf_counter()
    contract = (Contract.objects.select_related("client", "provider", "tenant")
                .get(pk=report.contract_id, tenant_id=tenant_id))
    key = report_key(report, contract.reference)
    try:
        data = monthly_report_data(contract=contract, year=report.year, month=report.month, now=now)
        with translation.override(data.language or settings.LANGUAGE_CODE):
            pdf, pages = report_pdf(data, zone=tenant_zone(contract.tenant))
        write_atomic(media_path(key), pdf)
    except Exception as exc:
        logger.exception("rendering the monthly report %s failed", report)
        MonthlyReport.objects.filter(pk=report.pk).update(status=PdfStatus.FAILED, error=_error_text(exc),
                                                          updated_at=timezone.now())
    else:
        MonthlyReport.objects.filter(pk=report.pk).update(
            status=PdfStatus.READY, error="", file_path=key, sha256=hashlib.sha256(pdf).hexdigest(), size=len(pdf),
            pages=pages, rendered_at=timezone.now(), render_ms=int((time.perf_counter() - started) * 1000),
            updated_at=timezone.now())
    report.refresh_from_db()
    return report


# ============================================================================ downloads


@dataclass(frozen=True)
class Download:
    """What a view streams with `portal.downloads.file_response`."""

    path: Path
    filename: str
    content_type: str


def invoice_pdf_download(*, invoice: Invoice, actor) -> Download:
    """The stored Factur-X PDF of an issued invoice, for `actor` (policy
    "invoice.download": provider staff, and the invoice's client; never a draft), or
    Http404 when it has not been rendered yet."""
    require(actor, "invoice.download", invoice)
    if not invoice.pdf_path:
        raise Http404(_("Not found."))
    return Download(path=media_path(invoice.pdf_path), filename=f"{invoice.number}.pdf",
                    content_type="application/pdf")


def invoice_xml_download(*, invoice: Invoice, actor) -> tuple[str, bytes]:
    """The Factur-X XML of an issued invoice, as embedded in its stored PDF (so the
    two can never disagree): (file name, bytes)."""
    import facturx as facturx_lib

    download = invoice_pdf_download(invoice=invoice, actor=actor)
    try:
        pdf = download.path.read_bytes()
    except FileNotFoundError as exc:
        raise Http404(_("Not found.")) from exc
    _name, xml = facturx_lib.get_xml_from_pdf(pdf, check_xsd=False)
    if not xml:
        raise Http404(_("Not found."))
    return f"{invoice.number}.xml", xml


def credit_note_pdf_download(*, note: CreditNote, actor) -> Download:
    """A credit note's stored PDF: the rights of its invoice."""
    require(actor, "invoice.download", note.invoice)
    if not note.pdf_path:
        raise Http404(_("Not found."))
    return Download(path=media_path(note.pdf_path), filename=f"{note.number}.pdf", content_type="application/pdf")


def _xml_of(download: Download) -> bytes:
    """The Factur-X XML embedded in a stored PDF (so the two can never disagree)."""
    import facturx as facturx_lib

    try:
        pdf = download.path.read_bytes()
    except FileNotFoundError as exc:
        raise Http404(_("Not found.")) from exc
    _name, xml = facturx_lib.get_xml_from_pdf(pdf, check_xsd=False)
    if not xml:
        raise Http404(_("Not found."))
    return xml


def credit_note_xml_download(*, note: CreditNote, actor) -> tuple[str, bytes]:
    """The Factur-X XML of a credit note, as embedded in its stored PDF: (file name, bytes)."""
    return f"{note.number}.xml", _xml_of(credit_note_pdf_download(note=note, actor=actor))


def monthly_report_download(*, report: MonthlyReport, actor) -> Download:
    """A monthly report's stored PDF (policy "report.download": provider staff, and the
    contract's client), or Http404 until it has been rendered once."""
    require(actor, "report.download", report.contract)
    if not report.file_path:
        raise Http404(_("Not found."))
    reference = report.contract.reference
    return Download(path=media_path(report.file_path),
                    filename=f"{reference}-{report.year}-{report.month:02d}.pdf", content_type="application/pdf")


# ============================================================================ the daily sweep


def documents_retry_failed(*, tenant, older_than: timedelta = timedelta(hours=1)) -> int:
    """Request again the documents whose render failed for good (retries exhausted) or
    whose task was lost (queued or rendering for more than `older_than`). Daily."""
    cutoff = timezone.now() - older_than
    stale = {"pdf_status__in": [PdfStatus.QUEUED, PdfStatus.RENDERING], "updated_at__lt": cutoff}
    count = 0
    invoices = Invoice.objects.filter(tenant=tenant).exclude(status=InvoiceStatus.DRAFT).filter(
        Q(pdf_status=PdfStatus.FAILED) | Q(**stale))
    for invoice in invoices.select_related("tenant"):
        invoice_pdf_request(invoice=invoice, actor=SYSTEM)
        count += 1
    for note in CreditNote.objects.filter(tenant=tenant).filter(
            Q(pdf_status=PdfStatus.FAILED) | Q(**stale)).select_related("invoice"):
        credit_note_pdf_request(note=note, actor=SYSTEM)
        count += 1
    reports = MonthlyReport.objects.filter(tenant=tenant).filter(
        Q(status=PdfStatus.FAILED)
        | Q(status__in=[PdfStatus.QUEUED, PdfStatus.RENDERING], updated_at__lt=cutoff))
    for report in reports.select_related("contract__tenant"):
        monthly_report_request(contract=report.contract, year=report.year, month=report.month, actor=SYSTEM)
        count += 1
    return count

"""The reversibility export: everything the portal holds about one client organisation,
as a ZIP a leaving client can take elsewhere (the reversibility clause of its contracts).

One action (`export_request`) records the request and queues `export_build` in Celery;
the worker writes the ZIP section after section, saving its progress (the page polls it
with htmx); the file is kept 7 days (`exports_purge`, daily), downloaded through the
policy ("export.download") and `portal.downloads`. Requests and downloads are audited.

Contents (README.md in the ZIP describes each file): the organisation and its contacts;
contracts with their covered items, versions, amendments and stored PDFs; tickets with
their public conversation and attachments (never the provider's internal notes nor their
files), interventions; invoices and credit notes with their Factur-X PDFs and XML;
payments; monthly reports; the hour-bank ledger. Lists come as JSON and CSV.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import os
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.documents import credit_note_pdf_render, invoice_pdf_render, monthly_report_render
from billing.models import CreditNote, HourBankMovement, Invoice, InvoiceStatus, MonthlyReport, Payment
from contracts.documents import document_render
from contracts.models import (
    Amendment,
    Contact,
    Contract,
    ContractDocument,
    ContractVersion,
    CoveredItem,
    Organization,
)
from integrations.models import DataExport, ExportStatus
from portal.audit import audit_log
from portal.downloads import safe_filename
from portal.permissions import require
from tickets.models import Attachment, Intervention, Ticket, TicketMessage

logger = logging.getLogger(__name__)

KEEP_FOR = timedelta(days=7)

README = """# Reversibility export — {org}

Made on {made} for {org} ({ref}) by {portal}. Everything the portal holds about the
organisation's contracts, tickets and invoices (a document not rendered yet is rendered
for the export). Lists are given twice: JSON (exact
values, nested data) and CSV (UTF-8, comma-separated, one row per item; nested values as
JSON). Dates are ISO 8601, instants in UTC with their offset; amounts are decimal strings
in the document's currency.

| File | What it holds |
|------|---------------|
| organization.json | The organisation's legal identity and address. |
| contacts.json / .csv | Its contacts (role, name, job title, e-mail, phone). |
| contracts.json / .csv | Every contract: parties, scope, SLA policy, price, dates, status, notice. |
| covered_items.json / .csv | The items each contract covers (category, name, identifier, site, criticality). |
| contract_versions.json / .csv | Every version of each contract with the full snapshot of its terms. |
| amendments.json / .csv | The amendments (number, signature and effective dates, summary, changes). |
| contracts/<reference>-<kind>-v<version>.pdf | The contract and amendment PDFs as rendered. |
| tickets.json / .csv | Every ticket: reference, title, description, type, priority, status, dates, SLA deadlines. |
| messages.json / .csv | The public conversation of each ticket (no internal notes). |
| attachments.json / .csv | The files attached to tickets and public replies, with their SHA-256. |
| attachments/<ticket>/<id>-<name> | The attached files themselves. |
| interventions.json / .csv | The work logged on the tickets (date, minutes, mode, description). |
| invoices.json / .csv | Issued invoices with their lines (never drafts). |
| payments.json / .csv | The payments recorded against them. |
| credit_notes.json / .csv | The credit notes with their lines. |
| invoices/<number>.pdf, invoices/<number>.xml | Factur-X invoices (PDF/A-3) and the EN 16931 CII XML they carry. |
| credit_notes/<number>.pdf | The credit notes' PDFs. |
| reports.json / .csv, reports/<contract>-<year>-<month>.pdf | The monthly service reports. |
| hour_bank_ledger.json / .csv | Every movement of the hour banks (purchases, consumption, expiries, adjustments). |
| manifest.json | Every file of this archive with its size and SHA-256, and what could not be included. |
"""


# ---------------------------------------------------------------------- requesting


def export_list(*, tenant, viewer, organization: Organization):
    require(viewer, "export.create", organization)
    return DataExport.objects.filter(tenant=tenant, organization=organization).order_by("-created_at", "-pk")


def export_get(*, tenant, viewer, export_id) -> DataExport:
    """One export of the tenant; clients only their organisation's (404 otherwise)."""
    try:
        export = DataExport.objects.select_related("organization").get(tenant=tenant, pk=int(export_id))
    except (DataExport.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None
    require(viewer, "export.download", export)
    return export


@transaction.atomic
def export_request(*, organization: Organization, actor) -> DataExport:
    """Record the request and queue the build after commit."""
    require(actor, "export.create", organization)
    export = DataExport.objects.create(tenant_id=organization.tenant_id, organization=organization,
                                       requested_by=actor if getattr(actor, "pk", None) else None,
                                       step=_("Waiting for a worker"))
    audit_log(tenant=organization.tenant, actor=actor, action="export.create", object_type="organization",
              object_ref=organization.reference, organization=organization, changes={"export": export.pk})
    from integrations.tasks import export_build_task
    from portal.celery import enqueue_on_commit

    enqueue_on_commit(export_build_task, organization.tenant_id, export.pk)
    return export


def export_download(*, export: DataExport, actor) -> tuple[Path, str]:
    """The ZIP's path and file name, for `actor`; audited. Http404 unless ready."""
    require(actor, "export.download", export)
    if export.status != ExportStatus.READY or not export.file_path:
        raise Http404(_("Not found."))
    audit_log(tenant=export.tenant, actor=actor, action="export.download", object_type="organization",
              object_ref=export.organization.reference, organization=export.organization,
              changes={"export": export.pk, "sha256": export.sha256})
    day = export.created_at.date().isoformat()
    return Path(settings.MEDIA_ROOT) / export.file_path, f"{export.organization.reference}-export-{day}.zip"


# ---------------------------------------------------------------------- building


def _json(value) -> bytes:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()


def _csv(rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    columns = list(dict.fromkeys(k for row in rows for k in row))
    writer = csv.DictWriter(buffer, fieldnames=columns)
    writer.writeheader()
    for row in rows:
        writer.writerow({k: json.dumps(v, cls=DjangoJSONEncoder, ensure_ascii=False)
                         if isinstance(v, dict | list) else v for k, v in row.items()})
    return buffer.getvalue().encode("utf-8")


class _Archive:
    def __init__(self, zf: zipfile.ZipFile):
        self.zf = zf
        self.manifest: list[dict] = []
        self.missing: list[dict] = []

    def add(self, name: str, data: bytes) -> None:
        self.zf.writestr(name, data)
        self.manifest.append({"file": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()})

    def table(self, name: str, rows: list[dict]) -> None:
        self.add(f"{name}.json", _json(rows))
        self.add(f"{name}.csv", _csv(rows))

    def file(self, name: str, path: Path | None, what: str) -> None:
        try:
            if path is None:
                raise FileNotFoundError
            self.add(name, path.read_bytes())
        except (FileNotFoundError, IsADirectoryError):
            self.missing.append({"file": name, "what": what, "why": "not rendered or not on disk"})


def _media(key: str) -> Path | None:
    return Path(settings.MEDIA_ROOT) / key if key else None


def _person(user) -> str | None:
    return (user.full_name or user.email) if user is not None else None


def _progress(export: DataExport, percent: int, step: str) -> None:
    DataExport.objects.filter(pk=export.pk).update(progress=percent, step=step[:100], updated_at=timezone.now())


def export_build(*, tenant_id: int, export_id: int, now: datetime | None = None) -> DataExport | None:
    """Build the ZIP (the worker). Claims a queued export once; a failure is recorded."""
    if not DataExport.objects.filter(pk=export_id, tenant_id=tenant_id, status=ExportStatus.QUEUED).update(
            status=ExportStatus.BUILDING, progress=1, updated_at=timezone.now()):
        return None
    export = DataExport.objects.select_related("organization", "tenant").get(pk=export_id)
    folder = Path(settings.MEDIA_ROOT) / "exports" / str(tenant_id)
    folder.mkdir(parents=True, exist_ok=True)
    key = f"exports/{tenant_id}/{export.pk}-{os.urandom(8).hex()}.zip"
    target = Path(settings.MEDIA_ROOT) / key
    partial = target.with_suffix(".part")
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            archive = _Archive(zf)
            _write_all(archive, export, now=now or timezone.now())
        data_hash = hashlib.sha256(partial.read_bytes()).hexdigest()
        size = partial.stat().st_size
        partial.replace(target)
    except Exception as exc:  # recorded for the page; the partial file is removed
        logger.exception("export %s failed", export.pk)
        partial.unlink(missing_ok=True)
        DataExport.objects.filter(pk=export.pk).update(status=ExportStatus.FAILED, error=f"{type(exc).__name__}: {exc}",
                                                       updated_at=timezone.now())
    else:
        at = now or timezone.now()
        DataExport.objects.filter(pk=export.pk).update(
            status=ExportStatus.READY, progress=100, step=_("Ready"), file_path=key, size=size, sha256=data_hash,
            files=len(archive.manifest), ready_at=at, expires_at=at + KEEP_FOR, updated_at=timezone.now())
    export.refresh_from_db()
    return export


def _write_all(archive: _Archive, export: DataExport, *, now: datetime) -> None:
    org = export.organization
    tenant_id = export.tenant_id
    archive.add("README.md", README.format(org=org.legal_name, ref=org.reference, made=now.isoformat(),
                                           portal=settings.PORTAL_NAME).encode())
    archive.add("organization.json", _json({
        f: getattr(org, f) for f in ("reference", "legal_name", "trade_name", "legal_form", "siret", "vat_number",
                                     "address_line1", "address_line2", "postal_code", "city", "country",
                                     "legal_rep_name", "legal_rep_title", "email", "phone", "created_at")}))
    archive.table("contacts", [
        {"role": c.role, "first_name": c.first_name, "last_name": c.last_name, "job_title": c.job_title,
         "email": c.email, "phone": c.phone} for c in Contact.objects.filter(tenant_id=tenant_id, organization=org)])

    _progress(export, 10, _("Contracts"))
    contracts = list(Contract.objects.filter(tenant_id=tenant_id, client=org).exclude(status="draft")
                     .select_related("provider", "sla_policy", "account_manager").prefetch_related("exclusions")
                     .order_by("reference"))
    archive.table("contracts", [{
        "reference": c.reference, "title": c.title, "object": c.object, "status": c.status, "version": c.version,
        "provider": c.provider.legal_name, "sla_policy": c.sla_policy.name if c.sla_policy_id else None,
        "account_manager": _person(c.account_manager), "start_date": c.start_date, "end_date": c.end_date,
        "signed_on": c.signed_on, "client_signatory": c.client_signatory, "renewal": c.renewal,
        "initial_months": c.initial_months, "notice_months": c.notice_months, "currency": c.currency,
        "billing_model": c.billing_model, "monthly_fee": c.monthly_fee, "hourly_rate": c.hourly_rate,
        "notice_given_on": c.notice_given_on, "termination_reason": c.termination_reason,
        "exclusions": [e.text for e in c.exclusions.all()],
    } for c in contracts])
    archive.table("covered_items", [{
        "contract": i.contract.reference, "category": i.category, "name": i.name, "identifier": i.identifier,
        "site": i.site, "criticality": i.criticality, "quantity": i.quantity,
    } for i in CoveredItem.objects.filter(tenant_id=tenant_id, contract__in=contracts).select_related("contract")])
    archive.table("contract_versions", [{
        "contract": v.contract.reference, "number": v.number, "effective_from": v.effective_from,
        "amendment": v.amendment.number if v.amendment_id else None, "snapshot": v.snapshot,
    } for v in ContractVersion.objects.filter(tenant_id=tenant_id, contract__in=contracts)
        .select_related("contract", "amendment").order_by("contract__reference", "number")])
    archive.table("amendments", [{
        "contract": a.contract.reference, "number": a.number, "signed_on": a.signed_on,
        "effective_date": a.effective_date, "summary": a.summary, "changes": a.changes,
    } for a in Amendment.objects.filter(tenant_id=tenant_id, contract__in=contracts)
        .select_related("contract").order_by("contract__reference", "number")])
    for doc in ContractDocument.objects.filter(tenant_id=tenant_id, contract__in=contracts).select_related("contract"):
        if doc.status != "ready":  # not rendered yet (or its render failed): the worker renders it now
            doc = document_render(document_id=doc.pk, tenant_id=tenant_id) or doc
        archive.file(f"contracts/{doc.contract.reference}-{doc.kind}-v{doc.version}.pdf",
                     _media(doc.file_path) if doc.status == "ready" else None,
                     f"{doc.contract.reference} {doc.kind} v{doc.version}")

    _progress(export, 30, _("Tickets"))
    tickets = list(Ticket.objects.filter(tenant_id=tenant_id, organization=org)
                   .select_related("contract", "covered_item", "requester", "assignee").order_by("reference"))
    archive.table("tickets", [{
        "reference": t.reference, "contract": t.contract.reference, "title": t.title, "description": t.description,
        "maintenance_type": t.maintenance_type, "impact": t.impact, "urgency": t.urgency, "priority": t.priority,
        "status": t.status, "source": t.source, "covered_item": t.covered_item.name if t.covered_item_id else None,
        "requester": _person(t.requester), "assignee": _person(t.assignee), "created_at": t.created_at,
        "resolved_at": t.resolved_at, "closed_at": t.closed_at, "response_deadline": t.response_deadline,
        "resolution_deadline": t.resolution_deadline, "sla_breached": t.sla_breached,
    } for t in tickets])
    messages = TicketMessage.objects.filter(tenant_id=tenant_id, ticket__in=tickets, internal=False) \
        .select_related("ticket", "author").order_by("ticket__reference", "created_at", "pk")
    archive.table("messages", [{"ticket": m.ticket.reference, "author": _person(m.author), "body": m.body,
                                "created_at": m.created_at} for m in messages])
    attachments = list(Attachment.objects.filter(tenant_id=tenant_id, ticket__in=tickets)
                       .exclude(message__internal=True).select_related("ticket", "uploaded_by").order_by("pk"))
    rows = []
    for a in attachments:
        name = f"attachments/{a.ticket.reference}/{a.pk}-{safe_filename(a.filename)}"
        rows.append({"ticket": a.ticket.reference, "file": name, "filename": a.filename,
                     "content_type": a.content_type, "size": a.size, "sha256": a.sha256,
                     "uploaded_by": _person(a.uploaded_by), "created_at": a.created_at})
        archive.file(name, _media(a.storage_key), f"attachment {a.filename}")
    archive.table("attachments", rows)
    archive.table("interventions", [{
        "ticket": i.ticket.reference, "technician": _person(i.technician), "date": i.date, "minutes": i.minutes,
        "mode": i.mode, "description": i.description,
    } for i in Intervention.objects.filter(tenant_id=tenant_id, ticket__in=tickets)
        .select_related("ticket", "technician").order_by("date", "pk")])

    _progress(export, 60, _("Invoices"))
    invoices = list(Invoice.objects.filter(tenant_id=tenant_id, client=org).exclude(status=InvoiceStatus.DRAFT)
                    .select_related("contract").prefetch_related("lines").order_by("issue_date", "number"))
    archive.table("invoices", [{
        "number": i.number, "contract": i.contract.reference, "period": f"{i.year}-{i.month:02d}",
        "status": i.status, "issue_date": i.issue_date, "due_date": i.due_date, "currency": i.currency,
        "net": i.net, "vat": i.vat, "gross": i.gross, "amount_paid": i.amount_paid,
        "amount_credited": i.amount_credited,
        "lines": [{"label": li.label, "quantity": li.quantity, "unit": li.unit, "unit_price": li.unit_price,
                   "amount": li.amount} for li in i.lines.all()],
    } for i in invoices])
    archive.table("payments", [{
        "invoice": p.invoice.number, "date": p.date, "amount": p.amount, "method": p.method,
        "reference": p.reference,
    } for p in Payment.objects.filter(tenant_id=tenant_id, invoice__in=invoices).select_related("invoice")])
    notes = list(CreditNote.objects.filter(tenant_id=tenant_id, invoice__in=invoices).select_related("invoice"))
    archive.table("credit_notes", [{
        "number": n.number, "invoice": n.invoice.number, "issue_date": n.issue_date, "reason": n.reason,
        "currency": n.currency, "net": n.net, "vat": n.vat, "gross": n.gross, "lines": n.lines,
    } for n in notes])
    import facturx as facturx_lib

    for invoice in invoices:
        if not invoice.pdf_path:
            invoice = invoice_pdf_render(tenant_id=tenant_id, invoice_id=invoice.pk) or invoice
        path = _media(invoice.pdf_path)
        archive.file(f"invoices/{invoice.number}.pdf", path, f"invoice {invoice.number}")
        if path is not None and path.is_file():
            _name, xml = facturx_lib.get_xml_from_pdf(path.read_bytes(), check_xsd=False)
            if xml:
                archive.add(f"invoices/{invoice.number}.xml", xml)
    for note in notes:
        if not note.pdf_path:
            note = credit_note_pdf_render(tenant_id=tenant_id, note_id=note.pk) or note
        archive.file(f"credit_notes/{note.number}.pdf", _media(note.pdf_path), f"credit note {note.number}")

    _progress(export, 85, _("Reports and hour banks"))
    reports = []
    for report in MonthlyReport.objects.filter(tenant_id=tenant_id, contract__in=contracts).select_related(
            "contract").order_by("contract__reference", "year", "month"):
        if not report.file_path:
            report = monthly_report_render(tenant_id=tenant_id, report_id=report.pk) or report
        reports.append(report)
    archive.table("reports", [{"contract": r.contract.reference, "year": r.year, "month": r.month,
                               "file": f"reports/{r.contract.reference}-{r.year}-{r.month:02d}.pdf",
                               "sha256": r.sha256} for r in reports])
    for r in reports:
        archive.file(f"reports/{r.contract.reference}-{r.year}-{r.month:02d}.pdf",
                     _media(r.file_path) if r.file_path else None, f"report {r.contract.reference} {r.year}-{r.month}")
    archive.table("hour_bank_ledger", [{
        "contract": m.contract.reference, "block": m.block.reference if m.block_id else None, "kind": m.kind,
        "minutes": m.minutes, "day": m.day, "ticket": m.ticket.reference if m.ticket_id else None,
        "reason": m.reason,
    } for m in HourBankMovement.objects.filter(tenant_id=tenant_id, contract__in=contracts)
        .select_related("contract", "block", "ticket").order_by("contract__reference", "day", "pk")])
    archive.zf.writestr("manifest.json", _json({"files": archive.manifest, "missing": archive.missing}))


# ---------------------------------------------------------------------- purging


def exports_purge(*, now: datetime | None = None) -> int:
    """Delete the ZIPs past their 7 days (daily); the rows stay, expired, for the log."""
    now = now or timezone.now()
    count = 0
    for export in DataExport.objects.filter(status=ExportStatus.READY, expires_at__lte=now):
        if export.file_path:
            (Path(settings.MEDIA_ROOT) / export.file_path).unlink(missing_ok=True)
        DataExport.objects.filter(pk=export.pk).update(status=ExportStatus.EXPIRED, file_path="",
                                                       updated_at=timezone.now())
        count += 1
    return count

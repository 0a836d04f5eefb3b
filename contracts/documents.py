"""Contract and amendment PDFs, rendered by WeasyPrint in a Celery task.

`document_request` records (or resets) the document row as *queued* and queues the
task after commit; `document_render` does the work: it builds the context, renders
`templates/pdf/contract.html`, writes the file under a fixed key
(`contracts/<tenant>/<reference>/<kind>-v<version>.pdf`, so a re-render replaces it)
and stores its SHA-256. A failure is recorded on the row with its reason; the
contract itself is never touched, and requesting the document again retries.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import transaction
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone, translation

from contracts.display import shown_value
from contracts.models import Amendment, Contract, ContractDocument, DocumentStatus
from portal.celery import enqueue_on_commit
from portal.pdf import html_to_pdf
from portal.permissions import require

logger = logging.getLogger(__name__)


def document_path(document: ContractDocument) -> Path:
    return (
        Path(settings.MEDIA_ROOT) / "contracts" / str(document.tenant_id) / document.contract.reference
        / f"{document.kind}-v{document.version}.pdf"
    )


def document_download(*, contract: Contract, actor, kind: str, version: int) -> tuple[ContractDocument, Path]:
    """The ready PDF of one of `contract`'s documents, for `actor` to download (policy
    "contract.download_pdf": provider staff, and the contract's client once it is sent),
    or Http404 (not rendered yet, or no such document)."""
    require(actor, "contract.download_pdf", contract)
    from contracts.selectors.contracts import contract_document_get

    document = contract_document_get(contract=contract, kind=kind, version=version)
    if document.status != DocumentStatus.READY:
        raise Http404
    return document, document_path(document)


@transaction.atomic
def document_request(*, contract: Contract, kind: str, version: int) -> ContractDocument:
    document, _created = ContractDocument.objects.select_for_update().get_or_create(
        tenant_id=contract.tenant_id, contract=contract, kind=kind, version=version,
    )
    document.status = DocumentStatus.QUEUED
    document.error = ""
    document.save(update_fields=["status", "error", "updated_at"])
    from contracts.tasks import contract_document_render_task

    enqueue_on_commit(contract_document_render_task, contract.tenant_id, document.pk)
    return document


def document_context(document: ContractDocument) -> dict:
    """Everything the PDF shows, read once (no query from the template)."""
    from sla.forms import WEEKDAY_LABELS
    from sla.selectors import calendar_versions

    contract = (
        Contract.objects.select_related("client", "provider", "sla_policy__calendar", "account_manager")
        .prefetch_related("items", "exclusions", "maintenance_types", "clauses", "sla_policy__targets",
                          "amendments", "sla_policy__calendar__versions")
        .get(pk=document.contract_id, tenant_id=document.tenant_id)
    )
    terms = contract.terms()
    first_term = terms.term(1) if terms is not None else None
    amendment = None
    if document.kind == "amendment":
        amendment = (
            Amendment.objects.filter(tenant_id=document.tenant_id, contract=contract,
                                     contract_version__number=document.version).first()
        )
    amendment_changes = []
    if amendment is not None:
        for name, values in amendment.changes.items():
            old, new = (values + [None, None])[:2] if isinstance(values, list) else (None, values)
            try:
                field = Contract._meta.get_field(name)
            except FieldDoesNotExist:  # a field renamed since: show its stored name
                amendment_changes.append((name, old, new))
                continue
            if field.is_relation:  # the snapshot keeps ids: show what they name
                names = {str(o.pk): str(o) for o in field.related_model._default_manager.filter(pk__in=[
                    v for v in (old, new) if v is not None])}
                old, new = names.get(str(old), old), names.get(str(new), new)
            amendment_changes.append((field.verbose_name, shown_value(field, old, contract), shown_value(field, new, contract)))
    policy = contract.sla_policy
    calendar = calendar_versions(policy.calendar)[-1] if policy else None
    weekdays = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    return {
        "contract": contract,
        "document": document,
        "provider": contract.provider,
        "client": contract.client,
        "items": list(contract.items.all()),
        "exclusions": list(contract.exclusions.all()),
        "maintenance_types": list(contract.maintenance_types.all()),
        "clauses": list(contract.clauses.all()),
        "policy": policy,
        "targets": list(policy.targets.all()) if policy else [],
        "calendar": calendar,
        "day_minutes": _day_minutes(calendar),
        "done_on": (amendment.signed_on if amendment is not None else contract.signed_on) or timezone.localdate(),
        "calendar_days": (
            [(WEEKDAY_LABELS[d], calendar.hours.get(d, [])) for d in weekdays] if calendar and not calendar.always_open else []
        ),
        "terms": terms,
        "first_term": first_term,
        "amendment": amendment,
        "amendment_changes": amendment_changes,
        "amendments": list(contract.amendments.all()),
        "generated_at": timezone.now(),
    }


def calendar_day_minutes(calendar) -> int | None:
    """`_day_minutes` of the calendar's current hours (for the contract page)."""
    from sla.selectors import calendar_versions

    versions = calendar_versions(calendar) if calendar is not None else []
    return _day_minutes(versions[-1]) if versions else None


def _day_minutes(calendar) -> int | None:
    """The length of the calendar's working day when every open day has the same hours
    (then an SLA target of whole days reads "3 business days")."""
    if calendar is None or calendar.always_open:
        return None
    lengths = set()
    for spans in (calendar.hours or {}).values():
        total = 0
        for span in spans or []:
            try:
                (h1, m1), (h2, m2) = (map(int, str(span[0]).split(":")), map(int, str(span[1]).split(":")))
            except (ValueError, IndexError, TypeError):
                return None
            total += (h2 * 60 + m2) - (h1 * 60 + m1)
        if total:
            lengths.add(total)
    return lengths.pop() if len(lengths) == 1 else None


def render_pdf(html: str) -> tuple[bytes, int]:
    """The PDF bytes and the number of pages."""
    return html_to_pdf(html)


def document_render(*, document_id: int, tenant_id: int) -> ContractDocument | None:
    """Render one document; safe to run twice (the file and its row are replaced)."""
    claimed = ContractDocument.objects.filter(pk=document_id, tenant_id=tenant_id).update(
        status=DocumentStatus.RENDERING, error=""
    )
    if not claimed:
        return None  # deleted meanwhile
    document = ContractDocument.objects.select_related("contract").get(pk=document_id)
    started = time.perf_counter()
    try:
        with translation.override(document.contract.language or settings.LANGUAGE_CODE):
            context = document_context(document)  # amounts and dates in the contract's language
            html = render_to_string("pdf/contract.html", context)
        pdf, pages = render_pdf(html)
        path = document_path(document)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".pdf.tmp")
        tmp.write_bytes(pdf)
        os.replace(tmp, path)  # atomic: a reader never sees half a file
    except Exception as exc:  # any failure is recorded on the document, never raised into the contract
        logger.exception("rendering %s failed", document)
        ContractDocument.objects.filter(pk=document.pk).update(
            status=DocumentStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], updated_at=timezone.now()
        )
        document.refresh_from_db()
        return document
    ContractDocument.objects.filter(pk=document.pk).update(
        status=DocumentStatus.READY, error="", file_path=str(path.relative_to(settings.MEDIA_ROOT)),
        sha256=hashlib.sha256(pdf).hexdigest(), size=len(pdf), pages=pages, rendered_at=timezone.now(),
        render_ms=int((time.perf_counter() - started) * 1000), updated_at=timezone.now(),
    )
    document.refresh_from_db()
    return document

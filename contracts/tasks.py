from __future__ import annotations

from celery import shared_task

from contracts import documents


@shared_task(acks_late=True, max_retries=0)
def contract_document_render_task(tenant_id: int, document_id: int) -> None:
    """Render a contract or amendment PDF. Failures are recorded on the document."""
    documents.document_render(document_id=document_id, tenant_id=tenant_id)

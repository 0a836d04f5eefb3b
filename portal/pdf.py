"""HTML to PDF with WeasyPrint, the one place every document (contracts, invoices,
credit notes, monthly reports) is rendered.

A worker renders documents one after another, and WeasyPrint's first render leaves
long-lived caches (fonts, styles, templates, schemas) in the process. Python's full
garbage collections then walk all of them again every few renders: measured on the
invoice PDF, one render in four took 0.45–0.53 s instead of 0.26 s. So after the first
render of a process, its garbage is collected once and the survivors are frozen
(`gc.freeze`: moved out of the collector's generations, never walked again); later
renders only pay for their own objects.
"""

from __future__ import annotations

import gc
import threading

from django.conf import settings

_frozen = False
_freeze_lock = threading.Lock()


def html_to_pdf(html: str, *, pdf_variant: str | None = None) -> tuple[bytes, int]:
    """The PDF bytes and the number of pages (`pdf_variant`: e.g. "pdf/a-3b")."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=str(settings.BASE_DIR)).render()
    data = document.write_pdf(**({"pdf_variant": pdf_variant} if pdf_variant else {}))
    _freeze_long_lived()
    return data, len(document.pages)


def _freeze_long_lived() -> None:
    global _frozen
    if _frozen:
        return
    with _freeze_lock:
        if not _frozen:
            gc.collect()
            gc.freeze()
            _frozen = True

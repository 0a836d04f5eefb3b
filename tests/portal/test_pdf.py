"""`portal.pdf`: every document goes through one WeasyPrint render, which freezes the
process's long-lived objects after its first render (no full garbage collection walks
WeasyPrint's caches again: those walks made one invoice render in four twice as slow)."""

from __future__ import annotations

import gc

from portal import pdf


def test_it_renders_html_to_a_pdf_and_counts_its_pages():
    data, pages = pdf.html_to_pdf("<p>One</p><p style='break-before: page'>Two</p>")

    assert data.startswith(b"%PDF-") and pages == 2


def test_it_freezes_the_long_lived_objects_after_a_render(monkeypatch):
    monkeypatch.setattr(pdf, "_frozen", False)
    gc.unfreeze()

    pdf.html_to_pdf("<p>Hello</p>")

    assert gc.get_freeze_count() > 0

"""Private files (contract PDFs, ticket attachments), served the same way by the pages
and the API, after the caller has checked access: a file missing on disk is a 404, the
name in Content-Disposition is made safe, the browser must not sniff another type, and
no cache keeps a copy."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from django.http import FileResponse, Http404, HttpResponse
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _


def safe_filename(name: str, *, default: str = "file") -> str:
    """`name` without what could break out of a header or a folder: control and
    formatting characters, path separators, quotes; never empty nor hidden."""
    name = unicodedata.normalize("NFC", name or "")
    name = "".join(c for c in name if unicodedata.category(c)[0] not in ("C", "Z") or c == " ")
    for bad in ('/', '\\', '"'):
        name = name.replace(bad, "_")
    name = name.strip(" .")[:200]
    return name or default


def file_response(path: Path, *, filename: str, content_type: str, as_attachment: bool = True) -> FileResponse:
    """Stream the file at `path`, or raise Http404 when it is not on disk."""
    try:
        handle = path.open("rb")
    except (FileNotFoundError, IsADirectoryError) as exc:
        raise Http404(_("Not found.")) from exc
    response = FileResponse(handle, content_type=content_type, as_attachment=as_attachment,
                            filename=safe_filename(filename))
    response["X-Content-Type-Options"] = "nosniff"
    add_never_cache_headers(response)  # private: no shared or browser cache keeps it
    return response


def content_response(content: bytes, *, filename: str, content_type: str) -> HttpResponse:
    """The same headers as `file_response`, for a document built in memory (e.g. the
    Factur-X XML read out of the stored PDF)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, safe_filename(filename))
    response["X-Content-Type-Options"] = "nosniff"
    add_never_cache_headers(response)
    return response

"""portal.downloads: private files served one way by the pages and the API (contract
PDFs, ticket attachments): a safe name in Content-Disposition, no type sniffing, no
caching, 404 for a file missing on disk."""

from __future__ import annotations

from unittest import mock

import pytest
from django.http import Http404

from portal.downloads import file_response, safe_filename
from tests.contracts import factories as cf
from tests.tickets import factories as tf
from tests.tickets.api_helpers import upload

FAKE_PDF = b"%PDF-1.7\n% a stand-in\n%%EOF\n"


@pytest.mark.parametrize(("name", "safe"), [
    ("report.pdf", "report.pdf"),
    ("rapport d'intervention été.pdf", "rapport d'intervention été.pdf"),
    ('evil"; filename="x.exe', "evil_; filename=_x.exe"),
    ("line\r\nSet-Cookie: a=b.txt", "lineSet-Cookie: a=b.txt"),
    ("../../etc/passwd", "_.._etc_passwd"),
    ("C:\\Windows\\win.ini", "C:_Windows_win.ini"),
    ("\u202etxt.exe", "txt.exe"),  # right-to-left override
    ("", "file"),
    ("...", "file"),
])
def test_it_makes_a_filename_safe_for_the_header(name, safe):
    assert safe_filename(name) == safe


def test_it_answers_404_for_a_file_missing_on_disk(tmp_path):
    with pytest.raises(Http404):
        file_response(tmp_path / "gone.pdf", filename="gone.pdf", content_type="application/pdf")


def test_it_sends_a_private_file_as_an_attachment_that_no_one_caches(tmp_path):
    path = tmp_path / "doc.pdf"
    path.write_bytes(FAKE_PDF)
    response = file_response(path, filename='a "quoted".pdf', content_type="application/pdf")
    response.file_to_stream.close()
    assert (response["Content-Disposition"], response["Content-Type"], response["X-Content-Type-Options"]) == (
        'attachment; filename="a _quoted_.pdf"', "application/pdf", "nosniff")
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


# --------------------------------------------------------------------------- the four download routes


@pytest.fixture
def files(amy, cody, org_a1, settings, tmp_path):
    """A contract with its rendered PDF and a ticket with an attachment (client A1)."""
    from contracts import documents
    from contracts.models import ContractDocument
    from tickets.attachments import attachment_add

    settings.MEDIA_ROOT = tmp_path
    contract = cf.active(actor=amy, client=org_a1, policy=cf.sla_policy(org_a1.tenant))
    document = ContractDocument.objects.get(contract=contract, kind="contract", version=1)
    with mock.patch("contracts.documents.render_pdf", return_value=(FAKE_PDF, 1)):
        documents.document_render(document_id=document.pk, tenant_id=contract.tenant_id)
    ticket = tf.open_ticket(actor=cody, contract=contract, now=tf.T0)
    attachment = attachment_add(ticket=ticket, actor=cody, upload=upload("printer\r\n.log", b"E-42\n"))
    return {
        "contract page": f"/contracts/{contract.reference}/documents/contract/1/",
        "contract api": f"/api/v1/contracts/{contract.reference}/documents/contract/1/download/",
        "attachment page": f"/tickets/{ticket.reference}/attachments/{attachment.pk}/",
        "attachment api": f"/api/v1/tickets/{ticket.reference}/attachments/{attachment.pk}/download/",
    }


@pytest.mark.parametrize("route", ["contract page", "contract api", "attachment page", "attachment api"])
def test_it_serves_every_private_file_with_the_same_headers(web, cody, files, route):
    response = web.as_(cody).get(files[route])
    response.close()
    assert (response.status_code, response["X-Content-Type-Options"]) == (200, "nosniff")
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("route", ["attachment page", "attachment api"])
def test_it_strips_control_characters_from_an_attachments_name(web, cody, files, route):
    response = web.as_(cody).get(files[route])
    response.close()
    assert response["Content-Disposition"] == 'attachment; filename="printer.log"'

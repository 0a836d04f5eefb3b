"""tickets.attachments.attachment_add: the size limit, the allow-list checked on the
name and on the first bytes, storage under a random key outside the web root, and
nothing left on disk when a file is refused."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.tickets.api_helpers import PDF, PNG, resolved_ticket, upload
from tests.tickets.factories import MON, at
from tickets.attachments import attachment_add, attachment_path
from tickets.models import Attachment
from tickets.services import ticket_change_status, ticket_reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()]


class LyingUpload:
    """An upload whose declared size is smaller than what it streams."""

    def __init__(self, name: str, parts: list[bytes], size: int):
        self.name, self.parts, self.size = name, parts, size

    def chunks(self):
        yield from self.parts


@pytest.mark.parametrize(("name", "content", "content_type"), [
    ("report.pdf", PDF, "application/pdf"),
    ("screen.png", PNG, "image/png"),
    ("photo.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 16, "image/jpeg"),
    ("anim.gif", b"GIF89a" + b"\x00" * 16, "image/gif"),
    ("server.log", b"2026-05-04 10:00 ERROR spooler\n", "text/plain"),
    ("export.csv", b"a;b\n1;2\n", "text/csv"),
    ("notes.docx", b"PK\x03\x04" + b"\x00" * 16,
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("logs.zip", b"PK\x03\x04" + b"\x00" * 16, "application/zip"),
])
def test_it_accepts_the_allowed_types(cody, ticket, media, name, content, content_type):
    attachment = attachment_add(ticket=ticket, actor=cody, upload=upload(name, content))

    assert (attachment.filename, attachment.content_type, attachment.size) == (name, content_type, len(content))


@pytest.mark.parametrize(("name", "content"), [
    ("setup.exe", b"MZ\x90\x00" + b"\x00" * 16),
    ("script.sh", b"#!/bin/sh\nrm -rf /\n"),
    ("page.html", b"<script>alert(1)</script>"),
    ("no_extension", PDF),
    ("invoice.pdf", b"MZ\x90\x00 not a PDF"),
    ("screen.png", PDF),
    ("notes.txt", b"text with a \x00 byte"),
])
def test_it_refuses_other_types_and_mismatched_content(cody, ticket, media, name, content):
    with pytest.raises(ValidationError) as excinfo:
        attachment_add(ticket=ticket, actor=cody, upload=upload(name, content))

    assert set(excinfo.value.message_dict) == {"file"}
    assert not Attachment.objects.exists()
    assert files(media) == []


def test_it_refuses_a_file_over_the_limit(cody, ticket, media, settings):
    settings.UPLOAD_MAX_BYTES = 1000

    with pytest.raises(ValidationError) as excinfo:
        attachment_add(ticket=ticket, actor=cody, upload=upload("big.pdf", PDF + b"0" * 1000))

    assert set(excinfo.value.message_dict) == {"file"}


def test_it_accepts_a_file_exactly_at_the_limit(cody, ticket, media, settings):
    settings.UPLOAD_MAX_BYTES = 1000

    attachment = attachment_add(ticket=ticket, actor=cody, upload=upload("full.pdf", PDF.ljust(1000, b"0")))

    assert attachment.size == 1000


def test_it_counts_the_bytes_received_not_the_declared_size(cody, ticket, media, settings):
    settings.UPLOAD_MAX_BYTES = 1000

    with pytest.raises(ValidationError):
        attachment_add(ticket=ticket, actor=cody, upload=LyingUpload("big.pdf", [PDF, b"0" * 1000], size=10))

    assert not Attachment.objects.exists()
    assert files(media) == []


def test_it_refuses_an_empty_file(cody, ticket, media):
    with pytest.raises(ValidationError) as excinfo:
        attachment_add(ticket=ticket, actor=cody, upload=upload("empty.pdf", b""))

    assert set(excinfo.value.message_dict) == {"file"}


def test_it_stores_the_file_under_a_random_key_with_its_digest(cody, ticket, media):
    attachment = attachment_add(ticket=ticket, actor=cody, upload=upload("../../etc/report.pdf", PDF))

    assert attachment.filename == "report.pdf"
    assert attachment.storage_key.startswith(f"attachments/{ticket.tenant_id}/{ticket.pk}/")
    assert "report" not in attachment.storage_key
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    assert attachment_path(attachment).read_bytes() == PDF


def test_it_refuses_a_client_of_another_organisation(dora, ticket, media):
    with pytest.raises(PermissionDenied):
        attachment_add(ticket=ticket, actor=dora, upload=upload("report.pdf", PDF))


def test_it_refuses_a_file_on_a_closed_ticket(bob, cody, contract, media):
    ticket = resolved_ticket(client=cody, provider=bob, contract=contract)
    ticket = ticket_change_status(ticket=ticket, actor=cody, status="closed", now=at(MON, 16))

    with pytest.raises(ValidationError) as excinfo:
        attachment_add(ticket=ticket, actor=cody, upload=upload("report.pdf", PDF))

    assert set(excinfo.value.message_dict) == {"file"}


def test_it_refuses_a_message_of_another_ticket(bob, cody, contract, ticket, media):
    from tests.tickets import factories as tf

    other = tf.open_ticket(actor=cody, contract=contract)
    message = ticket_reply(ticket=other, actor=bob, body="Logs attached.", now=at(MON, 11))

    with pytest.raises(ValidationError) as excinfo:
        attachment_add(ticket=ticket, actor=bob, upload=upload("report.pdf", PDF), message=message)

    assert set(excinfo.value.message_dict) == {"message"}

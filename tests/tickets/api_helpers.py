"""Small helpers shared by the ticket API, page and attachment tests: URLs, the error
body, uploaded files, and tickets moved to a given state through the services."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.tickets import factories as tf
from tests.tickets.factories import MON, at
from tickets.services import ticket_change_status

API = "/api/v1/tickets/"
PAGES = "/tickets/"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24


def api_detail(ticket) -> str:
    return f"{API}{ticket.reference}/"


def api_action(ticket, name: str) -> str:
    return f"{API}{ticket.reference}/{name}/"


def page(ticket, suffix: str = "") -> str:
    return f"{PAGES}{ticket.reference}/{suffix}"


def refs(response) -> list[str]:
    return [row["reference"] for row in response.json()["results"]]


def error(response) -> dict:
    return response.json()["error"]


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def body(response) -> bytes:
    """The bytes of a (streaming) file response, the file closed afterwards."""
    try:
        return b"".join(response.streaming_content)
    finally:
        response.close()


def resolved_ticket(*, client, provider, contract, opened=None, resolved=None, **fields):
    """A ticket opened by `client` and resolved by `provider` (Monday 10:00 → 15:00)."""
    ticket = tf.open_ticket(actor=client, contract=contract, now=opened or at(MON, 10), **fields)
    return ticket_change_status(ticket=ticket, actor=provider, status="resolved", now=resolved or at(MON, 15))

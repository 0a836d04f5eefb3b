"""Absolute links to the portal's pages, for what is read outside a request: e-mails
(rendered by the outbox worker) and any other message that leaves the portal.

They start with `settings.SITE_URL`, the address where the portal really runs (set it
in the environment: `SITE_URL=https://portal.example.com`), never with the host of
whichever request happened to cause them."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse


def absolute_url(path: str) -> str:
    """`path` (as `reverse()` gives it, starting with /) on the portal's public address."""
    if not path.startswith("/"):
        raise ValueError(f"an absolute path is expected, not {path!r}")
    return settings.SITE_URL + path


def site_url(viewname: str, *args) -> str:
    """The public address of the page `viewname` with its URL arguments."""
    return absolute_url(reverse(viewname, args=args))

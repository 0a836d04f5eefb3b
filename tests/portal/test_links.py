"""portal.links: absolute links for e-mails start with settings.SITE_URL (where the
portal really runs), whatever host a request came in on."""

from __future__ import annotations

import pytest

from portal.links import absolute_url, site_url


def test_it_builds_a_page_address_on_the_site_url(settings):
    settings.SITE_URL = "https://support.example.org"
    assert site_url("ticket-detail", "TCK-000042") == "https://support.example.org/tickets/TCK-000042/"


def test_it_keeps_the_path_prefix_of_the_site_url(settings):
    settings.SITE_URL = "https://example.org/portal"
    assert absolute_url("/invoices/INV-2026-000001/") == "https://example.org/portal/invoices/INV-2026-000001/"


def test_it_refuses_a_relative_path():
    with pytest.raises(ValueError, match="absolute path"):
        absolute_url("tickets/")

"""contracts.panels: the contract page shows the panels that apps above contracts
register (tickets' preventive plans, later billing's), in order, each only when it has
something to show, without contracts importing those apps."""

from __future__ import annotations

import pytest

from contracts import panels
from contracts.panels import Panel, register_panel

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(monkeypatch, settings, tmp_path):
    """An empty registry, and panel templates in a temporary folder."""
    monkeypatch.setattr(panels, "_PANELS", {})
    (tmp_path / "panels").mkdir()
    for name in ("first", "second"):
        (tmp_path / "panels" / f"{name}.html").write_text(
            f"<section>{name} panel of {{{{ contract.reference }}}} for {{{{ request.membership.role }}}}: "
            "{{ words }}</section>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}]
    return panels


def page(web, user, contract) -> str:
    return web.as_(user).get(f"/contracts/{contract.reference}/").content.decode()


def test_it_shows_the_registered_panels_in_their_order(registry, web, amy, active):
    register_panel("b.second", lambda request, contract: Panel("panels/second.html", {"words": "later"}), order=20)
    register_panel("a.first", lambda request, contract: Panel("panels/first.html", {"words": "sooner"}), order=10)

    body = page(web, amy, active)

    assert body.index("first panel") < body.index("second panel")


def test_it_gives_a_panel_the_contract_and_the_request(registry, web, amy, active):
    register_panel("a.first", lambda request, contract: Panel("panels/first.html", {"words": "hello"}), order=10)

    assert f"first panel of {active.reference} for account_manager: hello" in page(web, amy, active)


def test_it_leaves_out_a_panel_with_nothing_to_show(registry, web, amy, active):
    register_panel("a.first", lambda request, contract: None, order=10)

    assert "first panel" not in page(web, amy, active)


def test_it_keeps_one_panel_per_name_when_registered_twice(registry):
    register_panel("a.first", lambda request, contract: None, order=10)
    register_panel("a.first", lambda request, contract: None, order=30)

    assert registry.registered_panels() == ["a.first"]


def test_it_registers_the_preventive_plans_of_tickets():
    assert "tickets.preventive_plans" in panels.registered_panels()

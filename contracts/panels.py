"""Panels of the contract page that other apps add: the extension point that lets the
contract page show what apps above contracts keep about a contract (preventive plans,
and later the billing plan, the hour bank, the monthly reports) without contracts
importing them.

An app registers a panel in its `AppConfig.ready()`:

    register_panel("tickets.preventive_plans", preventive_plans_panel, order=100)

A panel function takes the request and the contract (already looked up within the
viewer's scope) and returns a `Panel` (a template and its context), or None to show
nothing (a client, a state where the panel has nothing to say). It asks the policy
itself for whatever it shows or offers (`can(...)`), as any page does. The panels are
rendered in `order`, then by name, where the contract page leaves room for them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString


@dataclass(frozen=True)
class Panel:
    template: str
    context: Mapping[str, Any] = field(default_factory=dict)


PanelFunction = Callable[[HttpRequest, Any], Panel | None]


@dataclass(frozen=True)
class _Registered:
    name: str
    function: PanelFunction
    order: int


_PANELS: dict[str, _Registered] = {}


def register_panel(name: str, function: PanelFunction, *, order: int) -> None:
    """Add (or replace: `ready()` may run more than once) the panel `name`."""
    _PANELS[name] = _Registered(name=name, function=function, order=order)


def registered_panels() -> list[str]:
    return [p.name for p in sorted(_PANELS.values(), key=lambda p: (p.order, p.name))]


def contract_panels(request: HttpRequest, contract) -> list[SafeString]:
    """The HTML of every panel that has something to show for `contract`, in order."""
    html = []
    for name in registered_panels():
        panel = _PANELS[name].function(request, contract)
        if panel is not None:
            html.append(render_to_string(panel.template, {"contract": contract, **panel.context}, request=request))
    return html


# ---------------------------------------------------------------------- organisation page

# The same extension for the organisation page: apps above contracts (tickets: the open
# tickets) add what they keep about an organisation. A function takes the request and the
# organisation (looked up within the viewer's scope) and returns a Panel or None.
_ORGANIZATION_PANELS: dict[str, _Registered] = {}


def register_organization_panel(name: str, function: PanelFunction, *, order: int) -> None:
    _ORGANIZATION_PANELS[name] = _Registered(name=name, function=function, order=order)


def registered_organization_panels() -> list[str]:
    return [p.name for p in sorted(_ORGANIZATION_PANELS.values(), key=lambda p: (p.order, p.name))]


def organization_panels(request: HttpRequest, organization) -> list[SafeString]:
    """The HTML of every organisation panel that has something to show, in order."""
    html = []
    for name in registered_organization_panels():
        panel = _ORGANIZATION_PANELS[name].function(request, organization)
        if panel is not None:
            html.append(render_to_string(panel.template, {"org": organization, **panel.context}, request=request))
    return html

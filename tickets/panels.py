"""Notes that apps above tickets add to the ticket page's work-log form: the extension
point that lets whoever logs an intervention see what an app above keeps about the
contract (billing's hour-bank balance) without tickets importing it.

An app registers a note in its `AppConfig.ready()`:

    register_work_note("billing.hour_bank", hour_bank_note, order=100)

A note function takes the request and the ticket (already looked up within the viewer's
scope, and shown only to those the policy lets log work) and returns a
`contracts.panels.Panel` (a template and its context), or None to show nothing. It asks
the policy itself for whatever it reads (`can(...)`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from contracts.panels import Panel

NoteFunction = Callable[[HttpRequest, Any], Panel | None]


@dataclass(frozen=True)
class _Registered:
    name: str
    function: NoteFunction
    order: int


_NOTES: dict[str, _Registered] = {}


def register_work_note(name: str, function: NoteFunction, *, order: int) -> None:
    """Add (or replace: `ready()` may run more than once) the note `name`."""
    _NOTES[name] = _Registered(name=name, function=function, order=order)


def registered_work_notes() -> list[str]:
    return [n.name for n in sorted(_NOTES.values(), key=lambda n: (n.order, n.name))]


def work_notes(request: HttpRequest, ticket) -> list[SafeString]:
    """The HTML of every note that has something to say above the work-log form."""
    html = []
    for name in registered_work_notes():
        note = _NOTES[name].function(request, ticket)
        if note is not None:
            html.append(render_to_string(note.template, {"ticket": ticket, **note.context}, request=request))
    return html

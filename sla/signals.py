"""What the SLA app tells the apps above it, which it does not import (tests/test_layers.py).

`calendar_changed` is sent, inside the transaction of the edit, when a calendar's
schedule changes (a new version is in force from the edit on), with `tenant_id` and
`calendar_id`. A receiver that queues background work must do it on commit. tickets
connects to it to re-evaluate the open tickets whose policy uses the calendar (SLA.md R16).

A signal rather than a direct call because the dependency would otherwise point up the
stack (sla → tickets); STYLE.md keeps signals out of business flow, and this one only
hands over the event: what follows (the re-evaluation) is the receiver's business.
"""

from __future__ import annotations

from django.dispatch import Signal

calendar_changed = Signal()

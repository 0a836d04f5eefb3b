"""Rules on what a person types about a ticket that need the ticket (its calendar's
zone): kept apart from the services so that each rule is stated once and testable."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _

from sla.selectors import calendar_version_at
from tickets.models import Ticket


def ticket_zone(ticket: Ticket, *, now: datetime) -> ZoneInfo:
    """The zone the ticket's people live in: its SLA calendar's (the version in force
    `now`), else the portal's."""
    policy = ticket.sla_policy
    version = calendar_version_at(policy.calendar, now) if policy is not None else None
    return ZoneInfo(version.timezone) if version is not None else timezone.get_current_timezone()


def intervention_date_error(ticket: Ticket, day: date | None, *, now: datetime | None = None) -> str | None:
    """Why `day` cannot be the date of work on `ticket`, or None.

    Work is logged from one year back (a late report, the month closed for billing is
    long past by then) to tomorrow (a technician a few hours ahead of the calendar),
    "today" being the day in the ticket's calendar zone."""
    if day is None:
        return _("Give the date of the work.")
    today = (now or timezone.now()).astimezone(ticket_zone(ticket, now=now or timezone.now())).date()
    if day > today + timedelta(days=1):
        return _("The date of the work cannot be in the future.")
    try:
        year_ago = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        year_ago = today.replace(year=today.year - 1, day=28)
    if day < year_ago:
        return _("The date of the work cannot be more than a year back (%(date)s).") % {"date": year_ago.isoformat()}
    return None

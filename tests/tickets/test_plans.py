"""Preventive plans: the recurrence rule a person types is checked before any
occurrence is computed (issue 8: hostile input)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from tickets.models import PreventivePlan
from tickets.plans import plan_create

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("rule", ["FREQ=SECONDLY", "FREQ=MINUTELY;INTERVAL=5", "freq=hourly", "FREQ=DAILY;BYHOUR=1,2"])
def test_it_refuses_a_rule_that_recurs_more_than_daily_naming_the_field(amy, contract, rule):
    # FREQ=SECONDLY over the two years checked would be 69 million dates: refused first.
    with pytest.raises(ValidationError) as info:
        plan_create(contract=contract, actor=amy, title="Checks", rrule=rule, start_date=date(2026, 5, 4))

    assert list(info.value.message_dict) == ["rrule"]
    assert not PreventivePlan.objects.exists()


def test_it_accepts_a_daily_rule(amy, contract):
    plan = plan_create(contract=contract, actor=amy, title="Backups", rrule="FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR",
                       start_date=date(2026, 5, 4))

    assert plan.rrule == "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR"

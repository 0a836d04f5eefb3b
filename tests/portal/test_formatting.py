"""Human words (portal.formatting and the `human` template filters): amounts with their
currency per language (Babel), SLA targets in business time, RRULEs as sentences, one
date format per language."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from portal import formatting

NNBSP, NBSP = "\u202f", "\u00a0"


@pytest.fixture
def fr():
    with translation.override("fr"):
        yield


@pytest.fixture
def en():
    with translation.override("en"):
        yield


def test_money_in_french_groups_thousands_and_puts_the_euro_after(fr):
    assert formatting.money(Decimal("1450")) == f"1{NNBSP}450,00{NBSP}€"


def test_money_in_english_puts_the_euro_before(en):
    assert formatting.money(Decimal("1450")) == "€1,450.00"


def test_money_groups_the_totals_card_amount(fr):
    assert formatting.money("1608.00") == f"1{NNBSP}608,00{NBSP}€"


def test_money_names_another_currency(en):
    assert formatting.money(Decimal("12.5"), "USD") == "US$12.50"


def test_money_of_nothing_is_a_dash(fr):
    assert formatting.money(None) == "—"


def test_money_filter_is_the_same_function(fr):
    assert Template("{% load human %}{{ v|money:'EUR' }}").render(Context({"v": Decimal("1450")})) == \
        f"1{NNBSP}450,00{NBSP}€"


def test_sla_target_in_business_hours_not_minutes(en):
    assert formatting.business_duration(1680) == "28 business hours"


def test_sla_target_in_french_business_hours(fr):
    assert formatting.business_duration(1680) == "28 heures ouvrées"


def test_sla_target_of_whole_working_days_in_business_days(fr):
    assert formatting.business_duration(1440, day_minutes=480) == "3 jours ouvrés"


def test_sla_target_below_an_hour_in_minutes(en):
    assert formatting.business_duration(45) == "45 business minutes"


def test_sla_target_with_minutes_keeps_them(en):
    assert formatting.business_duration(90) == "1 h 30 business"


@pytest.mark.parametrize(("rule", "words"), [
    ("FREQ=MONTHLY;BYDAY=1MO", "first Monday of every month"),
    ("FREQ=MONTHLY;BYDAY=-1FR", "last Friday of every month"),
    ("FREQ=WEEKLY;BYDAY=MO,TH", "every Monday and Thursday"),
    ("FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=15", "day 15 of every 3 months"),
    ("FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=1", "every year on 1 March"),
    ("FREQ=DAILY;COUNT=5", "every day, 5 times"),
])
def test_recurrence_in_english_words(en, rule, words):
    assert formatting.recurrence_words(rule) == words


@pytest.mark.parametrize(("rule", "words"), [
    ("FREQ=MONTHLY;BYDAY=1MO", "premier lundi de chaque mois"),
    ("FREQ=WEEKLY;BYDAY=TU", "chaque mardi"),
])
def test_recurrence_in_french_words(fr, rule, words):
    assert formatting.recurrence_words(rule) == words


def test_a_recurrence_it_cannot_say_is_shown_as_written(en):
    assert formatting.recurrence_words("FREQ=MONTHLY;BYSETPOS=-1;BYDAY=MO,TU") == "FREQ=MONTHLY;BYSETPOS=-1;BYDAY=MO,TU"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_one_date_format_per_language(language):
    with translation.override(language):
        rendered = Template('{{ d|date:"SHORT_DATE_FORMAT" }} {{ t|date:"SHORT_DATETIME_FORMAT" }}').render(
            Context({"d": date(2027, 2, 2), "t": datetime(2027, 2, 2, 14, 5)}))
    assert rendered == "02/02/2027 02/02/2027 14:05"

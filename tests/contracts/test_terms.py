"""Tests for contracts.terms (pure Python, no Django needed).

Expected dates are written by hand from the rules; the ``naive_*`` helpers below
re-derive them independently (month lengths by trial, anniversaries enumerated
one by one) and are used both as a cross-check of the tables and as the oracle
of the property tests.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts import terms as terms_module
from contracts.terms import ContractTerms, Term, add_months

D = date
ONE_DAY = timedelta(days=1)


# --------------------------------------------------------------------------- naive oracle


def naive_add_months(d, n):
    """Step the (year, month) pair one month at a time, then find the day by trial."""
    year, month = d.year, d.month
    step = 1 if n >= 0 else -1
    for _ in range(abs(n)):
        month += step
        if month == 13:
            year, month = year + 1, 1
        elif month == 0:
            year, month = year - 1, 12
    return naive_day_in(year, month, d.day)


def naive_day_in(year, month, day):
    """``date(year, month, day)``, stepping the day back until it exists."""
    while True:
        try:
            return date(year, month, day)
        except ValueError:
            day -= 1


def naive_anniversaries(t):
    """Anniversaries 1, 2, ... enumerated one by one, walking the calendar month by month from the start."""
    step = t.renewal_months or t.initial_months
    year, month, elapsed, due = t.start.year, t.start.month, 0, t.initial_months
    while True:
        month += 1
        if month == 13:
            year, month = year + 1, 1
        elapsed += 1
        if elapsed == due:
            yield naive_day_in(year, month, t.start.day)
            due += step


def naive_term_on(t, day):
    """(index, first, last) of the term in force on day, by walking the anniversaries."""
    if day < t.start:
        return None
    if t.initial_months is None:
        return (1, t.start, None)
    first = t.start
    for k, anniversary in enumerate(naive_anniversaries(t), start=1):
        if day < anniversary:
            if k > 1 and t.renewal != "tacit":
                return None
            return (k, first, anniversary - ONE_DAY)
        first = anniversary


def naive_deadline_of(t, anniversary):
    return naive_add_months(anniversary, -t.notice_months) - timedelta(days=t.notice_days)


def naive_last_day_if_notice(t, day):
    if t.initial_months is None:
        return max(day, naive_add_months(day, t.notice_months) + timedelta(days=t.notice_days) - ONE_DAY)
    if t.renewal != "tacit":
        return naive_add_months(t.start, t.initial_months) - ONE_DAY
    k, _, last = naive_term_on(t, day)
    anniversaries = naive_anniversaries(t)
    for _ in range(k - 1):
        next(anniversaries)
    ends_term_k = next(anniversaries)
    if day <= naive_deadline_of(t, ends_term_k):
        return last
    return next(anniversaries) - ONE_DAY


# --------------------------------------------------------------------------- fixtures

SCHEME_36_12 = ContractTerms(
    start=D(2026, 1, 1), initial_months=36, renewal_months=12, renewal="tacit", notice_months=3, notice_days=0
)
MONTHLY_FROM_31_JAN = ContractTerms(start=D(2026, 1, 31), initial_months=1, notice_months=1)
YEARLY_FROM_29_FEB = ContractTerms(start=D(2028, 2, 29), initial_months=12, notice_months=1)
YEARLY_MONTHS_AND_DAYS = ContractTerms(
    start=D(2026, 1, 1), initial_months=12, notice_months=2, notice_days=10
)
EXPRESS_24 = ContractTerms(start=D(2026, 1, 1), initial_months=24, renewal="express", notice_months=3)
NONE_12_FROM_31_JAN = ContractTerms(start=D(2026, 1, 31), initial_months=12, renewal="none")
INDEFINITE_1M = ContractTerms(start=D(2026, 1, 1), initial_months=None, notice_months=1)
INDEFINITE_1M_10D = ContractTerms(start=D(2026, 1, 1), initial_months=None, notice_months=1, notice_days=10)
INDEFINITE_30D = ContractTerms(start=D(2026, 1, 1), initial_months=None, notice_days=30)
INDEFINITE_NO_NOTICE = ContractTerms(start=D(2026, 1, 1), initial_months=None)
MONTHLY_3M_NOTICE = ContractTerms(start=D(2026, 1, 1), initial_months=1, notice_months=3)


# --------------------------------------------------------------------------- add_months


@pytest.mark.parametrize(
    ("d", "n", "expected"),
    [
        (D(2026, 1, 15), 1, D(2026, 2, 15)),
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2028, 1, 31), 1, D(2028, 2, 29)),
        (D(2026, 5, 31), 1, D(2026, 6, 30)),
        (D(2026, 11, 30), 3, D(2027, 2, 28)),
        (D(2028, 2, 29), 12, D(2029, 2, 28)),
        (D(2028, 2, 29), 48, D(2032, 2, 29)),
        (D(2026, 12, 31), 0, D(2026, 12, 31)),
        (D(2026, 12, 15), 1, D(2027, 1, 15)),
        (D(2026, 3, 31), -1, D(2026, 2, 28)),
        (D(2026, 1, 15), -13, D(2024, 12, 15)),
        (D(2029, 2, 28), -12, D(2028, 2, 28)),
        (D(2026, 1, 1), 600, D(2076, 1, 1)),
    ],
)
def test_it_adds_months_keeping_the_day_clamped_to_the_month_end(d, n, expected):
    assert add_months(d, n) == expected
    assert naive_add_months(d, n) == expected


@pytest.mark.parametrize(
    ("d", "n"),
    [
        (datetime(2026, 1, 1, 12, 0), 1),
        ("2026-01-01", 1),
        (D(2026, 1, 1), 1.0),
        (D(2026, 1, 1), True),
        (D(9999, 12, 1), 1),
        (D(1, 1, 1), -1),
    ],
)
def test_it_refuses_bad_add_months_arguments(d, n):
    with pytest.raises(ValueError):
        add_months(d, n)


# --------------------------------------------------------------------------- anniversaries


@pytest.mark.parametrize(
    ("terms", "k", "expected"),
    [
        # 36 + 12 scheme: initial 36 months, then yearly.
        (SCHEME_36_12, 1, D(2029, 1, 1)),
        (SCHEME_36_12, 2, D(2030, 1, 1)),
        (SCHEME_36_12, 5, D(2033, 1, 1)),
        # Monthly from 31 Jan: counted from the original start, so no drift to the 28th.
        (MONTHLY_FROM_31_JAN, 1, D(2026, 2, 28)),
        (MONTHLY_FROM_31_JAN, 2, D(2026, 3, 31)),
        (MONTHLY_FROM_31_JAN, 3, D(2026, 4, 30)),
        (MONTHLY_FROM_31_JAN, 12, D(2027, 1, 31)),
        (MONTHLY_FROM_31_JAN, 25, D(2028, 2, 29)),
        # Yearly from 29 Feb of a leap year.
        (YEARLY_FROM_29_FEB, 1, D(2029, 2, 28)),
        (YEARLY_FROM_29_FEB, 2, D(2030, 2, 28)),
        (YEARLY_FROM_29_FEB, 3, D(2031, 2, 28)),
        (YEARLY_FROM_29_FEB, 4, D(2032, 2, 29)),
        (YEARLY_FROM_29_FEB, 100, D(2128, 2, 29)),
        (NONE_12_FROM_31_JAN, 1, D(2027, 1, 31)),
    ],
)
def test_it_counts_anniversaries_from_the_original_start(terms, k, expected):
    assert terms.anniversary(k) == expected
    naive = naive_anniversaries(terms)
    assert [next(naive) for _ in range(k)][-1] == expected


@pytest.mark.parametrize(
    ("terms", "k"),
    [(SCHEME_36_12, 0), (SCHEME_36_12, -1), (SCHEME_36_12, 1.0), (INDEFINITE_1M, 1)],
)
def test_it_refuses_impossible_anniversaries(terms, k):
    with pytest.raises(ValueError):
        terms.anniversary(k)


# --------------------------------------------------------------------------- term_on


@pytest.mark.parametrize(
    ("terms", "day", "expected"),
    [
        (SCHEME_36_12, D(2026, 1, 1), (D(2026, 1, 1), D(2028, 12, 31))),
        (SCHEME_36_12, D(2028, 12, 31), (D(2026, 1, 1), D(2028, 12, 31))),
        (SCHEME_36_12, D(2029, 1, 1), (D(2029, 1, 1), D(2029, 12, 31))),
        (SCHEME_36_12, D(2035, 6, 15), (D(2035, 1, 1), D(2035, 12, 31))),
        (SCHEME_36_12, D(2076, 2, 29), (D(2076, 1, 1), D(2076, 12, 31))),
        (MONTHLY_FROM_31_JAN, D(2026, 1, 31), (D(2026, 1, 31), D(2026, 2, 27))),
        (MONTHLY_FROM_31_JAN, D(2026, 2, 27), (D(2026, 1, 31), D(2026, 2, 27))),
        (MONTHLY_FROM_31_JAN, D(2026, 2, 28), (D(2026, 2, 28), D(2026, 3, 30))),
        (MONTHLY_FROM_31_JAN, D(2026, 3, 31), (D(2026, 3, 31), D(2026, 4, 29))),
        (MONTHLY_FROM_31_JAN, D(2027, 1, 31), (D(2027, 1, 31), D(2027, 2, 27))),
        (MONTHLY_FROM_31_JAN, D(2028, 2, 28), (D(2028, 1, 31), D(2028, 2, 28))),
        (MONTHLY_FROM_31_JAN, D(2028, 2, 29), (D(2028, 2, 29), D(2028, 3, 30))),
        (YEARLY_FROM_29_FEB, D(2029, 2, 27), (D(2028, 2, 29), D(2029, 2, 27))),
        (YEARLY_FROM_29_FEB, D(2029, 2, 28), (D(2029, 2, 28), D(2030, 2, 27))),
        (YEARLY_FROM_29_FEB, D(2032, 2, 28), (D(2031, 2, 28), D(2032, 2, 28))),
        (YEARLY_FROM_29_FEB, D(2032, 2, 29), (D(2032, 2, 29), D(2033, 2, 27))),
        (EXPRESS_24, D(2027, 12, 31), (D(2026, 1, 1), D(2027, 12, 31))),
        (NONE_12_FROM_31_JAN, D(2027, 1, 30), (D(2026, 1, 31), D(2027, 1, 30))),
        (INDEFINITE_1M, D(2026, 1, 1), (D(2026, 1, 1), None)),
        (INDEFINITE_1M, D(2076, 7, 1), (D(2026, 1, 1), None)),
    ],
)
def test_it_finds_the_term_in_force(terms, day, expected):
    assert terms.term_on(day) == expected
    assert naive_term_on(terms, day)[1:] == expected


@pytest.mark.parametrize(
    ("terms", "day"),
    [
        (SCHEME_36_12, D(2025, 12, 31)),
        (MONTHLY_FROM_31_JAN, D(2026, 1, 30)),
        (INDEFINITE_1M, D(2025, 12, 31)),
        (EXPRESS_24, D(2025, 1, 1)),
    ],
)
def test_it_has_no_term_before_the_start(terms, day):
    assert terms.term_on(day) is None
    assert terms.term_index_on(day) is None
    assert terms.notice_deadline(day) is None


@pytest.mark.parametrize(
    ("terms", "day"),
    [
        (EXPRESS_24, D(2028, 1, 1)),
        (EXPRESS_24, D(2040, 6, 1)),
        (NONE_12_FROM_31_JAN, D(2027, 1, 31)),
    ],
)
def test_it_has_no_term_after_a_non_renewing_contract_ended(terms, day):
    assert terms.term_on(day) is None
    assert terms.term_index_on(day) is None


@pytest.mark.parametrize(
    ("terms", "day", "expected"),
    [
        (SCHEME_36_12, D(2026, 1, 1), 1),
        (SCHEME_36_12, D(2028, 12, 31), 1),
        (SCHEME_36_12, D(2029, 1, 1), 2),
        (SCHEME_36_12, D(2035, 6, 15), 8),
        (MONTHLY_FROM_31_JAN, D(2026, 2, 28), 2),
        (MONTHLY_FROM_31_JAN, D(2027, 1, 31), 13),
        (YEARLY_FROM_29_FEB, D(2032, 2, 28), 4),
        (YEARLY_FROM_29_FEB, D(2032, 2, 29), 5),
        (EXPRESS_24, D(2027, 12, 31), 1),
        (INDEFINITE_1M, D(2050, 1, 1), 1),
    ],
)
def test_it_numbers_terms_from_one(terms, day, expected):
    assert terms.term_index_on(day) == expected
    assert naive_term_on(terms, day)[0] == expected


@pytest.mark.parametrize(
    ("terms", "k", "expected"),
    [
        (SCHEME_36_12, 1, (D(2026, 1, 1), D(2028, 12, 31))),
        (SCHEME_36_12, 3, (D(2030, 1, 1), D(2030, 12, 31))),
        (MONTHLY_FROM_31_JAN, 2, (D(2026, 2, 28), D(2026, 3, 30))),
        (EXPRESS_24, 1, (D(2026, 1, 1), D(2027, 12, 31))),
        (INDEFINITE_1M, 1, (D(2026, 1, 1), None)),
    ],
)
def test_it_gives_term_k(terms, k, expected):
    assert terms.term(k) == expected


@pytest.mark.parametrize(
    ("terms", "k"),
    [(SCHEME_36_12, 0), (EXPRESS_24, 2), (NONE_12_FROM_31_JAN, 2), (INDEFINITE_1M, 2), (SCHEME_36_12, "1")],
)
def test_it_refuses_terms_that_never_exist(terms, k):
    with pytest.raises(ValueError):
        terms.term(k)


def test_it_returns_terms_as_named_tuples():
    term = SCHEME_36_12.term_on(D(2029, 3, 1))
    assert isinstance(term, Term)
    assert (term.first_day, term.last_day) == (D(2029, 1, 1), D(2029, 12, 31))
    assert term.covers(D(2029, 12, 31))
    assert not term.covers(D(2030, 1, 1))


@pytest.mark.parametrize(
    ("terms", "day", "expected_term"),
    [
        (MONTHLY_FROM_31_JAN, D(2076, 3, 15), (D(2076, 2, 29), D(2076, 3, 30))),
        (
            ContractTerms(start=D(2026, 1, 31), initial_months=1, notice_months=120, notice_days=45),
            D(2076, 3, 15),
            (D(2076, 2, 29), D(2076, 3, 30)),
        ),
        (SCHEME_36_12, D(2076, 3, 15), (D(2076, 1, 1), D(2076, 12, 31))),
    ],
)
def test_it_answers_fifty_years_out_without_walking_every_term(monkeypatch, terms, day, expected_term):
    calls = []

    def counting_add_months(d, n):
        calls.append(n)
        return add_months(d, n)

    monkeypatch.setattr(terms_module, "add_months", counting_add_months)
    assert terms.term_on(day) == expected_term
    terms.notice_deadline(day)
    terms.next_notice_deadline(day)
    terms.last_day_if_notice(day)
    assert len(calls) < 20


# --------------------------------------------------------------------------- iteration


@pytest.mark.parametrize(
    ("terms", "expected"),
    [
        (
            SCHEME_36_12,
            [
                (D(2026, 1, 1), D(2028, 12, 31)),
                (D(2029, 1, 1), D(2029, 12, 31)),
                (D(2030, 1, 1), D(2030, 12, 31)),
            ],
        ),
        (
            MONTHLY_FROM_31_JAN,
            [
                (D(2026, 1, 31), D(2026, 2, 27)),
                (D(2026, 2, 28), D(2026, 3, 30)),
                (D(2026, 3, 31), D(2026, 4, 29)),
            ],
        ),
        (EXPRESS_24, [(D(2026, 1, 1), D(2027, 12, 31))]),
        (INDEFINITE_1M, [(D(2026, 1, 1), None)]),
    ],
)
def test_it_iterates_terms_from_the_start(terms, expected):
    iterator = terms.terms()
    assert [term for _, term in zip(range(3), iterator, strict=False)] == expected


@pytest.mark.parametrize(
    ("terms", "a", "b", "expected"),
    [
        (
            SCHEME_36_12,
            D(2028, 12, 31),
            D(2029, 1, 1),
            [(D(2026, 1, 1), D(2028, 12, 31)), (D(2029, 1, 1), D(2029, 12, 31))],
        ),
        (SCHEME_36_12, D(2040, 3, 1), D(2040, 4, 1), [(D(2040, 1, 1), D(2040, 12, 31))]),
        (SCHEME_36_12, D(2020, 1, 1), D(2026, 1, 1), [(D(2026, 1, 1), D(2028, 12, 31))]),
        (SCHEME_36_12, D(2020, 1, 1), D(2025, 12, 31), []),
        (EXPRESS_24, D(2027, 6, 1), D(2030, 1, 1), [(D(2026, 1, 1), D(2027, 12, 31))]),
        (EXPRESS_24, D(2028, 1, 1), D(2030, 1, 1), []),
        (INDEFINITE_1M, D(2020, 1, 1), D(2030, 1, 1), [(D(2026, 1, 1), None)]),
    ],
)
def test_it_lists_terms_overlapping_a_period(terms, a, b, expected):
    assert terms.terms_between(a, b) == expected


def test_it_lists_as_many_terms_as_a_naive_walk():
    a, b = D(2026, 2, 10), D(2030, 7, 3)
    walked = []
    day = a
    while day <= b:
        term = naive_term_on(MONTHLY_FROM_31_JAN, day)[1:]
        if not walked or walked[-1] != term:
            walked.append(term)
        day += ONE_DAY
    assert MONTHLY_FROM_31_JAN.terms_between(a, b) == walked


# --------------------------------------------------------------------------- notice


@pytest.mark.parametrize(
    ("terms", "day", "expected"),
    [
        (SCHEME_36_12, D(2026, 6, 1), D(2028, 10, 1)),
        (SCHEME_36_12, D(2028, 12, 31), D(2028, 10, 1)),
        (SCHEME_36_12, D(2029, 5, 5), D(2029, 10, 1)),
        (YEARLY_MONTHS_AND_DAYS, D(2026, 3, 1), D(2026, 10, 22)),
        (YEARLY_MONTHS_AND_DAYS, D(2027, 3, 1), D(2027, 10, 22)),
        # Anniversary 28 Feb 2026 minus one month is 28 Jan, before the start.
        (MONTHLY_FROM_31_JAN, D(2026, 1, 31), D(2026, 1, 28)),
        (MONTHLY_FROM_31_JAN, D(2026, 3, 1), D(2026, 2, 28)),
        (YEARLY_FROM_29_FEB, D(2028, 6, 1), D(2029, 1, 28)),
        (YEARLY_FROM_29_FEB, D(2031, 6, 1), D(2032, 1, 29)),
    ],
)
def test_it_computes_the_notice_deadline_from_the_anniversary(terms, day, expected):
    assert terms.notice_deadline(day) == expected
    k = naive_term_on(terms, day)[0]
    anniversaries = naive_anniversaries(terms)
    assert naive_deadline_of(terms, [next(anniversaries) for _ in range(k)][-1]) == expected


@pytest.mark.parametrize(
    ("terms", "day"),
    [
        (EXPRESS_24, D(2026, 6, 1)),
        (NONE_12_FROM_31_JAN, D(2026, 6, 1)),
        (INDEFINITE_1M, D(2026, 6, 1)),
        (SCHEME_36_12, D(2025, 12, 31)),
    ],
)
def test_it_has_no_notice_deadline_without_tacit_renewal_in_force(terms, day):
    assert terms.notice_deadline(day) is None


@pytest.mark.parametrize(
    ("terms", "day", "expected"),
    [
        # 36+12, deadline of the initial term 1 Oct 2028.
        (SCHEME_36_12, D(2028, 9, 30), D(2028, 12, 31)),
        (SCHEME_36_12, D(2028, 10, 1), D(2028, 12, 31)),
        (SCHEME_36_12, D(2028, 10, 2), D(2029, 12, 31)),
        # 36+12, deadline of the first renewal 1 Oct 2029.
        (SCHEME_36_12, D(2029, 9, 30), D(2029, 12, 31)),
        (SCHEME_36_12, D(2029, 10, 1), D(2029, 12, 31)),
        (SCHEME_36_12, D(2029, 10, 2), D(2030, 12, 31)),
        (SCHEME_36_12, D(2026, 1, 1), D(2028, 12, 31)),
        # 2 months + 10 days before 1 Jan 2027: 22 Oct 2026.
        (YEARLY_MONTHS_AND_DAYS, D(2026, 10, 21), D(2026, 12, 31)),
        (YEARLY_MONTHS_AND_DAYS, D(2026, 10, 22), D(2026, 12, 31)),
        (YEARLY_MONTHS_AND_DAYS, D(2026, 10, 23), D(2027, 12, 31)),
        # Leap years: anniversary 28 Feb 2029 -> deadline 28 Jan; 29 Feb 2032 -> 29 Jan.
        (YEARLY_FROM_29_FEB, D(2029, 1, 27), D(2029, 2, 27)),
        (YEARLY_FROM_29_FEB, D(2029, 1, 28), D(2029, 2, 27)),
        (YEARLY_FROM_29_FEB, D(2029, 1, 29), D(2030, 2, 27)),
        (YEARLY_FROM_29_FEB, D(2032, 1, 28), D(2032, 2, 28)),
        (YEARLY_FROM_29_FEB, D(2032, 1, 29), D(2032, 2, 28)),
        (YEARLY_FROM_29_FEB, D(2032, 1, 30), D(2033, 2, 27)),
        # Monthly from 31 Jan: term 2 (28 Feb - 30 Mar) has deadline 28 Feb.
        (MONTHLY_FROM_31_JAN, D(2026, 1, 31), D(2026, 3, 30)),
        (MONTHLY_FROM_31_JAN, D(2026, 2, 28), D(2026, 3, 30)),
        (MONTHLY_FROM_31_JAN, D(2026, 3, 1), D(2026, 4, 29)),
    ],
)
def test_it_ends_a_tacit_contract_at_this_or_the_following_term(terms, day, expected):
    assert terms.last_day_if_notice(day) == expected
    assert naive_last_day_if_notice(terms, day) == expected


@pytest.mark.parametrize(
    ("terms", "day", "expected"),
    [
        (EXPRESS_24, D(2026, 1, 1), D(2027, 12, 31)),
        (EXPRESS_24, D(2027, 9, 30), D(2027, 12, 31)),
        (EXPRESS_24, D(2027, 10, 2), D(2027, 12, 31)),
        (EXPRESS_24, D(2027, 12, 31), D(2027, 12, 31)),
        (NONE_12_FROM_31_JAN, D(2026, 1, 31), D(2027, 1, 30)),
        (NONE_12_FROM_31_JAN, D(2027, 1, 30), D(2027, 1, 30)),
    ],
)
def test_it_ends_a_non_renewing_contract_at_the_initial_term_whatever_the_notice_date(terms, day, expected):
    assert terms.last_day_if_notice(day) == expected


@pytest.mark.parametrize(
    ("terms", "day", "expected"),
    [
        (INDEFINITE_1M, D(2026, 1, 1), D(2026, 1, 31)),
        (INDEFINITE_1M, D(2026, 3, 15), D(2026, 4, 14)),
        (INDEFINITE_1M, D(2026, 1, 31), D(2026, 2, 27)),
        (INDEFINITE_1M, D(2028, 1, 31), D(2028, 2, 28)),
        (INDEFINITE_1M_10D, D(2026, 3, 15), D(2026, 4, 24)),
        (INDEFINITE_30D, D(2026, 3, 15), D(2026, 4, 13)),
        (INDEFINITE_NO_NOTICE, D(2026, 3, 15), D(2026, 3, 15)),
    ],
)
def test_it_ends_an_indefinite_contract_after_the_notice_period(terms, day, expected):
    assert terms.last_day_if_notice(day) == expected
    assert naive_last_day_if_notice(terms, day) == expected


@pytest.mark.parametrize(
    ("terms", "day", "match"),
    [
        (SCHEME_36_12, D(2025, 12, 31), "notice date before the start"),
        (INDEFINITE_1M, D(2025, 12, 31), "notice date before the start"),
        (EXPRESS_24, D(2025, 12, 31), "notice date before the start"),
        (EXPRESS_24, D(2028, 1, 1), "notice date after the contract ended"),
        (NONE_12_FROM_31_JAN, D(2027, 1, 31), "notice date after the contract ended"),
        (SCHEME_36_12, datetime(2027, 1, 1, 9, 0), "day must be a datetime.date"),
    ],
)
def test_it_refuses_impossible_notices(terms, day, match):
    with pytest.raises(ValueError, match=match):
        terms.last_day_if_notice(day)


@pytest.mark.parametrize(
    ("terms", "day", "expected"),
    [
        (SCHEME_36_12, D(2020, 1, 1), D(2028, 10, 1)),
        (SCHEME_36_12, D(2026, 6, 1), D(2028, 10, 1)),
        (SCHEME_36_12, D(2028, 10, 1), D(2028, 10, 1)),
        (SCHEME_36_12, D(2028, 10, 2), D(2029, 10, 1)),
        (SCHEME_36_12, D(2029, 1, 1), D(2029, 10, 1)),
        (YEARLY_MONTHS_AND_DAYS, D(2026, 10, 23), D(2027, 10, 22)),
        (MONTHLY_FROM_31_JAN, D(2026, 1, 31), D(2026, 2, 28)),
        # Notice (3 months) longer than the term (1 month): first deadline not yet passed.
        (MONTHLY_3M_NOTICE, D(2026, 1, 10), D(2026, 2, 1)),
        (MONTHLY_3M_NOTICE, D(2026, 2, 1), D(2026, 2, 1)),
        (MONTHLY_3M_NOTICE, D(2026, 2, 2), D(2026, 3, 1)),
    ],
)
def test_it_finds_the_next_notice_deadline_for_reminders(terms, day, expected):
    assert terms.next_notice_deadline(day) == expected


@pytest.mark.parametrize("terms", [EXPRESS_24, NONE_12_FROM_31_JAN, INDEFINITE_1M])
def test_it_has_no_next_notice_deadline_without_tacit_renewal(terms):
    assert terms.next_notice_deadline(D(2026, 6, 1)) is None


# --------------------------------------------------------------------------- end date, describe


@pytest.mark.parametrize(
    ("terms", "expected"),
    [
        (EXPRESS_24, D(2027, 12, 31)),
        (NONE_12_FROM_31_JAN, D(2027, 1, 30)),
        (SCHEME_36_12, None),
        (INDEFINITE_1M, None),
    ],
)
def test_it_gives_an_end_date_only_to_non_renewing_contracts(terms, expected):
    assert terms.end_date == expected


@pytest.mark.parametrize(
    ("terms", "expected"),
    [
        (
            SCHEME_36_12,
            {
                "start": D(2026, 1, 1),
                "indefinite": False,
                "initial_months": 36,
                "renewal": "tacit",
                "renewal_months": 12,
                "notice_months": 3,
                "notice_days": 0,
                "end_date": None,
            },
        ),
        (
            YEARLY_FROM_29_FEB,
            {
                "start": D(2028, 2, 29),
                "indefinite": False,
                "initial_months": 12,
                "renewal": "tacit",
                "renewal_months": 12,
                "notice_months": 1,
                "notice_days": 0,
                "end_date": None,
            },
        ),
        (
            NONE_12_FROM_31_JAN,
            {
                "start": D(2026, 1, 31),
                "indefinite": False,
                "initial_months": 12,
                "renewal": "none",
                "renewal_months": None,
                "notice_months": 0,
                "notice_days": 0,
                "end_date": D(2027, 1, 30),
            },
        ),
        (
            INDEFINITE_1M_10D,
            {
                "start": D(2026, 1, 1),
                "indefinite": True,
                "initial_months": None,
                "renewal": "tacit",
                "renewal_months": None,
                "notice_months": 1,
                "notice_days": 10,
                "end_date": None,
            },
        ),
    ],
)
def test_it_describes_its_clauses(terms, expected):
    assert terms.describe() == expected


def test_it_is_immutable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        SCHEME_36_12.notice_months = 6


def test_it_keeps_renewal_months_defaulting_after_replace():
    longer = dataclasses.replace(YEARLY_FROM_29_FEB, initial_months=24)
    assert longer.renewal_months is None
    assert longer.anniversary(2) == D(2032, 2, 29)


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"initial_months": 0}, "initial_months must be positive"),
        ({"initial_months": -12}, "initial_months must be positive"),
        ({"initial_months": "12"}, "initial_months must be an int"),
        ({"initial_months": True}, "initial_months must be an int"),
        ({"initial_months": 12.0}, "initial_months must be an int"),
        ({"renewal_months": 0}, "renewal_months must be positive"),
        ({"renewal_months": -1}, "renewal_months must be positive"),
        ({"renewal_months": 1.5}, "renewal_months must be an int"),
        (
            {"initial_months": None, "renewal_months": 12},
            "renewal_months must be None for an indefinite term",
        ),
        ({"renewal": "automatic"}, "renewal must be one of"),
        ({"renewal": "Tacit"}, "renewal must be one of"),
        ({"renewal": None}, "renewal must be one of"),
        ({"notice_months": -1}, "notice_months must not be negative"),
        ({"notice_months": None}, "notice_months must be an int"),
        ({"notice_days": -1}, "notice_days must not be negative"),
        ({"notice_days": 0.5}, "notice_days must be an int"),
        ({"start": datetime(2026, 1, 1)}, "start must be a datetime.date"),
        ({"start": "2026-01-01"}, "start must be a datetime.date"),
        ({"start": None}, "start must be a datetime.date"),
    ],
)
def test_it_refuses_invalid_terms(changes, match):
    kwargs = {
        "start": D(2026, 1, 1),
        "initial_months": 12,
        "renewal_months": None,
        "renewal": "tacit",
        "notice_months": 3,
        "notice_days": 0,
    }
    kwargs.update(changes)
    with pytest.raises(ValueError, match=match):
        ContractTerms(**kwargs)


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.term_on(datetime(2027, 1, 1)),
        lambda t: t.term_index_on("2027-01-01"),
        lambda t: t.notice_deadline(datetime(2027, 1, 1)),
        lambda t: t.next_notice_deadline(None),
        lambda t: t.terms_between(D(2027, 1, 1), datetime(2028, 1, 1)),
        lambda t: t.terms_between(D(2028, 1, 1), D(2027, 1, 1)),
    ],
)
def test_it_refuses_bad_query_arguments(call):
    with pytest.raises(ValueError):
        call(SCHEME_36_12)


def test_it_raises_a_type_error_too_for_wrong_types():
    with pytest.raises(TypeError):
        ContractTerms(start="2026-01-01", initial_months=12)


# --------------------------------------------------------------------------- properties

month_end_biased_days = st.one_of(st.integers(1, 28), st.integers(28, 31))


@st.composite
def contract_terms(draw):
    year = draw(st.integers(1990, 2100))
    month = draw(st.integers(1, 12))
    day = draw(month_end_biased_days)
    while True:
        try:
            start = date(year, month, day)
            break
        except ValueError:
            day -= 1
    indefinite = draw(st.sampled_from([True, False, False, False]))
    initial = None if indefinite else draw(st.integers(1, 60))
    renewal_months = None if indefinite else draw(st.none() | st.integers(1, 36))
    return ContractTerms(
        start=start,
        initial_months=initial,
        renewal_months=renewal_months,
        renewal=draw(st.sampled_from(["tacit", "tacit", "express", "none"])),
        notice_months=draw(st.integers(0, 24)),
        notice_days=draw(st.integers(0, 90)),
    )


@settings(max_examples=300, deadline=None)
@given(contract_terms(), st.integers(0, 50 * 366))
def test_it_returns_contiguous_non_overlapping_terms(terms, offset):
    day = terms.start + timedelta(days=offset)
    term = terms.term_on(day)
    if term is None or term.last_day is None:
        assert term is None or term == (terms.start, None)
        return
    k = terms.term_index_on(day)
    following = terms.term_on(term.last_day + ONE_DAY)
    if terms.renewal == "tacit":
        assert following is not None
        assert following.first_day == term.last_day + ONE_DAY
        assert terms.term_index_on(following.first_day) == k + 1
    else:
        assert following is None
    if term.first_day > terms.start:
        previous = terms.term_on(term.first_day - ONE_DAY)
        assert previous.last_day + ONE_DAY == term.first_day
        assert terms.term_index_on(previous.first_day) == k - 1


@settings(max_examples=300, deadline=None)
@given(contract_terms(), st.integers(-400, 50 * 366))
def test_it_returns_a_term_containing_the_day_as_a_naive_walk_does(terms, offset):
    day = terms.start + timedelta(days=offset)
    term = terms.term_on(day)
    naive = naive_term_on(terms, day)
    assert term == (None if naive is None else naive[1:])
    assert terms.term_index_on(day) == (None if naive is None else naive[0])
    if term is not None:
        assert term.covers(day)
        assert term.first_day <= day and (term.last_day is None or day <= term.last_day)


@settings(max_examples=300, deadline=None)
@given(contract_terms(), st.integers(0, 50 * 366))
def test_it_never_ends_a_contract_before_the_notice_day(terms, offset):
    day = terms.start + timedelta(days=offset)
    if terms.end_date is not None and day > terms.end_date:
        with pytest.raises(ValueError, match="after the contract ended"):
            terms.last_day_if_notice(day)
        return
    last = terms.last_day_if_notice(day)
    assert last >= day
    assert last == naive_last_day_if_notice(terms, day)
    term = terms.term_on(day)
    if terms.renews_tacitly:
        # Ends at the last day of this term when notice is in time, else of the following one.
        in_time = day <= terms.notice_deadline(day)
        assert last == (term.last_day if in_time else terms.term_on(term.last_day + ONE_DAY).last_day)


@settings(max_examples=300, deadline=None)
@given(contract_terms(), st.integers(-400, 50 * 366))
def test_it_finds_the_first_notice_deadline_on_or_after_the_day(terms, offset):
    day = terms.start + timedelta(days=offset)
    deadline = terms.next_notice_deadline(day)
    if not terms.renews_tacitly:
        assert deadline is None
        return
    assert deadline >= day
    # Naive: walk the deadlines of the terms from the one in force (or the first) on.
    k = terms.term_index_on(day) or 1
    anniversaries = naive_anniversaries(terms)
    for _ in range(k - 1):
        next(anniversaries)
    for anniversary in anniversaries:
        candidate = naive_deadline_of(terms, anniversary)
        if candidate >= day:
            break
    assert deadline == candidate

"""Term, renewal and notice arithmetic for maintenance contracts.

Pure Python: no Django import and no clock of its own (every question takes the
day it is about as an argument), so renewal jobs, reminders, PDFs and views can
all share it.

Conventions
-----------
* All dates are ``datetime.date`` (a ``datetime`` is refused) and inclusive.
* ``add_months(d, n)`` keeps the day of month, clamped to the last day of the
  target month (31 Jan + 1 month = 28/29 Feb).
* Anniversaries are counted from the original start, never chained, so month
  ends do not drift: the k-th anniversary (k >= 1) is
  ``add_months(start, initial_months + (k - 1) * renewal_months)``.
* Term 1 (the initial term) runs from ``start`` to the day before anniversary 1;
  term k >= 2 runs from anniversary k-1 to the day before anniversary k.
* ``renewal="tacit"``: renews term after term; ``renewal_months`` defaults to
  ``initial_months``.  ``"express"`` / ``"none"``: the contract ends after the
  initial term (an express renewal is an amendment, i.e. new terms).
* The notice deadline of term k is
  ``add_months(anniversary(k), -notice_months) - notice_days days``.  Notice
  given on or before it ends the contract at term k's last day; notice given
  later ends it at the last day of term k+1.  Non-renewing contracts end at the
  initial term's last day whatever the notice date.
* Indefinite contracts (``initial_months=None``) have no anniversaries: the
  single term is ``(start, None)`` and notice on day d ends the contract on
  ``add_months(d, notice_months) + notice_days days - 1 day``.

Example::

    >>> t = ContractTerms(start=date(2026, 1, 1), initial_months=36, renewal_months=12,
    ...                   renewal="tacit", notice_months=3)
    >>> t.term_on(date(2029, 6, 1))
    Term(first_day=datetime.date(2029, 1, 1), last_day=datetime.date(2029, 12, 31))
    >>> t.notice_deadline(date(2029, 6, 1))
    datetime.date(2029, 10, 1)
    >>> t.last_day_if_notice(date(2029, 10, 2))
    datetime.date(2030, 12, 31)

Every computation is arithmetic on month counts: asking about a day 50 years
out costs the same as asking about tomorrow.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

__all__ = [
    "EXPRESS",
    "NONE",
    "RENEWAL_CHOICES",
    "TACIT",
    "ContractTerms",
    "ContractTermsError",
    "ContractTermsTypeError",
    "Term",
    "add_months",
]

TACIT = "tacit"
EXPRESS = "express"
NONE = "none"
RENEWAL_CHOICES = (TACIT, EXPRESS, NONE)

_ONE_DAY = timedelta(days=1)
_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


class ContractTermsError(ValueError):
    """Invalid contract terms or an impossible question (e.g. notice before the start)."""


class ContractTermsTypeError(ContractTermsError, TypeError):
    """An argument of the wrong type; both a ValueError and a TypeError."""


class Term(NamedTuple):
    """One term of a contract, both days inclusive; ``last_day`` is None for an indefinite term.

    A plain tuple underneath, so ``term == (first_day, last_day)`` holds.
    """

    first_day: date
    last_day: date | None

    def covers(self, day: date) -> bool:
        """True when ``day`` falls within this term."""
        return self.first_day <= day and (self.last_day is None or day <= self.last_day)


def _require_date(value: Any, name: str) -> None:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ContractTermsTypeError(
            f"{name} must be a datetime.date (not a datetime), got {type(value).__name__}: {value!r}"
        )


def _require_int(value: Any, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ContractTermsTypeError(f"{name} must be an int, got {type(value).__name__}: {value!r}")


def _days_in_month(year: int, month: int) -> int:
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _DAYS_IN_MONTH[month - 1]


def add_months(d: date, n: int) -> date:
    """``d`` moved by ``n`` months (``n`` may be negative), day of month clamped to the month's end.

    >>> add_months(date(2026, 1, 31), 1)
    datetime.date(2026, 2, 28)
    >>> add_months(date(2028, 2, 29), -12)
    datetime.date(2027, 2, 28)
    """
    _require_date(d, "d")
    _require_int(n, "n")
    year, month0 = divmod(d.year * 12 + d.month - 1 + n, 12)
    if not 1 <= year <= 9999:
        raise ContractTermsError(f"add_months: {d.isoformat()} + {n} months is outside years 1..9999")
    return date(year, month0 + 1, min(d.day, _days_in_month(year, month0 + 1)))


@dataclass(frozen=True)
class ContractTerms:
    """Duration, renewal and notice clauses of a contract (immutable, validated on creation).

    ``initial_months=None`` means an indefinite term.  ``renewal_months`` is the
    length of each tacit renewal; None means "same as ``initial_months``" (it is
    not rewritten in place, so ``dataclasses.replace`` keeps behaving).
    Invalid values raise :class:`ContractTermsError` (a ``ValueError``) naming the field.
    """

    start: date
    initial_months: int | None
    renewal_months: int | None = None
    renewal: str = TACIT
    notice_months: int = 0
    notice_days: int = 0

    def __post_init__(self) -> None:
        _require_date(self.start, "start")
        if self.initial_months is not None:
            _require_int(self.initial_months, "initial_months")
            if self.initial_months <= 0:
                raise ContractTermsError(
                    f"initial_months must be positive (or None for an indefinite term), got {self.initial_months}"
                )
        if self.renewal_months is not None:
            _require_int(self.renewal_months, "renewal_months")
            if self.renewal_months <= 0:
                raise ContractTermsError(f"renewal_months must be positive, got {self.renewal_months}")
            if self.initial_months is None:
                raise ContractTermsError(
                    "renewal_months must be None for an indefinite term (initial_months=None), "
                    f"got {self.renewal_months}"
                )
        if not isinstance(self.renewal, str) or self.renewal not in RENEWAL_CHOICES:
            raise ContractTermsError(
                f"renewal must be one of {', '.join(repr(c) for c in RENEWAL_CHOICES)}, got {self.renewal!r}"
            )
        _require_int(self.notice_months, "notice_months")
        if self.notice_months < 0:
            raise ContractTermsError(f"notice_months must not be negative, got {self.notice_months}")
        _require_int(self.notice_days, "notice_days")
        if self.notice_days < 0:
            raise ContractTermsError(f"notice_days must not be negative, got {self.notice_days}")

    # ------------------------------------------------------------------ kind

    @property
    def is_indefinite(self) -> bool:
        """True for an open-ended contract (``initial_months=None``)."""
        return self.initial_months is None

    @property
    def renews_tacitly(self) -> bool:
        """True for a fixed-term contract that renews term after term unless notice is given."""
        return self.initial_months is not None and self.renewal == TACIT

    @property
    def renewal_period_months(self) -> int | None:
        """Length in months of each renewal term: ``renewal_months`` or ``initial_months``.

        None for indefinite contracts and for ``renewal="none"``; for ``"express"``
        it is the length an expressly agreed renewal would have.
        """
        if self.initial_months is None or self.renewal == NONE:
            return None
        return self.renewal_months or self.initial_months

    @property
    def end_date(self) -> date | None:
        """Last day of a non-renewing fixed-term contract; None for tacit or indefinite contracts."""
        if self.initial_months is None or self.renewal == TACIT:
            return None
        return self.anniversary(1) - _ONE_DAY

    def describe(self) -> dict[str, Any]:
        """Plain data for display (PDFs, templates, APIs)."""
        return {
            "start": self.start,
            "indefinite": self.is_indefinite,
            "initial_months": self.initial_months,
            "renewal": self.renewal,
            "renewal_months": self.renewal_period_months,
            "notice_months": self.notice_months,
            "notice_days": self.notice_days,
            "end_date": self.end_date,
        }

    # ---------------------------------------------------------- arithmetic

    @property
    def _step(self) -> int:
        # Months between anniversaries (also for non-renewing contracts, where only
        # anniversary 1 ends a term).  Only called for fixed-term contracts.
        assert self.initial_months is not None
        return self.renewal_months or self.initial_months

    def _months_elapsed(self, day: date) -> int:
        """Largest m with add_months(start, m) <= day (negative before the start)."""
        m = (day.year - self.start.year) * 12 + day.month - self.start.month
        # add_months(start, m) lies in day's month; it is the only candidate that may overshoot.
        clamped = min(self.start.day, _days_in_month(day.year, day.month))
        return m if clamped <= day.day else m - 1

    def _raw_index(self, day: date) -> int:
        """Smallest k >= 1 with anniversary(k) > day, i.e. the term index of ``day`` (1 before the start)."""
        assert self.initial_months is not None
        elapsed = self._months_elapsed(day)
        if elapsed < self.initial_months:
            return 1
        return 2 + (elapsed - self.initial_months) // self._step

    def _deadline(self, k: int) -> date:
        return add_months(self.anniversary(k), -self.notice_months) - timedelta(days=self.notice_days)

    # ------------------------------------------------------------- queries

    def anniversary(self, k: int) -> date:
        """The k-th anniversary (k >= 1): first day of term k+1, counted from the original start.

        For non-renewing contracts only anniversary 1 ends a term; later ones are
        plain calendar dates.  Indefinite contracts have none (ValueError).
        """
        _require_int(k, "k")
        if k < 1:
            raise ContractTermsError(f"anniversary k must be >= 1, got {k}")
        if self.initial_months is None:
            raise ContractTermsError("anniversary: an indefinite contract has no anniversaries")
        return add_months(self.start, self.initial_months + (k - 1) * self._step)

    def term(self, k: int) -> Term:
        """Term number k (1 = initial term).  ValueError if the contract never has that term."""
        _require_int(k, "k")
        if k < 1:
            raise ContractTermsError(f"term index k must be >= 1, got {k}")
        if self.initial_months is None:
            if k != 1:
                raise ContractTermsError(f"term index k: an indefinite contract has a single term, got {k}")
            return Term(self.start, None)
        if k > 1 and self.renewal != TACIT:
            raise ContractTermsError(f"term index k: a {self.renewal!r} contract has a single term, got {k}")
        first = self.start if k == 1 else self.anniversary(k - 1)
        return Term(first, self.anniversary(k) - _ONE_DAY)

    def term_index_on(self, day: date) -> int | None:
        """1-based index of the term in force on ``day`` (1 = initial term), or None if none is."""
        _require_date(day, "day")
        if day < self.start:
            return None
        if self.initial_months is None:
            return 1
        k = self._raw_index(day)
        if k > 1 and self.renewal != TACIT:
            return None
        return k

    def term_on(self, day: date) -> Term | None:
        """``(first_day, last_day)`` of the term in force on ``day``, or None (before the start, after the end)."""
        k = self.term_index_on(day)
        return None if k is None else self.term(k)

    def terms(self) -> Iterator[Term]:
        """Terms from the start, in order: endless for tacit renewal, a single one otherwise."""
        k = 1
        while True:
            yield self.term(k)
            if not self.renews_tacitly:
                return
            k += 1

    def terms_between(self, a: date, b: date) -> list[Term]:
        """Terms overlapping the inclusive period ``[a, b]``, in order (computed, not scanned from the start)."""
        _require_date(a, "a")
        _require_date(b, "b")
        if a > b:
            raise ContractTermsError(f"terms_between: a ({a.isoformat()}) is after b ({b.isoformat()})")
        first = self.term_index_on(max(a, self.start))
        if b < self.start or first is None:
            return []
        last = self.term_index_on(b) or first  # None only past the end of a non-renewing contract
        return [self.term(k) for k in range(first, last + 1)]

    def notice_deadline(self, day: date) -> date | None:
        """Last day to give notice against the renewal of the term in force on ``day``.

        None when there is no such term, or nothing to renew (indefinite, "express", "none").
        """
        _require_date(day, "day")
        if not self.renews_tacitly or day < self.start:
            return None
        return self._deadline(self._raw_index(day))

    def next_notice_deadline(self, day: date) -> date | None:
        """The first notice deadline on or after ``day`` (for reminders); None unless renewal is tacit.

        That is the deadline of the term in force if it has not passed, else the
        next term's (or a later one when the notice period is longer than a term).
        Before the start it is the first deadline not yet passed.
        """
        _require_date(day, "day")
        if not self.renews_tacitly:
            return None
        k = self._raw_index(day)
        # Estimate: deadline j is roughly on or after day when anniversary j >= day + notice.
        target = add_months(day + timedelta(days=self.notice_days), self.notice_months)
        j = max(k, self._raw_index(target - _ONE_DAY))
        # Deadlines strictly increase with j; clamping makes the estimate off by at most a step.
        while j > k and self._deadline(j - 1) >= day:
            j -= 1
        while self._deadline(j) < day:
            j += 1
        return self._deadline(j)

    def last_day_if_notice(self, day: date) -> date:
        """Last covered day when a party gives notice on ``day``.

        ValueError for a notice before the start, or after a non-renewing contract ended.
        """
        _require_date(day, "day")
        if day < self.start:
            raise ContractTermsError(
                f"notice date before the start: {day.isoformat()} < {self.start.isoformat()}"
            )
        if self.initial_months is None:
            last = add_months(day, self.notice_months) + timedelta(days=self.notice_days) - _ONE_DAY
            # With zero notice the formula gives the day before; the notice day itself stays covered.
            return max(last, day)
        if self.renewal != TACIT:
            end = self.anniversary(1) - _ONE_DAY
            if day > end:
                raise ContractTermsError(
                    f"notice date after the contract ended: {day.isoformat()} > {end.isoformat()}"
                )
            return end
        k = self._raw_index(day)
        if day <= self._deadline(k):
            return self.anniversary(k) - _ONE_DAY
        return self.anniversary(k + 1) - _ONE_DAY

"""The dashboards' charts: pygal server-side SVG, in the style of the monthly report
(billing.charts), shown as `<img src="data:image/svg+xml;base64,…">` so that they need
no JavaScript and pass the strict CSP (an inline SVG's own <style> would be refused by
`style-src 'self'`). Each chart comes with its text alternative: the `alt` sentence here,
and a data table next to it in the template.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass

import pygal

from billing import charts as billing_charts


@dataclass(frozen=True)
class Chart:
    svg: str
    alt: str

    @property
    def src(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode()


def compliance(*, months: Sequence[str], response: Sequence[float | None], resolution: Sequence[float | None],
               title: str, response_label: str, resolution_label: str, alt: str) -> Chart:
    """SLA compliance per month (the monthly report's chart, for the whole tenant)."""
    return Chart(billing_charts.compliance_chart(
        months=months, response=response, resolution=resolution, title=title, response_label=response_label,
        resolution_label=resolution_label, width=720, height=300), alt)


def backlog(*, months: Sequence[str], values: Sequence[int], title: str, label: str, alt: str) -> Chart:
    """Open tickets at the end of each month (now for the current one)."""
    top = max([*values, 1])
    chart = pygal.Bar(width=720, height=280, show_legend=False, print_values=True, print_zeroes=True,
                      range=(0, top), y_labels=_integer_ticks(top), value_formatter=lambda v: f"{v:.0f}",
                      x_label_rotation=0, truncate_label=-1, **billing_charts.COMMON)
    chart.title = title
    chart.x_labels = list(months)
    chart.add(label, list(values))
    return Chart(billing_charts._render(chart), alt)


def by_status(*, labels: Sequence[str], values: Sequence[int], title: str, alt: str) -> Chart:
    """How many contracts are in each status."""
    top = max([*values, 1])
    chart = pygal.HorizontalBar(width=520, height=60 + 36 * max(1, len(labels)), show_legend=False,
                                print_values=True, print_zeroes=True, range=(0, top),
                                y_labels=_integer_ticks(top), value_formatter=lambda v: f"{v:.0f}",
                                truncate_label=-1, **billing_charts.COMMON)
    chart.title = title
    chart.x_labels = list(labels)
    chart.add(title, list(values))
    return Chart(billing_charts._render(chart), alt)


def _integer_ticks(top: int) -> list[int]:
    step = max(1, -(-top // 5))
    return list(range(0, top + step, step))

"""The charts of a contract's service (the monthly report, and later the client
dashboard and the contract page): SLA compliance over the last 12 months, tickets by
maintenance type, time spent by intervention mode.

Drawn by pygal; each function takes plain values (labels already translated) and
returns an SVG string, without XML declaration and without scripts, ready to be put
inline in a page or in the WeasyPrint HTML of a PDF.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal

import pygal
from pygal.style import Style

NAVY, BLUE, AMBER, GREEN, RED, GREY = "#14213d", "#1f6feb", "#e0a100", "#2da44e", "#cf222e", "#5f6b7a"

STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#1d2330",
    foreground_strong=NAVY,
    foreground_subtle="#dde3ea",
    opacity="1",
    opacity_hover="1",
    colors=(BLUE, AMBER, GREEN, RED, GREY),
    font_family="DejaVu Sans, sans-serif",
    title_font_size=15,
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=12,
    value_font_size=12,
    value_label_font_size=12,
    tooltip_font_size=12,
    guide_stroke_dasharray="2,2",
    major_guide_stroke_dasharray="2,2",
)

COMMON = {
    "style": STYLE,
    "js": [],  # no script: the SVG goes into PDFs and pages as it is
    "disable_xml_declaration": True,
    "explicit_size": True,
    "margin": 12,
    "spacing": 10,
}


_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)
_LEGEND_ID = re.compile(r' id="activate-serie-\d+"')


def _render(chart) -> str:
    # pygal always writes its configuration in an inline <script> for its tooltips:
    # nothing runs in a PDF, and pages with a strict CSP must not carry inline scripts.
    # Its legend ids (activate-serie-N, for the same script) repeat from one chart to the
    # next: a page or a PDF with several charts must not carry the same id twice.
    return _LEGEND_ID.sub("", _SCRIPT.sub("", chart.render(is_unicode=True)))


def compliance_chart(*, months: Sequence[str], response: Sequence[float | None],
                     resolution: Sequence[float | None], title: str, response_label: str,
                     resolution_label: str, width: int = 760, height: int = 300) -> str:
    """SLA compliance per month, in percent (None: nothing was due that month)."""
    values = [v for v in (*response, *resolution) if v is not None]
    low = min([*values, 100.0])
    floor = max(0, int(low // 10) * 10 - 10) if low < 100 else 80
    chart = pygal.Line(width=width, height=height, range=(floor, 100), show_legend=True, legend_at_bottom=True,
                       legend_at_bottom_columns=2, dots_size=4, stroke_style={"width": 3}, show_minor_x_labels=True,
                       y_labels=list(range(floor, 101, 5 if floor >= 70 else 10)), value_formatter=lambda v: f"{v:.0f} %",
                       print_values=False, allow_interruptions=True, **COMMON)
    chart.title = title
    chart.x_labels = list(months)
    chart.add(response_label, [None if v is None else float(v) for v in response])
    chart.add(resolution_label, [None if v is None else float(v) for v in resolution])
    return _render(chart)


def tickets_by_type_chart(*, types: Sequence[str], opened: Sequence[int], resolved: Sequence[int], title: str,
                          opened_label: str, resolved_label: str, width: int = 370, height: int = 280) -> str:
    """Tickets opened and resolved in the month, per maintenance type."""
    top = max([*opened, *resolved, 1])
    chart = pygal.Bar(width=width, height=height, show_legend=True, legend_at_bottom=True,
                      legend_at_bottom_columns=2, print_values=True, print_zeroes=False, range=(0, top),
                      y_labels=_integer_ticks(top), value_formatter=lambda v: f"{v:.0f}", x_label_rotation=0,
                      truncate_label=-1, **COMMON)
    chart.title = title
    chart.x_labels = list(types)
    chart.add(opened_label, list(opened))
    chart.add(resolved_label, list(resolved))
    return _render(chart)


def time_by_mode_chart(*, modes: Sequence[str], minutes: Sequence[int], title: str, width: int = 370,
                       height: int = 280, decimal_separator: str = ".") -> str:
    """Time spent in the month per intervention mode, as a donut with hours printed
    (`decimal_separator`: "," in French)."""
    chart = pygal.Pie(width=width, height=height, inner_radius=0.5, show_legend=True, legend_at_bottom=True,
                      legend_at_bottom_columns=max(1, len(modes)), print_values=True,
                      value_formatter=lambda v: _hours(v).replace(".", decimal_separator), **COMMON)
    chart.title = title
    for label, value in zip(modes, minutes, strict=True):
        chart.add(label, [{"value": value, "label": label}] if value else [])
    return _render(chart)


def _integer_ticks(top: int) -> list[int]:
    step = max(1, -(-top // 5))
    return list(range(0, top + step, step))


def _hours(minutes) -> str:
    value = Decimal(int(minutes or 0)) / 60
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return f"{text} h"

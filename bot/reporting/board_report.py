"""The board report: one self-contained HTML page an admin can attach to a board paper.

Headline figures, the weekly trend, coverage by seat and department (and staff group and
pay band where known), how evenly recognition is spread, the seats never recognised, one
table per breakdown and a short method note. Charts are inline PNGs (base64) with alt text
and styles are inline, so the file opens anywhere with no network; a print stylesheet lays
it out on A4. Small cells are hidden throughout (EVERYSEAT_MIN_CELL, or --min-cell).
"""

from __future__ import annotations

import base64
import struct
from dataclasses import dataclass
from datetime import datetime
from importlib import resources

from jinja2 import Environment, select_autoescape
from markupsafe import Markup

from bot import messages
from bot.reporting.charts import ChartImage, coverage_chart, lorenz_chart, weekly_trend_chart
from bot.reporting.distribution import recognition_distribution
from bot.reporting.overview import FigureKind, Headline, ReportOverview, build_overview
from bot.reporting.periods import ReportingPeriod
from bot.reporting.stats import recognition_stats
from bot.reporting.suppression import SmallCells
from bot.services import Services
from db.models import Workspace

TEMPLATE = "board_report.html"


@dataclass(frozen=True)
class BoardReport:
    """The finished page, its file name, and the figures it shows (for chat replies)."""

    name: str
    html: str
    overview: ReportOverview
    charts: tuple[ChartImage, ...]


@dataclass(frozen=True)
class _InlineChart:
    base64: str
    alt_text: str
    caption: str
    width: int
    height: int


def _png_size(png: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk
    return int(width), int(height)


def _inline(chart: ChartImage) -> _InlineChart:
    width, height = _png_size(chart.png)
    return _InlineChart(
        base64.b64encode(chart.png).decode("ascii"), chart.alt_text, chart.caption, width, height
    )


def format_figure(value: int | float | str | None, kind: FigureKind) -> str:
    """A headline figure as printed: 1,234 · 40% · 0.31 · <5 · — (undefined)."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if kind is FigureKind.SHARE:
        return f"{value:.0%}"
    if kind is FigureKind.INDEX:
        return f"{value:.2f}"
    return f"{int(value):,}"


def _cell(value: int | float | str | None, share: bool = False) -> Markup:
    if isinstance(value, str):
        return Markup('<td class="hidden">{}</td>').format(value)
    kind = FigureKind.SHARE if share else FigureKind.COUNT
    return Markup('<td class="num">{}</td>').format(format_figure(value, kind))


def _environment() -> Environment:
    environment = Environment(autoescape=select_autoescape(default=True), trim_blocks=True)
    environment.globals["cell"] = _cell
    return environment


def render_board_report(
    overview: ReportOverview,
    charts: tuple[ChartImage, ...],
    chart_notes: tuple[str, ...],
    *,
    generated_at: datetime,
    workspace: str | None = None,
) -> str:
    template_text = (resources.files("bot") / "data" / "templates" / TEMPLATE).read_text(
        encoding="utf-8"
    )
    template = _environment().from_string(template_text)
    cells = overview.cells
    method = [messages.BOARD_METHOD_COUNTING, messages.BOARD_METHOD_COVERAGE]
    method.append(messages.BOARD_METHOD_SPREAD)
    method.append(
        messages.BOARD_METHOD_SUPPRESSION.format(min_cell=cells.min_cell)
        if cells.active
        else messages.BOARD_METHOD_NO_SUPPRESSION
    )
    return template.render(
        overview=overview,
        headlines=[
            Headline(headline.label, format_figure(headline.value, headline.kind), headline.kind)
            for headline in overview.headlines
        ],
        charts=[_inline(chart) for chart in charts],
        chart_notes=chart_notes,
        workspace=workspace,
        generated=generated_at.strftime("%d %b %Y %H:%M UTC"),
        method=method,
        labels={
            "period": messages.REPORT_PERIOD,
            "generated": messages.BOARD_GENERATED,
            "headlines": messages.REPORT_HEADLINES,
            "charts": messages.BOARD_CHARTS,
            "unseen": messages.REPORT_UNSEEN_SEATS,
            "no_unseen": messages.REPORT_NO_UNSEEN_SEATS,
            "seat": messages.REPORT_COL_SEAT,
            "members": messages.REPORT_COL_MEMBERS,
            "recognised": messages.REPORT_COL_RECOGNISED,
            "coverage": messages.REPORT_COL_COVERAGE,
            "nominations": messages.REPORT_COL_NOMINATIONS,
            "by": messages.BOARD_BY,
            "method": messages.BOARD_METHOD,
        },
    )


def build_board_report(
    services: Services,
    workspace_id: int | None,
    period: ReportingPeriod,
    *,
    min_cell: int | None = None,
) -> BoardReport:
    """The board report for one workspace (or ORGANISATION: every workspace, each person
    once) and period. Small cells are hidden with `min_cell`, by default
    EVERYSEAT_MIN_CELL. Blocking: async callers use `in_worker`."""
    cells = SmallCells(min_cell if min_cell is not None else services.settings.EVERYSEAT_MIN_CELL)
    now = services.clock()
    with services.unit_of_work() as session:
        stats = recognition_stats(session, workspace_id, period, services.catalogue, now=now)
        distribution = recognition_distribution(session, workspace_id, period)
        if workspace_id is None:
            workspace_name: str | None = messages.REPORT_WHOLE_ORGANISATION
        else:
            workspace = session.get(Workspace, workspace_id)
            workspace_name = workspace.external_id if workspace is not None else None
    overview = build_overview(stats, cells)
    charts = [weekly_trend_chart(stats, drawn_at=now, cells=cells)]
    for breakdown in overview.breakdowns:
        if breakdown.has_members:
            charts.append(
                coverage_chart(
                    breakdown.heading.lower(), breakdown.rows, period, drawn_at=now, cells=cells
                )
            )
    notes: list[str] = []
    # A curve over a handful of people shows each of them: drawn only past the threshold.
    if cells.hides(distribution.recognised):
        notes.append(messages.BOARD_LORENZ_HIDDEN.format(min_cell=cells.min_cell))
    else:
        charts.append(lorenz_chart(distribution, period, drawn_at=now))
    html = render_board_report(
        overview, tuple(charts), tuple(notes), generated_at=now, workspace=workspace_name
    )
    name = f"everyseat-board-report-{overview.last_day.isoformat()}.html"
    return BoardReport(name, html, overview, tuple(charts))

"""Charts for admins and board papers: the weekly trend, coverage by group, and how evenly
recognition is spread (a Lorenz curve).

Each chart is first a small data object (what is plotted, so tests can check it against
the database), then a matplotlib figure drawn on the Agg canvas directly (no pyplot, so
nothing global is touched and it is safe from any thread), then a PNG with its alt text
and a caption naming the source and the date it was drawn. Colours are the Okabe–Ito
palette, which people with any common colour-vision deficiency can tell apart.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator, PercentFormatter

from bot import messages
from bot.messages import count_of
from bot.reporting.distribution import Distribution
from bot.reporting.periods import ReportingPeriod
from bot.reporting.stats import RecognitionStats
from bot.reporting.suppression import GroupRow, SmallCells

# Okabe & Ito (2008), "Color Universal Design".
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
BAR_COLOUR = OKABE_ITO["blue"]
PARTIAL_COLOUR = OKABE_ITO["sky_blue"]
LINE_COLOUR = OKABE_ITO["vermillion"]
HIDDEN_COLOUR = "#BBBBBB"
MAX_TICK_LABELS = 13  # about one label a month at 52 weeks
MAX_GROUPS_DRAWN = 25
DPI = 100


@dataclass(frozen=True)
class ChartImage:
    """A finished chart: the PNG, its title, alt text for screen readers, and the caption
    (source and date) printed under it."""

    title: str
    alt_text: str
    caption: str
    png: bytes


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _new_figure(width: float, height: float, *, bottom: float, top: float) -> Figure:
    """A figure laid out by matplotlib's constrained layout within the band [bottom, top]
    of its height, leaving room below for the caption and footer."""
    layout = ConstrainedLayoutEngine(rect=(0, bottom, 1, top - bottom))
    figure = Figure(figsize=(width, height), dpi=DPI, layout=layout)
    FigureCanvasAgg(figure)
    return figure


def source_line(period: ReportingPeriod, drawn_at: datetime) -> str:
    return messages.CHART_SOURCE.format(
        period=period.label, drawn=drawn_at.astimezone(UTC).strftime("%d %b %Y %H:%M UTC")
    )


# --- the weekly trend -------------------------------------------------------------------


@dataclass(frozen=True)
class TrendWeek:
    week_start: date
    nominations: int | None  # None when hidden as a small cell
    people_recognised: int | None
    days_in_period: int  # days the period touches: 7 for most, fewer at either end
    partial: bool  # the period starts after the Monday or ends before the next one


def _overlap(monday: date, period: ReportingPeriod) -> timedelta:
    start = datetime.combine(monday, time(0), tzinfo=UTC)
    return min(start + timedelta(days=7), period.until) - max(start, period.since)


def trend_weeks(stats: RecognitionStats, cells: SmallCells) -> tuple[TrendWeek, ...]:
    """Each week of the period: nominations (each counted once, however many behaviours or
    nominees it has), people recognised, and how many of its days the period covers."""
    return tuple(
        TrendWeek(
            week.week_start,
            None if cells.hides(week.nominations) else week.nominations,
            None if cells.hides(week.people_recognised) else week.people_recognised,
            math.ceil(_overlap(week.week_start, stats.period) / timedelta(days=1)),
            _overlap(week.week_start, stats.period) < timedelta(days=7),
        )
        for week in stats.weekly
    )


def tick_step(weeks: int) -> int:
    """Label every week up to MAX_TICK_LABELS weeks, then every 2nd, 3rd… so labels never
    overlap (52 weeks: every 5th)."""
    return max(1, math.ceil(weeks / MAX_TICK_LABELS))


def weekly_trend_figure(
    stats: RecognitionStats, *, drawn_at: datetime, cells: SmallCells | None = None
) -> tuple[Figure, tuple[TrendWeek, ...]]:
    """Bars of nominations per week (part weeks hatched and lighter), a line of people
    recognised, and the source footer; returns the figure and the weeks plotted."""
    cells = cells or SmallCells()
    weeks = trend_weeks(stats, cells)
    figure = _new_figure(9, 4.8, bottom=0.05, top=1.0)
    axes = figure.add_subplot()
    positions = list(range(len(weeks)))
    heights = [week.nominations or 0 for week in weeks]
    bars = axes.bar(
        positions,
        heights,
        color=[PARTIAL_COLOUR if week.partial else BAR_COLOUR for week in weeks],
        label=messages.CHART_TREND_NOMINATIONS,
        gid="nominations",
    )
    for bar, week in zip(bars, weeks, strict=True):
        if week.partial:
            bar.set_hatch("//")
            bar.set_edgecolor(BAR_COLOUR)
        if week.nominations is None:
            axes.annotate(
                cells.placeholder,
                (bar.get_x() + bar.get_width() / 2, 0),
                ha="center",
                va="bottom",
                fontsize="small",
                color="#444444",
            )
    people = [
        math.nan if week.people_recognised is None else week.people_recognised for week in weeks
    ]
    axes.plot(
        positions,
        people,
        color=LINE_COLOUR,
        marker="o",
        markersize=3,
        linewidth=1.5,
        label=messages.CHART_TREND_PEOPLE,
        gid="people_recognised",
    )
    step = tick_step(len(weeks))
    labelled = positions[::step]
    axes.set_xticks(
        labelled,
        [
            weeks[index].week_start.strftime("%d %b")
            + (messages.CHART_PART_WEEK_MARK if weeks[index].partial else "")
            for index in labelled
        ],
        rotation=45 if len(labelled) > 6 else 0,
        ha="right" if len(labelled) > 6 else "center",
    )
    axes.set_xlim(-0.6, max(len(weeks), 1) - 0.4)
    axes.set_ylabel(messages.CHART_TREND_Y_LABEL)
    axes.set_xlabel(messages.CHART_TREND_X_LABEL)
    figure.suptitle(messages.CHART_TREND_TITLE.format(period=stats.period.label))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))  # no half nominations
    axes.set_ylim(bottom=0)
    axes.spines[["top", "right"]].set_visible(False)
    # Legend keys drawn here, not taken from the bars: the first bar may be a hatched part week.
    handles: list[Any] = [
        Patch(facecolor=BAR_COLOUR, label=messages.CHART_TREND_NOMINATIONS),
        Line2D(
            [], [], color=LINE_COLOUR, marker="o", markersize=3, label=messages.CHART_TREND_PEOPLE
        ),
    ]
    if any(week.partial for week in weeks):
        handles.append(
            Patch(
                facecolor=PARTIAL_COLOUR,
                edgecolor=BAR_COLOUR,
                hatch="//",
                label=messages.CHART_PART_WEEK_LEGEND,
            )
        )
    # Above the bars, under the title, so it never hides a week.
    axes.legend(
        handles=handles,
        fontsize="small",
        loc="lower left",
        bbox_to_anchor=(0, 1.0),
        ncols=3,
        frameon=False,
    )
    figure.text(0.01, 0.01, source_line(stats.period, drawn_at), fontsize="x-small")
    return figure, weeks


def trend_alt_text(stats: RecognitionStats, weeks: Sequence[TrendWeek]) -> str:
    whole = [week for week in weeks if not week.partial and week.nominations is not None]
    total = stats.nominations
    if not weeks:
        return messages.CHART_TREND_ALT_EMPTY.format(period=stats.period.label)
    parts = [
        messages.CHART_TREND_ALT.format(
            period=stats.period.label,
            weeks=count_of(len(weeks), "week", "weeks"),
            nominations=count_of(total, "nomination", "nominations"),
        )
    ]
    if whole:
        busiest = max(whole, key=lambda week: week.nominations or 0)
        quietest = min(whole, key=lambda week: week.nominations or 0)
        parts.append(
            messages.CHART_TREND_ALT_RANGE.format(
                most=count_of(busiest.nominations or 0, "nomination", "nominations"),
                busiest=busiest.week_start.strftime("%d %b %Y"),
                fewest=count_of(quietest.nominations or 0, "nomination", "nominations"),
                quietest=quietest.week_start.strftime("%d %b %Y"),
            )
        )
    partial = sum(1 for week in weeks if week.partial)
    if partial:
        parts.append(
            messages.CHART_TREND_ALT_PARTIAL.format(weeks=count_of(partial, "week", "weeks"))
        )
    return " ".join(parts)


def weekly_trend_chart(
    stats: RecognitionStats, *, drawn_at: datetime, cells: SmallCells | None = None
) -> ChartImage:
    figure, weeks = weekly_trend_figure(stats, drawn_at=drawn_at, cells=cells)
    return ChartImage(
        title=messages.CHART_TREND_TITLE.format(period=stats.period.label),
        alt_text=trend_alt_text(stats, weeks),
        caption=source_line(stats.period, drawn_at),
        png=_png(figure),
    )


# --- coverage by group ------------------------------------------------------------------


def _coverage_order(row: GroupRow) -> tuple[int, float, str]:
    share = row.coverage if isinstance(row.coverage, float) else 2.0
    return (1 if row.suppressed else 0, share, row.label.casefold())


def coverage_figure(
    heading: str,
    rows: Sequence[GroupRow],
    period: ReportingPeriod,
    *,
    drawn_at: datetime,
    cells: SmallCells,
) -> tuple[Figure, tuple[GroupRow, ...]]:
    """One horizontal bar per group: the share of its active members recognised at least
    once, least covered at the top; hidden groups are named with "<N people, hidden"."""
    with_members = sorted(
        (row for row in rows if row.members not in (None, 0)), key=_coverage_order
    )
    drawn = tuple(with_members[:MAX_GROUPS_DRAWN])
    figure = _new_figure(9, 1.4 + 0.32 * max(len(drawn), 1), bottom=0.04, top=1.0)
    axes = figure.add_subplot()
    positions = list(range(len(drawn)))
    shares = [row.coverage if isinstance(row.coverage, float) else 0.0 for row in drawn]
    bars = axes.barh(positions, shares, color=OKABE_ITO["bluish_green"], gid="coverage")
    for bar, row in zip(bars, drawn, strict=True):
        y = bar.get_y() + bar.get_height() / 2
        if row.suppressed:
            axes.text(
                0.005,
                y,
                messages.CHART_GROUP_HIDDEN.format(hidden=cells.placeholder),
                va="center",
                fontsize="small",
                color="#444444",
            )
        else:
            axes.text(
                bar.get_width() + 0.01,
                y,
                messages.CHART_COVERAGE_BAR.format(
                    people=row.people_recognised, members=row.members
                ),
                va="center",
                fontsize="small",
            )
    axes.set_yticks(positions, [row.label for row in drawn], fontsize="small")
    axes.invert_yaxis()
    axes.set_xlim(0, 1.15)
    axes.xaxis.set_major_formatter(PercentFormatter(1.0))
    axes.set_xticks([0, 0.25, 0.5, 0.75, 1.0])
    axes.set_xlabel(messages.CHART_COVERAGE_X_LABEL)
    axes.set_title(messages.CHART_COVERAGE_TITLE.format(groups=heading, period=period.label))
    axes.spines[["top", "right"]].set_visible(False)
    footer = source_line(period, drawn_at)
    if len(with_members) > len(drawn):
        footer = (
            messages.CHART_MORE_GROUPS.format(
                groups=count_of(len(with_members) - len(drawn), "more group", "more groups")
            )
            + " "
            + footer
        )
    figure.text(0.01, 0.005, footer, fontsize="x-small")
    return figure, drawn


def coverage_chart(
    heading: str,
    rows: Sequence[GroupRow],
    period: ReportingPeriod,
    *,
    drawn_at: datetime,
    cells: SmallCells,
) -> ChartImage:
    figure, drawn = coverage_figure(heading, rows, period, drawn_at=drawn_at, cells=cells)
    shown = [row for row in drawn if not row.suppressed and isinstance(row.coverage, float)]
    if shown:
        lowest, highest = shown[0], shown[-1]
        alt = messages.CHART_COVERAGE_ALT.format(
            groups=count_of(len(drawn), "group", "groups"),
            heading=heading.lower(),
            lowest=lowest.label,
            lowest_share=f"{lowest.coverage:.0%}",
            highest=highest.label,
            highest_share=f"{highest.coverage:.0%}",
        )
    else:
        alt = messages.CHART_COVERAGE_ALT_NONE.format(heading=heading.lower())
    return ChartImage(
        title=messages.CHART_COVERAGE_TITLE.format(groups=heading, period=period.label),
        alt_text=alt,
        caption=source_line(period, drawn_at),
        png=_png(figure),
    )


# --- how evenly recognition is spread ----------------------------------------------------


def lorenz_caption(distribution: Distribution) -> str:
    gini = distribution.gini
    if gini is None:
        return messages.CHART_LORENZ_NONE
    return messages.CHART_LORENZ_CAPTION.format(
        gini=f"{gini:.2f}",
        people=count_of(distribution.people, "active member", "active members"),
        never=count_of(distribution.people - distribution.recognised, "person", "people"),
    )


def lorenz_figure(
    distribution: Distribution, period: ReportingPeriod, *, drawn_at: datetime
) -> Figure:
    """The Lorenz curve (share of recognition received by the least-recognised share of
    people) against the diagonal of perfect equality, with the Gini in the caption."""
    points = distribution.lorenz_points()
    figure = _new_figure(6.5, 6, bottom=0.08, top=1.0)
    axes = figure.add_subplot()
    axes.plot(
        [0, 1],
        [0, 1],
        linestyle="--",
        color=OKABE_ITO["black"],
        linewidth=1,
        label=messages.CHART_LORENZ_EQUAL,
    )
    if points:
        xs = [x for x, _y in points]
        ys = [y for _x, y in points]
        axes.plot(
            xs,
            ys,
            color=OKABE_ITO["reddish_purple"],
            linewidth=2,
            label=messages.CHART_LORENZ_CURVE,
            gid="lorenz",
        )
        axes.fill_between(xs, ys, xs, color=OKABE_ITO["reddish_purple"], alpha=0.15)
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1)
    axes.set_aspect("equal")
    axes.xaxis.set_major_formatter(PercentFormatter(1.0))
    axes.yaxis.set_major_formatter(PercentFormatter(1.0))
    axes.set_xlabel(messages.CHART_LORENZ_X_LABEL)
    axes.set_ylabel(messages.CHART_LORENZ_Y_LABEL)
    axes.set_title(messages.CHART_LORENZ_TITLE.format(period=period.label))
    axes.legend(loc="upper left", fontsize="small", frameon=False)
    figure.text(0.01, 0.045, lorenz_caption(distribution), fontsize="small", wrap=True)
    figure.text(0.01, 0.01, source_line(period, drawn_at), fontsize="x-small")
    return figure


def lorenz_chart(
    distribution: Distribution, period: ReportingPeriod, *, drawn_at: datetime
) -> ChartImage:
    figure = lorenz_figure(distribution, period, drawn_at=drawn_at)
    return ChartImage(
        title=messages.CHART_LORENZ_TITLE.format(period=period.label),
        alt_text=messages.CHART_LORENZ_ALT.format(caption=lorenz_caption(distribution)),
        caption=lorenz_caption(distribution) + " " + source_line(period, drawn_at),
        png=_png(figure),
    )

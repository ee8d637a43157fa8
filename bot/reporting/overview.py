"""The statistics as a report reads them, before any format draws them: headline figures,
then one table per breakdown, the weeks, and the seats never recognised, with small cells
already hidden. The XLSX overview sheet and the HTML board report both render this.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from bot import messages
from bot.reporting.charts import TrendWeek, trend_weeks
from bot.reporting.seniority import seniority_breakdowns
from bot.reporting.stats import GroupCount, RecognitionStats
from bot.reporting.suppression import GroupRow, Shown, SmallCells, suppress_groups


class FigureKind(StrEnum):
    COUNT = "count"  # a whole number: 1,234
    SHARE = "share"  # a proportion shown as a percentage: 40%
    INDEX = "index"  # a coefficient with two decimals: 0.31


@dataclass(frozen=True)
class Headline:
    label: str
    value: int | float | str | None  # a number, "<5" when hidden, None when undefined
    kind: FigureKind


@dataclass(frozen=True)
class Breakdown:
    """One table: recognition by seat, department, behaviour (or staff group, pay band)."""

    key: str
    heading: str
    rows: tuple[GroupRow, ...]

    @property
    def has_members(self) -> bool:
        return any(row.members is not None for row in self.rows)


@dataclass(frozen=True)
class UnseenSeat:
    title: str
    members: Shown


@dataclass(frozen=True)
class ReportOverview:
    title: str
    period_label: str
    first_day: date  # the period's first and last days (UTC)
    last_day: date
    cells: SmallCells
    headlines: tuple[Headline, ...]
    breakdowns: tuple[Breakdown, ...]
    weeks: tuple[TrendWeek, ...]
    unseen_seats: tuple[UnseenSeat, ...]

    @property
    def suppression_note(self) -> str | None:
        if not self.cells.active:
            return None
        return messages.SUPPRESSION_NOTE.format(
            hidden=self.cells.placeholder, min_cell=self.cells.min_cell
        )


# Staff groups and pay bands come with richer staff records; when the statistics carry them
# they get their own tables and coverage charts (the seniority view), and nothing else changes.
SENIORITY_HEADINGS = {
    "staff_group": messages.REPORT_BY_STAFF_GROUP,
    "pay_band": messages.REPORT_BY_PAY_BAND,
}


def member_breakdowns(stats: RecognitionStats) -> list[tuple[str, str, tuple[GroupCount, ...]]]:
    """(key, heading, groups) for every breakdown of people: seat, department, and staff
    group and pay band where the statistics have them (in seniority order)."""
    found = [
        ("title", messages.REPORT_BY_SEAT, stats.by_title),
        ("department", messages.REPORT_BY_DEPARTMENT, stats.by_department),
    ]
    for breakdown in seniority_breakdowns(stats):
        found.append((breakdown.key, SENIORITY_HEADINGS[breakdown.key], breakdown.groups))
    return found


def build_overview(stats: RecognitionStats, cells: SmallCells) -> ReportOverview:
    coverage = cells.share(stats.recognised_active_members, stats.active_members)
    top_share = cells.share(stats.top_recipients_received, stats.recognitions_received)
    headlines = (
        Headline(messages.REPORT_NOMINATIONS, cells.count(stats.nominations), FigureKind.COUNT),
        Headline(
            messages.REPORT_NOMINATORS, cells.count(stats.distinct_nominators), FigureKind.COUNT
        ),
        Headline(
            messages.REPORT_RECOGNISED, cells.count(stats.distinct_nominees), FigureKind.COUNT
        ),
        Headline(messages.REPORT_ACTIVE, cells.count(stats.active_members), FigureKind.COUNT),
        Headline(messages.REPORT_COVERAGE, coverage, FigureKind.SHARE),
        Headline(messages.REPORT_TOP_SHARE, top_share, FigureKind.SHARE),
        Headline(messages.REPORT_GINI, stats.gini, FigureKind.INDEX),
        Headline(messages.REPORT_ENDORSEMENTS, cells.count(stats.endorsements), FigureKind.COUNT),
        Headline(messages.REPORT_UNSEEN_SEATS, len(stats.seats_never_recognised), FigureKind.COUNT),
    )
    breakdowns = [
        Breakdown(key, heading, suppress_groups(groups, cells))
        for key, heading, groups in member_breakdowns(stats)
    ]
    breakdowns.append(
        Breakdown(
            "behaviour", messages.REPORT_BY_BEHAVIOUR, suppress_groups(stats.by_behaviour, cells)
        )
    )
    return ReportOverview(
        title=messages.REPORT_TITLE,
        period_label=stats.period.label,
        first_day=stats.period.since.date(),
        last_day=(stats.period.until - timedelta(microseconds=1)).date(),
        cells=cells,
        headlines=headlines,
        breakdowns=tuple(breakdowns),
        weeks=trend_weeks(stats, cells),
        unseen_seats=tuple(
            UnseenSeat(seat.title, cells.count(seat.members))
            for seat in stats.seats_never_recognised
        ),
    )

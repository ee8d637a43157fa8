"""The statistics as a short, platform-neutral summary: the sentences an admin reads first,
then the groups — behaviour, seat, department, and the seniority view (staff group and pay
band) where known — with small cells hidden.

Renderers (Slack Block Kit, the Teams card, the console) format these; they never compute
figures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot import messages
from bot.messages import count_of
from bot.reporting.seniority import seniority_breakdowns
from bot.reporting.stats import GroupCount, RecognitionStats
from bot.reporting.suppression import GroupRow, SmallCells, suppress_groups

GROUPS_SHOWN = 5
# Every level of the seniority view fits: the nine ESR staff groups, and the pay bands of
# Agenda for Change (2 to 9, with 8a to 8d) bar a few.
SENIORITY_SHOWN = 12
SENIORITY_HEADINGS = {
    "staff_group": messages.STATS_BY_STAFF_GROUP,
    "pay_band": messages.STATS_BY_PAY_BAND,
}


@dataclass(frozen=True)
class GroupSection:
    heading: str
    lines: tuple[str, ...]
    key: str = ""  # "behaviour", "title", "department", "staff_group" or "pay_band"


@dataclass(frozen=True)
class StatsSummary:
    header: str
    totals: str
    coverage: str
    spread: str
    unseen_seats: str
    groups: tuple[GroupSection, ...]
    weekly: str

    @property
    def seniority(self) -> tuple[GroupSection, ...]:
        """The staff group and pay band sections (none without an HR import or directory)."""
        return tuple(group for group in self.groups if group.key in SENIORITY_HEADINGS)


def percent(share: float) -> str:
    return f"{share:.0%}"


def people(count: int | str) -> str:
    """'1 person', '3 people', '<5 people'."""
    return count_of(count, "person", "people")


def nominations(count: int | str) -> str:
    return count_of(count, "nomination", "nominations")


def group_line(row: GroupRow, cells: SmallCells) -> str:
    """One group of a breakdown as a sentence, with its small cells hidden."""
    if row.suppressed:
        return messages.STATS_GROUP_HIDDEN.format(label=row.label, min_cell=cells.min_cell)
    if row.members is None:
        return messages.STATS_GROUP_LINE.format(
            label=row.label,
            nominations=nominations(row.nominations),
            people=people(row.people_recognised),
        )
    return messages.STATS_GROUP_LINE_MEMBERS.format(
        label=row.label,
        nominations=nominations(row.nominations),
        people=row.people_recognised,
        members=people(row.members),
    )


def seniority_line(row: GroupRow, cells: SmallCells) -> str:
    """One staff group or pay band: people recognised of its headcount, as a share."""
    if row.suppressed or not isinstance(row.coverage, float):
        return group_line(row, cells)  # hidden, or no active members to share among
    assert row.members is not None
    return messages.STATS_SENIORITY_LINE.format(
        label=row.label,
        people=row.people_recognised,
        members=people(row.members),
        share=percent(row.coverage),
        nominations=nominations(row.nominations),
    )


def _group_lines(
    groups: tuple[GroupCount, ...],
    cells: SmallCells,
    line: Callable[[GroupRow, SmallCells], str] = group_line,
    shown: int = GROUPS_SHOWN,
) -> tuple[str, ...]:
    rows = suppress_groups(groups, cells)
    lines = [line(row, cells) for row in rows[:shown]]
    if len(rows) > shown:
        lines.append(messages.STATS_MORE_GROUPS.format(count=len(rows) - shown))
    return tuple(lines)


def seat_list(stats: RecognitionStats, cells: SmallCells) -> str:
    """'Cleaner (1 person), Pharmacist (<5 people)': seats never recognised, sizes hidden
    when small."""
    return ", ".join(
        messages.STATS_SEAT.format(title=seat.title, members=people(cells.count(seat.members)))
        for seat in stats.seats_never_recognised
    )


def summarise(stats: RecognitionStats, cells: SmallCells | None = None) -> StatsSummary:
    """The summary sentences; with `cells`, every figure about fewer than `min_cell` people
    is hidden (whole-organisation totals below it too)."""
    cells = cells or SmallCells()
    coverage_share = cells.share(stats.recognised_active_members, stats.active_members)
    coverage = (
        messages.STATS_COVERAGE_UNKNOWN
        if coverage_share is None
        else messages.STATS_COVERAGE.format(
            share=percent(coverage_share) if isinstance(coverage_share, float) else coverage_share,
            members=count_of(cells.count(stats.active_members), "active member", "active members"),
        )
    )
    top_share = cells.share(stats.top_recipients_received, stats.recognitions_received)
    if top_share is None or stats.gini is None:
        spread = messages.STATS_SPREAD_NONE
    elif isinstance(top_share, str):  # the top recipients' count is a small cell
        spread = messages.STATS_SPREAD_SMALL.format(
            gini=f"{stats.gini:.2f}", min_cell=cells.min_cell
        )
    else:
        spread = messages.STATS_SPREAD.format(
            top=people(cells.count(stats.top_recipients)),
            share=percent(top_share),
            gini=f"{stats.gini:.2f}",
        )
    seats = seat_list(stats, cells)
    by_behaviour = tuple(group for group in stats.by_behaviour if group.nominations)
    return StatsSummary(
        header=messages.STATS_HEADER.format(period=stats.period.label),
        totals=messages.STATS_TOTALS.format(
            nominations=nominations(cells.count(stats.nominations)),
            nominators=people(cells.count(stats.distinct_nominators)),
            nominees=people(cells.count(stats.distinct_nominees)),
            endorsements=cells.count(stats.endorsements),
        ),
        coverage=coverage,
        spread=spread,
        unseen_seats=messages.STATS_NEVER_RECOGNISED.format(seats=seats)
        if seats
        else messages.STATS_EVERY_SEAT
        if any(group.key is not None and group.members for group in stats.by_title)
        else messages.STATS_NO_TITLES,
        groups=(
            GroupSection(
                messages.STATS_BY_BEHAVIOUR, _group_lines(by_behaviour, cells), "behaviour"
            ),
            GroupSection(messages.STATS_BY_TITLE, _group_lines(stats.by_title, cells), "title"),
            GroupSection(
                messages.STATS_BY_DEPARTMENT, _group_lines(stats.by_department, cells), "department"
            ),
            *(
                GroupSection(
                    SENIORITY_HEADINGS[breakdown.key],
                    _group_lines(breakdown.groups, cells, seniority_line, SENIORITY_SHOWN),
                    breakdown.key,
                )
                for breakdown in seniority_breakdowns(stats)
            ),
        ),
        weekly=messages.STATS_WEEKLY.format(
            weeks=", ".join(
                f"{week.week_start:%d %b} {cells.count(week.nominations)}/"
                f"{cells.count(week.people_recognised)}"
                for week in stats.weekly
            )
        ),
    )

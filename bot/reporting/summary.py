"""The statistics as a short, platform-neutral summary: the sentences an admin reads first.

Renderers (Slack Block Kit, the console) format these; they never compute figures.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot import messages
from bot.reporting.stats import GroupCount, RecognitionStats

GROUPS_SHOWN = 5


@dataclass(frozen=True)
class GroupSection:
    heading: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class StatsSummary:
    header: str
    totals: str
    coverage: str
    spread: str
    unseen_seats: str
    groups: tuple[GroupSection, ...]
    weekly: str


def percent(share: float) -> str:
    return f"{share:.0%}"


def _group_lines(groups: tuple[GroupCount, ...]) -> tuple[str, ...]:
    lines = []
    for group in groups[:GROUPS_SHOWN]:
        if group.members is None:
            line = messages.STATS_GROUP_LINE.format(
                label=group.label, nominations=group.nominations, people=group.people_recognised
            )
        else:
            line = messages.STATS_GROUP_LINE_MEMBERS.format(
                label=group.label,
                nominations=group.nominations,
                people=group.people_recognised,
                members=group.members,
            )
        lines.append(line)
    if len(groups) > GROUPS_SHOWN:
        lines.append(messages.STATS_MORE_GROUPS.format(count=len(groups) - GROUPS_SHOWN))
    return tuple(lines)


def summarise(stats: RecognitionStats) -> StatsSummary:
    coverage = (
        messages.STATS_COVERAGE.format(share=percent(stats.coverage), members=stats.active_members)
        if stats.coverage is not None
        else messages.STATS_COVERAGE_UNKNOWN
    )
    spread = (
        messages.STATS_SPREAD.format(
            top=stats.top_recipients, share=percent(stats.top_share), gini=f"{stats.gini:.2f}"
        )
        if stats.top_share is not None and stats.gini is not None
        else messages.STATS_SPREAD_NONE
    )
    seats = ", ".join(
        messages.STATS_SEAT.format(title=seat.title, members=seat.members)
        for seat in stats.seats_never_recognised
    )
    by_behaviour = tuple(group for group in stats.by_behaviour if group.nominations)
    return StatsSummary(
        header=messages.STATS_HEADER.format(period=stats.period.label),
        totals=messages.STATS_TOTALS.format(
            nominations=stats.nominations,
            nominators=stats.distinct_nominators,
            nominees=stats.distinct_nominees,
            endorsements=stats.endorsements,
        ),
        coverage=coverage,
        spread=spread,
        unseen_seats=messages.STATS_NEVER_RECOGNISED.format(seats=seats)
        if seats
        else messages.STATS_EVERY_SEAT
        if any(group.key is not None and group.members for group in stats.by_title)
        else messages.STATS_NO_TITLES,
        groups=(
            GroupSection(messages.STATS_BY_BEHAVIOUR, _group_lines(by_behaviour)),
            GroupSection(messages.STATS_BY_TITLE, _group_lines(stats.by_title)),
            GroupSection(messages.STATS_BY_DEPARTMENT, _group_lines(stats.by_department)),
        ),
        weekly=messages.STATS_WEEKLY.format(
            weeks=", ".join(
                f"{week.week_start:%d %b} {week.nominations}/{week.people_recognised}"
                for week in stats.weekly
            )
        ),
    )

"""The seniority view: recognition received per staff group and pay band, as a share of
each one's headcount — is leadership seen at every level, or only at the top?

The staff groups and pay bands come from the HR import or directory sync; an organisation
with neither has no seniority view, and every report leaves it out. Each report (chat
summary, App Home, Teams card, exports, board report) lists the groups in the order given
here, so they read the same everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.reporting.stats import GroupCount, RecognitionStats

_NUMBER = re.compile(r"(\d+)")


@dataclass(frozen=True)
class SeniorityBreakdown:
    key: str  # "staff_group" or "pay_band": the export's section, the report's table key
    groups: tuple[GroupCount, ...]


def _label_order(group: GroupCount) -> tuple[int, tuple[tuple[int, int | str], ...], str]:
    """Labels in natural order ("Band 2" < "Band 8a" < "Band 10"), the unknown ones last."""
    parts = tuple(
        (0, int(part)) if part.isdigit() else (1, part.casefold())
        for part in _NUMBER.split(group.label)
        if part
    )
    return (1 if group.key is None else 0, parts, group.label)


def in_seniority_order(groups: tuple[GroupCount, ...]) -> tuple[GroupCount, ...]:
    """Staff groups A to Z and pay bands lowest first, rather than by how often each was
    recognised: the view compares levels, so the levels keep their places."""
    return tuple(sorted(groups, key=_label_order))


def seniority_breakdowns(stats: RecognitionStats) -> tuple[SeniorityBreakdown, ...]:
    """Staff group then pay band, each only when the statistics know it."""
    found = (("staff_group", stats.by_staff_group), ("pay_band", stats.by_pay_band))
    return tuple(
        SeniorityBreakdown(key, in_seniority_order(groups)) for key, groups in found if groups
    )

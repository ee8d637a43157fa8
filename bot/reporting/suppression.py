"""Small-cell suppression: figures about fewer than `min_cell` people are never shown.

Shared reports (the board report, chat statistics, exports with `--min-cell`) describe
groups — seats, departments, behaviours, weeks. A figure about a group of one or two people
tells you about those people, so:

- a group with fewer than `min_cell` members (a one-person seat) is hidden whole: its
  member count, nominations, people recognised and coverage;
- any other count from 1 to `min_cell - 1` is hidden ("<5"); zero identifies nobody and
  is shown;
- when one group of a breakdown is hidden, the next-smallest is hidden too, so the
  hidden figure cannot be worked out by subtracting the others from the total.

The result is a view model per breakdown that every renderer (XLSX, HTML, chat) shows as
it is, so no renderer can forget a rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot import messages
from bot.reporting.stats import GroupCount

# A count, or the text that stands in for it ("<5").
Shown = int | str


@dataclass(frozen=True)
class SmallCells:
    """The suppression threshold of one report; `None` shows every figure."""

    min_cell: int | None = None

    @property
    def active(self) -> bool:
        return self.min_cell is not None and self.min_cell > 1

    @property
    def placeholder(self) -> str:
        return messages.SUPPRESSED.format(min_cell=self.min_cell)

    def hides(self, count: int) -> bool:
        return self.active and 0 < count < (self.min_cell or 0)

    def count(self, value: int) -> Shown:
        """`value`, or "<N" when it is a small cell."""
        return self.placeholder if self.hides(value) else value

    def share(self, numerator: int, denominator: int) -> float | str | None:
        """numerator / denominator, hidden whenever either count is (it would give it away)."""
        if denominator == 0:
            return None
        if self.hides(numerator) or self.hides(denominator):
            return self.placeholder
        return numerator / denominator


@dataclass(frozen=True)
class GroupRow:
    """One group of a breakdown as every report shows it: figures or "<N" placeholders."""

    key: str | None
    label: str
    members: Shown | None  # None for behaviours, which have no membership
    people_recognised: Shown
    nominations: Shown
    coverage: float | str | None  # share of members recognised; None without members
    suppressed: bool  # the whole group is hidden


def _is_small_group(group: GroupCount, cells: SmallCells) -> bool:
    if group.members is not None and cells.hides(group.members):
        return True
    return cells.hides(group.people_recognised) or cells.hides(group.nominations)


def _size(group: GroupCount) -> tuple[int, int, int]:
    return (group.members or 0, group.people_recognised, group.nominations)


def _hidden_row(group: GroupCount, cells: SmallCells) -> GroupRow:
    hidden = cells.placeholder
    return GroupRow(
        key=group.key,
        label=group.label,
        members=None if group.members is None else hidden,
        people_recognised=hidden,
        nominations=hidden,
        coverage=None if group.members is None else hidden,
        suppressed=True,
    )


def _shown_row(group: GroupCount) -> GroupRow:
    coverage = group.people_recognised / group.members if group.members else None
    return GroupRow(
        key=group.key,
        label=group.label,
        members=group.members,
        people_recognised=group.people_recognised,
        nominations=group.nominations,
        coverage=coverage,
        suppressed=False,
    )


def suppress_groups(groups: Sequence[GroupCount], cells: SmallCells) -> tuple[GroupRow, ...]:
    """The breakdown with small groups hidden, and a second group hidden when only one is,
    so that no hidden figure can be recovered from the totals (complementary suppression)."""
    if not cells.active:
        return tuple(_shown_row(group) for group in groups)
    hidden = {index for index, group in enumerate(groups) if _is_small_group(group, cells)}
    if len(hidden) == 1:
        candidates = [
            index for index, group in enumerate(groups) if index not in hidden and any(_size(group))
        ]
        if candidates:
            hidden.add(min(candidates, key=lambda index: _size(groups[index])))
    return tuple(
        _hidden_row(group, cells) if index in hidden else _shown_row(group)
        for index, group in enumerate(groups)
    )

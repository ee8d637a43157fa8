"""Small-cell suppression: what a reader of a shared report can and can't learn."""

from __future__ import annotations

from bot.reporting.stats import GroupCount
from bot.reporting.summary import summarise
from bot.reporting.suppression import SmallCells, suppress_groups


def seat(label: str, members: int, recognised: int, nominations: int) -> GroupCount:
    return GroupCount(label, label, nominations, recognised, members)


SEATS = (
    seat("Nurse", 40, 12, 30),
    seat("Porter", 12, 6, 9),
    seat("Chaplain", 1, 1, 7),  # one person: 7 nominations would be theirs alone
    seat("Cleaner", 20, 0, 0),
)


def test_a_one_person_seat_is_hidden_whole_however_many_nominations() -> None:
    rows = {row.label: row for row in suppress_groups(SEATS, SmallCells(5))}
    chaplain = rows["Chaplain"]
    assert chaplain.suppressed
    assert (chaplain.members, chaplain.people_recognised, chaplain.nominations) == ("<5",) * 3
    assert chaplain.coverage == "<5"


def test_a_second_group_is_hidden_so_the_total_gives_nothing_away() -> None:
    rows = {row.label: row for row in suppress_groups(SEATS, SmallCells(5))}
    # Porter, the smallest other group with figures, goes with the Chaplain; the Cleaner's
    # zeros identify nobody and stay.
    assert [label for label, row in rows.items() if row.suppressed] == ["Porter", "Chaplain"]
    assert rows["Cleaner"].nominations == 0 and not rows["Cleaner"].suppressed
    total_nominations = sum(group.nominations for group in SEATS)
    shown = sum(row.nominations for row in rows.values() if isinstance(row.nominations, int))
    assert total_nominations - shown == 9 + 7  # only the sum of two hidden groups


def test_without_a_threshold_every_figure_is_shown() -> None:
    rows = suppress_groups(SEATS, SmallCells(None))
    assert not any(row.suppressed for row in rows)
    assert [row.coverage for row in rows] == [0.3, 0.5, 1.0, 0.0]


def test_counts_and_shares_hide_small_cells() -> None:
    cells = SmallCells(5)
    assert [cells.count(value) for value in (0, 1, 4, 5)] == [0, "<5", "<5", 5]
    assert cells.share(3, 40) == "<5"  # 3 of 40 would give the hidden 3 away
    assert cells.share(10, 40) == 0.25
    assert SmallCells(1).count(1) == 1  # a threshold of 1 hides nothing


def test_the_chat_summary_reads_well_with_hidden_groups(services, clock) -> None:
    from bot.reporting.periods import last_days
    from bot.reporting.stats import recognition_stats
    from tests.support.datasets import NOW, build_dataset

    dataset = build_dataset(services, clock)
    with services.sessions() as session:
        stats = recognition_stats(
            session, dataset.workspace_id, last_days(30, NOW), services.catalogue
        )
    summary = summarise(stats, SmallCells(2))
    lines = dict(group_section for group_section in ((g.heading, g.lines) for g in summary.groups))
    assert "Cleaner: figures hidden (fewer than 2 people or recognitions)" in lines["By job title"]
    assert summary.totals == "5 nominations from 5 people recognised 4 people; 2 “I saw this too”."
    assert (
        summary.unseen_seats
        == "Seats never recognised: Cleaner (<2 people), Pharmacist (<2 people)."
    )

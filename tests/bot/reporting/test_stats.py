"""Statistics against a small hand-built workspace whose answers were worked out by hand."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select, update

from bot.app.composition import build_services
from bot.errors import WorkspaceChoiceError
from bot.reporting.periods import last_days
from bot.reporting.stats import (
    ORGANISATION,
    BehaviourWeek,
    GroupCount,
    RecognitionStats,
    Seat,
    WeekCount,
    choose_scope,
    choose_workspace,
    gini_from_ranked_sums,
    recognition_stats,
    statistics_query,
)
from bot.reporting.weekly_rollups import week_start
from db.engine import create_database_engine
from db.migrate import upgrade_database
from db.models import (
    Member,
    Nomination,
    StatisticsBehaviourFlag,
    StatisticsSpan,
    StatisticsSpanRecipient,
)
from tests.support.clock import FakeClock
from tests.support.datasets import NOW, Dataset, at, build_dataset


@pytest.fixture(params=["sqlite", "postgres"])
def dataset(
    request: pytest.FixtureRequest, tmp_path: Path, make_settings, clock: FakeClock
) -> Iterator[Dataset]:
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_url")
    else:
        url = f"sqlite:///{tmp_path / 'stats.db'}"
    services = build_services(make_settings(DATABASE_URL=url), clock=clock)
    upgrade_database(services.engine)
    try:
        yield build_dataset(services, clock)
    finally:
        services.close()


def stats_for(dataset: Dataset) -> RecognitionStats:
    with dataset.services.sessions() as session:
        return recognition_stats(
            session, dataset.workspace_id, last_days(30, NOW), dataset.services.catalogue
        )


def test_totals_count_only_the_period_and_the_workspace(dataset: Dataset) -> None:
    stats = stats_for(dataset)
    assert stats.nominations == 5
    assert stats.distinct_nominators == 5
    assert stats.distinct_nominees == 4
    assert stats.recognitions_received == 8
    assert stats.endorsements == 2  # the one on the September nomination is outside the period


def test_coverage_counts_active_people_only(dataset: Dataset) -> None:
    stats = stats_for(dataset)
    assert stats.active_members == 10  # not the bot, not the leaver
    assert stats.recognised_active_members == 4
    assert stats.coverage == pytest.approx(0.4)


def test_spread_top_decile_and_gini_match_the_hand_computation(dataset: Dataset) -> None:
    stats = stats_for(dataset)
    # 4 recipients: the top 10% is ceil(0.4) = 1 person, Nia, with 4 of 8.
    assert stats.top_recipients == 1
    assert stats.top_share == pytest.approx(0.5)
    # Sorted 1, 1, 2, 4: Σ i·x = 1 + 2 + 6 + 16 = 25; G = 2·25/(4·8) − 5/4 = 0.3125.
    assert stats.gini == pytest.approx(0.3125)


def test_by_behaviour_lists_every_behaviour_with_nominations_and_people(dataset: Dataset) -> None:
    by_slug = {group.key: group for group in stats_for(dataset).by_behaviour}
    assert by_slug["speaking-up"] == GroupCount("speaking-up", "Speaking up", 3, 3)
    assert (
        by_slug["enabling-change"].nominations,
        by_slug["enabling-change"].people_recognised,
    ) == (1, 2)
    assert (
        by_slug["leading-from-every-seat"].nominations,
        by_slug["leading-from-every-seat"].people_recognised,
    ) == (1, 1)
    assert by_slug["partnering-with-patients"].nominations == 0
    assert len(by_slug) == len(dataset.services.catalogue)


def test_people_per_behaviour_are_the_same_from_rollups(dataset: Dataset) -> None:
    """Built weeks (behaviours counted from flags) give the hand-computed figures."""
    with dataset.services.sessions() as session:
        built = recognition_stats(
            session, dataset.workspace_id, last_days(30, NOW), dataset.services.catalogue, now=NOW
        )
        assert session.scalar(select(func.count()).select_from(StatisticsBehaviourFlag))
    assert built == stats_for(dataset)
    by_slug = {group.key: group for group in built.by_behaviour}
    assert by_slug["speaking-up"] == GroupCount("speaking-up", "Speaking up", 3, 3)
    assert by_slug["enabling-change"].people_recognised == 2


def test_a_span_gives_the_figures_of_its_weeks_until_one_of_them_changes(
    dataset: Dataset,
) -> None:
    """Sixty days have eight whole weeks: all but the last two are summed per person into a
    span, read instead of them; hiding a nomination of one drops the span with its week, and
    a new seat for a member drops the workspace's spans."""
    period = last_days(60, NOW)
    catalogue = dataset.services.catalogue
    with dataset.services.sessions() as session:
        raw = recognition_stats(session, dataset.workspace_id, period, catalogue)
        assert recognition_stats(session, dataset.workspace_id, period, catalogue, now=NOW) == raw
        assert session.scalar(select(func.count()).select_from(StatisticsSpan)) == 1
        assert session.scalar(select(func.count()).select_from(StatisticsSpanRecipient))
        assert recognition_stats(session, dataset.workspace_id, period, catalogue) == raw
        first_week, weeks = session.execute(
            select(StatisticsSpan.first_week, StatisticsSpan.weeks)
        ).one()
        in_span = session.scalar(
            select(Nomination.id).where(
                Nomination.workspace_id == dataset.workspace_id,
                Nomination.created_at >= week_start(first_week),
                Nomination.created_at < week_start(first_week) + timedelta(weeks=weeks),
                Nomination.hidden_at.is_(None),
                Nomination.withdrawn_at.is_(None),
            )
        )
        assert in_span is not None, "the dataset has a nomination in the span's weeks"
        session.execute(update(Nomination).where(Nomination.id == in_span).values(hidden_at=NOW))
        session.commit()
        assert session.scalar(select(func.count()).select_from(StatisticsSpan)) == 0
        hidden = recognition_stats(session, dataset.workspace_id, period, catalogue)
        assert hidden.nominations == raw.nominations - 1
        assert recognition_stats(session, dataset.workspace_id, period, catalogue, now=NOW) == (
            hidden
        )
        assert session.scalar(select(func.count()).select_from(StatisticsSpan)) == 1

        # A new seat for anyone drops the workspace's spans (they count repeats per seat).
        session.execute(
            update(Member).where(Member.workspace_id == dataset.workspace_id).values(title="Porter")
        )
        session.commit()
        assert session.scalar(select(func.count()).select_from(StatisticsSpan)) == 0
        retitled = recognition_stats(session, dataset.workspace_id, period, catalogue)
        assert [group.key for group in retitled.by_title] == ["Porter"]
        assert recognition_stats(session, dataset.workspace_id, period, catalogue, now=NOW) == (
            retitled
        )


def test_by_title_and_department_show_members_recognised_and_nominations(dataset: Dataset) -> None:
    stats = stats_for(dataset)
    titles = {g.label: (g.nominations, g.people_recognised, g.members) for g in stats.by_title}
    assert titles == {
        "Porter": (4, 1, 2),
        "Nurse": (2, 1, 3),
        "Receptionist": (1, 1, 2),
        "Ward sister": (1, 1, 1),
        "Pharmacist": (0, 0, 1),
        "Cleaner": (0, 0, 1),
    }
    departments = {
        g.label: (g.nominations, g.people_recognised, g.members) for g in stats.by_department
    }
    assert departments == {
        "Facilities": (4, 1, 3),
        "Surgery": (3, 2, 3),
        "Outpatients": (1, 1, 2),
        "Pharmacy": (0, 0, 1),
        "(no department)": (0, 0, 1),
    }


def test_seats_never_recognised_are_titles_held_by_active_members(dataset: Dataset) -> None:
    assert stats_for(dataset).seats_never_recognised == (Seat("Cleaner", 1), Seat("Pharmacist", 1))


def test_weekly_trend_has_every_week_of_the_period_including_empty_ones(dataset: Dataset) -> None:
    stats = stats_for(dataset)
    assert stats.weekly == (
        WeekCount(date(2026, 10, 19), 0, 0),
        WeekCount(date(2026, 10, 26), 0, 0),
        WeekCount(date(2026, 11, 2), 2, 2),
        WeekCount(date(2026, 11, 9), 1, 1),
        WeekCount(date(2026, 11, 16), 2, 4),
    )
    assert stats.weekly_by_behaviour == (
        BehaviourWeek(date(2026, 11, 2), "enabling-change", 1),
        BehaviourWeek(date(2026, 11, 2), "speaking-up", 2),
        BehaviourWeek(date(2026, 11, 9), "coaching-and-developing", 1),
        BehaviourWeek(date(2026, 11, 16), "leading-from-every-seat", 1),
        BehaviourWeek(date(2026, 11, 16), "speaking-up", 1),
    )


def test_an_empty_period_has_no_spread_and_no_division_by_zero(dataset: Dataset) -> None:
    with dataset.services.sessions() as session:
        stats = recognition_stats(
            session, dataset.workspace_id, last_days(7, at(1, month=8)), dataset.services.catalogue
        )
    assert (stats.nominations, stats.gini, stats.top_share) == (0, None, None)
    assert stats.coverage == 0.0
    assert {seat.title for seat in stats.seats_never_recognised} == {
        "Porter",
        "Nurse",
        "Receptionist",
        "Ward sister",
        "Pharmacist",
        "Cleaner",
    }


def test_choosing_a_workspace_needs_a_name_when_there_are_several(dataset: Dataset) -> None:
    with dataset.services.sessions() as session:
        with pytest.raises(WorkspaceChoiceError, match=r"T0FAKE.*T0OTHER"):
            choose_workspace(session)
        assert choose_workspace(session, "T0OTHER").external_id == "T0OTHER"


def test_the_command_line_reports_the_organisation_when_several_and_none_named(
    dataset: Dataset,
) -> None:
    with dataset.services.sessions() as session:
        assert choose_scope(session) is ORGANISATION
        assert choose_scope(session, "T0FAKE") == dataset.workspace_id
        with pytest.raises(WorkspaceChoiceError, match="T0NONE"):
            choose_scope(session, "T0NONE")


@pytest.mark.parametrize(
    ("counts", "expected"),
    [([3, 3, 3, 3], 0.0), ([0, 0, 0, 10], 0.75), ([1, 1, 2, 4], 0.3125), ([5], 0.0)],
)
def test_gini_formula_on_sorted_counts(counts: list[int], expected: float) -> None:
    ranked = sorted(counts)
    weighted = sum(rank * count for rank, count in enumerate(ranked, start=1))
    assert gini_from_ranked_sums(len(ranked), sum(ranked), weighted) == pytest.approx(expected)


def test_summary_without_any_job_titles_says_so_instead_of_every_seat_seen(
    services, clock: FakeClock
) -> None:
    from bot import messages
    from bot.reporting.summary import summarise
    from tests.support import builders

    ws = builders.workspace(services)
    ana = builders.member(services, ws.id, "UANA", "Ana")
    builders.nomination(services, ana, [builders.member(services, ws.id, "UNIA", "Nia")])
    clock.advance(timedelta(seconds=1))
    with services.sessions() as session:
        stats = recognition_stats(session, ws.id, last_days(30, clock()), services.catalogue)
    assert stats.nominations == 1
    assert summarise(stats).unseen_seats == messages.STATS_NO_TITLES


def test_sqlite_reads_a_periods_nominations_from_the_counted_index_alone(
    tmp_path: Path,
) -> None:
    # Each nomination read from its table row instead (its story and all) made a 30-day
    # period's statistics a fifth slower on the 2M-nomination history (migration 0011).
    engine = create_database_engine(f"sqlite:///{tmp_path / 'plan.db'}")
    statements: list[tuple[str, Any]] = []
    event.listen(
        engine,
        "before_cursor_execute",
        lambda _conn, _cursor, statement, parameters, *_rest: statements.append(
            (statement, parameters)
        ),
    )
    try:
        upgrade_database(engine)
        with engine.connect() as connection:
            statements.clear()
            connection.execute(statistics_query(1, [1], last_days(30, NOW))).all()
            ((statement, parameters),) = statements
            plan = [
                row[3]
                for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            ]
    finally:
        engine.dispose()
    reads = [step for step in plan if " nomination " in f"{step} "]
    assert reads and all("COVERING INDEX ix_nomination_counted" in step for step in reads), plan

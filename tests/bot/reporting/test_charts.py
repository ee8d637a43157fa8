"""Charts: what is plotted (read back from the figure, not from pixels) against what the
database holds, and what a reader needs around it: part weeks marked, readable labels at
any length, a colour-blind-safe palette, the source and date, and alt text."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from matplotlib.colors import to_hex
from sqlalchemy import select

from bot.reporting.charts import (
    OKABE_ITO,
    coverage_chart,
    coverage_figure,
    lorenz_chart,
    lorenz_figure,
    weekly_trend_chart,
    weekly_trend_figure,
)
from bot.reporting.distribution import recognition_distribution
from bot.reporting.periods import ReportingPeriod, last_days
from bot.reporting.stats import RecognitionStats, recognition_stats
from bot.reporting.suppression import SmallCells, suppress_groups
from bot.reporting.weekly_rollups import monday_of
from bot.services import Services
from db.models import Nomination
from tests.support import builders
from tests.support.clock import FakeClock
from tests.support.datasets import NOW, Dataset, build_dataset

DRAWN = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)


@pytest.fixture
def dataset(services: Services, clock: FakeClock) -> Dataset:
    return build_dataset(services, clock)


def stats_for(dataset: Dataset, period: ReportingPeriod) -> RecognitionStats:
    with dataset.services.sessions() as session:
        return recognition_stats(session, dataset.workspace_id, period, dataset.services.catalogue)


def nominations_per_week_in_database(dataset: Dataset, period: ReportingPeriod) -> Counter:
    with dataset.services.sessions() as session:
        created = session.scalars(
            select(Nomination.created_at).where(
                Nomination.workspace_id == dataset.workspace_id,
                Nomination.created_at >= period.since,
                Nomination.created_at < period.until,
            )
        ).all()
    return Counter(monday_of(moment) for moment in created)


def plotted_bars(figure) -> list[float]:
    (axes,) = figure.axes
    bars = next(c for c in axes.containers if c.get_label().startswith("Nominations"))
    return [patch.get_height() for patch in bars]


def test_the_trend_counts_each_nomination_once_as_the_database_does(dataset: Dataset) -> None:
    # Three behaviour-weeks and six nominee-links in these weeks: a chart stacking
    # behaviours or nominees would show more than the five nominations made.
    period = last_days(30, NOW)
    stats = stats_for(dataset, period)
    figure, weeks = weekly_trend_figure(stats, drawn_at=DRAWN)
    in_database = nominations_per_week_in_database(dataset, period)
    assert plotted_bars(figure) == [in_database.get(week.week_start, 0) for week in weeks]
    assert sum(plotted_bars(figure)) == 5 == sum(in_database.values())
    assert sum(item.nominations for item in stats.weekly_by_behaviour) > 5


def test_the_trend_matches_the_database_over_a_year_of_varied_weeks(
    services: Services, clock: FakeClock
) -> None:
    ws = builders.workspace(services)
    people = [builders.member(services, ws.id, f"U{index}", title="Nurse") for index in range(6)]
    start = datetime(2025, 11, 20, 9, tzinfo=UTC)
    for day in range(0, 364, 3):
        clock.set(start + timedelta(days=day, hours=day % 7))
        nominees = people[1 : 2 + day % 4]
        behaviours = ["speaking-up", "enabling-change"][: 1 + day % 2]
        builders.nomination(
            services, people[0], nominees, behaviours=behaviours, story=f"{builders.STORY} {day}"
        )
    clock.set(start + timedelta(days=365))
    period = last_days(365, clock())
    dataset = Dataset(services, ws.id)
    figure, weeks = weekly_trend_figure(stats_for(dataset, period), drawn_at=clock())
    in_database = nominations_per_week_in_database(dataset, period)
    assert len(weeks) == 53
    assert plotted_bars(figure) == [in_database.get(week.week_start, 0) for week in weeks]


def tick_labels(figure) -> list:
    figure.canvas.draw()
    (axes,) = figure.axes
    return [label for label in axes.get_xticklabels() if label.get_text()]


@pytest.mark.parametrize("days", [28, 90, 182, 365])
def test_week_labels_never_overlap_from_4_to_52_weeks(dataset: Dataset, days: int) -> None:
    figure, weeks = weekly_trend_figure(stats_for(dataset, last_days(days, NOW)), drawn_at=DRAWN)
    labels = tick_labels(figure)
    renderer = figure.canvas.get_renderer()
    boxes = [label.get_window_extent(renderer) for label in labels]
    assert 4 <= len(labels) <= 13
    if len(weeks) <= 13:
        assert len(labels) == len(weeks)  # short periods label every week
    for first, second in itertools.pairwise(boxes):
        assert first.x1 <= second.x0 or not first.overlaps(second)


def test_part_weeks_at_either_end_are_marked(dataset: Dataset) -> None:
    # The last 30 days up to Wednesday 18 November: the first and last weeks are partial.
    figure, weeks = weekly_trend_figure(stats_for(dataset, last_days(30, NOW)), drawn_at=DRAWN)
    assert [week.partial for week in weeks] == [True, False, False, False, True]
    (axes,) = figure.axes
    bars = axes.containers[0]
    assert [bool(patch.get_hatch()) for patch in bars] == [week.partial for week in weeks]
    texts = [label.get_text() for label in tick_labels(figure)]
    assert texts[0].endswith("(part)") and texts[-1].endswith("(part)")
    assert not texts[1].endswith("(part)")
    legend = [text.get_text() for text in axes.get_legend().get_texts()]
    assert "Part week: not all 7 days are in the period" in legend


def test_colours_are_okabe_ito_and_the_footer_names_source_and_date(dataset: Dataset) -> None:
    figure, _weeks = weekly_trend_figure(stats_for(dataset, last_days(30, NOW)), drawn_at=DRAWN)
    (axes,) = figure.axes
    palette = {colour.lower() for colour in OKABE_ITO.values()}
    assert {to_hex(patch.get_facecolor()) for patch in axes.containers[0]} <= palette
    assert to_hex(axes.get_lines()[0].get_color()) in palette
    footer = [text.get_text() for text in figure.texts if text.get_text().startswith("Source")]
    assert footer == [
        "Source: Everyseat recognition records, the last 30 days. Drawn 18 Nov 2026 10:00 UTC."
    ]


def test_alt_text_says_what_the_chart_shows(dataset: Dataset) -> None:
    chart = weekly_trend_chart(stats_for(dataset, last_days(30, NOW)), drawn_at=DRAWN)
    assert chart.png.startswith(b"\x89PNG")
    assert chart.alt_text == (
        "Bar chart of nominations per week over the last 30 days: 5 weeks, 5 nominations in "
        "all. Among whole weeks, the most was 2 nominations in the week of 02 Nov 2026 and "
        "the fewest 0 nominations in the week of 26 Oct 2026. 2 weeks at the ends of the "
        "period are part weeks, drawn hatched."
    )


def test_small_weeks_are_hidden_under_suppression(dataset: Dataset) -> None:
    figure, weeks = weekly_trend_figure(
        stats_for(dataset, last_days(30, NOW)), drawn_at=DRAWN, cells=SmallCells(5)
    )
    assert all(week.nominations in (None, 0) for week in weeks)
    assert plotted_bars(figure) == [0] * len(weeks)
    (axes,) = figure.axes
    assert [text.get_text() for text in axes.texts].count("<5") == 3


def test_coverage_by_seat_plots_the_share_of_each_seat_recognised(dataset: Dataset) -> None:
    stats = stats_for(dataset, last_days(30, NOW))
    rows = suppress_groups(stats.by_title, SmallCells())
    figure, drawn = coverage_figure("seat", rows, stats.period, drawn_at=DRAWN, cells=SmallCells())
    (axes,) = figure.axes
    plotted = {
        label.get_text(): patch.get_width()
        for label, patch in zip(axes.get_yticklabels(), axes.containers[0], strict=True)
    }
    # Porter: Nia of Nia and Kit; Nurse: Lee of Lee, Mo, Bo; Ward sister: Ana; others none.
    assert plotted == pytest.approx(
        {
            "Cleaner": 0.0,
            "Pharmacist": 0.0,
            "Receptionist": 0.5,
            "Nurse": 1 / 3,
            "Porter": 0.5,
            "Ward sister": 1.0,
        }
    )
    assert [row.label for row in drawn][:2] == ["Cleaner", "Pharmacist"]  # least covered first
    assert "1 of 3" in [text.get_text() for text in axes.texts]


def test_coverage_hides_small_seats_by_name(dataset: Dataset) -> None:
    stats = stats_for(dataset, last_days(30, NOW))
    cells = SmallCells(3)
    chart = coverage_chart(
        "seat", suppress_groups(stats.by_title, cells), stats.period, drawn_at=DRAWN, cells=cells
    )
    figure, drawn = coverage_figure(
        "seat", suppress_groups(stats.by_title, cells), stats.period, drawn_at=DRAWN, cells=cells
    )
    (axes,) = figure.axes
    hidden = [row.label for row in drawn if row.suppressed]
    assert set(hidden) >= {"Cleaner", "Pharmacist", "Ward sister", "Porter", "Receptionist"}
    assert "<3 people or recognitions: figures hidden" in [t.get_text() for t in axes.texts]
    assert chart.alt_text.startswith("Bar chart of coverage")


def test_lorenz_curve_and_gini_cover_everyone_who_could_be_recognised(dataset: Dataset) -> None:
    period = last_days(30, NOW)
    with dataset.services.sessions() as session:
        distribution = recognition_distribution(session, dataset.workspace_id, period)
    # Ten active members received 4, 2, 1, 1 and six nothing (8 in all).
    assert distribution.people_by_count == ((0, 6), (1, 2), (2, 1), (4, 1))
    expected_gini = 2 * (7 * 1 + 8 * 1 + 9 * 2 + 10 * 4) / (10 * 8) - 11 / 10
    assert distribution.gini == pytest.approx(expected_gini)
    figure = lorenz_figure(distribution, period, drawn_at=DRAWN)
    (axes,) = figure.axes
    curve = next(line for line in axes.get_lines() if line.get_gid() == "lorenz")
    assert list(curve.get_xdata()) == pytest.approx([0, 0.6, 0.8, 0.9, 1])
    assert list(curve.get_ydata()) == pytest.approx([0, 0, 0.25, 0.5, 1])
    chart = lorenz_chart(distribution, period, drawn_at=DRAWN)
    assert chart.caption.startswith(
        f"Gini {distribution.gini:.2f} across 10 active members (6 people not recognised at all)"
    )
    assert any(text.get_text().startswith("Gini 0.7") for text in figure.texts)

"""Benchmark 6 in small: on a small trust over a few weeks, the real selection path beats a
"5 most-nominated people" digest on every equity measure, so CI guards the policy."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import equity
from benchmarks.equity import Endorsements, TrustShape, rewrite_section, simulate
from benchmarks.results import PLANNED, Figure, Outcome

SMALL = TrustShape(people=200, titles=12, departments=5, weeks=6, nominations_per_week=60, seed=7)


@pytest.mark.parametrize("model", list(Endorsements))
def test_the_spotlight_beats_the_top_five_on_a_small_trust(
    database_url: str, model: Endorsements
) -> None:
    result = simulate(database_url, SMALL, model)
    # The trust is as skewed as intended: the top fifth receive most nominations.
    assert 0.6 <= result.top_share_of_nominations <= 0.9
    assert result.slots >= SMALL.weeks * 5
    assert result.people_featured >= 2 * result.baseline_people_featured
    assert result.title_coverage >= 0.8 > result.baseline_title_coverage
    assert result.top_share_of_slots <= 0.5 < result.baseline_top_share_of_slots
    assert result.most_times_featured <= 2


def test_the_same_seed_gives_the_same_weeks(tmp_path: Path) -> None:
    shape = TrustShape(people=80, titles=8, departments=4, weeks=3, nominations_per_week=30)
    first = simulate(f"sqlite:///{tmp_path / 'a.db'}", shape, Endorsements.FOLLOW_POPULARITY)
    again = simulate(f"sqlite:///{tmp_path / 'b.db'}", shape, Endorsements.FOLLOW_POPULARITY)
    assert {**vars(first), "seconds": 0} == {**vars(again), "seconds": 0}


def test_results_md_gets_only_its_own_section_rewritten() -> None:
    assert (equity.NUMBER, equity.TITLE, equity.TARGET) in PLANNED
    before = (
        "# Benchmark results\n\n## Summary\n\n| # | Benchmark | Target | Result |\n"
        "|---|---|---|---|\n| 5 | Start-up | none | recorded |\n"
        f"| 6 | {equity.TITLE} | {equity.TARGET} | not yet measured |\n\n"
        "## 5. Start-up\n\nStart-up figures stay.\n\n"
        f"## 6. {equity.TITLE}\n\nNot yet measured.\n\n## 7. Later\n\nLater stays.\n"
    )
    outcome = Outcome(equity.NUMBER, equity.TITLE, equity.TARGET)
    outcome.figures.append(Figure("distinct people", "61 against 11", "≥ 3×", True))
    after = rewrite_section(before, outcome)
    assert f"| 6 | {equity.TITLE} | {equity.TARGET} | met |" in after
    assert "| distinct people | 61 against 11 | ≥ 3× | met |" in after
    assert "Not yet measured." not in after
    assert "Start-up figures stay." in after and "## 7. Later\n\nLater stays.\n" in after
    assert after.count(f"## 6. {equity.TITLE}") == 1
    # A file without the section gets it appended.
    appended = rewrite_section("# Benchmark results\n", outcome)
    assert appended.endswith("_Took 0 s._\n") and f"## 6. {equity.TITLE}" in appended

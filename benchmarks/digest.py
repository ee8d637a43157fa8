"""Benchmark 3: building one week's spotlight on a large history.

The same week's volume (about 12,800 nominations a week) on 200,000 nominations over 16
weeks and on 2,000,000 over three years: if building the digest reads only the week (an
index range on created_at) the two times match, however long the history.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from benchmarks.database_profile import profile_work
from benchmarks.datasets import MEMBERS, NOW, History, history
from benchmarks.results import Context, Figure, Outcome
from bot.nominations.behaviours import load_catalogue
from bot.weekly.periods import PostKind, WeeklySchedule
from bot.weekly.reflections import load_reflections
from bot.weekly.spotlight import build_digest_view
from db.engine import create_database_engine, create_session_factory
from db.models import Workspace

NUMBER = 3
TITLE = "Weekly spotlight on a large history"
TARGET = "under 200 ms, independent of history size (200k and 2M nominations)"
TARGET_MS = 200.0
RUNS = 7
SIZES = ((200_000, 16), (2_000_000, 156))
QUICK_SIZES = ((20_000, 16), (60_000, 48))  # a smoke run: seeded in seconds


@dataclass(frozen=True)
class _Timing:
    first_ms: float
    median_ms: float  # of the RUNS after the first
    in_week: int  # nominations in the week
    profile: str  # markdown; only when the median missed the target


def _time_digest(data: History, profile_to: Path | None) -> _Timing:
    """Build the week's digest RUNS + 1 times; on a miss, once more under the profiler
    (to `profile_to`, when given)."""
    schedule = WeeklySchedule(PostKind.DIGEST, 0, clock_time(9, 0), ZoneInfo("Europe/London"))
    period = schedule.period_due_at(schedule.latest_fire_at_or_before(NOW))
    catalogue, reflections = load_catalogue(), load_reflections()
    engine = create_database_engine(data.url)
    sessions = create_session_factory(engine)
    try:
        with sessions() as session:
            workspace_id = session.scalars(select(Workspace.id)).one()
        times = []
        for _ in range(RUNS + 1):
            with sessions() as session:
                began = time.perf_counter()
                view = build_digest_view(
                    session, workspace_id, period, catalogue=catalogue, reflections=reflections
                )
                times.append((time.perf_counter() - began) * 1000)
        median = statistics.median(times[1:])
        profile = ""
        if profile_to is not None and median >= TARGET_MS:
            with sessions() as session:
                profile = profile_work(
                    engine,
                    lambda: build_digest_view(
                        session, workspace_id, period, catalogue=catalogue, reflections=reflections
                    ),
                    profile_to,
                )
    finally:
        engine.dispose()
    return _Timing(times[0], median, view.summary.nominations, profile)


def run(context: Context) -> Outcome:
    outcome = Outcome(NUMBER, TITLE, TARGET)
    began = time.perf_counter()
    medians = []
    for nominations, weeks in QUICK_SIZES if context.quick else SIZES:
        data = history(context.workdir, nominations, weeks)
        timing = _time_digest(
            data, None if context.quick else context.workdir / f"digest-{nominations}.prof"
        )
        medians.append(timing.median_ms)
        outcome.add(
            Figure(
                f"SQLite, {nominations:,} nominations over {weeks} weeks "
                f"({MEMBERS:,} members; {timing.in_week:,} public in the week)",
                f"median {timing.median_ms:.0f} ms of {RUNS} (first, cold: "
                f"{timing.first_ms:.0f} ms); seeding took {data.seed_seconds:.0f} s",
                f"< {TARGET_MS:.0f} ms",
                timing.median_ms < TARGET_MS,
            )
        )
        if timing.profile:
            outcome.note(
                f"{nominations:,} nominations missed the target; one more build, profiled:\n"
                f"{timing.profile}"
            )
    ratio = medians[1] / medians[0]
    outcome.add(
        Figure(
            "2M ÷ 200k build time",
            f"{ratio:.2f}×",
            "≈ 1× (independent of history)",
            ratio < 1.5,
        )
    )
    outcome.note(
        "Both histories have the same weekly volume; the 2M one is ten times longer. The "
        "digest reads the week by its created_at index, plus the last 8 weeks' spotlights."
    )
    outcome.seconds = time.perf_counter() - began
    return outcome

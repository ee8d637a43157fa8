"""Seeded SQLite histories shared by benchmarks 3 and 4: seeded once per run, in the workdir."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.demo.seed import seed_demo
from bot.nominations.behaviours import load_catalogue
from db.engine import create_database_engine
from db.migrate import upgrade_database

MEMBERS = 100_000
WORKSPACE = "T0BENCH"
# Fixed, so every run measures the same data: a Saturday, mid-week for the digest.
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class History:
    path: Path
    nominations: int
    weeks: int
    seed_seconds: float  # 0 when an earlier benchmark in this run seeded it

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"


def history(workdir: Path, nominations: int, weeks: int) -> History:
    """A database of MEMBERS members and `nominations` over `weeks` up to NOW, kept beside
    the benchmarks' own scratch directories so later benchmarks in the run reuse it."""
    shared = workdir.parent / "datasets"
    shared.mkdir(exist_ok=True)
    path = shared / f"history-{nominations}-{weeks}w.db"
    if path.exists():
        return History(path, nominations, weeks, 0.0)
    began = time.perf_counter()
    engine = create_database_engine(f"sqlite:///{path}")
    try:
        upgrade_database(engine)
        seed_demo(
            engine,
            load_catalogue(),
            members=MEMBERS,
            nominations=nominations,
            weeks=weeks,
            workspace_external_id=WORKSPACE,
            now=NOW,
        )
    finally:
        engine.dispose()
    return History(path, nominations, weeks, time.perf_counter() - began)

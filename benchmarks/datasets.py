"""Seeded SQLite histories shared by benchmarks 3 and 4: seeded once per run, in the workdir."""

from __future__ import annotations

import os
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


# Seeding 2M nominations takes minutes, so histories are kept between runs here (named by
# what they hold and SEED_VERSION); delete the folder, or bump the version, to rebuild.
CACHE_VARIABLE = "EVERYSEAT_BENCH_CACHE"
SEED_VERSION = 1


def cache_directory() -> Path:
    folder = Path(os.environ.get(CACHE_VARIABLE) or Path.home() / ".cache" / "everyseat-benchmarks")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def history(workdir: Path, nominations: int, weeks: int) -> History:
    """A database of MEMBERS members and `nominations` over `weeks` up to NOW, seeded once
    and kept in `cache_directory()` for later runs (migrated to the current schema)."""
    path = cache_directory() / f"history-v{SEED_VERSION}-{nominations}-{weeks}w.db"
    if path.exists():
        engine = create_database_engine(f"sqlite:///{path}")
        try:
            upgrade_database(engine)  # a cached history gets new indexes too
        finally:
            engine.dispose()
        return History(path, nominations, weeks, 0.0)
    began = time.perf_counter()
    partial = path.with_suffix(".part")
    partial.unlink(missing_ok=True)
    engine = create_database_engine(f"sqlite:///{partial}")
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
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()
    partial.rename(path)  # only a finished history is ever reused
    return History(path, nominations, weeks, time.perf_counter() - began)

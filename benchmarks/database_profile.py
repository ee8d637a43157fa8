"""Profiles of in-process database work, for a benchmark that missed its target.

`profile_work` runs the work once under cProfile and times each SQL statement's execution,
so a miss shows whether the time goes to Python or to the database, and to which statement.
`profile_statement_parts` opens up one large statement (the statistics are one): each of its
common table expressions is counted on its own, so each time includes the parts it reads,
like cProfile's cumulative time.
"""

from __future__ import annotations

import cProfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, event, func, select
from sqlalchemy.sql.selectable import CTE
from sqlalchemy.sql.visitors import iterate

from benchmarks.harness import top_of_profile

SHOWN = 8


@dataclass
class _Statements:
    started: dict[int, float] = field(default_factory=dict)
    spent: list[tuple[float, str]] = field(default_factory=list)

    def before(self, _conn: Any, cursor: Any, *_args: Any) -> None:
        self.started[id(cursor)] = time.perf_counter()

    def after(self, _conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
        began = self.started.pop(id(cursor), None)
        if began is not None:
            self.spent.append((time.perf_counter() - began, " ".join(statement.split())))


def profile_work(engine: Engine, work: Callable[[], Any], profile_path: Path) -> str:
    """Markdown: `work` run once under cProfile, its slowest statements and the functions
    that spent the most time themselves."""
    statements = _Statements()
    event.listen(engine, "before_cursor_execute", statements.before)
    event.listen(engine, "after_cursor_execute", statements.after)
    profiler = cProfile.Profile()
    began = time.perf_counter()
    try:
        profiler.runcall(work)
    finally:
        event.remove(engine, "before_cursor_execute", statements.before)
        event.remove(engine, "after_cursor_execute", statements.after)
    total = time.perf_counter() - began
    profiler.dump_stats(profile_path)
    in_sql = sum(seconds for seconds, _ in statements.spent)
    slowest = sorted(statements.spent, reverse=True)[:SHOWN]
    lines = [
        f"Profiled run: {total * 1000:.0f} ms (the profiler slows the Python side). "
        f"{len(statements.spent)} SQL statement(s) took {in_sql * 1000:.0f} ms to execute; "
        "SQLite computes most rows as they are fetched, which the functions below count "
        "under the cursor's fetch methods. Slowest to execute:",
        "```",
        *(f"{seconds * 1000:8.1f} ms  {sql[:150]}" for seconds, sql in slowest),
        "```",
        "Functions by time spent in themselves:",
        top_of_profile(profile_path),
    ]
    return "\n".join(lines)


def profile_statement_parts(connection: Connection, statement: Any) -> str:
    """Markdown: the whole statement's time, then each named part (CTE) counted on its own,
    slowest first."""
    whole = _seconds(connection, statement)
    parts: dict[str, CTE] = {}
    for element in iterate(statement):
        if isinstance(element, CTE) and element.name not in parts:
            parts[str(element.name)] = element
    timed = sorted(
        (
            (_seconds(connection, select(func.count()).select_from(part)), name)
            for name, part in parts.items()
        ),
        reverse=True,
    )
    lines = [
        f"The whole statement alone: {whole * 1000:.0f} ms. Each of its parts counted alone "
        "(its time includes the parts it reads; the statement computes each once):",
        "```",
        *(f"{seconds * 1000:8.1f} ms  {name}" for seconds, name in timed),
        "```",
    ]
    return "\n".join(lines)


def _seconds(connection: Connection, statement: Any) -> float:
    began = time.perf_counter()
    connection.execute(statement).all()
    return time.perf_counter() - began

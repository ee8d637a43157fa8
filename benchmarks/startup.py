"""Benchmark 5: `everyseat serve` from process start to a healthy /healthz, and its idle memory.

Measured with Slack configured (against a fake on loopback) so Bolt, FastAPI and uvicorn
are all loaded, on a database that still needs migrating, an up-to-date one, and PostgreSQL.
"""

from __future__ import annotations

import statistics
import time

from benchmarks.harness import fake_slack_process, server_process, slack_environment
from benchmarks.results import Context, Figure, Outcome
from tests.support.databases import PostgresDatabases

NUMBER = 5
TITLE = "Start-up time and idle memory of `everyseat serve`"
TARGET = "no target set; recorded"
RUNS = 5


def _starts(context: Context, label: str, urls: list[str], api_url: str, outcome: Outcome) -> None:
    times, memory = [], []
    for url in urls:
        env = slack_environment(api_url, url)
        with server_process(["-m", "bot", "serve"], context.workdir, env) as server:
            times.append(server.started_in)
            memory.append(server.rss_mib())
    outcome.add(
        Figure(
            f"{label}: start → /healthz 200 (median of {len(times)}, min–max)",
            f"{statistics.median(times):.2f} s ({min(times):.2f}–{max(times):.2f} s)",
        )
    )
    outcome.add(
        Figure(f"{label}: idle RSS once healthy (median)", f"{statistics.median(memory):.0f} MiB")
    )


def run(context: Context) -> Outcome:
    outcome = Outcome(NUMBER, TITLE, TARGET)
    began = time.perf_counter()
    with fake_slack_process() as api_url:
        fresh = [f"sqlite:///{context.workdir / f'startup-{i}.db'}" for i in range(RUNS)]
        _starts(context, "SQLite, new database (migrations run)", fresh, api_url, outcome)
        _starts(context, "SQLite, up to date", fresh, api_url, outcome)
        if context.postgres_admin_url is None:
            outcome.note(f"PostgreSQL not measured: {context.postgres_unavailable}")
        else:
            databases = PostgresDatabases(context.postgres_admin_url)
            try:
                url = databases.create_empty()
                _starts(
                    context, "PostgreSQL, new database (migrations run)", [url], api_url, outcome
                )
                _starts(context, "PostgreSQL, up to date", [url] * RUNS, api_url, outcome)
            finally:
                databases.drop_all()
    outcome.note(
        "Start-up includes the Python interpreter, imports, settings, the migration check "
        "and uvicorn's start, with `everyseat serve`'s default options."
    )
    outcome.seconds = time.perf_counter() - began
    return outcome

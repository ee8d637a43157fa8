"""Benchmark 4: `everyseat export` of 1,000,000 nominations to CSV, next to a raw dump.

Both run as child processes over the same rows of benchmark 3's 2M-nomination SQLite
history (the last 78 weeks): the export through the bot's own code path, and the
database's raw dump of the same join with the `sqlite3` command-line shell when it is
installed, else Python's sqlite3 module writing CSV (labelled so). Peak RSS is each
child's high-water mark (VmHWM).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from benchmarks.datasets import NOW, history
from benchmarks.harness import REPO, top_of_profile
from benchmarks.results import Context, Figure, Outcome
from bot.reporting.periods import between_dates
from tests.support.processes import serve_environment

NUMBER = 4
TITLE = "Export of 1,000,000 nominations to CSV"
TARGET = "within 3× the database's raw dump time, peak RSS under 200 MB"
MAX_RATIO = 3.0
MAX_RSS_MIB = 200.0
WEEKS_EXPORTED = 78  # of 156: about 1,000,000 nominations
PROFILED_WEEKS = 8  # a tenth of them, when a miss is profiled

# The rows `everyseat export --report nominations` writes (bot/exports.py), as plain SQL.
RAW_QUERY = """
SELECT n.id, n.created_at, giver.platform_user_id, giver.display_name,
       taker.platform_user_id, taker.display_name, taker.title, taker.department,
       (SELECT group_concat(nb.behaviour_slug, ',') FROM nomination_behaviour nb
         WHERE nb.nomination_id = n.id),
       n.story, n.visibility,
       (SELECT count(e.id) FROM endorsement e WHERE e.nomination_id = n.id)
FROM nomination n
JOIN nomination_nominee nn ON nn.nomination_id = n.id
JOIN member taker ON taker.id = nn.member_id
LEFT JOIN member giver ON giver.id = n.nominator_id
WHERE n.created_at >= '{since}' AND n.created_at < '{until}'
ORDER BY n.created_at, n.id, nn.position
"""

PYTHON_DUMP = """
import csv, sqlite3, sys
connection = sqlite3.connect(sys.argv[1])
with open(sys.argv[2], "w", newline="") as out:
    writer = csv.writer(out)
    cursor = connection.execute(sys.argv[3])
    while rows := cursor.fetchmany(5000):
        writer.writerows(rows)
"""


def _run(
    command: list[str], env: dict[str, str] | None = None, stdout: Path | None = None
) -> tuple[float, float]:
    """(seconds, peak RSS MiB) of a child process.

    Peak RSS is the child's VmHWM, read until it exits: getrusage's maxrss would count the
    memory of this (forked) process before the child's exec.
    """
    began = time.perf_counter()
    peak_kib = 0
    with open(stdout or os.devnull, "wb") as out:
        process = subprocess.Popen(command, env=env, cwd=REPO, stdout=out)
        while process.poll() is None:
            peak_kib = max(peak_kib, _high_water_kib(process.pid))
            time.sleep(0.02)  # sampling the high-water mark, which only grows
    seconds = time.perf_counter() - began
    if process.returncode != 0:
        raise RuntimeError(f"{command[:3]} failed with status {process.returncode}")
    return seconds, peak_kib / 1024


def _export(first: date, last: date, out: Path) -> list[str]:
    """`everyseat export`'s arguments (after the interpreter) for every nomination from
    `first` to `last`, to `out`."""
    return [
        *["-m", "bot", "export", "--format", "csv", "--report", "nominations"],
        *["--since", first.isoformat(), "--until", last.isoformat()],
        *["--include-private", "--out", str(out)],
    ]


def _high_water_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass  # exited between poll() and the read
    return 0


def _stamp(moment: datetime) -> str:
    # SQLite stores the bot's UTC datetimes as text in this form.
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def run(context: Context) -> Outcome:
    outcome = Outcome(NUMBER, TITLE, TARGET)
    began = time.perf_counter()
    data = history(context.workdir, *((60_000, 48) if context.quick else (2_000_000, 156)))
    zone = ZoneInfo("Europe/London")
    last: date = NOW.astimezone(zone).date()
    first = last - timedelta(weeks=WEEKS_EXPORTED)
    period = between_dates(first, last, zone)
    query = RAW_QUERY.format(since=_stamp(period.since), until=_stamp(period.until))
    with sqlite3.connect(data.path) as connection:
        nominations = connection.execute(
            "SELECT count(*) FROM nomination WHERE created_at >= ? AND created_at < ?",
            (_stamp(period.since), _stamp(period.until)),
        ).fetchone()[0]

    out = context.workdir / "export.csv"
    env = serve_environment(DATABASE_URL=data.url, LOG_LEVEL="WARNING", PYTHONPATH=str(REPO))
    export_seconds, export_rss = _run([sys.executable, *_export(first, last, out)], env=env)
    with out.open("rb") as written:
        export_rows = sum(1 for _ in written) - 1  # less the header; stories have no newlines

    raw_out = context.workdir / "raw.csv"
    sqlite_cli = shutil.which("sqlite3")
    if sqlite_cli is not None:
        raw_label = "`sqlite3 -csv`"
        raw_seconds, raw_rss = _run([sqlite_cli, "-csv", str(data.path), query], stdout=raw_out)
    else:
        raw_label = "Python's sqlite3 module + csv (no sqlite3 command-line shell installed)"
        raw_seconds, raw_rss = _run(
            [sys.executable, "-c", PYTHON_DUMP, str(data.path), str(raw_out), query]
        )
    with raw_out.open("rb") as written:
        raw_rows = sum(1 for _ in written)
    ratio = export_seconds / raw_seconds

    outcome.add(
        Figure(
            f"SQLite: `everyseat export --format csv`, {nominations:,} nominations "
            f"({export_rows:,} rows, one per nominee)",
            f"{export_seconds:.1f} s, peak RSS {export_rss:.0f} MiB",
            f"RSS < {MAX_RSS_MIB:.0f} MiB",
            export_rss < MAX_RSS_MIB,
        )
    )
    outcome.add(
        Figure(
            f"SQLite: raw dump of the same join, {raw_label}",
            f"{raw_seconds:.1f} s ({raw_rows:,} rows), peak RSS {raw_rss:.0f} MiB",
        )
    )
    outcome.add(
        Figure(
            "export ÷ raw dump time",
            f"{ratio:.2f}×",
            f"≤ {MAX_RATIO:.0f}×",
            ratio <= MAX_RATIO and raw_rows == export_rows,
        )
    )
    if ratio > MAX_RATIO:
        # Where the time goes, from a tenth of the export (the same work per row) under the
        # profiler, which slows it down too much to run it whole within the ten minutes.
        profile_path = context.workdir / "export.prof"
        profiled_first = last - timedelta(weeks=PROFILED_WEEKS)
        _run(
            [
                sys.executable,
                *["-m", "benchmarks.profiled", str(profile_path)],
                *_export(profiled_first, last, out),
            ],
            env=env,
        )
        outcome.note(
            f"The ratio missed its target; the export of the last {PROFILED_WEEKS} weeks "
            f"profiled (CPU, every thread):\n{top_of_profile(profile_path)}"
        )
    outcome.note(
        "PostgreSQL (`psql \\copy`) not measured in `make bench`: seeding a second "
        "million-row history there would push the run past its ten-minute budget."
    )
    for path in (out, raw_out):
        path.unlink(missing_ok=True)
    outcome.seconds = time.perf_counter() - began
    return outcome

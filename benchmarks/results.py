"""What a benchmark reports, the machine it ran on, and the RESULTS.md that collects them."""

from __future__ import annotations

import os
import platform
import sqlite3
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

RESULTS_PATH = Path(__file__).parent / "RESULTS.md"

# Every benchmark issue 6 asks for, so RESULTS.md says plainly which are not measured yet.
PLANNED: tuple[tuple[int, str, str], ...] = (
    (
        1,
        "Acknowledgement latency",
        "modal-path p99 within 1.5× of an ack + views.open reference app at 10 and 50 "
        "clients (same run, load generator under 70% of a core), far inside Slack's 3 s",
    ),
    (
        2,
        "Nomination throughput",
        "zero errors; server CPU per one-line nomination ≤ 2× a reference app's on SQLite "
        "and PostgreSQL; first confirmation within 1 s of a burst of 200; 1/2/4 replicas",
    ),
    (
        3,
        "Weekly spotlight on a large history",
        "under 200 ms, independent of history size (200k and 2M nominations)",
    ),
    (
        4,
        "Export of 1,000,000 nominations to CSV",
        "within 3× the database's raw dump time, peak RSS under 200 MB",
    ),
    (5, "Start-up time and idle memory of `everyseat serve`", "no target set; recorded"),
    (
        6,
        "Spotlight equity over 12 simulated weeks",
        "in the worse variant: ≥ 3× the distinct people of a top-5 digest, ≥ 80% of nominated "
        "job titles featured, ≤ 50% of slots to the most-nominated 20%, nobody featured more "
        "than twice",
    ),
    (
        7,
        "Admin statistics on a large history",
        "365 days under 1 s and 30 days under 300 ms on the 2M-nomination history",
    ),
)


@dataclass(frozen=True)
class Figure:
    """One measured number, with the target it is held to when there is one."""

    name: str
    value: str
    target: str = "—"
    met: bool | None = None  # None: no target for this figure

    @property
    def verdict(self) -> str:
        return {True: "met", False: "**missed**", None: "—"}[self.met]


@dataclass
class Outcome:
    number: int
    title: str
    target: str
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def met(self) -> bool | None:
        verdicts = [figure.met for figure in self.figures if figure.met is not None]
        return all(verdicts) if verdicts else None

    def add(self, figure: Figure) -> None:
        self.figures.append(figure)
        print(f"  {figure.name}: {figure.value}  [{figure.verdict}]", flush=True)

    def note(self, text: str) -> None:
        self.notes.append(text)
        print(f"  note: {text}", flush=True)


@dataclass(frozen=True)
class Context:
    """What every benchmark gets: a scratch directory and where PostgreSQL is, if anywhere."""

    workdir: Path
    postgres_admin_url: str | None
    postgres_unavailable: str | None
    quick: bool = False  # a smoke run: a fraction of the load, figures not comparable

    def scaled(self, full: int, quick: int) -> int:
        """`full` requests (or rows, or seconds) normally; `quick` in a smoke run."""
        return quick if self.quick else full


class BenchmarkModule(Protocol):
    NUMBER: int
    TITLE: str
    TARGET: str

    def run(self, context: Context) -> Outcome: ...


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def _postgres_version(admin_url: str | None) -> str:
    if admin_url is None:
        return "not available"
    from sqlalchemy import create_engine, text

    engine = create_engine(admin_url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            return str(connection.scalar(text("SHOW server_version")))
    except Exception as error:
        return f"not reachable ({type(error).__name__})"
    finally:
        engine.dispose()


def machine_description(context: Context) -> list[tuple[str, str]]:
    return [
        ("Date", datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")),
        ("CPU", _cpu_model()),
        ("Cores", str(os.cpu_count())),
        ("RAM", _memory()),
        ("OS", platform.platform()),
        ("Python", sys.version.split()[0]),
        ("SQLite", sqlite3.sqlite_version),
        ("PostgreSQL", _postgres_version(context.postgres_admin_url)),
    ]


def render_results(context: Context, outcomes: Sequence[Outcome], total_seconds: float) -> str:
    by_number = {outcome.number: outcome for outcome in outcomes}
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (`python -m benchmarks`); rerun it to reproduce on your machine.",
        "Servers run as real `everyseat serve` processes; Slack is a fake Web API on loopback.",
        "Each latency or CPU figure is measured against a reference app on the same stack",
        "making the same platform calls, in the same run; the load generator's own CPU is",
        "reported beside it, and a run where it exceeded 70% of a core is refused.",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        *(f"| {name} | {value} |" for name, value in machine_description(context)),
        f"| Whole run | {total_seconds:.0f} s |",
        "",
        "## Summary",
        "",
        "| # | Benchmark | Target | Result |",
        "|---|---|---|---|",
    ]
    for number, title, target in PLANNED:
        outcome = by_number.get(number)
        if outcome is None:
            verdict = "not yet measured"
        else:
            verdict = {True: "met", False: "**missed**", None: "recorded"}[outcome.met]
        lines.append(f"| {number} | {title} | {target} | {verdict} |")
    for number, title, target in PLANNED:
        lines += ["", f"## {number}. {title}", "", f"Target: {target}.", ""]
        outcome = by_number.get(number)
        if outcome is None:
            lines.append("Not yet measured.")
            continue
        lines += ["| Figure | Value | Target | Verdict |", "|---|---|---|---|"]
        lines += [
            f"| {figure.name} | {figure.value} | {figure.target} | {figure.verdict} |"
            for figure in outcome.figures
        ]
        if outcome.notes:
            lines.append("")
            for note in outcome.notes:
                lines.append(note if note.startswith(("```", "    ")) else f"- {note}")
        lines += ["", f"_Took {outcome.seconds:.0f} s._"]
    return "\n".join(lines) + "\n"

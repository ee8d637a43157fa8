"""Everyseat's benchmarks: `python -m benchmarks` (or `make bench`) runs them and writes RESULTS.md.

Each benchmark is a module with `NUMBER`, `TITLE`, `TARGET` and `run(context) -> Outcome`
listed in `REGISTRY`; `benchmarks.results` describes the machine and writes the table.
Adding one (digest on a large history, export of a million rows) means writing the module
and adding it to `REGISTRY`.
"""

from __future__ import annotations

from benchmarks import ack_latency, digest, equity, export, startup, statistics, throughput
from benchmarks.results import BenchmarkModule

REGISTRY: tuple[BenchmarkModule, ...] = (
    ack_latency,
    throughput,
    digest,
    export,
    startup,
    equity,
    statistics,
)

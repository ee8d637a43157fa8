"""`python -m benchmarks [NUMBER…]`: run the benchmarks, print figures, rewrite RESULTS.md."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

from benchmarks import REGISTRY
from benchmarks.results import RESULTS_PATH, Context, Figure, Outcome, render_results
from tests.support.databases import postgres_unreachable_reason

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def _postgres() -> tuple[str | None, str | None]:
    """The admin URL benchmarks create their databases under, or why there is none."""
    url = (
        os.environ.get("EVERYSEAT_BENCH_POSTGRES_URL")
        or os.environ.get("EVERYSEAT_TEST_POSTGRES_URL")
        or DEFAULT_POSTGRES_URL
    )
    os.environ["EVERYSEAT_TEST_POSTGRES_URL"] = url  # what postgres_unreachable_reason reads
    reason = postgres_unreachable_reason()
    return (None, reason) if reason else (url, None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("numbers", nargs="*", type=int, help="benchmarks to run (default: all)")
    parser.add_argument(
        "--no-write", action="store_true", help="print figures only; leave RESULTS.md alone"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a smoke run: small loads and histories, minutes not ten; RESULTS.md left alone",
    )
    args = parser.parse_args(argv)
    chosen = [m for m in REGISTRY if not args.numbers or m.NUMBER in args.numbers]
    url, unavailable = _postgres()
    if unavailable:
        print(unavailable, file=sys.stderr)
    outcomes: list[Outcome] = []
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="everyseat-bench-") as scratch:
        for module in chosen:
            print(f"[{module.NUMBER}] {module.TITLE}", flush=True)
            workdir = Path(scratch) / str(module.NUMBER)
            workdir.mkdir()
            try:
                outcomes.append(module.run(Context(workdir, url, unavailable, args.quick)))
            except Exception as error:  # one broken benchmark must not lose the others
                traceback.print_exc()
                failed = Outcome(module.NUMBER, module.TITLE, module.TARGET)
                failed.add(
                    Figure("run", f"failed: {type(error).__name__}: {error}"[:300], "runs", False)
                )
                outcomes.append(failed)
    total = time.perf_counter() - began
    print(f"All done in {total:.0f} s.")
    if args.no_write or args.quick or (args.numbers and len(chosen) < len(REGISTRY)):
        print("RESULTS.md left as it was (not every benchmark ran).")
    else:
        RESULTS_PATH.write_text(
            render_results(Context(Path(scratch), url, unavailable), outcomes, total)
        )
        print(f"Wrote {RESULTS_PATH}")
    return 1 if any(outcome.met is False for outcome in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())

"""Run a module under yappi, every thread counted:
`python -m benchmarks.profiled OUT -m MODULE ARGS…`.

cProfile sees only the thread it starts in, so a server's event loop would hide the database
work its worker threads do. yappi measures CPU time in every thread and writes a pstats file
to OUT when the process exits (SIGINT, as the benchmarks stop their servers). SIGUSR1 starts
the count afresh, so a benchmark can leave start-up and its warm-up out (`restart_profile`).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import runpy
import signal
import sys

import yappi


def main() -> None:
    out, flag, module, *arguments = sys.argv[1:]
    if flag != "-m":
        raise SystemExit("usage: python -m benchmarks.profiled OUT -m MODULE [ARGS…]")
    yappi.set_clock_type("cpu")
    yappi.start(builtins=False, profile_threads=True)

    def save() -> None:
        yappi.stop()
        yappi.get_func_stats().save(out, type="pstat")

    atexit.register(save)
    signal.signal(signal.SIGUSR1, lambda _signal, _frame: yappi.clear_stats())
    sys.argv = [module, *arguments]
    with contextlib.suppress(KeyboardInterrupt):  # how the benchmarks stop a server
        runpy.run_module(module, run_name="__main__", alter_sys=True)


def restart_profile(pid: int) -> None:
    """Leave everything the profiled process `pid` did so far out of its profile."""
    os.kill(pid, signal.SIGUSR1)


if __name__ == "__main__":
    main()

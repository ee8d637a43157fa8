"""Starts `everyseat serve` as a real child process and waits until it is healthy."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.server import free_port

# The checkout under test: a child process imports its code, not whichever copy the
# virtualenv was installed from (several checkouts may share one virtualenv).
CHECKOUT = Path(__file__).resolve().parents[2]


def serve_environment(**variables: str) -> dict[str, str]:
    """The parent's environment without any Everyseat/Slack/Teams settings, plus `variables`,
    importing this checkout's code."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SLACK_", "TEAMS_", "EVERYSEAT_", "DATABASE_URL"))
    }
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(CHECKOUT), env.get("PYTHONPATH")]))
    env.update(variables)
    return env


@dataclass
class Replica:
    """A running `everyseat serve` child process: where it listens and where it logs."""

    base_url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, nothing flushed, claims left as they were."""
        self.process.kill()
        self.process.wait(timeout=10)


@contextmanager
def serve_process(
    workdir: Path, *args: str, timeout: float = 30.0, **variables: str
) -> Iterator[str]:
    """Run `python -m bot serve ARGS` with `variables`; yields its base URL once /healthz is 200."""
    with serve_replica(workdir, *args, timeout=timeout, **variables) as replica:
        yield replica.base_url


@contextmanager
def serve_replica(
    workdir: Path, *args: str, timeout: float = 30.0, **variables: str
) -> Iterator[Replica]:
    """Like `serve_process`, yielding the process and its log too."""
    port = free_port()
    env = serve_environment(HOST="127.0.0.1", PORT=str(port), **variables)
    log_path = workdir / f"serve-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", *args],
            cwd=workdir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base_url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"serve exited early:\n{log_path.read_text()}")
                try:
                    if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"serve did not become healthy:\n{log_path.read_text()}")
                time.sleep(0.05)
            yield Replica(base_url, process, log_path)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

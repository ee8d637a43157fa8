"""Shared machinery: servers as child processes, a fake Slack, signed load, percentiles, RSS."""

from __future__ import annotations

import asyncio
import os
import pstats
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path

import httpx
from slack_sdk.signature import SignatureVerifier

from tests.support.processes import serve_environment
from tests.support.server import free_port
from tests.support.slack_requests import SlackSender

SIGNING_SECRET = "bench-signing-secret-0123456789ab"
BOT_TOKEN = "xoxb-bench-token"
REPO = Path(__file__).resolve().parents[1]


@dataclass
class ServerProcess:
    """A server child process and where it listens."""

    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path
    started_in: float  # seconds from spawning to the first healthy answer

    @property
    def pid(self) -> int:
        return self.process.pid

    def rss_mib(self) -> float:
        return resident_memory_mib(self.pid)

    def cpu_seconds(self) -> float:
        """User + system CPU time the process has used so far."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def resident_memory_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def slack_environment(api_url: str, database_url: str, **extra: str) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": api_url,
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
        **extra,
    }


@contextmanager
def server_process(
    command: Sequence[str],
    workdir: Path,
    variables: dict[str, str],
    *,
    health_path: str = "/healthz",
    timeout: float = 60.0,
    profile_to: Path | None = None,
) -> Iterator[ServerProcess]:
    """Run `python COMMAND` with HOST/PORT set; yields once `health_path` answers 200."""
    port = free_port()
    env = serve_environment(HOST="127.0.0.1", PORT=str(port), **variables)
    env["PYTHONPATH"] = str(REPO)
    log_path = workdir / f"server-{port}.log"
    profiler = ["-m", "cProfile", "-o", str(profile_to)] if profile_to else []
    with log_path.open("wb") as log:
        spawned = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, *profiler, *command],
            cwd=workdir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base_url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout
            with httpx.Client(timeout=2) as client:
                while True:
                    if process.poll() is not None:
                        raise RuntimeError(f"server exited early:\n{log_path.read_text()}")
                    try:
                        if client.get(base_url + health_path).status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    if time.monotonic() > deadline:
                        raise RuntimeError(
                            f"server did not become healthy:\n{log_path.read_text()}"
                        )
                    time.sleep(0.005)
            yield ServerProcess(process, base_url, log_path, time.perf_counter() - spawned)
        finally:
            # SIGINT: uvicorn shuts down cleanly, then re-raises it as KeyboardInterrupt, which
            # still lets cProfile write its file (SIGTERM would end the process first).
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def fake_slack_process() -> Iterator[str]:
    """The fake Web API in its own process, so it doesn't share the load generator's CPU."""
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.fake_slack_server"],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stdin is not None
    try:
        api_url = process.stdout.readline().decode().strip()
        if not api_url.startswith("http"):
            raise RuntimeError("the fake Slack process did not start")
        yield api_url
    finally:
        process.stdin.close()  # it exits when its standard input closes
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class LoadResult:
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0


async def _send_signed_commands(
    base_url: str, bodies: Sequence[str], concurrency: int
) -> LoadResult:
    result = LoadResult()
    verifier = SignatureVerifier(SIGNING_SECRET)
    queue = iter(bodies)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, timeout=30, limits=limits) as client:

        async def worker() -> None:
            for body in queue:
                stamp = str(int(time.time()))
                headers = {
                    "X-Slack-Request-Timestamp": stamp,
                    "X-Slack-Signature": verifier.generate_signature(timestamp=stamp, body=body)
                    or "",
                    "Content-Type": "application/x-www-form-urlencoded",
                }
                began = time.perf_counter()
                try:
                    response = await client.post("/slack/events", content=body, headers=headers)
                except httpx.HTTPError as error:
                    result.errors.append(type(error).__name__)
                    continue
                result.latencies_ms.append((time.perf_counter() - began) * 1000)
                if response.status_code != 200:
                    result.errors.append(f"HTTP {response.status_code}")

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        result.seconds = time.perf_counter() - began
    return result


def send_signed_commands(base_url: str, bodies: Sequence[str], concurrency: int) -> LoadResult:
    """Post signed slash-command bodies with `concurrency` clients; time each answer."""
    return asyncio.run(_send_signed_commands(base_url, bodies, concurrency))


def command_bodies(
    texts: Sequence[str], user_ids: Sequence[str], response_url: str, channel_id: str = "CWARD"
) -> list[str]:
    sender = SlackSender("http://unused", SIGNING_SECRET, response_url)
    return [
        sender.command_body(text, user_id=user, channel_id=channel_id)
        for text, user in zip(texts, user_ids, strict=True)
    ]


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (share in 0..1)."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    rank = max(1, min(len(ordered), round(share * len(ordered) + 0.5)))
    return ordered[rank - 1]


def top_of_profile(path: Path, entries: int = 15) -> str:
    """The `entries` functions that spent the most time themselves, as a fenced block."""
    out = StringIO()
    stats = pstats.Stats(str(path), stream=out)
    stats.sort_stats("tottime").print_stats(entries)
    prefixes = [str(Path(pstats.__file__).parent), str(Path(httpx.__file__).parents[1])]
    lines = []
    for line in out.getvalue().splitlines():
        for prefix in prefixes:
            line = line.replace(prefix, "…")
        if line.strip():
            lines.append(line)
    body = "\n".join(line for line in lines if not line.lstrip().startswith(("List ", "/tmp")))
    return f"```\n{body}\n```"

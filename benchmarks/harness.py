"""Shared machinery: servers as child processes, a fake Slack, signed load, percentiles, RSS."""

from __future__ import annotations

import http.client
import os
import pstats
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

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
    # Every thread's CPU, the database workers' included (benchmarks/profiled.py).
    profiler = ["-m", "benchmarks.profiled", str(profile_to)] if profile_to else []
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
            # still lets the profiler write its file (SIGTERM would end the process first).
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


# A latency figure is only honest while the load generator has CPU to spare: above this
# share of one core, what is measured is partly the client itself, so the run is refused.
CLIENT_CPU_LIMIT = 0.70


@dataclass
class LoadResult:
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    client_cpu_seconds: float = 0.0  # CPU the load generator's threads used

    @property
    def client_cpu_share(self) -> float:
        """The load generator's CPU as a share of one core over the run."""
        return self.client_cpu_seconds / self.seconds if self.seconds else 0.0

    @property
    def client_bound(self) -> bool:
        return self.client_cpu_share > CLIENT_CPU_LIMIT

    def merge(self, other: LoadResult) -> None:
        self.latencies_ms += other.latencies_ms
        self.errors += other.errors
        self.seconds += other.seconds
        self.client_cpu_seconds += other.client_cpu_seconds


def _signed_headers(verifier: SignatureVerifier, body: bytes) -> dict[str, str]:
    stamp = str(int(time.time()))
    return {
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": verifier.generate_signature(timestamp=stamp, body=body) or "",
        "Content-Type": "application/x-www-form-urlencoded",
        "Connection": "keep-alive",
    }


def send_signed_commands(base_url: str, bodies: Sequence[str], concurrency: int) -> LoadResult:
    """Post signed slash-command bodies with `concurrency` clients; time each answer.

    A lean closed-loop client: one thread and one keep-alive `http.client` connection per
    client, bodies signed before the clock starts, and each thread's own CPU time summed, so
    the figures say how much of a core the load generator itself used.
    """
    verifier = SignatureVerifier(SIGNING_SECRET)
    signed = [(body.encode(), _signed_headers(verifier, body.encode())) for body in bodies]
    parsed = urlsplit(base_url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 80
    queue = iter(signed)
    lock = threading.Lock()
    result = LoadResult()
    start = threading.Barrier(concurrency + 1)

    def worker() -> None:
        connection = http.client.HTTPConnection(host, port, timeout=30)
        latencies, errors = [], []
        start.wait()
        cpu_before = time.thread_time()
        while True:
            with lock:
                item = next(queue, None)
            if item is None:
                break
            body, headers = item
            began = time.perf_counter()
            try:
                connection.request("POST", "/slack/events", body=body, headers=headers)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException) as error:
                errors.append(type(error).__name__)
                connection.close()
                connection = http.client.HTTPConnection(host, port, timeout=30)
                continue
            latencies.append((time.perf_counter() - began) * 1000)
            if response.status != 200:
                errors.append(f"HTTP {response.status}")
        cpu = time.thread_time() - cpu_before
        connection.close()
        with lock:
            result.latencies_ms.extend(latencies)
            result.errors.extend(errors)
            result.client_cpu_seconds += cpu

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - began
    return result


def client_note(load: LoadResult) -> str:
    """The load generator's CPU, for the figure it produced."""
    return f"client CPU {load.client_cpu_share:.0%} of a core"


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

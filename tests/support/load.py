"""Paced load: signed Slack requests sent at a fixed rate, round-robin over replicas.

Used by the sustained-load test and benchmark 2. Requests start on schedule whether or not
earlier ones have been answered (an open loop, as Slack's traffic is), so a slow server
shows up as latency and lag rather than as a lower offered rate.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import httpx
from slack_sdk.signature import SignatureVerifier


@dataclass
class PacedResult:
    offered_rate: float
    sent: int = 0
    seconds: float = 0.0  # from the first request's start to the last answer
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    max_lag_ms: float = 0.0  # how late the sender started a request, at worst

    @property
    def achieved_rate(self) -> float:
        return self.sent / self.seconds if self.seconds else 0.0


async def _send_paced(
    base_urls: Sequence[str], bodies: Sequence[str], rate: float, signing_secret: str
) -> PacedResult:
    result = PacedResult(offered_rate=rate)
    verifier = SignatureVerifier(signing_secret)
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=100)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:

        async def send(url: str, body: str) -> None:
            stamp = str(int(time.time()))
            headers = {
                "X-Slack-Request-Timestamp": stamp,
                "X-Slack-Signature": verifier.generate_signature(timestamp=stamp, body=body) or "",
                "Content-Type": "application/x-www-form-urlencoded",
            }
            began = time.perf_counter()
            try:
                response = await client.post(f"{url}/slack/events", content=body, headers=headers)
            except httpx.HTTPError as error:
                result.errors.append(type(error).__name__)
                return
            result.latencies_ms.append((time.perf_counter() - began) * 1000)
            if response.status_code != 200:
                result.errors.append(f"HTTP {response.status_code}")

        began = time.perf_counter()
        tasks = []
        for i, body in enumerate(bodies):
            due = began + i / rate
            wait = due - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)  # pacing the offered load, not waiting for a result
            result.max_lag_ms = max(result.max_lag_ms, (time.perf_counter() - due) * 1000)
            tasks.append(asyncio.create_task(send(base_urls[i % len(base_urls)], body)))
            result.sent += 1
        await asyncio.gather(*tasks)
        result.seconds = time.perf_counter() - began
    return result


def send_paced(
    base_urls: Sequence[str], bodies: Sequence[str], rate: float, signing_secret: str
) -> PacedResult:
    """Send `bodies` at `rate` per second, round-robin over `base_urls`."""
    return asyncio.run(_send_paced(base_urls, bodies, rate, signing_secret))

"""Chaos on PostgreSQL: two `everyseat serve` replicas under paced load; one is stopped with
SIGTERM and one killed with SIGKILL mid-run (each restarted), and the database is cut for
5 seconds through a TCP proxy. Every acknowledged nomination must be stored exactly once
and posted exactly once.

The replicas read the time from a clock file (`--clock-file`), which also makes their
schedulers sweep every second. The clock stands still during the load, so no lease can run
out under a live replica; afterwards the test moves it past the lease, and the outbox
sweeps post whatever the killed replica left claimed or never announced.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.engine import make_url

from db.models import Delivery, Nomination
from tests.fakes.slack_web_api import FakeSlack
from tests.fakes.tcp_proxy import TcpProxy
from tests.handlers.slack.conftest import SIGNING_SECRET
from tests.support.acknowledged import Attempt, numbers_in, send_nomination
from tests.support.processes import Replica, serve_replica

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

RATE = 4.0  # nominations a second, paced (open loop)
# Seconds into the load: SIGTERM to the first replica; SIGKILL to the second once the first
# is back (a restart takes a second or two on an idle machine, longer on a busy one); the
# database cut a few seconds later, for 5 seconds; the load goes on a little after that.
SIGTERM_AT, KILL_AFTER_RESTART, CUT_AFTER_KILL, CUT_FOR, TAIL = 3.0, 2.0, 4.0, 5.0, 3.0
GIVE_UP_AFTER = 240.0
CHANNEL = "CWARD"
LEASE_SECONDS = 60
# A Friday afternoon: no weekly digest or prompt falls due (catch-up is off as well).
INSTANT = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)


class Pool:
    """The replicas a load balancer would send to: only those up and not shutting down."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._urls: list[str] = []
        self._next = 0

    def add(self, url: str) -> None:
        with self._lock:
            self._urls.append(url)

    def remove(self, url: str) -> None:
        with self._lock:
            self._urls.remove(url)

    def __len__(self) -> int:
        with self._lock:
            return len(self._urls)

    def pick(self) -> str | None:
        with self._lock:
            self._next += 1
            return self._urls[self._next % len(self._urls)] if self._urls else None


def set_clock(path: Path, now: datetime) -> None:
    scratch = path.with_suffix(".tmp")
    scratch.write_text(now.isoformat(), encoding="utf-8")
    os.replace(scratch, path)


def test_replicas_lose_and_double_nothing_through_sigterm_sigkill_and_a_database_cut(
    postgres_url: str, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    def person(number: int) -> str:
        user_id = f"UCHAOS{number:04d}"
        fake_slack.add_user(user_id, user_id.title(), title="Paramedic")
        return user_id

    url = make_url(postgres_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    clock_file = tmp_path / "now.txt"
    set_clock(clock_file, INSTANT)
    env = {
        "SLACK_BOT_TOKEN": "xoxb-chaos",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake_slack.api_url,
        "DATABASE_URL": proxied,
        "EVERYSEAT_RECOGNITION_CHANNEL": CHANNEL,
        "EVERYSEAT_DAILY_NOMINATION_CAP": "1000",
        "EVERYSEAT_CATCH_UP_HOURS": "0",
        "EVERYSEAT_DELIVERY_LEASE_SECONDS": str(LEASE_SECONDS),
        "EVERYSEAT_DRAIN_SECONDS": "15",
        "LOG_LEVEL": "INFO",
    }
    args = ("--clock-file", str(clock_file))
    pool = Pool()
    http = httpx.Client(timeout=15, limits=httpx.Limits(max_connections=200))
    events: list[str] = []

    def start(stack: ExitStack) -> Replica:
        replica = stack.enter_context(serve_replica(tmp_path, *args, timeout=60, **env))
        pool.add(replica.base_url)
        return replica

    restarts: list[Future[None]] = []
    posts_when_killed: list[int] = []  # how many posts the fake Slack had when SIGKILL landed
    # Deliveries claimed (by either replica) when SIGKILL landed: only those may still be
    # claimed once the live replicas have finished their work.
    claims_when_killed: set[int] = set()
    observer = create_engine(postgres_url)  # straight to PostgreSQL, not through the proxy

    def claimed_deliveries() -> set[int]:
        with observer.connect() as connection:
            return set(connection.scalars(select(Delivery.id).where(Delivery.status == "claimed")))

    def wait_for_live_replicas_to_record_their_posts() -> None:
        """A post still in flight on a live replica when the clock jumps past its lease
        would be claimed again by a sweep: a double the test made, not the bot. Real leases
        don't run out in an instant, so wait for the live replicas to record what they sent."""
        deadline = time.monotonic() + 60
        while (in_flight := claimed_deliveries() - claims_when_killed) and (
            time.monotonic() < deadline
        ):
            time.sleep(0.25)
        assert not in_flight, f"live replicas never recorded deliveries {in_flight}; {events}"

    def restart_later(stack: ExitStack, stopped: Replica) -> None:
        # As a supervisor would: a replica started while the database is cut exits at once
        # (it can't migrate), so it is started again after a pause, a few times.
        error: Exception | None = None
        try:
            stopped.process.wait(timeout=60)
        except Exception as waited:
            error = waited
        for _attempt in range(6 if error is None else 0):
            try:
                start(stack)
            except Exception as failed:
                error = failed
                time.sleep(3)
                continue
            events.append(f"restarted after exit code {stopped.process.returncode}")
            return
        lines = [line for line in stopped.log().splitlines() if "access" not in line]
        events.append(f"restart failed: {error!r}; " + "\n".join(lines[-25:]))

    try:
        with ExitStack() as stack, ThreadPoolExecutor(32) as workers:
            starting = [workers.submit(start, stack) for _ in range(2)]
            first, second = (future.result() for future in starting)

            def both_up() -> bool:
                return len(pool) == 2

            def always() -> bool:
                return True

            def stop_first() -> None:
                pool.remove(first.base_url)
                first.process.send_signal(signal.SIGTERM)
                events.append("SIGTERM")
                restarts.append(workers.submit(restart_later, stack, first))

            def kill_second() -> None:
                pool.remove(second.base_url)
                second.process.send_signal(signal.SIGKILL)
                second.process.wait(timeout=10)
                posts_when_killed.append(len(fake_slack.calls_to("chat.postMessage")))
                claims_when_killed.update(claimed_deliveries())
                events.append("SIGKILL")
                restarts.append(workers.submit(restart_later, stack, second))

            def cut() -> None:
                proxy.cut()
                events.append("database cut")

            def restore() -> None:
                proxy.restore()
                events.append("database back")

            # Each fault: (what, when it may happen given the time it's called and the time
            # the previous fault happened).
            plan: list[tuple[Callable[[], None], Callable[[float, float], bool]]] = [
                (stop_first, lambda now, _last: now >= SIGTERM_AT),
                (
                    kill_second,
                    lambda now, last: len(pool) == 2 and now >= last + KILL_AFTER_RESTART,
                ),
                (cut, lambda now, last: now >= last + CUT_AFTER_KILL),
                (restore, lambda now, last: now >= last + CUT_FOR),
            ]
            began = time.monotonic()
            last_fault = 0.0
            sent: list[Future[Attempt]] = []
            number = 0
            while plan or time.monotonic() - began < last_fault + TAIL:
                assert time.monotonic() - began < GIVE_UP_AFTER, f"stuck; events {events}"
                due = began + number / RATE
                time.sleep(max(0.0, due - time.monotonic()))
                now = time.monotonic() - began
                if plan and plan[0][1](now, last_fault):
                    events.append(f"at nomination {number}:")
                    plan.pop(0)[0]()
                    last_fault = now
                sent.append(
                    workers.submit(
                        send_nomination,
                        http,
                        pool.pick(),
                        fake_slack,
                        SIGNING_SECRET,
                        number,
                        person(number),
                        person(number + 1),
                    )
                )
                number += 1
            total = number
            attempts = [future.result() for future in sent]
            for restart in restarts:
                restart.result(timeout=90)
            acknowledged = sorted(a.number for a in attempts if a.acknowledged_as_taken)

            # The load is over: let the lease run out, so claims the killed replica held
            # and nominations it never announced are swept, then wait for the posts.
            wait_for_live_replicas_to_record_their_posts()
            set_clock(clock_file, INSTANT + timedelta(seconds=LEASE_SECONDS * 2))
            engine = create_engine(postgres_url)
            try:
                deadline = time.monotonic() + 40
                while True:
                    with engine.connect() as connection:
                        stories = list(connection.scalars(select(Nomination.story)))
                        deliveries = [
                            (row.period_key, row.kind, row.status, row.attempts, row.last_error)
                            for row in connection.execute(select(Delivery))
                        ]
                        ids = {
                            row.id: numbers_in([row.story])
                            for row in connection.execute(select(Nomination.id, Nomination.story))
                        }
                        unposted = connection.scalar(
                            select(Delivery.id).where(Delivery.status != "posted").limit(1)
                        )
                    posted = numbers_in(
                        json.dumps(c.args)
                        for c in fake_slack.calls_to("chat.postMessage")
                        if c.args["channel"] == CHANNEL
                    )
                    if set(numbers_in(stories)) <= set(posted) and unposted is None:
                        break
                    missing = sorted(set(numbers_in(stories)) - set(posted))
                    assert time.monotonic() < deadline, (
                        f"stored, never posted: {missing}; a delivery not posted: {unposted}; "
                        f"events {events}"
                    )
                    time.sleep(0.5)
            finally:
                engine.dispose()
    finally:
        observer.dispose()
        proxy.close()

    summary = (
        f"{len(acknowledged)} of {total} acknowledged; "
        f"{sum(a.status is None for a in attempts)} unanswered, "
        f"{sum(a.status == 503 for a in attempts)} refused while draining, "
        f"{sum(a.status == 200 and bool(a.text) for a in attempts)} told to try again; "
        f"events {events}"
    )
    assert events.count("SIGTERM") == 1 and events.count("SIGKILL") == 1, summary
    assert sum(e.startswith("restarted") for e in events) == 2, summary
    assert "restarted after exit code 0" in events, summary  # SIGTERM: a clean exit
    assert sum(a.status == 200 and bool(a.text) for a in attempts) > 0, summary  # the cut hit
    # Enough got through for the checks to mean something (on a slow, busy machine many are
    # answered "try again" because storing took longer than Slack's window: honest, not lost).
    assert len(acknowledged) >= 20, summary

    stored = numbers_in(stories)
    assert len(stored) == len(set(stored)), f"stored twice: {summary}"
    assert set(acknowledged) <= set(stored), f"acknowledged but lost: {summary}"
    copies = Counter(posted)
    assert set(posted) == set(stored), summary
    twice = sorted(n for n, count in copies.items() if count > 1)
    twice_ids = {str(i) for i, numbers in ids.items() if set(numbers) & set(twice)}
    their_deliveries = [d for d in deliveries if d[0] in twice_ids]
    # The one documented gap (docs/deployment.md): the killed replica had its post accepted
    # by Slack but died before recording it, so the post is sent again after the lease.
    # Only that is forgiven: the first copy reached Slack before the SIGKILL, the second
    # after it, and it happened to at most a couple of posts in flight at that instant.
    all_posts = [json.dumps(c.args) for c in fake_slack.calls_to("chat.postMessage")]
    killed_at = posts_when_killed[0]

    def explained_by_the_kill(number: int) -> bool:
        where = [
            i
            for i, post in enumerate(all_posts)
            if number in numbers_in([post]) and json.loads(post)["channel"] == CHANNEL
        ]
        return len(where) == 2 and where[0] < killed_at <= where[1]

    unexplained = [n for n in twice if not explained_by_the_kill(n)]
    assert unexplained == [] and len(twice) <= 2, (
        f"posted twice: {twice} {their_deliveries}; {summary}"
    )

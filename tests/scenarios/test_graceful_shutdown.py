"""SIGTERM under load: `everyseat serve` stops taking new work, reports itself not ready,
finishes what it acknowledged, then exits. Runs on SQLite, and on PostgreSQL in CI's
PostgreSQL pass (`database_url`)."""

from __future__ import annotations

import json
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from sqlalchemy import create_engine, select

from bot import messages
from db.models import Nomination
from tests.fakes.slack_web_api import FakeSlack
from tests.handlers.slack.conftest import SIGNING_SECRET
from tests.support.acknowledged import numbers_in, replies_by_number, send_nomination
from tests.support.processes import serve_replica

CHANNEL = "CWARD"
BEFORE = 20  # nominations in flight when SIGTERM arrives
AFTER = 10  # sent once the drain has begun
DRAIN_SECONDS = 30


def test_sigterm_under_load_keeps_and_answers_every_acknowledged_nomination(
    fake_slack: FakeSlack, database_url: str, tmp_path: Path
) -> None:
    people = [f"UPERSON{n:02d}" for n in range(BEFORE + AFTER + 1)]
    for user_id in people:
        fake_slack.add_user(user_id, user_id.title(), title="Staff nurse")
    # A slow Slack: posts and replies are still going out when the process is told to stop.
    fake_slack.slow_down("chat.postMessage", 0.4)
    fake_slack.slow_down("response_url", 0.2)
    env = {
        "SLACK_BOT_TOKEN": "xoxb-drain-test",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake_slack.api_url,
        "DATABASE_URL": database_url,
        "EVERYSEAT_DRAIN_SECONDS": str(DRAIN_SECONDS),
        "LOG_LEVEL": "INFO",
    }
    http = httpx.Client(timeout=15, limits=httpx.Limits(max_connections=100))
    with (
        serve_replica(tmp_path, "--no-scheduler", **env) as replica,
        ThreadPoolExecutor(BEFORE) as pool,
    ):
        url = replica.base_url

        def nominate(number: int) -> object:
            return send_nomination(
                http, url, fake_slack, SIGNING_SECRET, number, people[number], people[number + 1]
            )

        before = [pool.submit(nominate, n) for n in range(BEFORE)]
        fake_slack.wait_for("chat.postMessage", 1, timeout=30)  # work is under way
        replica.process.send_signal(signal.SIGTERM)
        time.sleep(0.2)  # the signal is handled between two ticks of the event loop
        health = httpx.get(f"{url}/healthz", timeout=5)
        assert health.status_code == 503 and health.json()["status"] == "draining"
        after = [nominate(n) for n in range(BEFORE, BEFORE + AFTER)]
        attempts = [future.result() for future in before] + after
        replica.process.wait(timeout=DRAIN_SECONDS + 15)
        log = replica.log()

    assert replica.process.returncode == 0, log
    assert "drained: all work in flight finished" in log, log
    assert all(a.status in (503, None) for a in after), after  # no new work once draining
    acknowledged = sorted(a.number for a in attempts if a.acknowledged_as_taken)
    # Told in the acknowledgement that it may not have been saved (the machine was too slow
    # to store it within Slack's window): kept or not, never twice.
    maybe = {a.number for a in attempts if a.status == 200 and a.text}
    assert len(acknowledged) >= BEFORE // 2, (attempts, log)  # the log says why, on a miss
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            stored = numbers_in(connection.scalars(select(Nomination.story)))
    finally:
        engine.dispose()
    assert len(stored) == len(set(stored)), "nothing stored twice"
    assert set(acknowledged) <= set(stored) <= set(acknowledged) | maybe, attempts
    posts = [
        json.dumps(c.args)
        for c in fake_slack.calls_to("chat.postMessage")
        if c.args["channel"] == CHANNEL
    ]
    assert set(acknowledged) <= set(numbers_in(posts)), "every acknowledged one posted"
    assert len(numbers_in(posts)) == len(set(numbers_in(posts))), "none posted twice"
    replies = replies_by_number(fake_slack)
    recorded = messages.RECORDED_PUBLIC.split("{", 1)[0]
    for number in acknowledged:
        assert [t[: len(recorded)] for t in replies.get(number, [])] == [recorded], number

"""Several `everyseat serve` replicas on one PostgreSQL database, all running schedulers.

Each replica is a real child process reading its time from a clock file
(`serve --clock-file`, tests only) and looking for due weekly posts every second, so the
test moves all three across weeks by rewriting one file. What it checks is what a channel
would see: each digest and prompt once per week, each nomination stored and posted once,
and a digest whose sender was killed mid-post sent once, by another replica, after the
lease (EVERYSEAT_DELIVERY_LEASE_SECONDS) ran out.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from bot import messages
from db.models import Delivery, Nomination
from tests.fakes.slack_web_api import FakeSlack, SlackCall
from tests.handlers.slack.conftest import SIGNING_SECRET
from tests.support.processes import Replica, serve_replica
from tests.support.slack_requests import SlackSender
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

DIGEST_CHANNEL = "CDIGEST"
RECOGNITION_CHANNEL = "CWARD"  # the command's channel (tests/payloads/slash_command.json)
LEASE_SECONDS = 30
# A Saturday afternoon in London (GMT): the last digest and prompt are past the 72-hour
# catch-up window, so nothing is due when the replicas start.
QUIET_SATURDAY = datetime(2026, 11, 7, 13, 0, tzinfo=UTC)
FIRST_MONDAY = datetime(2026, 11, 9, 9, 0, 30, tzinfo=UTC)  # 30 s after the digest time
WEEKS = 3
NOMINATIONS_PER_WEEK = 30
NOMINATORS = [f"UGIVER{n}" for n in range(10)]
NOMINEES = [f"UTAKER{n:02d}" for n in range(NOMINATIONS_PER_WEEK)]
SWEEP_DONE = 'Job "post anything due that was missed or failed'


class ClockFile:
    """The time every replica reads; replaced atomically so no reader sees half a write."""

    def __init__(self, path: Path, now: datetime) -> None:
        self.path = path
        self.set(now)

    def set(self, now: datetime) -> None:
        scratch = self.path.with_suffix(".tmp")
        scratch.write_text(now.isoformat(), encoding="utf-8")
        os.replace(scratch, self.path)


def sweeps_finished(replica: Replica) -> int:
    """How many weekly sweeps the replica's scheduler has completed (APScheduler logs each)."""
    return sum(
        1
        for line in replica.log().splitlines()
        if SWEEP_DONE in line and "executed successfully" in line
    )


def wait_for_sweeps(replicas: Sequence[Replica], timeout: float = 20.0) -> None:
    """Poll until every replica has finished two more sweeps, so at least one whole sweep
    started after the clock last moved: each has had its chance to post what is due."""
    targets = [sweeps_finished(replica) + 2 for replica in replicas]
    deadline = time.monotonic() + timeout
    while any(sweeps_finished(r) < t for r, t in zip(replicas, targets, strict=True)):
        if time.monotonic() > deadline:
            raise AssertionError("a replica's scheduler stopped sweeping")
        time.sleep(0.05)


def channel_posts(fake: FakeSlack, channel: str) -> list[SlackCall]:
    """Posts the fake accepted in `channel` (stalled calls are not in `calls`)."""
    return [call for call in fake.calls_to("chat.postMessage") if call.args["channel"] == channel]


def weekly_posts(fake: FakeSlack) -> tuple[list[SlackCall], list[SlackCall]]:
    """The digest channel's posts, split into (digests, prompts) by their fallback text."""
    prompt_prefix = messages.PROMPT_FALLBACK.split("{", 1)[0]
    posts = channel_posts(fake, DIGEST_CHANNEL)
    prompts = [call for call in posts if call.args["text"].startswith(prompt_prefix)]
    return [call for call in posts if call not in prompts], prompts


def replica_environment(fake: FakeSlack, database_url: str) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": "xoxb-replica-test",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.api_url,
        "DATABASE_URL": database_url,
        "EVERYSEAT_DIGEST_CHANNEL": DIGEST_CHANNEL,
        "EVERYSEAT_DELIVERY_LEASE_SECONDS": str(LEASE_SECONDS),
        "LOG_LEVEL": "INFO",
    }


@contextmanager
def replicas(
    count: int, workdir: Path, clock: ClockFile, env: dict[str, str]
) -> Iterator[list[Replica]]:
    with ExitStack() as stack:
        yield [
            stack.enter_context(
                serve_replica(workdir, "--clock-file", str(clock.path), timeout=60, **env)
            )
            for _ in range(count)
        ]


def add_people(fake: FakeSlack) -> None:
    for user_id in NOMINATORS:
        fake.add_user(user_id, f"Giver {user_id[-1]}", title="Staff nurse")
    for user_id in NOMINEES:
        fake.add_user(user_id, f"Taker {user_id[-2:]}", title="Porter")


def story_marker(week: int, n: int) -> str:
    return f"ref W{week}N{n:02d}"


def send_week_of_nominations(senders: Sequence[SlackSender], week: int) -> list[int]:
    """One nomination per nominee, round-robin over the replicas, six at a time."""

    def send(n: int) -> int:
        text = (
            f"<@{NOMINEES[n]}> Covered the night handover ({story_marker(week, n)}) when the "
            "ward was two short #speaking-up"
        )
        sender = senders[n % len(senders)]
        return sender.command(text, user_id=NOMINATORS[n % len(NOMINATORS)]).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        return list(pool.map(send, range(NOMINATIONS_PER_WEEK)))


def test_three_replicas_post_each_weekly_message_once_and_store_each_nomination_once(
    postgres_url: str, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    add_people(fake_slack)
    clock = ClockFile(tmp_path / "now.txt", QUIET_SATURDAY)
    env = replica_environment(fake_slack, postgres_url)
    with replicas(3, tmp_path, clock, env) as running:
        senders = [
            SlackSender(replica.base_url, SIGNING_SECRET, fake_slack.response_url)
            for replica in running
        ]
        wait_for_sweeps(running)
        assert channel_posts(fake_slack, DIGEST_CHANNEL) == []  # nothing was due

        for week in range(WEEKS):
            monday = FIRST_MONDAY + timedelta(weeks=week)
            clock.set(monday)
            wait_until(
                lambda w=week: len(weekly_posts(fake_slack)[0]) >= w + 1, "the digest", timeout=20
            )
            wait_for_sweeps(running)

            # Tuesday: nominations, spread over the replicas (the digest is still within
            # its catch-up window, so every replica keeps trying it and must find it posted).
            clock.set(monday + timedelta(days=1, hours=1))
            statuses = send_week_of_nominations(senders, week)
            assert statuses == [200] * NOMINATIONS_PER_WEEK
            wait_for_sweeps(running)

            clock.set(monday + timedelta(days=2, hours=3))  # Wednesday 12:00:30
            wait_until(
                lambda w=week: len(weekly_posts(fake_slack)[1]) >= w + 1, "the prompt", timeout=20
            )
            wait_for_sweeps(running)

        # The Monday after the last week: its digest covers the last week's nominations.
        clock.set(FIRST_MONDAY + timedelta(weeks=WEEKS))
        wait_until(
            lambda: len(weekly_posts(fake_slack)[0]) >= WEEKS + 1, "the last digest", timeout=20
        )
        wait_for_sweeps(running)
        sent = WEEKS * NOMINATIONS_PER_WEEK
        wait_until(
            lambda: len(fake_slack.calls_to("response_url")) >= sent, "every reply", timeout=20
        )

    digests, prompts = weekly_posts(fake_slack)
    assert len(digests) == WEEKS + 1, "each Monday's digest reached Slack exactly once"
    assert len(prompts) == WEEKS, "each Wednesday's prompt reached Slack exactly once"
    # The first digest covered a week with no nominations; each later one names everyone
    # recognised in the week before it (mentioning only the spotlighted, by name the rest).
    assert digests[0].args["text"].startswith(messages.DIGEST_QUIET_FALLBACK.split("{")[0])
    for digest in digests[1:]:
        shown = json.dumps(digest.args["blocks"])
        assert all(
            f"<@{user_id}>" in shown or f"Taker {user_id[-2:]}" in shown for user_id in NOMINEES
        )
        assert "<@" in shown  # the spotlighted are mentioned

    recorded = messages.RECORDED_PUBLIC.split("{", 1)[0]
    replies = [call.args["text"] for call in fake_slack.calls_to("response_url")]
    assert len(replies) == sent and all(text.startswith(recorded) for text in replies)
    posts = channel_posts(fake_slack, RECOGNITION_CHANNEL)
    for week in range(WEEKS):
        for n in range(NOMINATIONS_PER_WEEK):
            marker = story_marker(week, n)
            assert sum(marker in json.dumps(post.args) for post in posts) == 1, marker

    engine = create_engine(postgres_url)
    try:
        with engine.connect() as connection:
            stories = list(connection.scalars(select(Nomination.story)))
            deliveries = connection.execute(
                select(Delivery.kind, func.count(), func.min(Delivery.status))
                .where(Delivery.channel_id == DIGEST_CHANNEL)
                .group_by(Delivery.kind)
            ).all()
    finally:
        engine.dispose()
    assert len(stories) == sent
    for week in range(WEEKS):
        for n in range(NOMINATIONS_PER_WEEK):
            assert sum(story_marker(week, n) in story for story in stories) == 1
    assert sorted(deliveries) == [("digest", WEEKS + 1, "posted"), ("prompt", WEEKS, "posted")]


def test_a_replica_killed_mid_digest_is_covered_by_another_after_the_lease(
    postgres_url: str, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    clock = ClockFile(tmp_path / "now.txt", QUIET_SATURDAY)
    env = replica_environment(fake_slack, postgres_url)
    # Slack takes the first digest post and never answers: its sender is stuck after
    # claiming the digest and before recording it posted. That is when it dies.
    fake_slack.stall_next("chat.postMessage", lambda args: args.get("channel") == DIGEST_CHANNEL)
    with replicas(1, tmp_path, clock, env) as (doomed,):
        clock.set(FIRST_MONDAY)
        fake_slack.wait_for_stalled(timeout=20)
        doomed.kill()
    fake_slack.release_stalled()  # Slack drops the dead connection: nothing was posted

    with replicas(2, tmp_path, clock, env) as survivors:
        # The dead replica's claim is still leased: the survivors must leave it alone.
        wait_for_sweeps(survivors)
        assert channel_posts(fake_slack, DIGEST_CHANNEL) == []

        clock.set(FIRST_MONDAY + timedelta(seconds=LEASE_SECONDS + 1))
        wait_until(
            lambda: len(channel_posts(fake_slack, DIGEST_CHANNEL)) >= 1, "the digest", timeout=20
        )
        wait_for_sweeps(survivors)

    assert len(channel_posts(fake_slack, DIGEST_CHANNEL)) == 1, "the channel sees it once"
    engine = create_engine(postgres_url)
    try:
        with engine.connect() as connection:
            (delivery,) = connection.execute(
                select(Delivery.kind, Delivery.status, Delivery.attempts).where(
                    Delivery.channel_id == DIGEST_CHANNEL  # not the nightly directory sync's
                )
            ).all()
    finally:
        engine.dispose()
    assert tuple(delivery) == ("digest", "posted", 2)

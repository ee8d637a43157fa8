"""Benchmark 2: one-line nominations per second, end to end, on SQLite and PostgreSQL.

Each `/nominate <@someone> story #behaviour` is validated, stored, posted to the recognition
channel of a fake Slack on loopback (in this process, so the posts can be counted), DMed
to the nominee and confirmed to the nominator. A nomination counts as done when its
recognition post has reached the fake and its row is in the database; any refusal, HTTP
error or missing post or row is an error.
"""

from __future__ import annotations

import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from benchmarks.harness import (
    SIGNING_SECRET,
    command_bodies,
    percentile,
    send_signed_commands,
    server_process,
    slack_environment,
)
from benchmarks.results import Context, Figure, Outcome
from bot import messages
from bot.demo.seed import DEMO_USER_PREFIX, seed_demo
from bot.nominations.behaviours import load_catalogue
from db.engine import create_database_engine
from db.migrate import upgrade_database
from db.models import Member, Nomination
from tests.fakes.slack_web_api import TEAM_ID, FakeSlack
from tests.support.databases import PostgresDatabases
from tests.support.load import send_paced

NUMBER = 2
TITLE = "Nomination throughput"
TARGET = "zero errors on SQLite and PostgreSQL"
NOMINATIONS = 600
CLIENTS = 20
# History already in the database, so queries run against indexes of a realistic size.
HISTORY_MEMBERS = 3_000
HISTORY_NOMINATIONS = 50_000
CHANNEL = "CRECOGNITION"
DEADLINE_SECONDS = 240.0
# The sustained-load fault: 50 a second for 60 seconds on PostgreSQL.
REFERENCE_RATE = 50.0
SUSTAINED_SECONDS = 60
SUSTAINED_REPLICAS = 2
SLACK_LIMIT_MS = 3000.0


def _prepare(database_url: str) -> list[str]:
    """Migrate, seed a history, and return active members' Slack ids to nominate with."""
    engine = create_database_engine(database_url)
    try:
        upgrade_database(engine)
        seed_demo(
            engine,
            load_catalogue(),
            members=HISTORY_MEMBERS,
            nominations=HISTORY_NOMINATIONS,
            weeks=52,
            workspace_external_id=TEAM_ID,
            now=datetime.now(UTC),
        )
    finally:
        engine.dispose()
    return _prepare_people(database_url)


def _count_nominations(database_url: str) -> int:
    engine = create_database_engine(database_url)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(select(func.count()).select_from(Nomination)) or 0)
    finally:
        engine.dispose()


def _measure(backend: str, database_url: str, workdir: Path, outcome: Outcome) -> None:
    people = _prepare(database_url)
    before = _count_nominations(database_url)
    # Each nominator once, so the daily cap never bites; each story unique, so no dedupe.
    nominators = people[:NOMINATIONS]
    nominees = people[NOMINATIONS : 2 * NOMINATIONS]
    texts = [
        f"<@{nominee}> Took charge of handover number {i} when the ward was short and kept "
        "everyone safe #speaking-up"
        for i, nominee in enumerate(nominees)
    ]
    fake = FakeSlack().start()
    try:
        bodies = command_bodies(texts, nominators, fake.response_url)
        env = slack_environment(fake.api_url, database_url, EVERYSEAT_RECOGNITION_CHANNEL=CHANNEL)
        with server_process(["-m", "bot", "serve", "--no-scheduler"], workdir, env) as server:
            began = time.perf_counter()
            load = send_signed_commands(server.base_url, bodies, CLIENTS)
            deadline = time.monotonic() + DEADLINE_SECONDS
            # Every request ends with a reply to the nominator, after its post (if any).
            while time.monotonic() < deadline:
                if len(fake.calls_to("response_url")) >= NOMINATIONS:
                    break
                time.sleep(0.01)
            posts = sum(
                1 for call in fake.calls_to("chat.postMessage") if call.args["channel"] == CHANNEL
            )
            elapsed = time.perf_counter() - began
            confirmations = fake.calls_to("response_url")
        stored = _count_nominations(database_url) - before
    finally:
        fake.stop()
    recorded_prefix = messages.RECORDED_PUBLIC.split("{", 1)[0]
    refused = [
        c.args.get("text", "")
        for c in confirmations
        if not str(c.args.get("text", "")).startswith(recorded_prefix)
    ]
    errors = len(load.errors) + len(refused) + (NOMINATIONS - posts) + abs(NOMINATIONS - stored)
    rate = posts / elapsed
    outcome.add(
        Figure(
            f"{backend}: {NOMINATIONS} one-line nominations, {CLIENTS} clients",
            f"{rate:.0f} nominations/s ({elapsed:.1f} s); posts {posts}, rows {stored}, "
            f"errors {errors}",
            "zero errors",
            errors == 0,
        )
    )
    outcome.add(
        Figure(
            f"{backend}: compared with 50/s (the later sustained-load test)",
            f"{rate / REFERENCE_RATE:.1f}× that rate",
        )
    )
    if errors:
        outcome.note(f"{backend}: HTTP/transport errors {load.errors[:3]}, refusals {refused[:3]}")


def _sustained(database_url: str, workdir: Path, outcome: Outcome) -> None:
    """50 nominations a second for 60 s, paced (open loop), round-robin over two replicas."""
    people = _prepare_people(database_url)
    total = int(REFERENCE_RATE * SUSTAINED_SECONDS)
    before = _count_nominations(database_url)
    texts = [
        f"<@{people[(i + 1) % len(people)]}> Sustained {i}: covered the night shift handover "
        "when the ward was short #speaking-up"
        for i in range(total)
    ]
    fake = FakeSlack().start()
    try:
        bodies = command_bodies(
            texts, [people[i % len(people)] for i in range(total)], fake.response_url
        )
        env = slack_environment(
            fake.api_url,
            database_url,
            EVERYSEAT_RECOGNITION_CHANNEL=CHANNEL,
            EVERYSEAT_DAILY_NOMINATION_CAP="100000",
        )
        with ExitStack() as stack:
            servers = [
                stack.enter_context(
                    server_process(["-m", "bot", "serve", "--no-scheduler"], workdir, env)
                )
                for _ in range(SUSTAINED_REPLICAS)
            ]
            load = send_paced([s.base_url for s in servers], bodies, REFERENCE_RATE, SIGNING_SECRET)
            deadline = time.monotonic() + DEADLINE_SECONDS
            while time.monotonic() < deadline:
                if len(fake.calls_to("response_url")) >= total:
                    break
                time.sleep(0.01)
            posts = [
                call.args["text"]
                for call in fake.calls_to("chat.postMessage")
                if call.args["channel"] == CHANNEL
            ]
            confirmations = fake.calls_to("response_url")
        stored = _count_nominations(database_url) - before
    finally:
        fake.stop()
    recorded_prefix = messages.RECORDED_PUBLIC.split("{", 1)[0]
    refused = sum(
        not str(c.args.get("text", "")).startswith(recorded_prefix) for c in confirmations
    )
    distinct_posts = len(set(posts))
    errors = len(load.errors) + refused + abs(total - len(posts)) + abs(total - stored)
    p99 = percentile(load.latencies_ms, 0.99)
    # Held only if every nomination is stored and posted once, the offered rate was kept up
    # with, and answers stayed inside Slack's 3-second limit (else Slack shows an error).
    kept_up = load.achieved_rate >= 0.95 * REFERENCE_RATE and p99 < SLACK_LIMIT_MS
    outcome.add(
        Figure(
            f"PostgreSQL sustained: {REFERENCE_RATE:.0f}/s offered for {SUSTAINED_SECONDS} s "
            f"({total:,} nominations, {SUSTAINED_REPLICAS} replicas)",
            f"{load.achieved_rate:.1f}/s achieved; answers p50 "
            f"{percentile(load.latencies_ms, 0.5):.0f} ms, p99 {p99:.0f} ms; rows {stored}, "
            f"posts {len(posts)} ({distinct_posts} distinct), errors {errors}",
            "zero errors, each stored and posted once, 50/s kept up with, p99 < 3 s",
            errors == 0 and distinct_posts == total and kept_up,
        )
    )
    if not kept_up:
        outcome.note(
            "Sustained: the replicas could not keep up with the offered rate on this machine, "
            "so requests queued and answers grew late; see the throughput figures above for "
            "what one replica sustains."
        )
    if errors:
        outcome.note(f"sustained: transport/HTTP errors {load.errors[:3]}, refusals {refused}")


def _prepare_people(database_url: str) -> list[str]:
    engine = create_database_engine(database_url)
    try:
        with engine.connect() as connection:
            return list(
                connection.scalars(
                    select(Member.platform_user_id)
                    .where(
                        Member.platform_user_id.like(f"{DEMO_USER_PREFIX}%"),
                        Member.is_bot.is_(False),
                        Member.is_deactivated.is_(False),
                    )
                    .order_by(Member.id)
                )
            )
    finally:
        engine.dispose()


def run(context: Context) -> Outcome:
    outcome = Outcome(NUMBER, TITLE, TARGET)
    began = time.perf_counter()
    _measure("SQLite", f"sqlite:///{context.workdir / 'throughput.db'}", context.workdir, outcome)
    if context.postgres_admin_url is None:
        outcome.note(f"PostgreSQL not measured: {context.postgres_unavailable}")
    else:
        databases = PostgresDatabases(context.postgres_admin_url)
        try:
            url = databases.create_empty()
            _measure("PostgreSQL", url, context.workdir, outcome)
            _sustained(url, context.workdir, outcome)
        finally:
            databases.drop_all()
    outcome.note(
        f"History before the run: {HISTORY_MEMBERS:,} members and {HISTORY_NOMINATIONS:,} "
        "nominations from `everyseat demo seed`. Profiles are cached (no users.info calls)."
    )
    outcome.seconds = time.perf_counter() - began
    return outcome

"""Exactly once: claims before sending, failures retried, stale claims taken over, races."""

from __future__ import annotations

import multiprocessing
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from slack_sdk.web import WebClient

from bot.app.composition import build_services
from bot.deliveries import DeliveryKey, DeliveryStatus, claim_delivery, find_delivery
from bot.services import Services
from bot.settings import load_settings
from bot.weekly.periods import PostKind
from bot.weekly.reflections import load_sources, read_source_text
from db.models import Spotlight
from schedules.posting import PostResult, SlackPoster
from tests.fakes.slack_web_api import TEAM_ID, FakeSlack
from tests.schedules.conftest import DIGEST_CHANNEL
from tests.support import builders
from tests.support.clock import FakeClock

MONDAY_NINE = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # 09:00 in London (GMT)


def a_week_of_nominations(services: Services, clock: FakeClock) -> None:
    clock.set(MONDAY_NINE - timedelta(days=3))
    workspace = builders.workspace(services, TEAM_ID)
    nia = builders.member(services, workspace.id, "U0NIA", "Nia", title="Porter")
    for index, seat in enumerate(["Receptionist", "Staff nurse", "Pharmacist", "Domestic"]):
        colleague = builders.member(services, workspace.id, f"U0C{index}", title=seat)
        builders.nomination(services, nia, [colleague], story=f"Story {index} " * 8)
    clock.set(MONDAY_NINE)


def digest_key(services: Services) -> DeliveryKey:
    workspace = builders.workspace(services, TEAM_ID)
    return DeliveryKey(workspace.id, DIGEST_CHANNEL, "digest", "2026-11-23")


def test_a_digest_is_posted_once_however_often_it_is_run(
    services: Services, clock: FakeClock, fake_slack: FakeSlack, slack_client: WebClient
) -> None:
    a_week_of_nominations(services, clock)
    first = SlackPoster(services, slack_client).post_if_due(PostKind.DIGEST)
    again = SlackPoster(services, slack_client).post_if_due(PostKind.DIGEST)
    assert first is not None and first.result is PostResult.POSTED
    assert again is not None and again.result is PostResult.ALREADY_POSTED
    assert again.describe() == (
        "The digest for 2026-11-23 was already posted in C0DIGEST; nothing posted."
    )
    [post] = fake_slack.calls_to("chat.postMessage")
    assert post.args["channel"] == DIGEST_CHANNEL
    assert "<@U0C0>" in str(post.args["blocks"])
    with services.sessions() as session:
        delivery = find_delivery(session, digest_key(services))
        assert delivery is not None and delivery.status == DeliveryStatus.POSTED
        assert delivery.message_ts == first.message_ts and delivery.posted_at == MONDAY_NINE
        featured = session.query(Spotlight).filter_by(period_key="2026-11-23").count()
    assert featured == 3
    # The quote in the post is word for word from the source document it names.
    [quote] = [q for q in services.reflections.quotes if q.text in str(post.args)]
    assert quote.text in read_source_text(load_sources()[quote.document])


def test_a_500_leaves_a_failed_delivery_that_a_later_run_posts_once(
    services: Services, clock: FakeClock, fake_slack: FakeSlack, slack_client: WebClient
) -> None:
    a_week_of_nominations(services, clock)
    poster = SlackPoster(services, slack_client)
    fake_slack.fail_next("chat.postMessage", status=500)
    failed = poster.post_if_due(PostKind.DIGEST)
    assert failed is not None and failed.result is PostResult.FAILED
    with services.sessions() as session:
        delivery = find_delivery(session, digest_key(services))
        assert delivery is not None and delivery.status == DeliveryStatus.FAILED
        assert "500" in (delivery.last_error or "")
        assert session.query(Spotlight).count() == 0  # nothing recorded for a failed post
    clock.advance(timedelta(minutes=10))
    retried = poster.post_if_due(PostKind.DIGEST)
    assert retried is not None and retried.result is PostResult.POSTED
    assert poster.post_if_due(PostKind.DIGEST).result is PostResult.ALREADY_POSTED  # type: ignore[union-attr]
    assert len(fake_slack.calls_to("chat.postMessage")) == 2  # the 500, then one real post


def test_a_crashed_claim_is_retried_after_its_lease_expires(
    services: Services, clock: FakeClock, fake_slack: FakeSlack, slack_client: WebClient
) -> None:
    a_week_of_nominations(services, clock)
    with services.sessions() as session:  # a process that claimed, then died
        assert claim_delivery(session, digest_key(services), clock()) is not None
    poster = SlackPoster(services, slack_client)
    assert poster.post_if_due(PostKind.DIGEST).result is PostResult.IN_PROGRESS  # type: ignore[union-attr]
    assert fake_slack.calls_to("chat.postMessage") == []
    clock.advance(timedelta(minutes=11))
    assert poster.post_if_due(PostKind.DIGEST).result is PostResult.POSTED  # type: ignore[union-attr]
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


def test_threads_racing_to_post_the_same_digest_post_it_once(
    services: Services, clock: FakeClock, fake_slack: FakeSlack
) -> None:
    a_week_of_nominations(services, clock)
    racers = 8
    barrier = threading.Barrier(racers)
    results: list[PostResult] = []

    def race() -> None:
        poster = SlackPoster(
            services, WebClient(token="xoxb-test-token", base_url=fake_slack.api_url)
        )
        poster.workspace_id()
        barrier.wait()
        outcome = poster.post_if_due(PostKind.DIGEST)
        assert outcome is not None
        results.append(outcome.result)

    threads = [threading.Thread(target=race) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(results) == racers
    assert results.count(PostResult.POSTED) == 1
    assert set(results) <= {PostResult.POSTED, PostResult.ALREADY_POSTED, PostResult.IN_PROGRESS}
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


def _race_in_a_process(database_url: str, api_url: str, barrier: Any, results: Any) -> None:
    settings = load_settings(
        env_file=None,
        DATABASE_URL=database_url,
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_SIGNING_SECRET="test-signing-secret",
        SLACK_API_URL=api_url,
        EVERYSEAT_DIGEST_CHANNEL=DIGEST_CHANNEL,
    )
    services = build_services(settings, clock=lambda: MONDAY_NINE)
    try:
        poster = SlackPoster(services, WebClient(token="xoxb-test-token", base_url=api_url))
        poster.workspace_id()
        barrier.wait(timeout=60)
        outcome = poster.post_if_due(PostKind.DIGEST)
        results.put(str(outcome.result) if outcome else "nothing due")
    finally:
        services.close()


@pytest.mark.postgres
def test_processes_racing_on_postgresql_post_once(postgres_url: str, fake_slack: FakeSlack) -> None:
    racers = 4
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(racers)
    results = context.Queue()
    processes = [
        context.Process(
            target=_race_in_a_process, args=(postgres_url, fake_slack.api_url, barrier, results)
        )
        for _ in range(racers)
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=30)
        assert process.exitcode == 0
    assert outcomes.count(str(PostResult.POSTED)) == 1, outcomes
    assert len(fake_slack.calls_to("chat.postMessage")) == 1

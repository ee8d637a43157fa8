"""Exactly once: claims before sending, failures retried, stale claims taken over, races.

The core's flow (bot/weekly/posting.py) is driven through Slack's sender and the fake Slack
Web API, so what is asserted is what Slack would be sent; one test uses a sender of its own.
"""

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
from bot.weekly.posting import PostResult, WeeklyPoster, WeeklyTarget
from bot.weekly.reflections import load_sources, read_source_text
from bot.weekly.spotlight import DigestView, PromptView
from db.models import Spotlight
from handlers.slack.weekly import SlackWeeklySender
from tests.fakes.slack_web_api import TEAM_ID, FakeSlack
from tests.support import builders
from tests.support.clock import FakeClock
from tests.support.slack_digest import DIGEST_CHANNEL, settings, slack_client

MONDAY_NINE = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # 09:00 in London (GMT)
__all__ = ["settings", "slack_client"]  # the Slack-configured fixtures


def slack_poster(services: Services, client: WebClient) -> WeeklyPoster:
    return WeeklyPoster(services, SlackWeeklySender(services, client))


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
    first = slack_poster(services, slack_client).post_if_due(PostKind.DIGEST)
    again = slack_poster(services, slack_client).post_if_due(PostKind.DIGEST)
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
    poster = slack_poster(services, slack_client)
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
    poster = slack_poster(services, slack_client)
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
        sender = SlackWeeklySender(
            services, WebClient(token="xoxb-test-token", base_url=fake_slack.api_url)
        )
        sender.workspace_id()
        poster = WeeklyPoster(services, sender)
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
        sender = SlackWeeklySender(services, WebClient(token="xoxb-test-token", base_url=api_url))
        sender.workspace_id()
        poster = WeeklyPoster(services, sender)
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


class RecordingSender:
    """A platform of the test's own: one target, and every view it was asked to send."""

    platform = "Test"

    def __init__(self, workspace_id: int, refuse: bool = False) -> None:
        self.workspace_id = workspace_id
        self.refuse = refuse
        self.sent: list[DigestView | PromptView] = []

    def targets(self) -> list[WeeklyTarget]:
        return [WeeklyTarget(self.workspace_id, "ward-7", "Ward 7")]

    def send(self, target: WeeklyTarget, view: DigestView | PromptView) -> str:
        if self.refuse:
            raise ConnectionError("the platform is down")
        self.sent.append(view)
        return f"message-{len(self.sent)}"

    def describe_error(self, error: Exception) -> str:
        return f"refused: {error}"


def test_any_sender_gets_the_neutral_view_once_and_its_error_is_the_reason(
    services: Services, clock: FakeClock
) -> None:
    a_week_of_nominations(services, clock)
    workspace = builders.workspace(services, TEAM_ID)
    refused = WeeklyPoster(services, RecordingSender(workspace.id, refuse=True))
    (failed,) = refused.post_due(PostKind.DIGEST)
    assert failed.result is PostResult.FAILED and failed.reason == "refused: the platform is down"
    assert failed.describe() == (
        "Couldn't post the digest for 2026-11-23 in Ward 7: refused: the platform is down. "
        "It will be retried."
    )
    sender = RecordingSender(workspace.id)
    poster = WeeklyPoster(services, sender)
    clock.advance(timedelta(minutes=10))
    (first,) = poster.post_due(PostKind.DIGEST)
    (again,) = poster.post_due(PostKind.DIGEST)
    assert (first.result, first.message_ts) == (PostResult.POSTED, "message-1")
    assert again.result is PostResult.ALREADY_POSTED and poster.platform == "Test"
    (view,) = sender.sent
    assert isinstance(view, DigestView) and view.period.key == "2026-11-23"
    assert len(view.spotlights) == 3

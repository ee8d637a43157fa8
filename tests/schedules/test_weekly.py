"""Scheduling: on time in local time across clock changes, and catching up after downtime."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from slack_sdk.web import WebClient

from bot.deliveries import DeliveryStatus
from bot.services import Services
from bot.weekly.periods import PostKind, schedule_for
from bot.weekly.posting import WeeklyPoster
from db.models import Delivery
from handlers.slack.weekly import SlackWeeklySender
from schedules import build_scheduler, start_scheduler, stop_scheduler
from schedules.outbox import OutboxSweep, send_outbox
from schedules.weekly import CATCH_UP_JOB_ID, SWEEP_INTERVAL, cron_trigger, sweep
from tests.fakes.slack_web_api import FakeSlack
from tests.support.clock import FakeClock

LONDON = ZoneInfo("Europe/London")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_the_cron_trigger_keeps_nine_local_across_both_clock_changes(services: Services) -> None:
    trigger = cron_trigger(schedule_for(services.settings, PostKind.DIGEST))
    fires = []
    previous = None
    now = utc(2026, 10, 12)
    for _ in range(3):
        previous = trigger.get_next_fire_time(previous, now)
        fires.append(previous.astimezone(UTC))
        now = previous
    assert fires == [utc(2026, 10, 12, 8), utc(2026, 10, 19, 8), utc(2026, 10, 26, 9)]
    previous, now, fires = None, utc(2027, 3, 20), []
    for _ in range(2):
        previous = trigger.get_next_fire_time(previous, now)
        fires.append(previous.astimezone(UTC))
        now = previous
    assert fires == [utc(2027, 3, 22, 9), utc(2027, 3, 29, 8)]


def posted(services: Services) -> list[tuple[str, str, datetime | None]]:
    with services.sessions() as session:
        rows = session.query(Delivery).order_by(Delivery.period_key).all()
        assert all(row.status == DeliveryStatus.POSTED for row in rows)
        return [(row.kind, row.period_key, row.posted_at) for row in rows]


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (  # October: the Monday before the change is 08:00 UTC, the one after 09:00 UTC.
            utc(2026, 10, 18, 12),
            utc(2026, 10, 27, 12),
            [
                ("digest", "2026-10-19", utc(2026, 10, 19, 8)),
                ("prompt", "2026-10-21", utc(2026, 10, 21, 11)),
                ("digest", "2026-10-26", utc(2026, 10, 26, 9)),
            ],
        ),
        (  # March: 09:00 UTC before the change, 08:00 UTC after.
            utc(2027, 3, 21, 12),
            utc(2027, 3, 30, 12),
            [
                ("digest", "2027-03-22", utc(2027, 3, 22, 9)),
                ("prompt", "2027-03-24", utc(2027, 3, 24, 12)),
                ("digest", "2027-03-29", utc(2027, 3, 29, 8)),
            ],
        ),
    ],
)
def test_time_travel_posts_each_week_once_at_nine_local(
    services: Services,
    clock: FakeClock,
    fake_slack: FakeSlack,
    slack_client: WebClient,
    start: datetime,
    end: datetime,
    expected: list[tuple[str, str, datetime]],
) -> None:
    poster = WeeklyPoster(services, SlackWeeklySender(services, slack_client))
    clock.set(start)
    while clock() <= end:
        sweep(poster)  # what the cron jobs and the retry sweep both do when they run
        clock.advance(SWEEP_INTERVAL)
    assert sorted(posted(services), key=lambda row: row[2] or start) == expected
    assert len(fake_slack.calls_to("chat.postMessage")) == 3


def _run_catch_up(scheduler: BackgroundScheduler) -> None:
    deadline = time.monotonic() + 10
    while scheduler.get_job(CATCH_UP_JOB_ID) is not None:  # removed once it has started
        assert time.monotonic() < deadline, "the catch-up job never ran"
        time.sleep(0.01)
    stop_scheduler(scheduler)  # waits for the run in progress


def test_a_bot_down_over_the_fire_time_catches_up_once_on_start(
    services: Services, clock: FakeClock, fake_slack: FakeSlack, slack_client: WebClient
) -> None:
    clock.set(utc(2026, 11, 23, 11, 30))  # Monday 11:30: the 09:00 digest was missed
    for _restart in range(2):
        scheduler = start_scheduler(
            services, weekly_senders=[SlackWeeklySender(services, slack_client)]
        )
        assert scheduler is not None
        _run_catch_up(scheduler)
    assert [(kind, key) for kind, key, _ in posted(services)] == [("digest", "2026-11-23")]
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


def test_jobs_are_registered_in_local_time(services: Services, slack_client: WebClient) -> None:
    scheduler = build_scheduler(
        services,
        weekly_senders=[SlackWeeklySender(services, slack_client)],
        outbox_sweeps=[OutboxSweep("Slack", lambda: 0)],
    )
    scheduler.start(paused=True)
    try:
        jobs = {job.id: job for job in scheduler.get_jobs()}
        digest = jobs["weekly-digest"].next_run_time.astimezone(LONDON)
        prompt = jobs["weekly-prompt"].next_run_time.astimezone(LONDON)
        assert (digest.weekday(), digest.hour, digest.minute) == (0, 9, 0)
        assert (prompt.weekday(), prompt.hour, prompt.minute) == (2, 12, 0)
        assert jobs["weekly-digest"].misfire_grace_time == 72 * 3600
        assert set(jobs) == {
            "weekly-digest",
            "weekly-prompt",
            "retry-sweep",
            CATCH_UP_JOB_ID,
            "recognition-outbox",
            "statistics-rollups",
        }
    finally:
        scheduler.shutdown(wait=False)


def test_without_a_channel_only_the_outbox_runs(make_settings, fake_slack: FakeSlack) -> None:  # type: ignore[no-untyped-def]
    from bot.app.composition import build_services
    from bot.app.platforms import outbox_sweeps, weekly_senders

    settings = make_settings(
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_SIGNING_SECRET="secret",
        SLACK_API_URL=fake_slack.api_url,
    )
    services = build_services(settings)
    scheduler = build_scheduler(
        services, weekly_senders=weekly_senders(services), outbox_sweeps=outbox_sweeps(services)
    )
    try:
        assert {job.id for job in scheduler.get_jobs()} == {
            "recognition-outbox",
            "statistics-rollups",
        }
    finally:
        services.close()
    services = build_services(make_settings())  # no Slack at all: no scheduler
    try:
        assert start_scheduler(services) is None
    finally:
        services.close()


def test_one_failing_outbox_sweep_doesnt_stop_the_other(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="schedules.outbox")

    def refused() -> int:
        raise ConnectionError("Slack is down")

    sent = send_outbox([OutboxSweep("Slack", refused), OutboxSweep("Teams", lambda: 2)])
    assert sent == 2
    assert "outbox: the Slack sweep failed" in caplog.text
    assert "outbox: posted 2 recognition message(s) Teams had refused before" in caplog.text

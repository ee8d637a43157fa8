"""Wiring: /recognition stats|export|help through signed requests and the fake Web API."""

from __future__ import annotations

import csv
import io
import logging
from datetime import timedelta

import pytest

from bot import messages
from tests.handlers.slack.conftest import SlackWorld
from tests.support import builders
from tests.support.block_kit import assert_valid_message, section_texts
from tests.support.clock import FakeClock
from tests.support.datasets import build_dataset

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def world(slack_world: SlackWorld, clock: FakeClock) -> SlackWorld:
    """The hand-built dataset in the Slack workspace, with an owner and a plain member."""
    build_dataset(slack_world.services, clock)
    slack_world.slack.add_user("UBOSS", "Boss", is_owner=True)
    slack_world.slack.add_user("UPLAIN", "Plain")
    return slack_world


def ephemeral(world: SlackWorld) -> dict:
    (reply,) = world.slack.wait_for("response_url")
    assert reply.args["response_type"] == "ephemeral"
    return reply.args


def test_admin_export_uploads_the_csv_to_their_dm(world: SlackWorld) -> None:
    assert (
        world.sender.command("export csv 30d", user_id="UBOSS", command="/recognition").status_code
        == 200
    )
    reply = ephemeral(world)
    assert reply["text"] == messages.EXPORT_SENT.format(
        format="CSV",
        report="nominations",
        period="the last 30 days",
        name="everyseat-nominations.csv",
    )
    (complete,) = world.slack.calls_to("files.completeUploadExternal")
    assert complete.args["channel_id"] == "DBOSS"
    (uploaded,) = world.slack.uploads.values()
    rows = list(csv.DictReader(io.StringIO(uploaded.decode("utf-8"), newline="")))
    assert len(rows) == 8
    assert [row["nominee_id"] for row in rows[:2]] == ["UNIA", "UNIA"]
    assert rows[-1]["story"] == messages.PRIVATE_STORY_WITHHELD


def test_non_admin_is_refused_and_nothing_is_uploaded(
    world: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.admins"):
        world.sender.command("export csv", user_id="UPLAIN", command="/recognition")
        assert ephemeral(world)["text"] == messages.NOT_AN_ADMIN
    assert world.slack.calls_to("files.getUploadURLExternal") == []
    assert world.slack.uploads == {}
    assert "Refused admin action 'export' to UPLAIN" in caplog.text


def test_admin_stats_shows_coverage_and_spread_and_sends_the_chart(world: SlackWorld) -> None:
    world.sender.command("stats", user_id="UBOSS", command="/recognition")
    reply = ephemeral(world)
    assert_valid_message(reply)
    shown = section_texts(reply["blocks"])
    # The owner's own profile is now known too: 4 of 11 active members.
    assert "Coverage: 36% of 11 active members were recognised at least once." in shown
    assert "the top 10% of recipients (1 people) received 50% of recognitions; Gini 0.31" in shown
    assert "Seats never recognised: Cleaner (1), Pharmacist (1)." in shown
    assert messages.STATS_CHART_SENT in shown
    (png,) = world.slack.uploads.values()
    assert png.startswith(PNG_SIGNATURE)


def test_configured_admin_needs_no_platform_rights(
    fake_slack, make_settings, clock: FakeClock
) -> None:
    from bot.server import create_app
    from bot.services import build_services
    from db.migrate import upgrade_database
    from tests.handlers.slack.conftest import SIGNING_SECRET
    from tests.support.server import running_server
    from tests.support.slack_requests import SlackSender

    fake_slack.add_user("UHR", "People team")
    settings = make_settings(
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake_slack.api_url,
        EVERYSEAT_ADMINS="UHR",
    )
    services = build_services(settings, clock=clock)
    upgrade_database(services.engine)
    try:
        ws = builders.workspace(services)
        ana = builders.member(services, ws.id, "UANA", "Ana")
        nia = builders.member(services, ws.id, "UNIA", "Nia")
        builders.nomination(services, ana, [nia])
        clock.advance(timedelta(minutes=1))
        with running_server(create_app(services)) as base_url:
            sender = SlackSender(base_url, SIGNING_SECRET, fake_slack.response_url)
            sender.command("export", user_id="UHR", command="/recognition")
            fake_slack.wait_for("response_url")
    finally:
        services.close()
    (uploaded,) = fake_slack.uploads.values()
    assert uploaded.decode().count("\n") == 2  # header and the one nomination
    assert fake_slack.calls_to("users.info") == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("stats last-month", messages.BAD_PERIOD.format(value="last-month")),
        ("export pdf", messages.EXPORT_BAD_FORMAT.format(value="pdf")),
        (
            "stats 2026-11-10..2026-11-01",
            messages.PERIOD_BACKWARDS.format(since="2026-11-10", until="2026-11-01"),
        ),
    ],
)
def test_bad_arguments_say_what_to_fix(world: SlackWorld, text: str, message: str) -> None:
    world.sender.command(text, user_id="UBOSS", command="/recognition")
    assert ephemeral(world)["text"] == message
    assert world.slack.uploads == {}


def test_help_shows_the_admin_part_only_to_admins(world: SlackWorld) -> None:
    world.sender.command("help", user_id="UPLAIN", command="/recognition")
    assert ephemeral(world)["text"] == messages.RECOGNITION_HELP
    world.slack.clear()
    world.sender.command("", user_id="UBOSS", command="/recognition")
    assert messages.RECOGNITION_HELP_ADMIN in ephemeral(world)["text"]

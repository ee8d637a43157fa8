"""A running Everyseat server wired to a fake Slack Web API, and a signed-request sender."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from bot.app.composition import build_services
from bot.app.server import create_app
from bot.services import Services
from db.migrate import upgrade_database
from tests.fakes.slack_web_api import FakeSlack
from tests.support.clock import FakeClock
from tests.support.server import running_server
from tests.support.slack_requests import SlackSender

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


@dataclass
class SlackWorld:
    services: Services
    slack: FakeSlack
    sender: SlackSender
    base_url: str


@pytest.fixture
def slack_world(fake_slack: FakeSlack, make_settings, clock: FakeClock) -> Iterator[SlackWorld]:
    fake_slack.add_user("UANA", "Ana", title="Ward sister")
    fake_slack.add_user("UNIA", "Nia", title="Porter")
    fake_slack.add_user("USAM", "Sam", title="Receptionist")
    fake_slack.add_user("UROTA", "Rota bot", is_bot=True)
    fake_slack.add_user("UGONE", "Gone", deleted=True)
    settings = make_settings(
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake_slack.api_url,
    )
    services = build_services(settings, clock=clock)
    upgrade_database(services.engine)
    try:
        with running_server(create_app(services)) as base_url:
            sender = SlackSender(base_url, SIGNING_SECRET, fake_slack.response_url)
            yield SlackWorld(services, fake_slack, sender, base_url)
    finally:
        services.close()

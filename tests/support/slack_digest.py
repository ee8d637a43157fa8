"""Settings and a Slack client pointed at the fake Slack Web API, for the weekly posting tests
(the core's flow in tests/bot/weekly and the scheduler in tests/schedules)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from slack_sdk.web import WebClient

from bot.settings import Settings
from tests.fakes.slack_web_api import FakeSlack

DIGEST_CHANNEL = "C0DIGEST"


@pytest.fixture
def settings(make_settings: Callable[..., Settings], fake_slack: FakeSlack) -> Settings:
    return make_settings(
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_SIGNING_SECRET="test-signing-secret",
        SLACK_API_URL=fake_slack.api_url,
        EVERYSEAT_DIGEST_CHANNEL=DIGEST_CHANNEL,
    )


@pytest.fixture
def slack_client(fake_slack: FakeSlack) -> WebClient:
    """A client without retry handlers, so a queued 500 reaches the code under test."""
    return WebClient(token="xoxb-test-token", base_url=fake_slack.api_url)

"""A revoked bot token (account_inactive, token_revoked, invalid_auth): the person is told the
truth, an ERROR is logged once, and /healthz shows it."""

from __future__ import annotations

import logging

import httpx
import pytest
from sqlalchemy import func, select

from bot import messages
from db.models import Nomination
from tests.handlers.slack.conftest import SlackWorld

STORY = "Covered the night shift at no notice when two colleagues were off sick."


@pytest.mark.parametrize("code", ["account_inactive", "token_revoked", "invalid_auth"])
def test_a_revoked_token_is_reported_truthfully_once_and_on_healthz(
    slack_world: SlackWorld, caplog: pytest.LogCaptureFixture, code: str
) -> None:
    refused = {"ok": False, "error": code}
    slack_world.slack.fail_next("chat.postMessage", status=200, body=refused, times=10)
    slack_world.slack.fail_next("views.open", status=200, body=refused, times=10)

    slack_world.sender.command(f"<@UNIA> {STORY} #speaking-up")
    (reply,) = slack_world.slack.wait_for("response_url")
    text = reply.args["text"]
    assert "Slack refused Everyseat's access" in text and code in text
    assert "Slack is busy" not in text
    with slack_world.services.sessions() as session:  # the nomination itself is kept
        assert session.scalar(select(func.count()).select_from(Nomination)) == 1

    # Opening the form fails the same way: the person hears why, not "something went wrong".
    slack_world.sender.command("")
    replies = slack_world.slack.wait_for("response_url", 2)
    assert replies[1].args["text"] == messages.SLACK_ACCESS_REVOKED.format(reason=code)

    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1, [r.getMessage() for r in errors]
    assert code in errors[0].getMessage() and errors[0].exc_info is None

    health = httpx.get(f"{slack_world.base_url}/healthz", timeout=5).json()
    assert health["platforms"]["slack"] == {"state": "credentials_revoked", "detail": code}

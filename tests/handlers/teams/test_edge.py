"""The Teams endpoint's door: junk bodies and activities the SDK can't parse get 400 and one
log line (no traceback); oversized bodies 413; nothing is stored."""

from __future__ import annotations

import logging

import httpx
import pytest
from sqlalchemy import func, select

from db.models import Nomination
from tests.handlers.teams.conftest import TeamsWorld, load_activity


def stored_nominations(world: TeamsWorld) -> int:
    with world.services.sessions() as session:
        return session.scalar(select(func.count()).select_from(Nomination)) or 0


def assert_one_quiet_line(caplog: pytest.LogCaptureFixture) -> None:
    lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(lines) == 1, [r.getMessage() for r in lines]
    assert all(r.exc_info is None for r in caplog.records)
    assert "Traceback" not in caplog.text


@pytest.mark.parametrize(
    "change",
    [
        {"type": "somethingNew"},
        {"type": "messageUpdate"},  # without channelData.eventType
        {"type": "invoke", "name": 42},
    ],
    ids=["unknown-type", "messageUpdate-without-eventType", "invoke-with-a-numeric-name"],
)
def test_activities_the_sdk_cannot_parse_are_400(
    world: TeamsWorld, caplog: pytest.LogCaptureFixture, change: dict[str, object]
) -> None:
    caplog.clear()
    activity = load_activity("message_mention_nominate", world.connector.service_url)
    activity.update(change)
    response = world.post(activity)
    assert response.status_code == 400
    assert_one_quiet_line(caplog)
    assert stored_nominations(world) == 0
    assert world.connector.calls == []


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[1, 2, 3]", b'{"type": 7, "serviceUrl": "http://x/"}', b""],
    ids=["not-json", "a-list", "numeric-type", "empty"],
)
def test_bodies_that_are_not_an_activity_are_400(
    world: TeamsWorld, caplog: pytest.LogCaptureFixture, body: bytes
) -> None:
    caplog.clear()
    response = httpx.post(
        f"{world.base_url}/api/messages",
        content=body,
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 400
    assert_one_quiet_line(caplog)


def test_a_message_update_with_its_event_type_is_still_accepted(world: TeamsWorld) -> None:
    activity = load_activity("message_mention_nominate", world.connector.service_url)
    activity["type"] = "messageUpdate"
    activity["channelData"]["eventType"] = "editMessage"
    assert world.post(activity).status_code == 200


def test_bodies_over_the_limit_are_413(world: TeamsWorld, caplog: pytest.LogCaptureFixture) -> None:
    activity = load_activity("message_mention_nominate", world.connector.service_url)
    activity["text"] = "x" * (2 * world.services.settings.EVERYSEAT_MAX_REQUEST_BYTES)
    assert world.post(activity).status_code == 413
    assert "Traceback" not in caplog.text
    assert stored_nominations(world) == 0

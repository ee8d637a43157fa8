"""The audit trail in Slack: every export from chat is recorded with who asked, and admins
see the last entries on App Home (signed requests, the fake Web API)."""

from __future__ import annotations

import pytest

from bot import messages
from bot.audit import audit_entries
from tests.handlers.slack.conftest import SlackWorld
from tests.handlers.slack.test_admin import home_export_click, open_home
from tests.support.clock import FakeClock
from tests.support.datasets import build_dataset


@pytest.fixture
def world(slack_world: SlackWorld, clock: FakeClock) -> SlackWorld:
    build_dataset(slack_world.services, clock)
    slack_world.slack.add_user("UBOSS", "Boss", is_owner=True)
    slack_world.slack.add_user("UPLAIN", "Plain")
    return slack_world


def _entries(world: SlackWorld) -> list[tuple[str, str, str, str, dict[str, object]]]:
    with world.services.sessions() as session:
        return [
            (entry.actor, entry.platform, entry.action, entry.subject, dict(entry.detail))
            for entry in audit_entries(session)
        ]


def test_chat_exports_are_recorded_and_shown_on_app_home(world: SlackWorld) -> None:
    world.sender.command("export csv 30d", user_id="UBOSS", command="/recognition")
    world.slack.wait_for("response_url")
    world.sender.interaction(home_export_click("UBOSS", "xlsx"))
    world.slack.wait_for("files.completeUploadExternal", count=2)

    entries = _entries(world)
    assert [entry[:4] for entry in entries] == [
        ("UBOSS", "slack", "export", "nominations, people, summary"),
        ("UBOSS", "slack", "export", "nominations"),
    ]
    csv_detail = entries[1][4]
    assert csv_detail["format"] == "csv" and csv_detail["rows"] == 8
    assert csv_detail["to"] == "slack direct message"
    assert csv_detail["include_private"] is False

    view = open_home(world, "UBOSS")
    header = messages.AUDIT_HEADER.format(count=2)
    headers = [b["text"]["text"] for b in view["blocks"] if b["type"] == "header"]
    assert header in headers
    lines = [
        element["text"]
        for block in view["blocks"][
            [b.get("text", {}).get("text") for b in view["blocks"]].index(header) :
        ]
        if block["type"] == "context"
        for element in block["elements"]
    ]
    assert len(lines) == 2
    assert lines[0].startswith(
        "2026-11-18 10:00 UTC · export by UBOSS (slack) · nominations, people"
    )
    assert "format xlsx" in lines[0] and "format csv" in lines[1] and "rows 8" in lines[1]


def test_a_refused_export_records_nothing_and_non_admins_see_no_trail(world: SlackWorld) -> None:
    world.sender.command("export csv", user_id="UPLAIN", command="/recognition")
    world.slack.wait_for("response_url")

    assert _entries(world) == []
    view = open_home(world, "UPLAIN")
    assert all(messages.AUDIT_HEADER.split(":")[0] not in str(block) for block in view["blocks"])

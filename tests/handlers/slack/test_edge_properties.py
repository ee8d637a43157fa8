"""Property tests of the Slack edge: generated mutations of real payloads (slash command,
block_actions, view_submission, shortcut, events), signed and unsigned, sent as real HTTP
requests to the real app, never get a 500 nor leave a row that shouldn't exist."""

from __future__ import annotations

import json
import logging
import time
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from db.models import Member, Nomination, NominationNominee, Workspace
from tests.handlers.slack.conftest import SlackWorld
from tests.support.mutations import mutated_form, mutated_json
from tests.support.slack_requests import load_payload

FORM = "application/x-www-form-urlencoded"
JSON_TYPE = "application/json"
EXAMPLES = 25
PROPERTY_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same examples on every run and machine
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Mostly signed, so most examples get past the signature to the parsing behind it.
SIGNED = st.sampled_from([True, True, True, False])
INTERACTIONS = [
    "view_submission.json",
    "block_action_endorse.json",
    "block_action_home_export.json",
    "message_shortcut.json",
]


def row_counts(world: SlackWorld) -> tuple[int, int, int]:
    with world.services.sessions() as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(select(func.count()).select_from(table)) or 0
            for table in (Nomination, Member, Workspace)
        )


def assert_every_stored_nomination_keeps_the_rules(world: SlackWorld) -> None:
    rules = world.services.rules
    with world.services.sessions() as session:
        nominations = session.scalars(
            select(Nomination).options(
                selectinload(Nomination.nominees).selectinload(NominationNominee.member),
                selectinload(Nomination.behaviours),
            )
        ).all()
        for nomination in nominations:
            assert rules.min_story <= len(nomination.story) <= rules.max_story
            assert nomination.story == nomination.story.strip()
            assert nomination.visibility in {"public", "private"}
            assert nomination.behaviours
            assert all(b.behaviour_slug in world.services.catalogue for b in nomination.behaviours)
            assert 1 <= len(nomination.nominees) <= rules.max_nominees
            for link in nomination.nominees:
                assert link.member_id != nomination.nominator_id
                assert not link.member.is_bot and not link.member.is_deactivated


def send(world: SlackWorld, body: str, content_type: str, signed: bool) -> int:
    headers = world.sender.headers(body) if signed else {}
    headers["Content-Type"] = content_type
    response = world.sender.http.post(world.sender.url, content=body, headers=headers)
    return response.status_code


def check(
    world: SlackWorld,
    caplog: pytest.LogCaptureFixture,
    body: str,
    content_type: str,
    signed: bool,
) -> None:
    before = row_counts(world)
    caplog.clear()
    status = send(world, body, content_type, signed)
    event(f"{'signed' if signed else 'unsigned'} → {status}")  # --hypothesis-show-statistics
    assert status < 500, f"{status} for {body[:300]!r}"
    if not signed:
        assert status == 401
        assert row_counts(world) == before
    assert_every_stored_nomination_keeps_the_rules(world)
    assert "Traceback" not in caplog.text


def settle(world: SlackWorld) -> None:
    """Let acknowledged work finish before the last look at the database."""
    deadline = time.monotonic() + 5
    last = None
    while time.monotonic() < deadline:
        now = (row_counts(world), len(world.slack.calls))
        if now == last:
            break
        last = now
        time.sleep(0.2)
    event("some nominations stored" if row_counts(world)[0] else "no nominations stored")
    assert_every_stored_nomination_keeps_the_rules(world)


@PROPERTY_SETTINGS
@given(data=st.data())
def test_mutated_slash_commands_never_500(
    slack_world: SlackWorld, caplog: pytest.LogCaptureFixture, data: st.DataObject
) -> None:
    caplog.set_level(logging.WARNING)
    text = data.draw(
        st.sampled_from(
            [
                "",
                "<@UNIA> Kept the ward calm during the fire alarm at 3am. #speaking-up",
                "<@UANA> nominating myself for staying late again tonight",
                "<@UROTA> <@UGONE> A&amp;E handover &lt;3 went well #team",
            ]
        )
    )
    original = load_payload(
        "slash_command.json", text=text, response_url=slack_world.slack.response_url
    )
    form = data.draw(mutated_form(original))
    content_type = data.draw(st.sampled_from([FORM] * 6 + [JSON_TYPE, "text/plain"]))
    check(slack_world, caplog, urlencode(form), content_type, signed=data.draw(SIGNED))
    settle(slack_world)


@PROPERTY_SETTINGS
@given(data=st.data())
def test_mutated_interactions_never_500(
    slack_world: SlackWorld, caplog: pytest.LogCaptureFixture, data: st.DataObject
) -> None:
    caplog.set_level(logging.WARNING)
    original: dict[str, Any] = load_payload(data.draw(st.sampled_from(INTERACTIONS)))
    if "response_url" in original:
        original["response_url"] = slack_world.slack.response_url
    payload = data.draw(mutated_json(original))
    body = urlencode({"payload": json.dumps(payload)})
    content_type = data.draw(st.sampled_from([FORM] * 7 + [JSON_TYPE]))
    check(slack_world, caplog, body, content_type, signed=data.draw(SIGNED))
    settle(slack_world)


@PROPERTY_SETTINGS
@given(data=st.data())
def test_mutated_events_never_500(
    slack_world: SlackWorld, caplog: pytest.LogCaptureFixture, data: st.DataObject
) -> None:
    caplog.set_level(logging.WARNING)
    payload = data.draw(mutated_json(load_payload("app_home_opened.json")))
    content_type = data.draw(st.sampled_from([JSON_TYPE] * 7 + [FORM]))
    check(slack_world, caplog, json.dumps(payload), content_type, signed=data.draw(SIGNED))
    settle(slack_world)


@PROPERTY_SETTINGS
@given(raw=st.binary(max_size=200), signed=st.booleans())
def test_arbitrary_bytes_never_500(
    slack_world: SlackWorld, caplog: pytest.LogCaptureFixture, raw: bytes, signed: bool
) -> None:
    before = row_counts(slack_world)
    headers = {"Content-Type": FORM}
    if signed:
        body_text = raw.decode("utf-8", errors="replace")
        raw = body_text.encode()
        headers = slack_world.sender.headers(body_text)
    status = slack_world.sender.http.post(
        slack_world.sender.url, content=raw, headers=headers
    ).status_code
    assert status < 500
    if not signed:
        assert status == 401
    assert row_counts(slack_world) == before or signed
    assert "Traceback" not in caplog.text

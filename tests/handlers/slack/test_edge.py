"""The Slack endpoint's door: signature before parsing, a body limit, 400/401 for junk with
one log line and no traceback, and nothing stored."""

from __future__ import annotations

import json
import logging
import time
from urllib.parse import urlencode

import httpx
import pytest
from slack_bolt.async_app import AsyncBoltRequest
from sqlalchemy import func, select

from db.models import Nomination
from handlers.slack.edge import bolt_request, parse_signed_body
from tests.handlers.slack.conftest import SlackWorld
from tests.support.slack_requests import load_payload

FORM = "application/x-www-form-urlencoded"


def stored_nominations(world: SlackWorld) -> int:
    with world.services.sessions() as session:
        return session.scalar(select(func.count()).select_from(Nomination)) or 0


def refusal_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.WARNING]


def assert_one_quiet_line(caplog: pytest.LogCaptureFixture) -> None:
    """Exactly one warning for the refusal, and no traceback anywhere in the log."""
    lines = refusal_lines(caplog)
    assert len(lines) == 1, [r.getMessage() for r in lines]
    assert all(r.exc_info is None for r in caplog.records)
    assert "Traceback" not in caplog.text


def test_unsigned_payload_that_is_not_json_is_401_before_parsing(
    slack_world: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    body = "payload=%7Bnot%20json"
    response = httpx.post(
        slack_world.sender.url, content=body, headers={"Content-Type": FORM}, timeout=10
    )
    assert response.status_code == 401
    assert_one_quiet_line(caplog)


def test_non_numeric_timestamp_is_401(
    slack_world: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    body = slack_world.sender.command_body("")
    headers = slack_world.sender.headers(body)
    headers["X-Slack-Request-Timestamp"] = "yesterday"
    response = httpx.post(slack_world.sender.url, content=body, headers=headers, timeout=10)
    assert response.status_code == 401
    assert_one_quiet_line(caplog)
    assert slack_world.slack.calls_to("views.open") == []


def test_stale_and_forged_signatures_are_401(slack_world: SlackWorld) -> None:
    body = slack_world.sender.command_body("")
    old = slack_world.sender.post(body, timestamp=int(time.time()) - 3600)
    forged = slack_world.sender.post(body, secret="not-the-secret")
    assert (old.status_code, forged.status_code) == (401, 401)


def test_signed_body_of_the_wrong_content_type_is_400(
    slack_world: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    body = slack_world.sender.command_body(f"<@UNIA> {'Held the ward together overnight.'}")
    headers = slack_world.sender.headers(body)
    headers["Content-Type"] = "application/json"  # a form body, labelled JSON
    response = httpx.post(slack_world.sender.url, content=body, headers=headers, timeout=10)
    assert response.status_code == 400
    assert_one_quiet_line(caplog)
    headers["Content-Type"] = "text/plain"
    assert httpx.post(slack_world.sender.url, content=body, headers=headers).status_code == 400
    assert stored_nominations(slack_world) == 0


def test_signed_payload_that_is_not_json_is_400(
    slack_world: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    response = slack_world.sender.post("payload=%7Bnot%20json")
    assert response.status_code == 400
    assert_one_quiet_line(caplog)


def test_signed_payload_missing_what_listeners_read_is_400(
    slack_world: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    payload = load_payload("view_submission.json")
    payload["user"] = "UANA"  # a string where Slack sends an object
    assert slack_world.sender.interaction(payload).status_code == 400
    command = load_payload("slash_command.json", response_url=slack_world.slack.response_url)
    del command["trigger_id"]
    assert slack_world.sender.post(urlencode(command)).status_code == 400
    assert len(refusal_lines(caplog)) == 2
    assert "Traceback" not in caplog.text
    assert stored_nominations(slack_world) == 0


def test_view_submission_with_metadata_that_is_not_json_still_records(
    slack_world: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    payload = load_payload("view_submission.json")
    payload["view"]["private_metadata"] = "ward 7, please"
    response = slack_world.sender.interaction(payload)
    assert response.status_code == 200
    assert stored_nominations(slack_world) == 1
    assert "Traceback" not in caplog.text
    # No channel came back with the form, so the nominator hears by DM.
    (confirmation,) = [
        c for c in slack_world.slack.wait_for("chat.postMessage", 2) if c.args["channel"] == "UANA"
    ]
    assert confirmation.args["text"].startswith("Recorded")


def test_view_submission_with_empty_state_shows_the_problems_and_stores_nothing(
    slack_world: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    payload = load_payload("view_submission.json")
    payload["view"]["state"] = {}
    response = slack_world.sender.interaction(payload)
    assert response.status_code == 200
    answer = response.json()
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) >= {"nominees", "behaviours", "story"}
    assert stored_nominations(slack_world) == 0
    assert "Traceback" not in caplog.text


def test_bodies_over_the_limit_are_413_without_being_read(
    slack_world: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    limit = slack_world.services.settings.EVERYSEAT_MAX_REQUEST_BYTES
    huge = "text=" + "a" * (5 * 1024 * 1024)
    response = httpx.post(
        slack_world.sender.url, content=huge, headers={"Content-Type": FORM}, timeout=30
    )
    assert response.status_code == 413
    assert str(limit) in caplog.text

    def chunks():  # no Content-Length: sent chunked
        for _ in range(64):
            yield b"a" * (64 * 1024)

    chunked = httpx.post(
        slack_world.sender.url, content=chunks(), headers={"Content-Type": FORM}, timeout=30
    )
    assert chunked.status_code == 413
    assert "Traceback" not in caplog.text


def test_the_limit_is_configurable(make_settings, clock, fake_slack) -> None:
    from bot.app.composition import build_services
    from bot.app.server import create_app
    from db.migrate import upgrade_database
    from tests.handlers.slack.conftest import SIGNING_SECRET
    from tests.support.server import running_server
    from tests.support.slack_requests import SlackSender

    fake_slack.add_user("UANA", "Ana")
    settings = make_settings(
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake_slack.api_url,
        EVERYSEAT_MAX_REQUEST_BYTES="2048",
    )
    services = build_services(settings, clock=clock)
    upgrade_database(services.engine)
    try:
        with running_server(create_app(services)) as base_url:
            sender = SlackSender(base_url, SIGNING_SECRET, fake_slack.response_url)
            assert sender.command("").status_code == 200
            assert sender.command("x" * 3000).status_code == 413
    finally:
        services.close()


def test_url_verification_still_answers_the_challenge(slack_world: SlackWorld) -> None:
    response = slack_world.sender.event(
        {"type": "url_verification", "token": "t", "challenge": "abc123"}
    )
    assert response.status_code == 200
    assert response.json() == {"challenge": "abc123"} or response.text == "abc123"


def test_signed_event_without_an_event_object_is_400(slack_world: SlackWorld) -> None:
    payload = json.loads(json.dumps(load_payload("app_home_opened.json")))
    payload["event"] = ["app_home_opened"]
    assert slack_world.sender.event(payload).status_code == 400


def _bodies() -> list[tuple[str, str]]:
    """(content type, body) of each kind of request Slack sends Everyseat."""
    command = load_payload("slash_command.json", text="<@UNIA> covered the handover")
    interactions = [
        "block_action_endorse.json",
        "block_action_home_export.json",
        "message_shortcut.json",
        "view_submission.json",
    ]
    return [
        (FORM, urlencode(command)),
        *[(FORM, urlencode({"payload": json.dumps(load_payload(name))})) for name in interactions],
        ("application/json", json.dumps(load_payload("app_home_opened.json"))),
    ]


@pytest.mark.parametrize(("content_type", "text"), _bodies())
def test_bolt_is_handed_what_it_would_have_parsed(content_type: str, text: str) -> None:
    # The server hands Bolt the edge's payload instead of the body to parse again: the
    # request must be the one Bolt builds itself.
    headers = {"content-type": content_type, "x-slack-request-timestamp": "1764547200"}
    query = {"retry": "1"}
    body = text.encode()
    ours = bolt_request(headers, query, body, parse_signed_body(content_type, body))
    bolts = AsyncBoltRequest(body=text, query=query, headers=headers)  # type: ignore[arg-type]
    assert ours.body == bolts.body and ours.body
    assert dict(ours.context) == dict(bolts.context) and ours.context["team_id"]
    assert ours.raw_body == bolts.raw_body == text
    assert ours.headers == bolts.headers and ours.query == bolts.query
    assert ours.content_type == bolts.content_type
    assert ours.mode == bolts.mode == "http"

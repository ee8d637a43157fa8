"""Wiring: signed Slack requests to the running server, answers recorded by the fake Web API."""

from __future__ import annotations

import copy
import time

from sqlalchemy import func, select

from bot import messages
from db.models import Endorsement, Nomination
from tests.handlers.slack.conftest import SlackWorld
from tests.support.block_kit import assert_valid_message, assert_valid_view, section_texts
from tests.support.slack_requests import load_payload

STORY = "Led the handover huddle when the ward was two nurses short."


def nomination_count(world: SlackWorld) -> int:
    with world.services.sessions() as session:
        return session.scalar(select(func.count()).select_from(Nomination)) or 0


def test_nominate_without_text_opens_the_form(slack_world: SlackWorld) -> None:
    response = slack_world.sender.command("")
    assert response.status_code == 200
    (call,) = slack_world.slack.wait_for("views.open")
    view = call.args["view"]
    assert call.args["trigger_id"] == "1111.2222.trigger"
    assert view["callback_id"] == "nomination_form"
    assert [b.get("block_id") for b in view["blocks"] if b["type"] == "input"] == [
        "nominees",
        "behaviours",
        "story",
        "visibility",
    ]
    assert '"channel": "CWARD"' in view["private_metadata"]
    assert_valid_view(view)


def test_one_line_nomination_is_recorded_posted_and_dmed(slack_world: SlackWorld) -> None:
    text = f"<@UNIA|nia> <@USAM> {STORY} #speaking-up"
    assert slack_world.sender.command(text).status_code == 200

    (post,) = [
        c for c in slack_world.slack.wait_for("chat.postMessage", 3) if c.args["channel"] == "CWARD"
    ]
    assert_valid_message(post.args)
    shown = section_texts(post.args["blocks"])
    assert "<@UANA> recognised <@UNIA> and <@USAM> for *Speaking up*" in shown
    assert STORY in shown
    dms = {c.args["channel"] for c in slack_world.slack.calls_to("chat.postMessage")} - {"CWARD"}
    assert dms == {"UNIA", "USAM"}
    (reply,) = slack_world.slack.wait_for("response_url")
    assert reply.args["response_type"] == "ephemeral"
    assert reply.args["text"].startswith(
        "Recorded: you recognised <@UNIA> and <@USAM> for Speaking up"
    )
    assert nomination_count(slack_world) == 1
    with slack_world.services.sessions() as session:
        stored = session.scalars(select(Nomination)).one()
        assert stored.story == STORY
        assert stored.posted_channel_id == "CWARD" and stored.posted_message_id


def test_a_story_with_the_word_payload_is_recorded(slack_world: SlackWorld) -> None:
    # Bolt, parsing a form itself, takes any body holding "payload" for an interaction and
    # finds nothing in it; it is handed the edge's reading of the form instead.
    story = "Checked the pump payload twice on the night shift and caught the error."
    assert slack_world.sender.command(f"<@UNIA> {story} #speaking-up").status_code == 200
    (reply,) = slack_world.slack.wait_for("response_url")
    assert reply.args["text"].startswith("Recorded: you recognised <@UNIA> for Speaking up")
    with slack_world.services.sessions() as session:
        assert session.scalars(select(Nomination.story)).one() == story


def test_one_line_without_behaviour_uses_the_default_and_says_so(slack_world: SlackWorld) -> None:
    slack_world.sender.command(f"<@UNIA> {STORY}")
    (reply,) = slack_world.slack.wait_for("response_url")
    assert (
        messages.DEFAULT_BEHAVIOUR_USED.format(slug="leading-from-every-seat") in reply.args["text"]
    )
    assert nomination_count(slack_world) == 1


def test_self_nomination_is_refused_and_the_form_keeps_the_text(slack_world: SlackWorld) -> None:
    slack_world.sender.command(f"<@UANA> {STORY}")
    (reply,) = slack_world.slack.wait_for("response_url")
    assert messages.SELF_NOMINATION in reply.args["text"]
    (opened,) = slack_world.slack.wait_for("views.open")
    view = opened.args["view"]
    assert messages.SELF_NOMINATION in section_texts(view["blocks"])
    story = next(b for b in view["blocks"] if b.get("block_id") == "story")
    assert story["element"]["initial_value"] == STORY
    assert nomination_count(slack_world) == 0


def test_bot_nominee_is_refused(slack_world: SlackWorld) -> None:
    slack_world.sender.command(f"<@UROTA> {STORY}")
    (reply,) = slack_world.slack.wait_for("response_url")
    assert messages.BOT_NOMINEE.format(name="Rota bot") in reply.args["text"]
    assert nomination_count(slack_world) == 0


def test_one_line_without_mentions_opens_the_form_with_the_story(slack_world: SlackWorld) -> None:
    response = slack_world.sender.command(f"@nia {STORY}")
    assert "couldn't tell who @nia is" in response.text
    (opened,) = slack_world.slack.wait_for("views.open")
    story = next(b for b in opened.args["view"]["blocks"] if b.get("block_id") == "story")
    assert STORY in story["element"]["initial_value"]
    assert nomination_count(slack_world) == 0


def test_form_submission_records_and_confirms(slack_world: SlackWorld) -> None:
    response = slack_world.sender.interaction(load_payload("view_submission.json"))
    assert response.status_code == 200
    assert response.content in (b"", b"{}") or response.json() == {}
    posts = slack_world.slack.wait_for("chat.postMessage", 2)
    assert {c.args["channel"] for c in posts} == {"CWARD", "UNIA"}
    (ephemeral,) = slack_world.slack.wait_for("chat.postEphemeral")
    assert ephemeral.args["user"] == "UANA" and ephemeral.args["text"].startswith("Recorded")
    assert nomination_count(slack_world) == 1


def test_form_errors_come_back_per_field_and_nothing_is_stored(slack_world: SlackWorld) -> None:
    payload = load_payload("view_submission.json")
    values = payload["view"]["state"]["values"]
    values["nominees"]["value"]["selected_users"] = ["UANA"]
    values["story"]["value"]["value"] = "Great."
    response = slack_world.sender.interaction(payload)
    body = response.json()
    assert body["response_action"] == "errors"
    assert body["errors"] == {
        "nominees": messages.SELF_NOMINATION,
        "story": messages.STORY_TOO_SHORT.format(minimum=20, length=6),
    }
    assert nomination_count(slack_world) == 0


def test_private_nomination_is_only_dmed(slack_world: SlackWorld) -> None:
    payload = load_payload("view_submission.json")
    visibility = payload["view"]["state"]["values"]["visibility"]["value"]
    visibility["selected_option"]["value"] = "private"
    slack_world.sender.interaction(payload)
    (ephemeral,) = slack_world.slack.wait_for("chat.postEphemeral")
    assert ephemeral.args["text"].startswith("Recorded privately")
    channels = [c.args["channel"] for c in slack_world.slack.calls_to("chat.postMessage")]
    assert channels == ["UNIA"]


def test_double_submission_records_one_nomination(slack_world: SlackWorld) -> None:
    payload = load_payload("view_submission.json")
    slack_world.sender.interaction(copy.deepcopy(payload))
    slack_world.sender.interaction(copy.deepcopy(payload))
    texts = [c.args["text"] for c in slack_world.slack.wait_for("chat.postEphemeral", 2)]
    assert messages.ALREADY_RECORDED in texts
    assert nomination_count(slack_world) == 1
    public_posts = [
        c for c in slack_world.slack.calls_to("chat.postMessage") if c.args["channel"] == "CWARD"
    ]
    assert len(public_posts) == 1


def test_endorse_button_counts_once_and_updates_the_post(slack_world: SlackWorld) -> None:
    slack_world.sender.command(f"<@UNIA> {STORY} #speaking-up")
    slack_world.slack.wait_for("response_url")
    with slack_world.services.sessions() as session:
        nomination_id = session.scalars(select(Nomination.id)).one()
    click = load_payload("block_action_endorse.json")
    click["actions"][0]["value"] = str(nomination_id)
    slack_world.sender.interaction(click)
    (update,) = slack_world.slack.wait_for("chat.update")
    assert_valid_message(update.args)
    assert "1 person saw this too" in section_texts(update.args["blocks"])
    slack_world.sender.interaction(click)
    replies = slack_world.slack.wait_for("response_url", 3)
    # The first click's reply can reach Slack after the second's (they run concurrently).
    texts = sorted(reply.args["text"] for reply in replies[1:])
    assert texts == sorted([messages.ENDORSED, messages.ALREADY_ENDORSED])
    with slack_world.services.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Endorsement)) == 1


def test_message_shortcut_prefills_author_and_link(slack_world: SlackWorld) -> None:
    slack_world.sender.interaction(load_payload("message_shortcut.json"))
    (opened,) = slack_world.slack.wait_for("views.open")
    view = opened.args["view"]
    nominees = next(b for b in view["blocks"] if b.get("block_id") == "nominees")
    assert nominees["element"]["initial_users"] == ["UNIA"]
    assert "https://fake.slack.com/archives/CWARD/p1" in view["private_metadata"]
    assert_valid_view(view)


def test_app_home_lists_received_and_given(slack_world: SlackWorld) -> None:
    slack_world.sender.command(f"<@UNIA> {STORY} #speaking-up")
    slack_world.slack.wait_for("response_url")
    slack_world.sender.event(load_payload("app_home_opened.json"))
    (published,) = slack_world.slack.wait_for("views.publish")
    assert published.args["user_id"] == "UNIA"
    view = published.args["view"]
    assert_valid_view(view)
    shown = section_texts(view["blocks"])
    assert "<@UANA> recognised <@UNIA>" in shown
    assert messages.HOME_NONE_GIVEN in shown


def test_tampered_or_stale_signature_gets_401_and_stores_nothing(slack_world: SlackWorld) -> None:
    sender = slack_world.sender
    body = sender.command_body(f"<@UNIA> {STORY}")
    tampered = body.replace("UNIA", "USAM")
    headers = sender.headers(body)
    assert sender.http.post(sender.url, content=tampered, headers=headers).status_code == 401
    stale = sender.post(body, timestamp=int(time.time()) - 60 * 10)
    assert stale.status_code == 401
    wrong_secret = sender.post(body, secret="not-the-secret")
    assert wrong_secret.status_code == 401
    assert nomination_count(slack_world) == 0
    assert slack_world.slack.calls_to("chat.postMessage") == []


def test_health_check_reports_the_database(slack_world: SlackWorld) -> None:
    response = slack_world.sender.http.get(f"{slack_world.base_url}/healthz")
    assert response.status_code == 200 and response.json()["database"] == "ok"


def test_unexpected_failure_gets_an_apology_not_a_trace(slack_world: SlackWorld) -> None:
    slack_world.slack.fail_next("views.open", status=500, times=10)
    click = load_payload("block_action_endorse.json")
    click["actions"][0]["action_id"] = "open_nomination_form"
    slack_world.sender.interaction(click)
    (apology,) = slack_world.slack.wait_for("response_url")
    assert apology.args["text"] == messages.UNEXPECTED_ERROR


def test_rate_limited_post_is_retried_after_retry_after(slack_world: SlackWorld) -> None:
    slack_world.slack.fail_next(
        "chat.postMessage",
        status=429,
        headers={"Retry-After": "1"},
        body={"ok": False, "error": "ratelimited"},
    )
    slack_world.sender.command(f"<@UNIA> {STORY} #speaking-up")
    (reply,) = slack_world.slack.wait_for("response_url")
    assert reply.args["text"].startswith("Recorded: you recognised <@UNIA>")
    posts = slack_world.slack.calls_to("chat.postMessage")
    assert len(posts) == 3  # the DM twice (429, then accepted), then the channel post
    assert sum(c.args["channel"] == "CWARD" for c in posts) == 1


def test_web_api_calls_share_open_connections(slack_world: SlackWorld) -> None:
    # The server opens one aiohttp session for the Slack client (bot/server.py), so calls
    # made for different requests reuse open connections instead of dialling each time
    # (without it, every call below would arrive on a connection of its own).
    for sent in range(1, 9):
        assert slack_world.sender.command("").status_code == 200
        slack_world.slack.wait_for("views.open", sent)
        slack_world.slack.wait_until_answered()
    calls = slack_world.slack.calls
    assert len(calls) == 9  # auth.test, then views.open for each command
    # A command can arrive while the previous call's connection is still busy, which opens
    # another pooled one; as many connections as calls would mean no pooling at all.
    assert len({call.peer for call in calls}) < len(calls) - 2, [(c.method, c.peer) for c in calls]

"""Story text through Slack: entities decoded once at the edge, stored as meant, escaped once
when shown; invisible-only stories refused; a story too long sent back in full."""

from __future__ import annotations

from sqlalchemy import select

from bot import messages
from db.models import Nomination
from tests.handlers.slack.conftest import SlackWorld
from tests.support.block_kit import section_texts
from tests.support.slack_requests import load_payload

STORY = "Ran A&E triage <alone> for an hour & kept everyone calm"


def stored_stories(world: SlackWorld) -> list[str]:
    with world.services.sessions() as session:
        return list(session.scalars(select(Nomination.story)))


def test_one_line_entities_are_decoded_once_and_escaped_once(slack_world: SlackWorld) -> None:
    # Slack sends typed &, < and > as entities in command text; "&amp;lt;" is a typed "&lt;".
    sent = "Ran A&amp;E triage &lt;alone&gt; for an hour &amp; kept everyone calm &amp;lt;3"
    slack_world.sender.command(f"<@UNIA> {sent} #speaking-up")
    post = next(
        c for c in slack_world.slack.wait_for("chat.postMessage", 2) if c.args["channel"] == "CWARD"
    )
    assert stored_stories(slack_world) == [f"{STORY} &lt;3"]
    shown = section_texts(post.args["blocks"])
    assert (
        "Ran A&amp;E triage &lt;alone&gt; for an hour &amp; kept everyone calm &amp;lt;3" in shown
    )
    assert "&amp;amp;" not in shown


def test_modal_text_arrives_as_typed_and_is_stored_as_typed(slack_world: SlackWorld) -> None:
    payload = load_payload("view_submission.json")
    story = payload["view"]["state"]["values"]["story"]["value"]
    story["value"] = f"{STORY} &amp; more"  # typed literally in the form
    slack_world.sender.interaction(payload)
    slack_world.slack.wait_for("chat.postMessage", 2)
    assert stored_stories(slack_world) == [f"{STORY} &amp; more"]


def test_a_story_of_zero_width_characters_is_refused(slack_world: SlackWorld) -> None:
    slack_world.sender.command("<@UNIA> " + "\u200b" * 30 + " #speaking-up")
    (reply,) = slack_world.slack.wait_for("response_url")
    assert messages.STORY_INVISIBLE in reply.args["text"]
    assert stored_stories(slack_world) == []


def test_bidi_overrides_are_not_stored_or_posted(slack_world: SlackWorld) -> None:
    slack_world.sender.command(
        "<@UNIA> \u202eStayed late to cover the night shift\u202c #speaking-up"
    )
    post = next(
        c for c in slack_world.slack.wait_for("chat.postMessage", 2) if c.args["channel"] == "CWARD"
    )
    assert stored_stories(slack_world) == ["Stayed late to cover the night shift"]
    assert "\u202e" not in section_texts(post.args["blocks"])


def test_a_story_too_long_for_the_form_comes_back_in_full(slack_world: SlackWorld) -> None:
    story = " ".join(f"word{index}" for index in range(1700))  # about 10,000 characters
    text = f"<@UNIA> {story} #speaking-up"
    slack_world.sender.command(text)
    (reply,) = slack_world.slack.wait_for("response_url")
    assert "Keep the story to 1500 characters" in reply.args["text"]
    assert story in reply.args["text"]  # every word, not the form's 3,000 characters
    slack_world.slack.wait_for("views.open")
    assert stored_stories(slack_world) == []

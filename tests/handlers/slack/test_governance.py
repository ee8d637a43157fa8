"""The information-governance guard in Slack: signed requests to the real server; a story
with a patient identifier is refused with everything typed kept, and nothing reaches the
fake Web API or the database."""

from __future__ import annotations

from sqlalchemy import func, select

from bot import messages
from db.models import Nomination
from tests.handlers.slack.conftest import SlackWorld
from tests.support.slack_requests import load_payload
from tests.support.stored import every_stored_value, stored_rows

STORY = "Spotted a patient NHS number 943 476 5919 on an open screen and locked it at once."
REFUSAL = messages.PATIENT_IDENTIFIER_REFUSED.format(findings="an NHS number (943 *** ****)")


def _platform_calls(world: SlackWorld) -> list[str]:
    """Web API calls other than Bolt's own start-up `auth.test` (which carries no content)."""
    return [call.method for call in world.slack.calls if call.method != "auth.test"]


def _nothing_anywhere(world: SlackWorld) -> None:
    """No trace of the number at the fake Slack or in any table."""
    for call in world.slack.calls:
        assert b"5919" not in call.body and "5919" not in str(call.args)
    assert not any("5919" in value for value in every_stored_value(world.services))


def _record_a_clean_nomination(world: SlackWorld) -> None:
    """A later, clean nomination goes through: proof the refused one left nothing behind
    (its calls would have come first)."""
    world.sender.command("<@UNIA> Led the handover huddle when the ward was short #speaking-up")
    world.slack.wait_for("response_url")
    with world.services.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Nomination)) == 1


def test_one_line_refusal_comes_back_in_the_reply_with_the_full_text(
    slack_world: SlackWorld,
) -> None:
    typed = f"<@UNIA|nia> {STORY} #speaking-up"

    response = slack_world.sender.command(typed)

    assert response.status_code == 200
    assert response.text == (
        f"{REFUSAL}\n\n" + messages.PATIENT_IDENTIFIER_YOU_WROTE.format(text=f"/nominate {typed}")
    )
    assert _platform_calls(slack_world) == []
    assert set(stored_rows(slack_world.services)) <= {"alembic_version"}
    _record_a_clean_nomination(slack_world)
    _nothing_anywhere(slack_world)


def test_the_form_shows_the_refusal_on_the_story_and_keeps_everything(
    slack_world: SlackWorld,
) -> None:
    payload = load_payload("view_submission.json")
    payload["view"]["state"]["values"]["story"]["value"]["value"] = STORY

    response = slack_world.sender.interaction(payload)

    # The modal stays open with every field as typed; only the story carries an error.
    assert response.json() == {"response_action": "errors", "errors": {"story": REFUSAL}}
    assert _platform_calls(slack_world) == []
    assert set(stored_rows(slack_world.services)) <= {"alembic_version"}
    _record_a_clean_nomination(slack_world)
    _nothing_anywhere(slack_world)


def test_a_wrong_check_digit_is_not_an_nhs_number(slack_world: SlackWorld) -> None:
    story = "Chased purchase order 943 476 5918 so the ward got its hoist slings in time."

    slack_world.sender.command(f"<@UNIA> {story} #speaking-up")

    (reply,) = slack_world.slack.wait_for("response_url")
    assert reply.args["text"].startswith("Recorded")
    with slack_world.services.sessions() as session:
        assert session.scalars(select(Nomination.story)).one() == story

"""Story text through Teams: invisible-only stories refused; a story too long for the card
form sent back in full in the reply."""

from __future__ import annotations

from sqlalchemy import select

from bot import messages
from db.models import Nomination
from tests.handlers.teams.conftest import WARD7, TeamsWorld

THREAD = f"{WARD7};messageid=1700000000001"
MENTIONS = "<at>Everyseat</at> nominate <at>Nia Okafor</at>"


def stored_stories(world: TeamsWorld) -> list[str]:
    with world.services.sessions() as session:
        return list(session.scalars(select(Nomination.story)))


def test_a_story_too_long_for_the_form_comes_back_in_full(world: TeamsWorld) -> None:
    story = " ".join(f"word{index}" for index in range(1700))
    assert world.send(
        "message_mention_nominate", text=f"{MENTIONS} {story} #speaking-up"
    ).is_success
    (reply,) = world.connector.sent_to(THREAD)
    assert story in reply.text
    assert "Keep the story to 1500 characters" in reply.text
    assert stored_stories(world) == []


def test_a_story_of_zero_width_characters_is_refused(world: TeamsWorld) -> None:
    text = f"{MENTIONS} {chr(0x200B) * 30} #speaking-up"
    world.send("message_mention_nominate", text=text)
    (reply,) = world.connector.sent_to(THREAD)
    assert messages.STORY_INVISIBLE in reply.text
    assert stored_stories(world) == []


def test_html_entities_are_decoded_once(world: TeamsWorld) -> None:
    text = f"{MENTIONS} Ran A&amp;E triage &lt;alone&gt; for an hour #speaking-up"
    world.send("message_mention_nominate", text=text)
    world.connector.sent_to(THREAD)
    assert stored_stories(world) == ["Ran A&E triage <alone> for an hour"]

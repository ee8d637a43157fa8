"""The card's "I saw this too" decides from the database, never from the activity: which
message is updated, and who may see a private nomination."""

from __future__ import annotations

from sqlalchemy import func, select

from bot import messages
from db.models import Endorsement, Nomination
from tests.handlers.teams.conftest import TeamsWorld

STORY = "Sat with the frightened relative in resus until the consultant came."


def stored_nomination(world: TeamsWorld) -> Nomination:
    with world.services.sessions() as session:
        nomination = session.scalars(select(Nomination)).one()
        session.expunge(nomination)
        return nomination


def endorsements(world: TeamsWorld) -> int:
    with world.services.sessions() as session:
        return session.scalar(select(func.count()).select_from(Endorsement)) or 0


def endorse_click(nomination_id: int) -> dict:
    """Ola's click, claiming to come from a message the bot never posted."""
    return {
        "replyToId": "activity-forged-999",
        "value": {
            "action": {
                "type": "Action.Execute",
                "verb": "endorse",
                "data": {"nomination_id": nomination_id},
            },
            "trigger": "manual",
        },
    }


def test_a_forged_reply_to_id_updates_only_the_stored_post(world: TeamsWorld) -> None:
    world.send("message_mention_nominate")
    stored = stored_nomination(world)
    answer = world.send("card_action_endorse", **endorse_click(stored.id)).json()
    assert "1 person saw this too" in str(answer["value"])
    (update,) = world.connector.calls_to("update")
    assert update.activity_id == stored.posted_message_id != "activity-forged-999"


def test_a_stranger_cannot_endorse_or_see_a_private_nomination(world: TeamsWorld) -> None:
    world.send(
        "card_action_nominate",
        value={
            "action": {
                "type": "Action.Execute",
                "verb": "nominate",
                "data": {
                    "nominees": "aad-nia",
                    "behaviours": "speaking-up",
                    "story": STORY,
                    "visibility": "private",
                },
            }
        },
    )
    stored = stored_nomination(world)
    assert stored.visibility == "private"

    answer = world.send("card_action_endorse", **endorse_click(stored.id)).json()

    # The invoke answer is shown in the channel Ola clicked in: no card, no story.
    assert answer["value"] == messages.NOMINATION_NOT_FOUND
    assert STORY not in str(answer)
    assert world.connector.calls_to("update") == []
    assert endorsements(world) == 0
    seen = [call.conversation_id for call in world.connector.calls if STORY in str(call.cards)]
    assert seen == ["a:personal-aad-nia"]

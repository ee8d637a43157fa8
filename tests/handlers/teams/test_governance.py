"""The information-governance guard in Teams: activities POSTed to the running server; a
story with a patient identifier is refused, the form comes back with everything typed, and
nothing with the identifier reaches the fake Bot Connector or the database."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from bot import messages
from db.models import Nomination
from tests.handlers.teams.conftest import WARD7, TeamsWorld
from tests.support.adaptive_cards import assert_valid_card, inputs, texts
from tests.support.stored import every_stored_value

STORY = "Spotted a patient NHS number 943 476 5919 on an open screen and locked it at once."
REFUSAL = messages.PATIENT_IDENTIFIER_REFUSED.format(findings="an NHS number (943 *** ****)")
THREAD = f"{WARD7};messageid=1700000000001"


def _nominations(world: TeamsWorld) -> int:
    with world.services.sessions() as session:
        return session.scalar(select(func.count()).select_from(Nomination)) or 0


def _nothing_anywhere(world: TeamsWorld) -> None:
    for call in world.connector.calls:
        assert "5919" not in json.dumps(call.body)
    assert not any("5919" in value for value in every_stored_value(world.services))


def _form_action(story: str) -> dict[str, object]:
    return {
        "action": {
            "type": "Action.Execute",
            "verb": "nominate",
            "data": {
                "nominees": "aad-nia,aad-sam",
                "behaviours": "speaking-up",
                "story": story,
                "visibility": "private",
            },
        }
    }


def test_the_card_form_comes_back_with_the_refusal_and_every_value(world: TeamsWorld) -> None:
    # Nia and Sam were recognised before, so their names are known without asking Teams.
    world.send("card_action_nominate")
    assert _nominations(world) == 1
    world.connector.clear()

    response = world.send("card_action_nominate", value=_form_action(STORY))

    form = response.json()["value"]
    assert_valid_card(form)
    assert REFUSAL in texts(form)
    fields = inputs(form)
    assert fields["story"]["value"] == STORY
    assert fields["nominees"]["value"] == "aad-nia,aad-sam"
    assert fields["nominees"]["choices"] == [
        {"title": "Nia Okafor", "value": "aad-nia"},
        {"title": "Sam Reid", "value": "aad-sam"},
    ]
    assert fields["behaviours"]["value"] == "speaking-up"
    assert fields["visibility"]["value"] == "private"
    assert world.connector.calls == []
    assert _nominations(world) == 1
    _nothing_anywhere(world)


def test_the_dialog_stays_open_with_the_refusal(world: TeamsWorld) -> None:
    value = {
        "commandId": "nominate",
        "commandContext": "compose",
        "data": _form_action(STORY)["action"]["data"],  # type: ignore[index]
    }

    answer = world.send("compose_submit_action", value=value).json()

    assert answer["task"]["type"] == "continue"
    form = answer["task"]["value"]["card"]["content"]
    assert REFUSAL in texts(form)
    assert inputs(form)["story"]["value"] == STORY
    assert inputs(form)["nominees"]["value"] == "aad-nia,aad-sam"
    assert world.connector.calls == []
    assert _nominations(world) == 0
    _nothing_anywhere(world)


def test_a_mention_in_a_channel_is_refused_without_repeating_the_story(world: TeamsWorld) -> None:
    text = f"<at>Everyseat</at> nominate <at>Nia Okafor</at> <at>Sam Reid</at> {STORY} #speaking-up"

    world.send("message_mention_nominate", text=text)

    (reply,) = world.connector.sent_to(THREAD)
    assert reply.text == f"{REFUSAL} {messages.TEAMS_PATIENT_IDENTIFIER_KEPT}"
    assert reply.cards == []
    assert [call.method for call in world.connector.calls] == ["send"]
    assert _nominations(world) == 0
    _nothing_anywhere(world)


def test_a_personal_chat_gets_the_refusal_not_a_form_holding_the_number(world: TeamsWorld) -> None:
    world.send("message_personal_nominate", text=f"nominate {STORY}")

    (reply,) = world.connector.sent_to("a:personal-ana")
    assert reply.text.startswith(REFUSAL)
    assert reply.cards == []
    _nothing_anywhere(world)

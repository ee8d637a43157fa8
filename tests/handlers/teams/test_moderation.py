"""Wiring: moderation in Teams — Edit, Withdraw, Flag, Hide and Restore on the cards, and an
admin's Hide/Dismiss on a flag — POSTed to the running server, with what the fake Bot
Connector was sent and what the database holds."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from bot import messages
from bot.app.composition import build_services
from bot.app.server import create_app
from bot.audit import audit_entries
from db.migrate import upgrade_database
from db.models import Nomination, NominationFlag
from tests.fakes.bot_connector import FakeBotConnector
from tests.handlers.teams.conftest import TeamsWorld
from tests.support.adaptive_cards import assert_valid_card, texts
from tests.support.clock import FakeClock
from tests.support.server import running_server

STORY = "Led the handover huddle when the ward was two nurses short."
EDITED = "Led the handover huddle when the ward was two nurses short, and stayed late."
OLA = {"id": "29:ola-teams-id", "name": "Ola Mensah", "aadObjectId": "aad-ola"}
ANA = {"id": "29:ana-teams-id", "name": "Ana Lopes", "aadObjectId": "aad-ana"}
BOSS = {"id": "29:boss-teams-id", "name": "Bo Admin", "aadObjectId": "aad-boss"}


@pytest.fixture
def world(connector: FakeBotConnector, make_settings, clock: FakeClock) -> Iterator[TeamsWorld]:
    settings = make_settings(TEAMS_ALLOW_UNAUTHENTICATED="true", EVERYSEAT_ADMINS="aad-boss")
    services = build_services(settings, clock=clock)
    upgrade_database(services.engine)
    try:
        with running_server(create_app(services)) as base_url:
            yield TeamsWorld(services, connector, base_url)
    finally:
        services.close()


def stored(world: TeamsWorld) -> Nomination:
    with world.services.sessions() as session:
        row = session.scalars(select(Nomination)).one()
        session.expunge(row)
        return row


def nominate(world: TeamsWorld) -> Nomination:
    assert world.send("message_mention_nominate").status_code == 200
    row = stored(world)
    assert row.posted_message_id
    return row


def act(world: TeamsWorld, who: dict[str, str], verb: str, **data: Any) -> dict[str, Any]:
    """Click an Action.Execute as `who`; returns the invoke response."""
    value = {"action": {"type": "Action.Execute", "verb": verb, "data": data}, "trigger": "manual"}
    response = world.send("card_action_endorse", **{"from": who, "value": value})
    assert response.status_code == 200
    answer: dict[str, Any] = response.json()
    return answer


def test_the_post_offers_edit_withdraw_flag_and_hide(world: TeamsWorld) -> None:
    row = nominate(world)
    (post,) = [c for c in world.connector.sent_to(row.posted_channel_id or "") if c.cards]
    (card,) = post.cards
    assert_valid_card(card)
    titles = [action["title"] for action in card["actions"]]
    assert titles == [
        messages.ENDORSE_BUTTON,
        messages.MODERATION_MENU_EDIT,
        messages.MODERATION_MENU_WITHDRAW,
        messages.MODERATION_MENU_FLAG,
        messages.MODERATION_MENU_HIDE,
    ]
    (dm,) = world.connector.sent_to("a:personal-aad-nia")
    assert_valid_card(dm.cards[0])  # the nominee can flag it from their personal message
    assert [a["title"] for a in dm.cards[0]["actions"]] == [messages.MODERATION_MENU_FLAG]
    assert dm.cards[0]["actions"][0]["card"]["actions"][0]["verb"] == "flag_recognition"
    edit = card["actions"][1]["card"]
    assert edit["body"][1]["value"] == STORY
    assert edit["actions"][0]["data"] == {"nomination_id": row.id}


def test_the_author_edits_and_the_post_and_personal_messages_change(world: TeamsWorld) -> None:
    row = nominate(world)
    answer = act(
        world,
        ANA,
        "edit_recognition",
        nomination_id=row.id,
        edit_story=EDITED,
        edit_behaviours="speaking-up,enabling-change",
    )
    assert_valid_card(answer["value"])
    assert f"“{EDITED}”" in texts(answer["value"])
    updates = world.connector.calls_to("update")
    by_conversation = {call.conversation_id: call for call in updates}
    assert by_conversation[row.posted_channel_id].activity_id == row.posted_message_id
    assert f"“{EDITED}”" in texts(by_conversation[row.posted_channel_id].cards[0])
    assert {"a:personal-aad-nia", "a:personal-aad-sam"} <= set(by_conversation)
    dm_text = texts(by_conversation["a:personal-aad-nia"].cards[0])[0]
    assert EDITED in dm_text and "Enabling change" in dm_text
    assert stored(world).story == EDITED


def test_someone_else_cannot_withdraw_and_a_bad_edit_changes_nothing(world: TeamsWorld) -> None:
    row = nominate(world)
    answer = act(world, OLA, "withdraw_recognition", nomination_id=row.id)
    assert answer["value"] == messages.NOT_YOUR_NOMINATION.format(admins=messages.ADMINS_UNKNOWN)
    answer = act(
        world, ANA, "edit_recognition", nomination_id=row.id, edit_story="short", edit_behaviours=""
    )
    assert messages.STORY_TOO_SHORT.format(minimum=20, length=5) in answer["value"]
    assert world.connector.calls_to("update") == [] and world.connector.calls_to("delete") == []
    assert stored(world).story == STORY and stored(world).withdrawn_at is None


def test_the_author_withdraws_and_every_message_is_deleted(world: TeamsWorld) -> None:
    row = nominate(world)
    answer = act(world, ANA, "withdraw_recognition", nomination_id=row.id)
    assert texts(answer["value"]) == [messages.WITHDRAWN.format(nominees="Nia Okafor and Sam Reid")]
    deleted = {(c.conversation_id, c.activity_id) for c in world.connector.calls_to("delete")}
    assert (row.posted_channel_id, row.posted_message_id) in deleted
    assert {conversation for conversation, _ in deleted} == {
        row.posted_channel_id,
        "a:personal-aad-nia",
        "a:personal-aad-sam",
    }
    assert stored(world).withdrawn_at is not None


def test_a_flag_reaches_the_admin_whose_hide_replaces_the_post_and_restore_undoes_it(
    world: TeamsWorld,
) -> None:
    row = nominate(world)
    assert act(world, OLA, "flag_recognition", nomination_id=row.id, reason="")["value"] == (
        messages.FLAG_REASON_MISSING
    )
    answer = act(world, OLA, "flag_recognition", nomination_id=row.id, reason="Names a patient")
    assert answer["value"] == messages.FLAGGED

    (to_admin,) = world.connector.sent_to("a:personal-aad-boss")
    (card,) = to_admin.cards
    assert_valid_card(card)
    assert texts(card)[0] == "Ola Mensah flagged a recognition: “Names a patient”"
    assert [a["verb"] for a in card["actions"]] == ["flag_hide", "flag_dismiss"]
    flag_id = card["actions"][0]["data"]["flag_id"]

    # Not an admin: refused on the server, whatever the card offered.
    assert act(world, OLA, "flag_hide", flag_id=flag_id)["value"] == messages.NOT_A_MODERATOR
    assert act(world, OLA, "hide_recognition", nomination_id=row.id, reason="x")["value"] == (
        messages.NOT_A_MODERATOR
    )
    assert stored(world).hidden_at is None

    decided = act(world, BOSS, "flag_hide", flag_id=flag_id)
    assert texts(decided["value"]) == [
        f"#{row.id}: " + messages.FLAG_UPHELD_BY.format(admin="Bo Admin")
    ]
    post_updates = [
        c for c in world.connector.calls_to("update") if c.conversation_id == row.posted_channel_id
    ]
    hidden = post_updates[-1].cards[0]
    assert_valid_card(hidden)
    assert texts(hidden) == [messages.HIDDEN_NOTICE] and STORY not in str(hidden)
    dm = next(
        c for c in world.connector.calls_to("update") if c.conversation_id == "a:personal-aad-nia"
    )
    assert texts(dm.cards[0]) == [messages.HIDDEN_NOTICE]
    hidden_row = stored(world)
    assert (hidden_row.hidden_by, hidden_row.hidden_reason) == ("aad-boss", "Names a patient")

    restored = act(world, BOSS, "restore_recognition", nomination_id=row.id, reason="IG cleared")
    assert f"“{STORY}”" in texts(restored["value"])
    post_updates = [
        c for c in world.connector.calls_to("update") if c.conversation_id == row.posted_channel_id
    ]
    assert f"“{STORY}”" in texts(post_updates[-1].cards[0])
    assert stored(world).hidden_at is None
    with world.services.sessions() as session:
        assert session.scalars(select(NominationFlag.status)).all() == ["upheld"]
        trail = [(e.action, e.actor, e.platform) for e in audit_entries(session)]
    assert trail == [
        ("nomination.restored", "aad-boss", "teams"),
        ("nomination.hidden", "aad-boss", "teams"),
        ("flag.upheld", "aad-boss", "teams"),
    ]


def test_an_admin_dismisses_a_flag_and_the_post_stays(world: TeamsWorld) -> None:
    row = nominate(world)
    act(world, OLA, "flag_recognition", nomination_id=row.id, reason="Not sure about this")
    (to_admin,) = world.connector.sent_to("a:personal-aad-boss")
    flag_id = to_admin.cards[0]["actions"][1]["data"]["flag_id"]
    decided = act(world, BOSS, "flag_dismiss", flag_id=flag_id)
    assert texts(decided["value"]) == [
        f"#{row.id}: " + messages.FLAG_DISMISSED_BY.format(admin="Bo Admin")
    ]
    assert world.connector.calls_to("update") == []
    assert stored(world).hidden_at is None
    again = act(world, BOSS, "flag_dismiss", flag_id=flag_id)
    assert again["value"] == messages.FLAG_NOT_FOUND

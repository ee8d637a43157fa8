"""Install tracking and proactive posts: stored conversation references, then a card sent
to them without being spoken to first."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from bot.installs import installed_channels
from db.models import TeamsConversation, Workspace
from handlers.teams.cards import card_json, notice_card
from handlers.teams.proactive import (
    ConversationTarget,
    connector_api,
    post_card,
    post_card_blocking,
)
from tests.handlers.teams.conftest import WARD7, TeamsWorld
from tests.support.adaptive_cards import texts


def conversations(world: TeamsWorld) -> dict[str, TeamsConversation]:
    with world.services.sessions() as session:
        rows = list(session.scalars(select(TeamsConversation)))
        for row in rows:
            session.expunge(row)
        return {row.conversation_id: row for row in rows}


def test_team_install_stores_the_conversation_reference(world: TeamsWorld) -> None:
    assert world.send("installation_update_add_team").status_code == 200
    row = conversations(world)[WARD7]
    assert row.conversation_type == "channel"
    assert row.service_url == world.connector.service_url
    assert (row.tenant_id, row.team_id, row.channel_id) == ("tenant-nhs", WARD7, WARD7)
    assert row.team_name == "Ward 7" and row.installed_by == "aad-ana"
    assert row.removed_at is None
    with world.services.sessions() as session:
        workspace = session.scalars(select(Workspace)).one()
        assert (workspace.platform, workspace.external_id) == ("teams", "tenant-nhs")
    # The install activity and its conversationUpdate twin store one row.
    world.send(
        "conversation_update_bot_added",
        conversation={
            "isGroup": True,
            "conversationType": "channel",
            "tenantId": "tenant-nhs",
            "id": WARD7,
        },
    )
    assert list(conversations(world)) == [WARD7]


def test_removal_is_recorded_and_a_reinstall_clears_it(world: TeamsWorld, clock) -> None:
    world.send("installation_update_add_team")
    clock.advance(timedelta(hours=1))
    world.send("installation_update_add_team", action="remove")
    removed = conversations(world)[WARD7]
    assert removed.removed_at is not None
    assert installed_channels(world.services, removed.workspace_id) == []
    clock.advance(timedelta(hours=1))
    world.send("installation_update_add_team", action="add")
    assert conversations(world)[WARD7].removed_at is None


def test_bot_added_to_and_removed_from_a_group_chat(world: TeamsWorld) -> None:
    world.send("conversation_update_bot_added")
    chat = conversations(world)["19:handover-chat@thread.v2"]
    assert chat.conversation_type == "groupChat" and chat.team_id is None
    world.send(
        "conversation_update_bot_added",
        membersAdded=[],
        membersRemoved=[{"id": "28:everyseat-bot"}],
    )
    assert conversations(world)["19:handover-chat@thread.v2"].removed_at is not None


def test_someone_else_joining_a_chat_is_not_an_install(world: TeamsWorld) -> None:
    world.send("conversation_update_bot_added", membersAdded=[{"id": "29:sam-teams-id"}])
    assert conversations(world) == {}


def test_post_card_reaches_a_stored_conversation(world: TeamsWorld) -> None:
    world.send("installation_update_add_team")
    (row,) = conversations(world).values()
    card = notice_card("This week's spotlight")
    activity_id = asyncio.run(post_card(connector_api(world.services.settings), row, card))
    (sent,) = world.connector.sent_to(WARD7)
    assert sent.answer == {"id": activity_id}
    assert sent.cards == [card_json(card)]
    assert "authorization" not in {name.lower() for name in sent.headers}  # local-test mode

    again = post_card_blocking(
        world.services.settings, ConversationTarget(WARD7, row.service_url), card
    )
    assert again != activity_id
    assert [texts(call.cards[0]) for call in world.connector.sent_to(WARD7)] == [
        ["This week's spotlight"],
        ["This week's spotlight"],
    ]

"""Install tracking: where Everyseat is installed in Teams, so it can post there unprompted.

Teams tells the bot about installs twice over: an `installationUpdate` (add/remove) and a
`conversationUpdate` whose membersAdded/membersRemoved includes the bot. Both are handled;
recording is idempotent, so receiving both is harmless.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from functools import partial
from typing import Any

from microsoft_teams.apps import App
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.people.directory import get_or_create_workspace
from bot.services import Services
from db.models import TeamsConversation
from handlers.teams.errors import polite_errors
from handlers.teams.turns import CHANNEL, Turn, parse_turn

log = logging.getLogger(__name__)
TEAMS = "teams"


def base_conversation_id(conversation_id: str) -> str:
    """A channel thread's id without its `;messageid=…` suffix: the channel itself."""
    return conversation_id.split(";", 1)[0]


def find_conversation(session: Session, conversation_id: str) -> TeamsConversation | None:
    return session.scalars(
        select(TeamsConversation).where(
            TeamsConversation.conversation_id == base_conversation_id(conversation_id)
        )
    ).one_or_none()


def record_install(
    session: Session, workspace_id: int, turn: Turn, now: datetime
) -> TeamsConversation:
    """Store (or refresh) the conversation reference for `turn`'s conversation. Commits."""
    conversation_id = base_conversation_id(turn.conversation_id)
    for attempt in range(2):
        row = find_conversation(session, conversation_id)
        if row is None:
            row = TeamsConversation(
                workspace_id=workspace_id, conversation_id=conversation_id, installed_at=now
            )
            session.add(row)
        elif row.removed_at is not None:
            row.installed_at = now  # added back after a removal
        row.conversation_type = turn.conversation_type
        row.service_url = turn.service_url
        row.tenant_id = turn.tenant_id
        row.team_id = turn.team_id
        row.team_name = turn.team_name
        row.channel_id = turn.channel_id or (conversation_id if turn.team_id else None)
        row.installed_by = turn.sender.aad_object_id or turn.sender.ref or None
        row.removed_at = None
        try:
            session.commit()
            return row
        except IntegrityError:  # the twin activity (installationUpdate/conversationUpdate) won
            session.rollback()
            if attempt:
                raise
    raise AssertionError("unreachable")


def record_removal(session: Session, conversation_id: str, now: datetime) -> bool:
    """Mark the conversation as no longer reachable. Commits; False if it was never stored."""
    row = find_conversation(session, conversation_id)
    if row is None:
        return False
    if row.removed_at is None:
        row.removed_at = now
        session.commit()
    return True


def installed_team_channels(session: Session, workspace_id: int) -> list[TeamsConversation]:
    """Team channels the bot is installed in (General by default), most recent install first."""
    return list(
        session.scalars(
            select(TeamsConversation)
            .where(
                TeamsConversation.workspace_id == workspace_id,
                TeamsConversation.conversation_type == CHANNEL,
                TeamsConversation.removed_at.is_(None),
            )
            .order_by(TeamsConversation.installed_at.desc(), TeamsConversation.id.desc())
        )
    )


def _store_install(services: Services, turn: Turn) -> None:
    with services.sessions() as session:
        now = services.clock()
        workspace = get_or_create_workspace(session, TEAMS, turn.tenant_id, now)
        row = record_install(session, workspace.id, turn, now)
        log.info("Teams install recorded: %s %s", row.conversation_type, row.conversation_id)


def _store_removal(services: Services, turn: Turn) -> None:
    with services.sessions() as session:
        if record_removal(session, turn.conversation_id, services.clock()):
            log.info("Teams removal recorded: %s", base_conversation_id(turn.conversation_id))


def _raw(ctx: Any) -> dict[str, Any]:
    return dict(ctx.activity.model_dump(mode="json", by_alias=True, exclude_none=True))


async def on_installation_update(services: Services, ctx: Any) -> None:
    raw = _raw(ctx)
    turn = parse_turn(raw)
    action = str(raw.get("action") or "")
    if action.startswith("add"):
        await asyncio.to_thread(_store_install, services, turn)
    elif action.startswith("remove"):
        await asyncio.to_thread(_store_removal, services, turn)


async def on_conversation_update(services: Services, ctx: Any) -> None:
    raw = _raw(ctx)
    turn = parse_turn(raw)
    added = {str(member.get("id")) for member in raw.get("membersAdded") or []}
    removed = {str(member.get("id")) for member in raw.get("membersRemoved") or []}
    if turn.bot_id in added:
        await asyncio.to_thread(_store_install, services, turn)
    elif turn.bot_id in removed:
        await asyncio.to_thread(_store_removal, services, turn)


def register(app: App, services: Services) -> None:
    """The install feature's Teams activities, and the callbacks they reach."""
    app.on_installation_update(polite_errors(partial(on_installation_update, services)))
    app.on_conversation_update(polite_errors(partial(on_conversation_update, services)))

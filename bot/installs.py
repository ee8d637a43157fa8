"""Where Everyseat is installed, so it can post there unprompted (Teams conversations).

Teams tells the bot about installs (and removals) through activities; the adapter reads
them into an `Install` and these use cases store it. Weekly posts and recognition posts
then find their way back through `installed_channels` and `route_to`. Recording is
idempotent, so Teams' twin activities (`installationUpdate` and `conversationUpdate`) are
harmless.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.people.directory import get_or_create_workspace
from bot.services import Services
from db.models import TeamsConversation, Workspace

log = logging.getLogger(__name__)
TEAMS = "teams"
# Teams calls a team channel "channel", a group chat "groupChat" and a 1:1 chat "personal".
CHANNEL = "channel"


def base_conversation_id(conversation_id: str) -> str:
    """A channel thread's id without its `;messageid=…` suffix: the channel itself."""
    return conversation_id.split(";", 1)[0]


@dataclass(frozen=True)
class Install:
    """A conversation Everyseat was added to, as the install activity describes it."""

    conversation_id: str
    conversation_type: str
    service_url: str
    tenant_id: str
    team_id: str | None = None
    team_name: str | None = None
    channel_id: str | None = None
    installed_by: str | None = None


@dataclass(frozen=True)
class InstalledChannel:
    """A place weekly and recognition posts can go: the conversation, the Bot Connector URL
    that reaches it and the name people know it by."""

    workspace_id: int
    conversation_id: str
    service_url: str
    tenant_id: str
    team_name: str | None = None


@dataclass(frozen=True)
class Route:
    """How to reach a tenant's conversations: the Bot Connector URL and the tenant id."""

    service_url: str
    tenant_id: str


def _channel_of(row: TeamsConversation) -> InstalledChannel:
    return InstalledChannel(
        row.workspace_id, row.conversation_id, row.service_url, row.tenant_id, row.team_name
    )


def find_conversation(session: Session, conversation_id: str) -> TeamsConversation | None:
    return session.scalars(
        select(TeamsConversation).where(
            TeamsConversation.conversation_id == base_conversation_id(conversation_id)
        )
    ).one_or_none()


def _record_install(
    session: Session, workspace_id: int, install: Install, now: datetime
) -> TeamsConversation:
    conversation_id = base_conversation_id(install.conversation_id)
    for attempt in range(2):
        row = find_conversation(session, conversation_id)
        if row is None:
            row = TeamsConversation(
                workspace_id=workspace_id, conversation_id=conversation_id, installed_at=now
            )
            session.add(row)
        elif row.removed_at is not None:
            row.installed_at = now  # added back after a removal
        row.conversation_type = install.conversation_type
        row.service_url = install.service_url
        row.tenant_id = install.tenant_id
        row.team_id = install.team_id
        row.team_name = install.team_name
        row.channel_id = install.channel_id or (conversation_id if install.team_id else None)
        row.installed_by = install.installed_by
        row.removed_at = None
        try:
            session.commit()
            return row
        except IntegrityError:  # the twin activity (installationUpdate/conversationUpdate) won
            session.rollback()
            if attempt:
                raise
    raise AssertionError("unreachable")


def record_install(services: Services, install: Install) -> None:
    """Store (or refresh) the conversation reference for an install."""
    with services.unit_of_work() as session:
        now = services.clock()
        workspace = get_or_create_workspace(session, TEAMS, install.tenant_id, now)
        row = _record_install(session, workspace.id, install, now)
        log.info("Teams install recorded: %s %s", row.conversation_type, row.conversation_id)


def record_removal(services: Services, conversation_id: str) -> bool:
    """Mark the conversation as no longer reachable; False if it was never stored."""
    with services.unit_of_work() as session:
        row = find_conversation(session, conversation_id)
        if row is None:
            return False
        if row.removed_at is None:
            row.removed_at = services.clock()
            session.commit()
        log.info("Teams removal recorded: %s", row.conversation_id)
        return True


def _installed_rows(session: Session, workspace_id: int) -> list[TeamsConversation]:
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


def installed_channels_in(session: Session, workspace_id: int) -> list[InstalledChannel]:
    """Team channels the bot is installed in (General by default), most recent first."""
    return [_channel_of(row) for row in _installed_rows(session, workspace_id)]


def installed_channels(services: Services, workspace_id: int) -> list[InstalledChannel]:
    """`installed_channels_in`, in a unit of work of its own."""
    with services.unit_of_work() as session:
        return installed_channels_in(session, workspace_id)


def every_installed_channel(services: Services) -> list[InstalledChannel]:
    """Every Teams workspace's installed team channels, oldest install first per workspace."""
    with services.unit_of_work() as session:
        workspace_ids = session.scalars(
            select(Workspace.id).where(Workspace.platform == TEAMS).order_by(Workspace.id)
        ).all()
        return [
            channel
            for workspace_id in workspace_ids
            for channel in reversed(installed_channels_in(session, workspace_id))
        ]


def installed_channel(services: Services, conversation_id: str) -> InstalledChannel | None:
    """The conversation if Everyseat is (still) installed there."""
    with services.unit_of_work() as session:
        row = find_conversation(session, conversation_id)
        if row is None or row.removed_at is not None:
            return None
        return _channel_of(row)


def route_in(session: Session, workspace_id: int, conversation_id: str) -> Route | None:
    """How to reach a conversation: its own install, else the workspace's most recent
    install (Teams gives one service URL per tenant's region)."""
    row = find_conversation(session, conversation_id)
    if row is None or row.workspace_id != workspace_id:
        row = session.scalars(
            select(TeamsConversation)
            .where(TeamsConversation.workspace_id == workspace_id)
            .order_by(TeamsConversation.installed_at.desc(), TeamsConversation.id.desc())
            .limit(1)
        ).one_or_none()
    if row is None:
        return None
    workspace = session.get(Workspace, workspace_id)
    tenant_id = row.tenant_id or (workspace.external_id if workspace is not None else "")
    return Route(row.service_url, tenant_id)


def lookup_conversations(services: Services, workspace_id: int, conversation_id: str) -> list[str]:
    """Where to ask who someone is: this conversation, then up to three team channels
    Everyseat is in (a personal chat's member list holds only the person and the bot)."""
    here = base_conversation_id(conversation_id)
    with services.unit_of_work() as session:
        others = [c.conversation_id for c in installed_channels_in(session, workspace_id)]
    return [here, *[cid for cid in others if cid != here][:3]]


def route_to(services: Services, workspace_id: int, conversation_id: str) -> Route | None:
    """`route_in`, in a unit of work of its own."""
    with services.unit_of_work() as session:
        return route_in(session, workspace_id, conversation_id)

"""Posting a Teams recognition exactly once, through the same outbox as Slack's.

The public recognition card and each nominee's personal message are deliveries claimed in
the database before they are sent (bot/deliveries.py), with their own kinds so the Slack
and Teams sweeps never take each other's work. If the Bot Connector refuses, the delivery is
marked failed and the outbox sweep (schedules/outbox.py) sends it later; the nomination is
already stored and the nominator has been told the post will follow.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from microsoft_teams.api import ApiClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.deliveries import (
    MAX_OUTBOX_ATTEMPTS,
    DeliveryClaim,
    DeliveryKey,
    Sent,
    claim_delivery,
    mark_delivery_failed,
    mark_delivery_posted,
    retryable_deliveries,
)
from bot.nominations.rules import record_posting
from bot.recognition.views import RecognitionView, load_recognition_view
from bot.services import Services
from db.models import TeamsConversation, Workspace
from handlers.teams.cards import nominee_card, recognition_card
from handlers.teams.installs import find_conversation
from handlers.teams.proactive import ConversationTarget, post_card, send_personal_card

log = logging.getLogger(__name__)

# The claim's channel is the conversation id for the public post, the nominee's AAD object id
# for a personal message; the period is the nomination id.
PUBLIC_POST = "teams-recognition"
NOMINEE_DM = "teams-recognition-dm"
OUTBOX_KINDS = (PUBLIC_POST, NOMINEE_DM)
UNREACHABLE = "no Teams service URL is known for this workspace"


@dataclass(frozen=True)
class Route:
    """How to reach a tenant's conversations: the Bot Connector URL and the tenant id."""

    service_url: str
    tenant_id: str


def stored_route(session: Session, workspace_id: int, conversation_id: str) -> Route | None:
    """The route the sweep uses: the conversation's own install, else the workspace's most
    recent install (Teams gives one service URL per tenant's region)."""
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


def _describe(error: Exception) -> str:
    status = getattr(getattr(error, "response", None), "status_code", None)
    return f"Teams answered {status}" if status is not None else f"{type(error).__name__}"


async def send_once(
    api: ApiClient,
    services: Services,
    key: DeliveryKey,
    route: Route | None = None,
    *,
    max_attempts: int | None = None,
) -> Sent:
    """Claim `key` (a PUBLIC_POST or NOMINEE_DM of nomination `key.period_key`) and send it.

    `route` is the incoming activity's when there is one; the sweep looks it up.
    """

    def claim() -> tuple[DeliveryClaim | None, RecognitionView | None, Route | None]:
        with services.sessions() as session:
            claimed = claim_delivery(session, key, services.clock(), max_attempts=max_attempts)
            if claimed is None:
                return None, None, None
            view = load_recognition_view(session, int(key.period_key), services.catalogue)
            found = route or stored_route(session, key.workspace_id, key.channel_id)
            return claimed, view, found

    claimed, view, found = await asyncio.to_thread(claim)
    if claimed is None:
        return Sent.ALREADY

    def finish(activity_id: str | None, error: str | None) -> None:
        assert claimed is not None
        with services.sessions() as session:
            if activity_id is None:
                mark_delivery_failed(session, claimed, error or "unknown")
                return
            mark_delivery_posted(session, claimed, activity_id, services.clock())
            if key.kind == PUBLIC_POST and activity_id:
                record_posting(session, int(key.period_key), key.channel_id, activity_id)

    if view is None:  # erased meanwhile: nothing to post, and nothing to retry
        await asyncio.to_thread(finish, "", None)
        return Sent.ALREADY
    try:
        if found is None:
            raise LookupError(UNREACHABLE)
        if key.kind == PUBLIC_POST:
            target = ConversationTarget(key.channel_id, found.service_url)
            activity_id = await post_card(api, target, recognition_card(view))
        else:
            activity_id = await send_personal_card(
                api, found.service_url, found.tenant_id, key.channel_id, nominee_card(view)
            )
    except Exception as error:  # anything: the claim is released and the sweep retries
        reason = _describe(error)
        log.warning(
            "%s of nomination %s to %s failed: %s", key.kind, key.period_key, key.channel_id, reason
        )
        await asyncio.to_thread(finish, None, reason)
        return Sent.QUEUED
    await asyncio.to_thread(finish, activity_id, None)
    return Sent.POSTED


async def retry_outbox(api: ApiClient, services: Services) -> int:
    """Send every Teams recognition post that failed or was abandoned; returns how many."""

    def queued() -> list[DeliveryKey]:
        with services.sessions() as session:
            return retryable_deliveries(
                session, OUTBOX_KINDS, services.clock(), max_attempts=MAX_OUTBOX_ATTEMPTS
            )

    posted = 0
    for key in await asyncio.to_thread(queued):
        sent = await send_once(api, services, key, max_attempts=MAX_OUTBOX_ATTEMPTS)
        posted += sent is Sent.POSTED
    return posted

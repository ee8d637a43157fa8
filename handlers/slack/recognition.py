"""Posting a recognition to Slack exactly once, through an outbox.

Every post (the public recognition, each nominee's DM) is a delivery claimed in the
database before it is sent (bot/deliveries.py). If Slack still refuses after the client's
own retries (429 with Retry-After, 5xx), the delivery is marked failed and the outbox
sweep (schedules/outbox.py) sends it later; the nomination itself is already stored and
the nominator has been told so.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import messages
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
from bot.recognition.views import RecognitionView
from bot.services import Services
from handlers.slack.render import nominee_message, recognition_message

log = logging.getLogger(__name__)

PUBLIC_POST = "recognition"
NOMINEE_DM = "recognition-dm"
OUTBOX_KINDS = (PUBLIC_POST, NOMINEE_DM)


@dataclass(frozen=True)
class SendResult:
    sent: Sent
    reason: str | None = None


def _failure_reason(error: Exception) -> str:
    if isinstance(error, SlackApiError):
        return str(error.response.get("error") or error.response.status_code)
    return f"{type(error).__name__}: {error}"[:200]


async def send_once(
    client: AsyncWebClient,
    services: Services,
    key: DeliveryKey,
    *,
    view: RecognitionView | None = None,
    max_attempts: int | None = None,
) -> SendResult:
    """Claim `key` (a PUBLIC_POST or NOMINEE_DM of nomination `key.period_key`) and send it.

    `view` is the nomination as just loaded, when the caller has it; otherwise it is loaded.
    """

    def claim() -> DeliveryClaim | None:
        with services.sessions() as session:
            return claim_delivery(session, key, services.clock(), max_attempts=max_attempts)

    claimed = await asyncio.to_thread(claim)
    if claimed is None:
        return SendResult(Sent.ALREADY)
    nomination_id = int(key.period_key)
    if view is None:
        view = await asyncio.to_thread(services.recognition_view, nomination_id)

    def finish(ts: str | None, error: str | None) -> None:
        assert claimed is not None
        with services.sessions() as session:
            if ts is None:
                mark_delivery_failed(session, claimed, error or "unknown")
                return
            mark_delivery_posted(session, claimed, ts, services.clock())
            if key.kind == PUBLIC_POST:
                record_posting(session, nomination_id, key.channel_id, ts)

    if view is None:  # erased meanwhile: nothing to post, and nothing to retry
        await asyncio.to_thread(finish, "", None)
        return SendResult(Sent.ALREADY)
    text, blocks = recognition_message(view) if key.kind == PUBLIC_POST else nominee_message(view)
    try:
        response = await client.chat_postMessage(
            channel=key.channel_id, text=text, blocks=blocks, unfurl_links=False
        )
    except Exception as error:  # refused or unreachable: it is stored, so queue the post
        reason = _failure_reason(error)
        log.warning(
            "%s of nomination %s to %s failed: %s", key.kind, nomination_id, key.channel_id, reason
        )
        await asyncio.to_thread(finish, None, reason)
        return SendResult(Sent.QUEUED, reason)
    await asyncio.to_thread(finish, str(response.get("ts") or ""), None)
    return SendResult(Sent.POSTED)


async def celebrate(
    client: AsyncWebClient,
    services: Services,
    workspace_id: int,
    nomination_id: int,
    source_channel: str | None,
) -> str:
    """DM each nominee and post the public recognition; returns the nominator's confirmation."""
    view = await asyncio.to_thread(services.recognition_view, nomination_id)
    if view is None:
        return messages.NOMINATION_NOT_FOUND
    names = messages.join_names([f"<@{p.platform_user_id}>" for p in view.nominees])
    behaviours = messages.join_names([b.name for b in view.behaviours])
    for person in view.nominees:
        dm = DeliveryKey(workspace_id, person.platform_user_id, NOMINEE_DM, str(nomination_id))
        await send_once(client, services, dm, view=view)
    if view.is_private:
        return messages.RECORDED_PRIVATE.format(nominees=names, behaviours=behaviours)

    channel = services.settings.EVERYSEAT_RECOGNITION_CHANNEL or source_channel
    if channel is None:
        return messages.RECORDED_PUBLIC_UNPOSTED.format(
            nominees=names,
            behaviours=behaviours,
            channel="a channel",
            reason="no recognition channel is set and the form wasn't opened from one",
        )
    key = DeliveryKey(workspace_id, channel, PUBLIC_POST, str(nomination_id))
    result = await send_once(client, services, key, view=view)
    values = {"nominees": names, "behaviours": behaviours, "channel": f"<#{channel}>"}
    if result.sent is Sent.QUEUED and result.reason in PERMANENT_ERRORS:
        return messages.RECORDED_PUBLIC_UNPOSTED.format(**values, reason=result.reason)
    if result.sent is Sent.QUEUED:
        return messages.RECORDED_PUBLIC_QUEUED.format(**values)
    return messages.RECORDED_PUBLIC.format(**values)


# Errors a retry won't fix without a person acting (inviting the bot, say).
PERMANENT_ERRORS = frozenset({"not_in_channel", "channel_not_found", "is_archived"})


async def retry_outbox(client: AsyncWebClient, services: Services) -> int:
    """Send every recognition post that failed or was abandoned; returns how many were posted."""

    def queued() -> list[DeliveryKey]:
        with services.sessions() as session:
            return retryable_deliveries(
                session, OUTBOX_KINDS, services.clock(), max_attempts=MAX_OUTBOX_ATTEMPTS
            )

    posted = 0
    for key in await asyncio.to_thread(queued):
        result = await send_once(client, services, key, max_attempts=MAX_OUTBOX_ATTEMPTS)
        posted += result.sent is Sent.POSTED
    return posted

"""Posting a recognition exactly once, on any platform, through an outbox.

Every post (the public recognition, each nominee's personal message) is a delivery claimed
in the database before it is sent (bot/deliveries.py). If the platform still refuses after
its client's own retries, the delivery is marked failed and the outbox sweep
(`retry_outbox`, run by schedules/outbox.py) sends it later; the nomination itself is
already stored and the nominator has been told so.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

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
from bot.recognition.senders import PublicTarget, RecognitionSender
from bot.recognition.views import RecognitionView, find_recognition, load_recognition_view
from bot.services import Services

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SendResult:
    sent: Sent
    reason: str | None = None


class PublicPost(StrEnum):
    """What happened to a nomination's public post, for the nominator's confirmation."""

    PRIVATE = "private"  # private nominations are only sent to the nominees
    POSTED = "posted"
    QUEUED = "queued"  # the platform refused for now; the outbox will post it
    UNPOSTED = "unposted"  # nowhere to post, or refused in a way a retry won't fix
    REVOKED = "revoked"  # the platform refused Everyseat's credentials: nothing went out


@dataclass(frozen=True)
class Celebration:
    """A recorded nomination after its messages went out: what the nominator is told."""

    view: RecognitionView
    public: PublicPost
    target: PublicTarget | None = None
    reason: str | None = None


async def send_once(
    services: Services,
    sender: RecognitionSender,
    key: DeliveryKey,
    *,
    max_attempts: int | None = None,
) -> SendResult:
    """Claim `key` (the public post or a personal message of nomination `key.period_key`)
    and send it through `sender`."""
    nomination_id = int(key.period_key)

    def claim() -> tuple[DeliveryClaim | None, RecognitionView | None]:
        with services.unit_of_work() as session:
            claimed = claim_delivery(session, key, services.clock(), max_attempts=max_attempts)
            if claimed is None:
                return None, None
            return claimed, load_recognition_view(session, nomination_id, services.catalogue)

    def finish(claimed: DeliveryClaim, message_id: str | None, error: str | None) -> None:
        with services.unit_of_work() as session:
            if message_id is None:
                mark_delivery_failed(session, claimed, error or "unknown")
                return
            if key.kind == sender.public_kind and message_id:
                record_posting(session, nomination_id, key.channel_id, message_id, commit=False)
            mark_delivery_posted(session, claimed, message_id, services.clock())

    claimed, view = await services.in_worker(claim)
    if claimed is None:
        return SendResult(Sent.ALREADY)
    if view is None or view.withdrawn or view.hidden:
        # Erased, withdrawn or hidden meanwhile: nothing to post, and nothing to retry.
        await services.in_worker(finish, claimed, "", None)
        return SendResult(Sent.ALREADY)
    try:
        if key.kind == sender.public_kind:
            message_id = await sender.post_recognition(key.workspace_id, key.channel_id, view)
        else:
            message_id = await sender.send_dm(key.workspace_id, key.channel_id, view)
    except Exception as error:  # refused or unreachable: it is stored, so queue the post
        reason = sender.describe_error(error)
        log.warning(
            "%s of nomination %s to %s failed: %s", key.kind, nomination_id, key.channel_id, reason
        )
        if sender.is_revoked(reason):
            services.platform_status.credentials_revoked(sender.platform, reason)
        await services.in_worker(finish, claimed, None, reason)
        return SendResult(Sent.QUEUED, reason)
    await services.in_worker(finish, claimed, message_id, None)
    services.platform_status.working(sender.platform)
    return SendResult(Sent.POSTED)


async def celebrate(
    services: Services,
    sender: RecognitionSender,
    workspace_id: int,
    nomination_id: int,
    source_channel_id: str | None,
) -> Celebration | None:
    """Message each nominee and post the public recognition, each exactly once through the
    outbox. None if the nomination was erased meanwhile."""

    def dm_key(person_id: str) -> DeliveryKey:
        return DeliveryKey(workspace_id, person_id, sender.dm_kind, str(nomination_id))

    def revoked(result: SendResult) -> bool:
        return (
            result.sent is Sent.QUEUED
            and bool(result.reason)
            and sender.is_revoked(result.reason or "")
        )

    view = await services.in_worker(find_recognition, services, nomination_id)
    if view is None:
        return None
    refused = None
    for person in view.nominees:
        result = await send_once(services, sender, dm_key(person.platform_user_id))
        refused = result.reason if revoked(result) else refused
    if refused is not None:  # the public post would be refused the same way: don't try
        return Celebration(view, PublicPost.REVOKED, reason=refused)
    if view.is_private:
        return Celebration(view, PublicPost.PRIVATE)
    target = await sender.public_target(workspace_id, source_channel_id)
    if target is None:
        return Celebration(view, PublicPost.UNPOSTED)
    key = DeliveryKey(workspace_id, target.channel_id, sender.public_kind, str(nomination_id))
    result = await send_once(services, sender, key)
    if revoked(result):
        return Celebration(view, PublicPost.REVOKED, target, result.reason)
    if result.sent is Sent.QUEUED and result.reason and sender.is_permanent(result.reason):
        return Celebration(view, PublicPost.UNPOSTED, target, result.reason)
    if result.sent is Sent.QUEUED:
        return Celebration(view, PublicPost.QUEUED, target, result.reason)
    return Celebration(view, PublicPost.POSTED, target)


async def retry_outbox(services: Services, sender: RecognitionSender) -> int:
    """Send every recognition post of `sender`'s platform that failed or was abandoned;
    returns how many were posted."""

    def queued() -> list[DeliveryKey]:
        with services.unit_of_work() as session:
            return retryable_deliveries(
                session,
                (sender.public_kind, sender.dm_kind),
                services.clock(),
                max_attempts=MAX_OUTBOX_ATTEMPTS,
            )

    posted = 0
    for key in await services.in_worker(queued):
        result = await send_once(services, sender, key, max_attempts=MAX_OUTBOX_ATTEMPTS)
        posted += result.sent is Sent.POSTED
    return posted

"""Posting a recognition exactly once, on any platform, through an outbox.

Every post (the public recognition, each nominee's personal message) is a delivery claimed
in the database before it is sent (bot/deliveries.py). If the platform still refuses after
its client's own retries, the delivery is marked failed and the outbox sweep
(`retry_outbox`, run by schedules/outbox.py) sends it later; the nomination itself is
already stored and the nominator has been told so.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.deliveries import (
    MAX_OUTBOX_ATTEMPTS,
    DeliveryClaim,
    DeliveryKey,
    Sent,
    claim_delivery,
    claim_new_deliveries,
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


@dataclass(frozen=True)
class Celebration:
    """A recorded nomination after its messages went out: what the nominator is told."""

    view: RecognitionView
    public: PublicPost
    target: PublicTarget | None = None
    reason: str | None = None


def _finish_all(
    services: Services, sender: RecognitionSender, outcomes: Sequence[_Attempt]
) -> None:
    """Record what happened to each claimed post, all in one transaction: posted (with the
    message id, and where the public post is for later endorsements) or failed."""
    with services.unit_of_work() as session:
        now = services.clock()
        for attempt in outcomes:
            claimed, key = attempt.claim, attempt.claim.key
            if attempt.message_id is None:
                mark_delivery_failed(session, claimed, attempt.error or "unknown", commit=False)
                continue
            if key.kind == sender.public_kind and attempt.message_id:
                record_posting(
                    session, int(key.period_key), key.channel_id, attempt.message_id, commit=False
                )
            mark_delivery_posted(session, claimed, attempt.message_id, now, commit=False)
        session.commit()


@dataclass(frozen=True)
class _Attempt:
    """One claimed post after sending: its message id, or why it failed."""

    claim: DeliveryClaim
    message_id: str | None
    error: str | None = None

    @property
    def result(self) -> SendResult:
        if self.message_id is None:
            return SendResult(Sent.QUEUED, self.error)
        return SendResult(Sent.POSTED)


async def _send_claimed(
    sender: RecognitionSender, claimed: DeliveryClaim, view: RecognitionView
) -> _Attempt:
    """Send one claimed post; a refusal is logged and kept for the outbox to retry."""
    key = claimed.key
    try:
        if key.kind == sender.public_kind:
            message_id = await sender.post_recognition(key.workspace_id, key.channel_id, view)
        else:
            message_id = await sender.send_dm(key.workspace_id, key.channel_id, view)
    except Exception as error:  # refused or unreachable: it is stored, so queue the post
        reason = sender.describe_error(error)
        log.warning(
            "%s of nomination %s to %s failed: %s", key.kind, key.period_key, key.channel_id, reason
        )
        return _Attempt(claimed, None, reason)
    return _Attempt(claimed, message_id)


async def send_once(
    services: Services,
    sender: RecognitionSender,
    key: DeliveryKey,
    *,
    max_attempts: int | None = None,
    view: RecognitionView | None = None,
) -> SendResult:
    """Claim `key` (the public post or a personal message of nomination `key.period_key`)
    and send it through `sender`. With `view`, the nomination isn't loaded again."""
    nomination_id = int(key.period_key)

    def claim() -> tuple[DeliveryClaim | None, RecognitionView | None]:
        with services.unit_of_work() as session:
            claimed = claim_delivery(session, key, services.clock(), max_attempts=max_attempts)
            if claimed is None or view is not None:
                return claimed, view
            return claimed, load_recognition_view(session, nomination_id, services.catalogue)

    claimed, found = await services.in_worker(claim)
    if claimed is None:
        return SendResult(Sent.ALREADY)
    if found is None:  # erased meanwhile: nothing to post, and nothing to retry
        await services.in_worker(_finish_all, services, sender, [_Attempt(claimed, "")])
        return SendResult(Sent.ALREADY)
    attempt = await _send_claimed(sender, claimed, found)
    await services.in_worker(_finish_all, services, sender, [attempt])
    return attempt.result


async def _send_all(
    services: Services,
    sender: RecognitionSender,
    keys: Sequence[DeliveryKey],
    view: RecognitionView,
) -> list[SendResult]:
    """Send a new nomination's posts, in order: claimed together in one transaction, sent,
    then recorded together in one more. If any was claimed before (it can't be, for a new
    nomination, unless an id was reused), each goes through `send_once` instead."""

    def claim() -> list[DeliveryClaim] | None:
        with services.unit_of_work() as session:
            return claim_new_deliveries(session, keys, services.clock())

    claims = await services.in_worker(claim) if keys else []
    if claims is None:
        return [await send_once(services, sender, key, view=view) for key in keys]
    attempts = [await _send_claimed(sender, claimed, view) for claimed in claims]
    if attempts:
        await services.in_worker(_finish_all, services, sender, attempts)
    return [attempt.result for attempt in attempts]


async def celebrate(
    services: Services,
    sender: RecognitionSender,
    workspace_id: int,
    nomination_id: int,
    source_channel_id: str | None,
    *,
    view: RecognitionView | None = None,
) -> Celebration | None:
    """Message each nominee and post the public recognition, each exactly once through the
    outbox. None if the nomination was erased meanwhile. `view` is the nomination as just
    stored, when the caller has it (else it is loaded)."""
    if view is None:
        view = await services.in_worker(find_recognition, services, nomination_id)
    if view is None:
        return None
    keys = [
        DeliveryKey(workspace_id, person.platform_user_id, sender.dm_kind, str(nomination_id))
        for person in view.nominees
    ]
    target = None
    if not view.is_private:
        target = await sender.public_target(workspace_id, source_channel_id)
    if target is not None:
        keys.append(
            DeliveryKey(workspace_id, target.channel_id, sender.public_kind, str(nomination_id))
        )
    results = await _send_all(services, sender, keys, view)
    if view.is_private:
        return Celebration(view, PublicPost.PRIVATE)
    if target is None:
        return Celebration(view, PublicPost.UNPOSTED)
    result = results[-1]
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

"""Posting a recognition exactly once, on any platform, through an outbox.

Every post (the public recognition, each nominee's personal message) is a delivery claimed
in the database before it is sent (bot/deliveries.py). If the platform still refuses after
its client's own retries, the delivery is marked failed and the outbox sweep
(`retry_outbox`, run by schedules/outbox.py) sends it later; the nomination itself is
already stored and the nominator has been told so.

A nomination is stored before the platform is acknowledged and announced just after. A
process killed in between (SIGKILL, a crash) leaves it stored with nothing claimed; the
sweep announces such nominations too, once they are older than a delivery lease.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import String, and_, cast, exists, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from bot.deliveries import (
    MAX_OUTBOX_ATTEMPTS,
    DeliveryClaim,
    DeliveryKey,
    Sent,
    claim_delivery,
    claim_new_deliveries,
    mark_deliveries_failed,
    mark_deliveries_posted,
    retryable_deliveries,
    session_lease,
)
from bot.errors import StorageUnavailableError
from bot.nominations.rules import Visibility, record_posting
from bot.recognition.senders import PublicTarget, RecognitionSender
from bot.recognition.views import RecognitionView, find_recognition, load_recognition_view
from bot.services import Services
from db.models import Delivery, Member, Nomination, NominationNominee, Workspace

log = logging.getLogger(__name__)

# How far back the sweep looks for nominations stored but never announced.
UNANNOUNCED_HORIZON = timedelta(days=1)


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


def _finish_all(
    services: Services, sender: RecognitionSender, outcomes: Sequence[_Attempt]
) -> None:
    """Record what happened to each claimed post, all in one transaction: posted (with the
    message id, and where the public post is for later endorsements) or failed."""
    posted: list[tuple[DeliveryClaim, str]] = []
    failed: list[tuple[DeliveryClaim, str]] = []
    for attempt in outcomes:
        if attempt.message_id is None:
            failed.append((attempt.claim, attempt.error or "unknown"))
        else:
            posted.append((attempt.claim, attempt.message_id))
    with services.transaction() as connection:  # Core statements only: no ORM session
        for claimed, message_id in posted:
            key = claimed.key
            if key.kind == sender.public_kind and message_id:
                record_posting(connection, int(key.period_key), key.channel_id, message_id)
        mark_deliveries_failed(connection, failed)
        mark_deliveries_posted(connection, posted, services.clock())


# A post the platform accepted must be recorded, or it is sent again once its lease runs
# out: through a short database outage, keep trying (within a SIGTERM drain, too).
RECORD_SENT_ATTEMPTS = 20
RECORD_SENT_PAUSE_SECONDS = 1.0


async def _record_sent(
    services: Services, sender: RecognitionSender, attempts: Sequence[_Attempt]
) -> None:
    for attempt in range(1, RECORD_SENT_ATTEMPTS + 1):
        try:
            await services.in_worker(_finish_all, services, sender, attempts)
            return
        except StorageUnavailableError:
            if attempt == RECORD_SENT_ATTEMPTS:
                raise
            log.warning(
                "%d post(s) of nomination %s were sent but the database is unavailable; "
                "recording them again shortly",
                len(attempts),
                attempts[0].claim.key.period_key if attempts else "?",
            )
            await asyncio.sleep(RECORD_SENT_PAUSE_SECONDS)


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


def _revoked(sender: RecognitionSender, result: SendResult) -> bool:
    """Whether a post was refused because the platform revoked Everyseat's credentials."""
    return (
        result.sent is Sent.QUEUED
        and bool(result.reason)
        and sender.is_revoked(result.reason or "")
    )


async def _send_claimed(
    services: Services, sender: RecognitionSender, claimed: DeliveryClaim, view: RecognitionView
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
        if sender.is_revoked(reason):
            services.platform_status.credentials_revoked(sender.platform, reason)
        return _Attempt(claimed, None, reason)
    services.platform_status.working(sender.platform)
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
    if found is None or found.withdrawn or found.hidden:
        # Erased, withdrawn or hidden meanwhile: nothing to post, and nothing to retry.
        await services.in_worker(_finish_all, services, sender, [_Attempt(claimed, "")])
        return SendResult(Sent.ALREADY)
    attempt = await _send_claimed(services, sender, claimed, found)
    await _record_sent(services, sender, [attempt])
    return attempt.result


@dataclass(frozen=True)
class PostPlan:
    """Where a new nomination's posts go, known before it is stored: each nominee's
    message, and the public post to `target` (None when private or nowhere to post)."""

    dm_kind: str
    public_kind: str
    target: PublicTarget | None

    def keys(
        self, workspace_id: int, nomination_id: int, nominee_ids: Sequence[str]
    ) -> list[DeliveryKey]:
        """The posts' deliveries: the nominees' messages first, then the public post."""
        period = str(nomination_id)
        keys = [DeliveryKey(workspace_id, person, self.dm_kind, period) for person in nominee_ids]
        if self.target is not None:
            keys.append(DeliveryKey(workspace_id, self.target.channel_id, self.public_kind, period))
        return keys


async def plan_posts(
    sender: RecognitionSender, workspace_id: int, source_channel_id: str | None, private: bool
) -> PostPlan:
    """Where `sender` will post a nomination from `source_channel_id`: the platform decides
    the public target; a private nomination has none."""
    target = None if private else await sender.public_target(workspace_id, source_channel_id)
    return PostPlan(sender.dm_kind, sender.public_kind, target)


@dataclass(frozen=True)
class ClaimedPosts:
    """A new nomination's posts, claimed in the transaction that stored it."""

    plan: PostPlan
    claims: tuple[DeliveryClaim, ...]


async def _send_all(
    services: Services,
    sender: RecognitionSender,
    keys: Sequence[DeliveryKey],
    view: RecognitionView,
    claims: Sequence[DeliveryClaim] | None = None,
) -> list[SendResult]:
    """Send a new nomination's posts, in order: claimed together in one transaction (unless
    `claims` were made already, with the nomination), sent, then recorded together in one
    more. A post whose delivery existed before (it can't, for a new nomination, unless an
    id was reused) goes through `send_once` instead. Results in the order of `keys`."""

    def claim() -> list[DeliveryClaim]:
        with services.unit_of_work() as session:
            made = claim_new_deliveries(session, keys, services.clock())
            session.commit()
            return made

    if claims is None:
        claims = await services.in_worker(claim) if keys else []
    attempts: list[_Attempt] = []
    refused: str | None = None
    for claimed in claims:
        if refused is not None:  # credentials revoked: the rest would be refused the same way
            attempts.append(_Attempt(claimed, None, refused))
            continue
        attempt = await _send_claimed(services, sender, claimed, view)
        if attempt.message_id is None and sender.is_revoked(attempt.error or ""):
            refused = attempt.error
        attempts.append(attempt)
    if attempts:
        await _record_sent(services, sender, attempts)
    results = {attempt.claim.key: attempt.result for attempt in attempts}
    for key in keys:
        if key not in results:
            results[key] = await send_once(services, sender, key, view=view)
    return [results[key] for key in keys]


async def celebrate(
    services: Services,
    sender: RecognitionSender,
    workspace_id: int,
    nomination_id: int,
    source_channel_id: str | None,
    *,
    view: RecognitionView | None = None,
    claimed: ClaimedPosts | None = None,
) -> Celebration | None:
    """Message each nominee and post the public recognition, each exactly once through the
    outbox. None if the nomination was erased meanwhile. `view` is the nomination as just
    stored, and `claimed` its posts claimed with it, when the caller has them (else they are
    loaded and claimed now). If the platform refuses Everyseat's credentials for a
    nominee's message, the public post is not attempted (REVOKED)."""
    if view is None:
        view = await services.in_worker(find_recognition, services, nomination_id)
    if view is None:
        return None
    plan = (
        claimed.plan
        if claimed is not None
        else await plan_posts(sender, workspace_id, source_channel_id, view.is_private)
    )
    nominee_ids = [person.platform_user_id for person in view.nominees]
    keys = plan.keys(workspace_id, nomination_id, nominee_ids)
    results = await _send_all(
        services, sender, keys, view, claimed.claims if claimed is not None else None
    )
    target = plan.target
    dm_results = results[: len(view.nominees)]
    refused = next((r.reason for r in dm_results if _revoked(sender, r)), None)
    if refused is not None:  # the public post was refused the same way: not attempted
        return Celebration(view, PublicPost.REVOKED, reason=refused)
    if view.is_private:
        return Celebration(view, PublicPost.PRIVATE)
    if target is None:
        return Celebration(view, PublicPost.UNPOSTED)
    result = results[-1]
    if _revoked(sender, result):
        return Celebration(view, PublicPost.REVOKED, target, result.reason)
    if result.sent is Sent.QUEUED and result.reason and sender.is_permanent(result.reason):
        return Celebration(view, PublicPost.UNPOSTED, target, result.reason)
    if result.sent is Sent.QUEUED:
        return Celebration(view, PublicPost.QUEUED, target, result.reason)
    return Celebration(view, PublicPost.POSTED, target)


@dataclass(frozen=True)
class Unannounced:
    workspace_id: int
    nomination_id: int
    source_channel_id: str | None


def unannounced_nominations(
    session: Session, platform: str, sender_kinds: tuple[str, str], now: datetime
) -> list[Unannounced]:
    """Nominations of `platform`'s workspaces stored between a day and a lease ago whose
    announcement was never (fully) claimed: a nominee without a claimed message, or a
    public one without a claimed post. Their process died, or lost the database, between
    storing and announcing. (Younger ones may still be being announced by a live process.)
    """
    public_kind, dm_kind = sender_kinds
    period = cast(Nomination.id, String)

    def claimed(kind: str, *conditions: ColumnElement[bool]) -> ColumnElement[bool]:
        return exists().where(
            Delivery.workspace_id == Nomination.workspace_id,
            Delivery.kind == kind,
            Delivery.period_key == period,
            *conditions,
        )

    nominee_not_messaged = exists().where(
        NominationNominee.nomination_id == Nomination.id,
        Member.id == NominationNominee.member_id,
        ~claimed(dm_kind, Delivery.channel_id == Member.platform_user_id),
    )
    public_not_posted = and_(
        Nomination.visibility == Visibility.PUBLIC.value, ~claimed(public_kind)
    )
    rows = session.execute(
        select(Nomination.workspace_id, Nomination.id, Nomination.source_channel_id)
        .join(Workspace, Workspace.id == Nomination.workspace_id)
        .where(
            Workspace.platform == platform,
            Nomination.created_at >= now - UNANNOUNCED_HORIZON,
            Nomination.created_at <= now - session_lease(session),
            Nomination.posted_message_id.is_(None),
            or_(nominee_not_messaged, public_not_posted),
        )
        .order_by(Nomination.id)
    )
    return [Unannounced(*row) for row in rows]


async def announce_unannounced(services: Services, sender: RecognitionSender) -> int:
    """Announce what `unannounced_nominations` finds, each post still claimed first (so a
    live process announcing the same nomination can't make it twice); returns how many
    nominations were announced."""

    def find() -> list[Unannounced]:
        with services.unit_of_work() as session:
            kinds = (sender.public_kind, sender.dm_kind)
            return unannounced_nominations(
                session, sender.platform.lower(), kinds, services.clock()
            )

    announced = 0
    for found in await services.in_worker(find):
        log.info(
            "outbox: nomination %s was stored but not fully announced; announcing it now",
            found.nomination_id,
        )
        await celebrate(
            services, sender, found.workspace_id, found.nomination_id, found.source_channel_id
        )
        announced += 1
    return announced


async def retry_outbox(services: Services, sender: RecognitionSender) -> int:
    """Send every recognition post of `sender`'s platform that failed or was abandoned, and
    announce nominations whose process died before announcing them; returns how many
    posts (and announced nominations) went out."""

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
    return posted + await announce_unannounced(services, sender)

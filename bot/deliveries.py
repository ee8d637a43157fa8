"""Claim-before-send: each post (workspace, channel, kind, period) is sent at most once.

A sender first claims the delivery row (inserting it, or taking over one that failed or
whose lease ran out), posts, then marks it posted with the platform's message id, or
failed. Whoever loses the claim posts nothing. The same calls serve any kind of post: the
scheduler's "digest"/"prompt" and, later, an outbox of recognitions that failed to post.

The one gap a claim can't close: a sender that posts and then dies before marking the row
posted leaves a claim that is retried when its lease expires, so that post may appear twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Table, and_, bindparam, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from db.engine import connection_of
from db.models import Delivery

# Long enough for any post to finish; a claim older than this is presumed abandoned.
DEFAULT_LEASE = timedelta(minutes=10)
# A session factory may carry the deployment's lease (EVERYSEAT_DELIVERY_LEASE_SECONDS) in
# its `info` under this key, so every sender using its sessions claims with the same lease.
LEASE_INFO_KEY = "everyseat.delivery_lease"
ERROR_TEXT_LIMIT = 1000
_DELIVERY: Table = Delivery.__table__  # type: ignore[assignment]


class DeliveryStatus(StrEnum):
    CLAIMED = "claimed"
    POSTED = "posted"
    FAILED = "failed"


# Built once: building a statement costs more CPU than running it, and these run per post.
# A delivery made already (same workspace, channel, kind and period) is skipped, not an error,
# so claiming never aborts the transaction it shares with a nomination.
_CLAIM_UNMADE = {
    dialect: insert_of(_DELIVERY)
    .on_conflict_do_nothing()
    .returning(_DELIVERY.c.claim_token, _DELIVERY.c.id)
    for dialect, insert_of in (("sqlite", sqlite_insert), ("postgresql", postgresql_insert))
}
_MARK_POSTED = (
    update(_DELIVERY)
    .where(
        _DELIVERY.c.id == bindparam("claimed_id"),
        _DELIVERY.c.claim_token == bindparam("claimed_token"),
    )
    .values(
        status=DeliveryStatus.POSTED,
        posted_at=bindparam("posted_at"),
        message_ts=bindparam("sent_ts"),
        lease_expires_at=None,
        last_error=None,
    )
)


_MARK_FAILED = (
    update(_DELIVERY)
    .where(
        _DELIVERY.c.id == bindparam("claimed_id"),
        _DELIVERY.c.claim_token == bindparam("claimed_token"),
    )
    .values(status=DeliveryStatus.FAILED, lease_expires_at=None, last_error=bindparam("error"))
)


class Sent(StrEnum):
    """What happened to one outbox post when a sender tried it."""

    POSTED = "posted"
    ALREADY = "already"  # posted before, or another process is posting it now
    QUEUED = "queued"  # the platform refused or was unreachable; the outbox will retry


# An outbox post that keeps failing is left alone after this many attempts (its error
# stays on the delivery row for an admin to read).
MAX_OUTBOX_ATTEMPTS = 10


@dataclass(frozen=True)
class DeliveryKey:
    workspace_id: int
    channel_id: str
    kind: str
    period_key: str

    def conditions(self) -> list[ColumnElement[bool]]:
        return [
            Delivery.workspace_id == self.workspace_id,
            Delivery.channel_id == self.channel_id,
            Delivery.kind == self.kind,
            Delivery.period_key == self.period_key,
        ]


@dataclass(frozen=True)
class DeliveryClaim:
    """The right to send one delivery, held until `lease_expires_at`."""

    key: DeliveryKey
    delivery_id: int
    token: str
    attempt: int
    lease_expires_at: datetime


def claim_delivery(
    session: Session,
    key: DeliveryKey,
    now: datetime,
    *,
    lease: timedelta | None = None,
    max_attempts: int | None = None,
) -> DeliveryClaim | None:
    """Claim the delivery for sending, or None if it is posted or someone else holds it.

    A failed delivery, or a claim whose lease has expired, can be claimed again (unless it
    has already had `max_attempts` attempts). The lease is `lease`, else the session's
    (`LEASE_INFO_KEY`), else `DEFAULT_LEASE`. Commits.
    """
    token = uuid.uuid4().hex
    expires = now + (lease or session_lease(session))
    # A cheap read first: the scheduler's sweep asks about posted deliveries all the time.
    status = session.scalar(select(Delivery.status).where(*key.conditions()))
    session.commit()  # end the read, so SQLite's writers never wait on this session
    if status == DeliveryStatus.POSTED:
        return None
    if status is None and _insert_claim(session, key, token, now, expires):
        return _claim_of(session, key, token)

    # The row exists: take it over only if it failed or its holder's lease ran out. The
    # condition is checked by the database while it updates, so only one taker wins.
    retryable = or_(
        Delivery.status == DeliveryStatus.FAILED,
        and_(Delivery.status == DeliveryStatus.CLAIMED, Delivery.lease_expires_at < now),
    )
    conditions = [*key.conditions(), retryable]
    if max_attempts is not None:
        conditions.append(Delivery.attempts < max_attempts)
    result = session.execute(
        update(Delivery)
        .where(*conditions)
        .values(
            status=DeliveryStatus.CLAIMED,
            attempts=Delivery.attempts + 1,
            claim_token=token,
            claimed_at=now,
            lease_expires_at=expires,
        )
        .execution_options(synchronize_session=False)
    )
    session.commit()
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return _claim_of(session, key, token)


def session_lease(session: Session) -> timedelta:
    return _lease_in(session.info)


def configured_lease(sessions: sessionmaker[Session]) -> timedelta:
    """The lease the sessions `sessions` makes hold their claims for (`session_lease`)."""
    return _lease_in(sessions.kw.get("info", {}))


def _lease_in(info: Mapping[str, Any]) -> timedelta:
    lease = info.get(LEASE_INFO_KEY)
    return lease if isinstance(lease, timedelta) else DEFAULT_LEASE


def _insert_claim(
    session: Session, key: DeliveryKey, token: str, now: datetime, expires: datetime
) -> bool:
    """Insert the delivery as claimed; False if another sender inserted it first."""
    session.add(
        Delivery(
            workspace_id=key.workspace_id,
            channel_id=key.channel_id,
            kind=key.kind,
            period_key=key.period_key,
            status=DeliveryStatus.CLAIMED,
            attempts=1,
            claim_token=token,
            claimed_at=now,
            lease_expires_at=expires,
            created_at=now,
        )
    )
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    return True


def _claim_of(session: Session, key: DeliveryKey, token: str) -> DeliveryClaim | None:
    row = session.execute(
        select(Delivery.id, Delivery.attempts, Delivery.lease_expires_at).where(
            *key.conditions(), Delivery.claim_token == token
        )
    ).one_or_none()
    if row is None or row.lease_expires_at is None:
        return None
    return DeliveryClaim(key, row.id, token, row.attempts, row.lease_expires_at)


def claim_new_deliveries(
    session: Session | Connection,
    keys: Sequence[DeliveryKey],
    now: datetime,
    *,
    lease: timedelta | None = None,
) -> list[DeliveryClaim]:
    """Claim deliveries nobody has made yet (the posts of a nomination being stored) in one
    INSERT, in the caller's transaction (the caller commits). Returns the claims made, in
    the order of `keys`; a key whose delivery exists already is left out (one INSERT can't
    take it over: `claim_delivery` knows how)."""
    if not keys:
        return []
    if lease is None:
        lease = DEFAULT_LEASE if isinstance(session, Connection) else session_lease(session)
    expires = now + lease
    tokens = [uuid.uuid4().hex for _ in keys]
    rows = [
        {
            "workspace_id": key.workspace_id,
            "channel_id": key.channel_id,
            "kind": key.kind,
            "period_key": key.period_key,
            "status": DeliveryStatus.CLAIMED,
            "attempts": 1,
            "claim_token": token,
            "claimed_at": now,
            "lease_expires_at": expires,
            "created_at": now,
        }
        for key, token in zip(keys, tokens, strict=True)
    ]
    # The table, not the mapped class: no ORM flush.
    connection = connection_of(session)
    inserted = connection.execute(_CLAIM_UNMADE[connection.dialect.name], rows)
    ids = {token: delivery_id for token, delivery_id in inserted}
    return [
        DeliveryClaim(key, ids[token], token, 1, expires)
        for key, token in zip(keys, tokens, strict=True)
        if token in ids
    ]


def mark_deliveries_posted(
    connection: Connection, posted: Sequence[tuple[DeliveryClaim, str]], now: datetime
) -> None:
    """`mark_delivery_posted` for several (claim, message id) pairs in one statement (an
    executemany), committed by the caller. A claim lost meanwhile is left to its new holder."""
    if not posted:
        return
    connection.execute(
        _MARK_POSTED,
        [
            {
                "claimed_id": claim.delivery_id,
                "claimed_token": claim.token,
                "sent_ts": ts,
                "posted_at": now,
            }
            for claim, ts in posted
        ],
    )


def mark_deliveries_failed(
    connection: Connection, failed: Sequence[tuple[DeliveryClaim, str]]
) -> None:
    """`mark_delivery_failed` for several (claim, error) pairs in one statement, committed
    by the caller. A claim lost meanwhile is left to its new holder."""
    if not failed:
        return
    connection.execute(
        _MARK_FAILED,
        [
            {
                "claimed_id": claim.delivery_id,
                "claimed_token": claim.token,
                "error": error[:ERROR_TEXT_LIMIT],
            }
            for claim, error in failed
        ],
    )


def mark_delivery_posted(
    session: Session, claim: DeliveryClaim, message_ts: str, now: datetime, *, commit: bool = True
) -> bool:
    """Record the post and its message id. False if the claim was lost meanwhile.

    Commits, together with anything else the caller added to the session, unless `commit`
    is False (the caller commits several at once).
    """
    result = session.execute(
        update(Delivery)
        .where(Delivery.id == claim.delivery_id, Delivery.claim_token == claim.token)
        .values(
            status=DeliveryStatus.POSTED,
            posted_at=now,
            message_ts=message_ts,
            lease_expires_at=None,
            last_error=None,
        )
        .execution_options(synchronize_session=False)
    )
    if commit:
        session.commit()
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def mark_delivery_failed(
    session: Session, claim: DeliveryClaim, error: str, *, commit: bool = True
) -> bool:
    """Release the claim as failed, so a later run retries it. Commits unless `commit` is
    False."""
    result = session.execute(
        update(Delivery)
        .where(Delivery.id == claim.delivery_id, Delivery.claim_token == claim.token)
        .values(
            status=DeliveryStatus.FAILED,
            lease_expires_at=None,
            last_error=error[:ERROR_TEXT_LIMIT],
        )
        .execution_options(synchronize_session=False)
    )
    if commit:
        session.commit()
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def find_delivery(session: Session, key: DeliveryKey) -> Delivery | None:
    return session.scalars(select(Delivery).where(*key.conditions())).one_or_none()


def retryable_deliveries(
    session: Session,
    kinds: Sequence[str],
    now: datetime,
    *,
    max_attempts: int,
    limit: int = 100,
) -> list[DeliveryKey]:
    """Deliveries of `kinds` that failed, or whose claim's lease ran out: the outbox's queue.

    Oldest first, at most `limit`, and only those with fewer than `max_attempts` attempts.
    """
    rows = session.execute(
        select(Delivery.workspace_id, Delivery.channel_id, Delivery.kind, Delivery.period_key)
        .where(
            Delivery.kind.in_(list(kinds)),
            Delivery.attempts < max_attempts,
            or_(
                Delivery.status == DeliveryStatus.FAILED,
                and_(Delivery.status == DeliveryStatus.CLAIMED, Delivery.lease_expires_at < now),
            ),
        )
        .order_by(Delivery.created_at, Delivery.id)
        .limit(limit)
    )
    return [DeliveryKey(*row) for row in rows]

"""The audit trail: an append-only record of what admins and jobs did with people's data.

Every export, hide/restore, flag decision, erasure, directory import, admin-list change and
retention run is recorded with `record_audit`, inside the same unit of work as the action,
so an action and its audit fact are committed together or not at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import AuditEvent


class AuditAction(StrEnum):
    EXPORT = "export"
    NOMINATION_HIDDEN = "nomination.hidden"
    NOMINATION_RESTORED = "nomination.restored"
    FLAG_UPHELD = "flag.upheld"
    FLAG_DISMISSED = "flag.dismissed"
    MEMBER_ERASED = "member.erased"
    DIRECTORY_IMPORTED = "directory.imported"
    ADMINS_CHANGED = "admins.changed"
    RETENTION_APPLIED = "retention.applied"
    AUDIT_EXPORTED = "audit.exported"


@dataclass(frozen=True)
class AuditEntry:
    """One audit fact as read back, free of the ORM."""

    id: int
    at: datetime
    actor: str
    platform: str
    action: str
    subject: str
    detail: Mapping[str, object]


def record_audit(
    session: Session,
    *,
    at: datetime,
    actor: str,
    platform: str,
    action: AuditAction,
    subject: str = "",
    detail: Mapping[str, str | int | float | bool | None] | None = None,
) -> None:
    """Add one fact to the trail; the caller's unit of work commits it with the action.

    `detail` holds counts, reasons and options, never story text or, for an erasure, who
    was erased.
    """
    session.add(
        AuditEvent(
            at=at,
            actor=actor,
            platform=platform,
            action=str(action),
            subject=subject,
            detail=dict(detail or {}),
        )
    )


def audit_entries(
    session: Session, *, since: datetime | None = None, limit: int | None = None
) -> Sequence[AuditEntry]:
    """The trail, newest first: everything since `since`, or the last `limit` entries."""
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    if limit is not None:
        query = query.limit(limit)
    return [
        AuditEntry(
            id=row.id,
            at=row.at,
            actor=row.actor,
            platform=row.platform,
            action=row.action,
            subject=row.subject,
            detail=dict(row.detail or {}),
        )
        for row in session.scalars(query)
    ]

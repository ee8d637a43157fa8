"""The audit trail: an append-only record of what admins and jobs did with people's data.

Every export, hide/restore, flag decision, erasure, directory import, admin-list change and
retention run is recorded with `record_audit`, inside the same unit of work as the action,
so an action and its audit fact are committed together or not at all.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import AuditEvent

if TYPE_CHECKING:
    from bot.services import Services

# How many entries the admin panels show (Slack App Home, Teams `audit`, the console).
PANEL_ENTRIES = 20
AUDIT_COLUMNS = ("id", "at", "actor", "platform", "action", "subject", "detail")


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
class Actor:
    """Who acted: a platform account ("U123" on "slack", an AAD object id on "teams"), the
    local operator (`CLI`) or a scheduled job (`SCHEDULER`)."""

    id: str
    platform: str


CLI = Actor("cli", "cli")
SCHEDULER = Actor("scheduler", "scheduler")
# Settings read at start-up (EVERYSEAT_ADMINS) are the deployment's, not a person's.
SETTINGS = Actor("EVERYSEAT_ADMINS", "settings")

Detail = Mapping[str, str | int | float | bool | None]


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


def record_by(
    session: Session,
    actor: Actor,
    action: AuditAction,
    *,
    at: datetime,
    subject: str = "",
    detail: Detail | None = None,
) -> None:
    """`record_audit` for an `Actor`."""
    record_audit(
        session,
        at=at,
        actor=actor.id,
        platform=actor.platform,
        action=action,
        subject=subject,
        detail=detail,
    )


def recent_audit(services: Services, limit: int = PANEL_ENTRIES) -> Sequence[AuditEntry]:
    """The last `limit` entries, newest first: what the admin panels show."""
    with services.unit_of_work() as session:
        return audit_entries(session, limit=limit)


def describe_entry(entry: AuditEntry) -> str:
    """One entry as a line of plain text (renderers escape it)."""
    from bot import messages

    details = ", ".join(f"{key} {value}" for key, value in sorted(entry.detail.items()))
    return messages.AUDIT_LINE.format(
        at=entry.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        action=entry.action,
        actor=entry.actor,
        platform=entry.platform,
        subject=f" · {entry.subject}" if entry.subject else "",
        detail=f" · {details}" if details else "",
    )


def _row(entry: AuditEntry) -> dict[str, object]:
    return {
        "id": entry.id,
        "at": entry.at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "actor": entry.actor,
        "platform": entry.platform,
        "action": entry.action,
        "subject": entry.subject,
        "detail": dict(entry.detail),
    }


def export_audit(
    services: Services, out: TextIO, *, since: datetime, fmt: str, actor: Actor
) -> int:
    """Write the trail since `since` (oldest first) as CSV or JSON to `out`, and record the
    export itself in the trail. Returns the number of entries written."""
    from bot.reporting.exports import neutralise_formula

    with services.unit_of_work() as session:
        entries = list(reversed(audit_entries(session, since=since)))
        rows = [_row(entry) for entry in entries]
        if fmt == "json":
            json.dump(rows, out, ensure_ascii=False, indent=2)
            out.write("\n")
        else:
            writer = csv.writer(out)
            writer.writerow(AUDIT_COLUMNS)
            for row in rows:
                row["detail"] = json.dumps(row["detail"], ensure_ascii=False, sort_keys=True)
                writer.writerow([neutralise_formula(row[column]) for column in AUDIT_COLUMNS])  # type: ignore[arg-type]
        record_by(
            session,
            actor,
            AuditAction.AUDIT_EXPORTED,
            at=services.clock(),
            subject=fmt,
            detail={"since": since.date().isoformat(), "entries": len(rows)},
        )
        session.commit()
    return len(rows)


def record_admin_list(services: Services) -> bool:
    """Compare EVERYSEAT_ADMINS with the list last recorded and record the difference (ids
    added and removed). Run at start-up; True if a change was recorded."""
    configured = sorted(set(services.settings.EVERYSEAT_ADMINS))
    with services.unit_of_work() as session:
        last = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == str(AuditAction.ADMINS_CHANGED))
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            .limit(1)
        ).first()
        previous_text = str((last.detail or {}).get("admins", "")) if last is not None else ""
        previous = sorted(value for value in previous_text.split(",") if value)
        if previous == configured:
            return False
        record_by(
            session,
            SETTINGS,
            AuditAction.ADMINS_CHANGED,
            at=services.clock(),
            detail={
                "added": ",".join(sorted(set(configured) - set(previous))),
                "removed": ",".join(sorted(set(previous) - set(configured))),
                "admins": ",".join(configured),
            },
        )
        session.commit()
    return True

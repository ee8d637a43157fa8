"""`everyseat directory sync` and the nightly job: every person a directory knows, at once.

A source is a platform's directory behind a small protocol: Slack's profiles
(handlers/slack/directory.py) or Microsoft Graph for a Teams tenant
(handlers/teams/graph.py). Everything is fetched first; only a complete answer is written,
in one unit of work, so a sync that fails half-way leaves the last good data in place and
says what failed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import messages
from bot.directory.linking import link_members, normalise_email
from bot.directory.seats import DIRECTORY, refresh_seats, refresh_seats_for_emails
from bot.errors import DirectorySyncError
from bot.people.directory import get_or_create_workspace, members_by_platform_id
from bot.services import Services
from db.models import DirectoryRecord, Member

log = logging.getLogger(__name__)

CHAT_PROFILE = "chat"  # the platform's own profiles (Slack): they fill member.profile_*


@dataclass(frozen=True)
class DirectoryEntry:
    """One account as a directory describes it."""

    account_id: str  # Slack user id, or AAD object id
    display_name: str
    email: str | None = None
    job_title: str | None = None
    department: str | None = None
    staff_group: str | None = None
    site: str | None = None
    is_bot: bool = False
    is_deactivated: bool = False
    is_platform_admin: bool = False


class DirectorySource(Protocol):
    """A platform's directory for one workspace (Slack team or Teams tenant)."""

    platform: str  # "slack" or "teams": the workspace's platform
    workspace_external_id: str
    kind: str  # CHAT_PROFILE or seats.DIRECTORY

    async def entries(self) -> Sequence[DirectoryEntry]:
        """Every account, all pages; raises DirectorySyncError when that can't be had."""
        ...


@dataclass
class SyncReport:
    platform: str
    accounts: int = 0
    added: int = 0
    leavers: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return messages.DIRECTORY_SYNCED.format(
            platform=self.platform.capitalize(),
            accounts=messages.count_of(self.accounts, "account", "accounts"),
            added=self.added,
            leavers=len(self.leavers),
        )


async def sync_directory(services: Services, source: DirectorySource) -> SyncReport:
    """Fetch everything from `source`, then store it in one unit of work."""
    try:
        entries = list(await source.entries())
    except DirectorySyncError:
        raise
    except Exception as error:  # a platform failure we didn't name: still say what failed
        log.exception("directory sync from %s failed", source.platform)
        raise DirectorySyncError(
            messages.DIRECTORY_SYNC_FAILED.format(platform=source.platform, reason=error)
        ) from error
    return await services.in_worker(_store, services, source, entries)


def _store(
    services: Services, source: DirectorySource, entries: Sequence[DirectoryEntry]
) -> SyncReport:
    report = SyncReport(platform=source.platform, accounts=len(entries))
    with services.unit_of_work() as session:
        now = services.clock()
        workspace = get_or_create_workspace(
            session, source.platform, source.workspace_external_id, now
        )
        members: list[Member] = []
        for start in range(0, len(entries), 500):
            chunk = entries[start : start + 500]
            known = members_by_platform_id(
                session, workspace.id, (entry.account_id for entry in chunk)
            )
            for entry in chunk:
                member = known.get(entry.account_id)
                if member is None:
                    member = Member(
                        workspace_id=workspace.id,
                        platform_user_id=entry.account_id,
                        created_at=now,
                    )
                    session.add(member)
                    report.added += 1
                member.display_name = entry.display_name[:255]
                member.email = normalise_email(entry.email) or member.email
                member.is_bot = entry.is_bot
                member.is_deactivated = entry.is_deactivated
                member.is_platform_admin = entry.is_platform_admin
                if source.kind == CHAT_PROFILE:
                    member.profile_title = _cut(entry.job_title)
                    member.profile_department = _cut(entry.department)
                    member.profile_refreshed_at = now
                members.append(member)
        if source.kind == DIRECTORY:
            report.leavers = _store_directory_records(session, entries, now)
        session.flush()
        link_members(session, members, now)
        refresh_seats(session, members)
        if report.leavers:
            refresh_seats_for_emails(session, report.leavers)
        session.commit()
    return report


def _cut(value: str | None, limit: int = 255) -> str | None:
    return value[:limit] if value else None


def _store_directory_records(
    session: Session, entries: Sequence[DirectoryEntry], now: datetime
) -> list[str]:
    """Upsert the directory's records by email; mark those it no longer lists as left."""
    existing = {
        record.email: record
        for record in session.scalars(
            select(DirectoryRecord).where(DirectoryRecord.source == DIRECTORY)
        )
    }
    seen: set[str] = set()
    for entry in entries:
        email = normalise_email(entry.email)
        if email is None or email in seen or entry.is_bot:
            continue
        seen.add(email)
        record = existing.get(email)
        if record is None:
            record = DirectoryRecord(source=DIRECTORY, email=email, updated_at=now)
            session.add(record)
        record.external_id = entry.account_id
        record.display_name = _cut(entry.display_name)
        record.job_title = _cut(entry.job_title)
        record.department = _cut(entry.department)
        record.staff_group = _cut(entry.staff_group)
        record.site = _cut(entry.site)
        record.updated_at = now
        record.left_at = now if entry.is_deactivated else None
    leavers = sorted(
        email for email, record in existing.items() if email not in seen and record.left_at is None
    )
    for email in leavers:
        existing[email].left_at = now
    return leavers

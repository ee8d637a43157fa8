"""Workspaces and members: the people Everyseat knows, with profiles cached from the platform."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import Connection, Table, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.directory.linking import link_members, normalise_email
from bot.directory.seats import refresh_seats
from db.engine import connection_of
from db.models import Member, Workspace

# Built once (nominations run it): building a statement costs more than running it.
_MEMBERS_BY_PLATFORM_ID = select(Member).where(
    Member.workspace_id == bindparam("workspace"),
    Member.platform_user_id.in_(bindparam("ids", expanding=True)),
)
_MEMBER: Table = Member.__table__  # type: ignore[assignment]
# The same, as plain rows of what a nomination reads of a member (MemberRow's fields, in
# order): loading two ORM objects costs more than the query.
_MEMBER_DETAILS_BY_PLATFORM_ID = select(
    _MEMBER.c.id,
    _MEMBER.c.platform_user_id,
    _MEMBER.c.display_name,
    _MEMBER.c.title,
    _MEMBER.c.is_bot,
    _MEMBER.c.is_deactivated,
    _MEMBER.c.profile_refreshed_at,
).where(
    _MEMBER.c.workspace_id == bindparam("workspace"),
    _MEMBER.c.platform_user_id.in_(bindparam("ids", expanding=True)),
)
# How long a cached profile (name, title, admin flag) is trusted before asking the platform.
PROFILE_TTL = timedelta(hours=12)


@dataclass(frozen=True)
class MemberProfile:
    """What a platform tells us about a person."""

    platform_user_id: str
    display_name: str
    title: str | None = None
    department: str | None = None
    is_bot: bool = False
    is_deactivated: bool = False
    is_platform_admin: bool = False
    email: str | None = None  # verified work email, when the platform shares it


def get_or_create_workspace(
    session: Session, platform: str, external_id: str, now: datetime, name: str | None = None
) -> Workspace:
    """The workspace row for (platform, external id), created on first sight. Commits."""
    query = select(Workspace).where(
        Workspace.platform == platform, Workspace.external_id == external_id
    )
    workspace = session.scalars(query).one_or_none()
    if workspace is not None:
        return workspace
    workspace = Workspace(platform=platform, external_id=external_id, name=name, created_at=now)
    session.add(workspace)
    try:
        session.commit()
    except IntegrityError:  # another request created it first
        session.rollback()
        return session.scalars(query).one()
    return workspace


def members_by_platform_id(
    session: Session, workspace_id: int, platform_user_ids: Iterable[str]
) -> dict[str, Member]:
    ids = list(dict.fromkeys(platform_user_ids))
    if not ids:
        return {}
    rows = session.scalars(_MEMBERS_BY_PLATFORM_ID, {"workspace": workspace_id, "ids": ids})
    return {member.platform_user_id: member for member in rows}


class MemberDetails(Protocol):
    """What recording a nomination reads of a member: a stored `Member`, or a `MemberRow`."""

    @property
    def id(self) -> int: ...
    @property
    def platform_user_id(self) -> str: ...
    @property
    def display_name(self) -> str: ...
    @property
    def title(self) -> str | None: ...
    @property
    def is_bot(self) -> bool: ...
    @property
    def is_deactivated(self) -> bool: ...
    @property
    def profile_refreshed_at(self) -> datetime | None: ...


@dataclass(frozen=True)
class MemberRow:
    """A member's `MemberDetails` as read, without the ORM: nothing to load, expire or flush."""

    id: int
    platform_user_id: str
    display_name: str
    title: str | None
    is_bot: bool
    is_deactivated: bool
    profile_refreshed_at: datetime | None


def member_rows_by_platform_id(
    session: Session | Connection, workspace_id: int, platform_user_ids: Iterable[str]
) -> dict[str, MemberRow]:
    """`members_by_platform_id` for reading only: plain rows, in the caller's transaction."""
    ids = list(dict.fromkeys(platform_user_ids))
    if not ids:
        return {}
    connection = connection_of(session)
    rows = connection.execute(
        _MEMBER_DETAILS_BY_PLATFORM_ID, {"workspace": workspace_id, "ids": ids}
    )
    return {row.platform_user_id: MemberRow(*row) for row in rows}


def stale_platform_ids(
    known: Mapping[str, MemberDetails], platform_user_ids: Iterable[str], now: datetime
) -> list[str]:
    """Of `platform_user_ids`, those not in `known` or whose profile is older than PROFILE_TTL."""
    ids = list(dict.fromkeys(platform_user_ids))
    return [
        user_id
        for user_id in ids
        if user_id not in known
        or known[user_id].profile_refreshed_at is None
        or now - known[user_id].profile_refreshed_at > PROFILE_TTL  # type: ignore[operator]
    ]


def save_profiles(
    session: Session,
    workspace_id: int,
    profiles: Iterable[MemberProfile],
    now: datetime,
    *,
    refreshed: bool = True,
) -> dict[str, Member]:
    """Insert or refresh members from platform profiles. Commits. `refreshed=False` for
    profiles the platform didn't confirm: they are asked about again on next use."""
    profiles = list(profiles)
    for attempt in range(2):
        known = members_by_platform_id(
            session, workspace_id, (profile.platform_user_id for profile in profiles)
        )
        for profile in profiles:
            member = known.get(profile.platform_user_id)
            if member is None:
                member = Member(
                    workspace_id=workspace_id,
                    platform_user_id=profile.platform_user_id,
                    created_at=now,
                )
                session.add(member)
                known[profile.platform_user_id] = member
            member.display_name = profile.display_name[:255]
            member.profile_title = (profile.title or None) and profile.title[:255]
            member.profile_department = (profile.department or None) and profile.department[:255]
            member.email = normalise_email(profile.email) or member.email
            member.is_bot = profile.is_bot
            member.is_deactivated = profile.is_deactivated
            member.is_platform_admin = profile.is_platform_admin
            member.profile_refreshed_at = now if refreshed else None
        link_members(session, known.values(), now)
        refresh_seats(session, known.values())
        try:
            session.commit()
            return known
        except IntegrityError:  # a concurrent request inserted one of them; refresh instead
            session.rollback()
            if attempt:
                raise
    raise AssertionError("unreachable")


def ensure_named_members(
    session: Session, workspace_id: int, names: Iterable[str], now: datetime
) -> dict[str, Member]:
    """Members identified by a plain name (the console), created on first mention. Commits."""
    names = list(dict.fromkeys(names))
    known = members_by_platform_id(session, workspace_id, names)
    missing = [name for name in names if name not in known]
    if missing:
        known.update(
            save_profiles(
                session,
                workspace_id,
                (MemberProfile(platform_user_id=name, display_name=name) for name in missing),
                now,
            )
        )
    return {name: known[name] for name in names}

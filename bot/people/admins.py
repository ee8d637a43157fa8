"""Who is an Everyseat admin: people named in EVERYSEAT_ADMINS, and the platform's own
workspace admins and owners (their flag cached briefly on the member row).

Every admin action calls `require_admin` on the server; a refusal is logged and raises
NotAuthorisedError, whose message is the polite refusal to show.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot import messages
from bot.errors import NotAuthorisedError
from bot.people.directory import MemberProfile, members_by_platform_id, save_profiles
from bot.settings import Settings

log = logging.getLogger(__name__)

# Short, unlike ordinary profiles: someone whose admin rights are removed should lose
# access to exports within minutes, not half a day.
ADMIN_FLAG_TTL = timedelta(minutes=10)


def is_configured_admin(settings: Settings, platform_user_id: str) -> bool:
    return platform_user_id in settings.EVERYSEAT_ADMINS


def cached_platform_admin(
    session: Session, workspace_id: int, platform_user_id: str, now: datetime
) -> bool | None:
    """The platform admin flag if it was refreshed within ADMIN_FLAG_TTL, else None."""
    member = members_by_platform_id(session, workspace_id, [platform_user_id]).get(platform_user_id)
    if member is None or member.profile_refreshed_at is None:
        return None
    if now - member.profile_refreshed_at > ADMIN_FLAG_TTL:
        return None
    return member.is_platform_admin


def require_admin(
    settings: Settings, platform_user_id: str, *, platform_admin: bool, action: str
) -> None:
    """Allow configured admins and platform admins/owners; log and refuse anyone else."""
    if is_configured_admin(settings, platform_user_id) or platform_admin:
        return
    log.warning("Refused admin action %r to %s: not an admin", action, platform_user_id)
    raise NotAuthorisedError(messages.NOT_AN_ADMIN)


def check_admin(
    session: Session,
    settings: Settings,
    workspace_id: int,
    platform_user_id: str,
    *,
    now: datetime,
    fetch_profile: Callable[[str], MemberProfile | None],
    action: str,
) -> None:
    """`require_admin`, asking the platform (`fetch_profile`) when the cached flag is stale.

    If the platform can't be asked, the person is treated as not a platform admin: an
    outage never grants access.
    """
    if is_configured_admin(settings, platform_user_id):
        return
    flag = cached_platform_admin(session, workspace_id, platform_user_id, now)
    if flag is None:
        profile = fetch_profile(platform_user_id)
        if profile is not None:
            save_profiles(session, workspace_id, [profile], now)
        flag = profile is not None and profile.is_platform_admin
    require_admin(settings, platform_user_id, platform_admin=flag, action=action)

"""Who is an Everyseat admin: people named in EVERYSEAT_ADMINS, and the platform's own
workspace admins and owners (their flag cached briefly on the member row).

One check for every platform. Every admin action calls `require_admin` on the server; a
refusal is logged and raises NotAuthorisedError, whose message is the polite refusal to show.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot import messages
from bot.errors import NotAuthorisedError
from bot.people.directory import MemberProfile, members_by_platform_id, save_profiles
from bot.people.resolution import PersonRef, ProfileLookup
from bot.services import Services
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


def _cached_flag(services: Services, workspace_id: int, platform_user_id: str) -> bool | None:
    with services.unit_of_work() as session:
        return cached_platform_admin(session, workspace_id, platform_user_id, services.clock())


def _remember_profile(services: Services, workspace_id: int, profile: MemberProfile) -> None:
    with services.unit_of_work() as session:
        save_profiles(session, workspace_id, [profile], services.clock())


async def is_admin(
    services: Services,
    workspace_id: int,
    ids: Sequence[str],
    lookup: ProfileLookup | None,
) -> bool:
    """Whether this person may see statistics and exports (a fresh check, never the UI's).

    `ids` are every id the platform knows the person by (Teams: AAD object id and Teams user
    id); any of them in EVERYSEAT_ADMINS is enough. Otherwise the platform's admin/owner flag
    for the first id counts, read from the member row when fresh, else asked of `lookup` and
    saved. Platforms without such a flag pass `lookup=None`. If the platform can't be asked,
    the person is treated as not a platform admin: an outage never grants access.
    """
    if any(is_configured_admin(services.settings, value) for value in ids):
        return True
    if lookup is None or not ids:
        return False
    platform_user_id = ids[0]
    flag = await services.in_worker(_cached_flag, services, workspace_id, platform_user_id)
    if flag is not None:
        return flag
    person = PersonRef(ref=platform_user_id, platform_user_id=platform_user_id)
    profile = (await lookup.profiles([person])).get(platform_user_id)
    if not isinstance(profile, MemberProfile):  # unknown to the platform, or it can't say
        return False
    await services.in_worker(_remember_profile, services, workspace_id, profile)
    return profile.is_platform_admin


async def require_admin(
    services: Services,
    workspace_id: int,
    ids: Sequence[str],
    lookup: ProfileLookup | None,
    *,
    action: str,
) -> None:
    """`is_admin`, or log the refusal and raise NotAuthorisedError (the polite refusal)."""
    if await is_admin(services, workspace_id, ids, lookup):
        return
    who = " / ".join(ids) or "an unknown sender"
    log.warning("Refused admin action %r to %s: not an admin", action, who)
    raise NotAuthorisedError(messages.NOT_AN_ADMIN)

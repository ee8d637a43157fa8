"""Turning Slack user ids into members, with profiles from `users.info` cached in the database."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.app.services import Services
from bot.people.directory import (
    MemberProfile,
    get_or_create_workspace,
    members_by_platform_id,
    save_profiles,
    stale_platform_ids,
)
from db.models import Member, Workspace

log = logging.getLogger(__name__)
SLACK = "slack"
SLACKBOT_ID = "USLACKBOT"


def profile_from_user(user: dict[str, Any]) -> MemberProfile:
    profile = user.get("profile") or {}
    name = (
        profile.get("display_name")
        or profile.get("real_name")
        or user.get("real_name")
        or user.get("name")
        or user["id"]
    )
    return MemberProfile(
        platform_user_id=user["id"],
        display_name=name,
        title=profile.get("title") or None,
        is_bot=bool(user.get("is_bot")) or user["id"] == SLACKBOT_ID,
        is_deactivated=bool(user.get("deleted")),
        is_platform_admin=bool(
            user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner")
        ),
    )


async def _fetch_profile(client: AsyncWebClient, user_id: str) -> MemberProfile | None:
    try:
        response = await client.users_info(user=user_id)
    except SlackApiError as error:
        log.warning("users.info failed for %s: %s", user_id, error.response.get("error"))
        return None
    return profile_from_user(response["user"])


async def workspace_for(services: Services, team_id: str) -> Workspace:
    def load() -> Workspace:
        with services.sessions() as session:
            return get_or_create_workspace(session, SLACK, team_id, services.clock())

    return await asyncio.to_thread(load)


async def resolve_members(
    client: AsyncWebClient, services: Services, workspace_id: int, user_ids: Iterable[str]
) -> dict[str, Member]:
    """Members for Slack user ids, refreshing stale profiles from `users.info`.

    A person Slack can't describe right now keeps their cached profile, or is stored under
    their id, so a hiccup at Slack never blocks a nomination.
    """
    ids = list(dict.fromkeys(user_ids))
    now = services.clock()

    def cached() -> tuple[dict[str, Member], list[str]]:
        with services.sessions() as session:
            known = members_by_platform_id(session, workspace_id, ids)
            return known, stale_platform_ids(known, ids, now)

    known, to_refresh = await asyncio.to_thread(cached)
    if not to_refresh:  # the common case: every profile is fresh, no Slack call, no write
        return known
    fetched = await asyncio.gather(*(_fetch_profile(client, uid) for uid in to_refresh))
    profiles = [profile for profile in fetched if profile is not None]
    fetched_ids = {profile.platform_user_id for profile in profiles}

    def store() -> dict[str, Member]:
        with services.sessions() as session:
            # Someone Slack can't describe right now keeps their cached profile, or is
            # stored under their id, so a hiccup at Slack never blocks a nomination.
            unknown = [
                MemberProfile(platform_user_id=uid, display_name=uid)
                for uid in to_refresh
                if uid not in known and uid not in fetched_ids
            ]
            if profiles or unknown:
                save_profiles(session, workspace_id, [*profiles, *unknown], now)
            return members_by_platform_id(session, workspace_id, ids)

    return await asyncio.to_thread(store)

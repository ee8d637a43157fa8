"""Slack's directory: people named by Slack user id, described by `users.info`."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.errors import EveryseatError
from bot.people.directory import MemberProfile
from bot.people.resolution import PersonRef

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
        email=profile.get("email") or None,
        is_bot=bool(user.get("is_bot")) or user["id"] == SLACKBOT_ID,
        is_deactivated=bool(user.get("deleted")),
        is_platform_admin=bool(
            user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner")
        ),
    )


def slack_person(user_id: str) -> PersonRef:
    """A Slack user id as the core names people: Slack ids are stable in the workspace."""
    return PersonRef(ref=user_id, platform_user_id=user_id)


async def fetch_profile(client: AsyncWebClient, user_id: str) -> MemberProfile | None:
    """`users.info` for one person; None (and a log line) when Slack can't say."""
    try:
        response = await client.users_info(user=user_id)
    except SlackApiError as error:
        log.warning("users.info failed for %s: %s", user_id, error.response.get("error"))
        return None
    return profile_from_user(response["user"])


class SlackProfiles:
    """The core's ProfileLookup, answered by `users.info` (one call per person, together).

    With `department_field` (EVERYSEAT_SLACK_DEPARTMENT_FIELD), each refreshed profile also
    reads that custom field with `users.profile.get`; profiles are only refreshed when
    stale (bot/people/directory.py PROFILE_TTL), so this costs little on the hot path.
    """

    def __init__(self, client: AsyncWebClient, department_field: str | None = None) -> None:
        self.client = client
        self.department_field = department_field

    async def profiles(self, people: Sequence[PersonRef]) -> dict[str, MemberProfile]:
        fetched = await asyncio.gather(*(fetch_profile(self.client, p.ref) for p in people))
        found = {
            person.ref: profile
            for person, profile in zip(people, fetched, strict=True)
            if profile is not None
        }
        if self.department_field and found:
            found = await self._with_departments(found)
        return found

    async def _with_departments(self, found: dict[str, MemberProfile]) -> dict[str, MemberProfile]:
        from handlers.slack.directory import custom_field, department_field_id

        try:
            field_id = await department_field_id(self.client, self.department_field)
            if field_id is None:
                return found
            values = await asyncio.gather(
                *(
                    custom_field(self.client, profile.platform_user_id, field_id)
                    for profile in found.values()
                )
            )
        except (SlackApiError, EveryseatError) as error:
            # A department is a nicety; it never blocks a nomination.
            log.warning("Slack department field not read: %s", error)
            return found
        return {
            ref: replace(profile, department=value or profile.department)
            for (ref, profile), value in zip(found.items(), values, strict=True)
        }

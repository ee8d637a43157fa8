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
from bot.people.resolution import Absence, Answer, NotInDirectory, PersonRef

log = logging.getLogger(__name__)
SLACK = "slack"
SLACKBOT_ID = "USLACKBOT"
# users.info's answers for a user id that is no one (any more) in this workspace.
GONE_ERRORS = frozenset({"user_not_found", "user_not_visible"})
# Seconds to wait for users.info during a request: Slack wants its answer within 3 s, and a
# person Slack can't describe in time is stored as the payload named them.
LOOKUP_TIMEOUT = 1.5


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


async def fetch_profile(
    client: AsyncWebClient, user_id: str, team_id: str | None = None
) -> Answer | None:
    """`users.info` for one person: their profile, NotInDirectory when Slack says they
    aren't one of the workspace's people, or None (and a log line) when Slack can't say
    right now (an error, a timeout, Slack unreachable)."""
    try:
        response = await asyncio.wait_for(client.users_info(user=user_id), LOOKUP_TIMEOUT)
    except SlackApiError as error:
        code = error.response.get("error")
        if code in GONE_ERRORS:
            return NotInDirectory(Absence.UNKNOWN)
        log.warning("users.info failed for %s: %s", user_id, code or error.response.status_code)
        return None
    except Exception as error:  # unreachable, too slow, or garbled: it will be asked again
        log.warning("users.info failed for %s: %s", user_id, type(error).__name__)
        return None
    user = response.get("user") or {}
    if not user.get("id"):
        return None
    if team_id and not _in_workspace(user, team_id):
        return NotInDirectory(Absence.OTHER_WORKSPACE, profile_from_user(user).display_name)
    return profile_from_user(user)


def _in_workspace(user: dict[str, Any], team_id: str) -> bool:
    """Whether the user is one of `team_id`'s people (on Enterprise Grid, any of the
    organisation's workspaces the user belongs to counts)."""
    if user.get("team_id") in (None, team_id):
        return True
    teams = (user.get("enterprise_user") or {}).get("teams") or ()
    return team_id in teams


class SlackProfiles:
    """The core's ProfileLookup, answered by `users.info` (one call per person, together).
    With `team_id`, people of another workspace (Slack Connect guests) are not members.

    With `department_field` (EVERYSEAT_SLACK_DEPARTMENT_FIELD), each refreshed profile also
    reads that custom field with `users.profile.get`; profiles are only refreshed when
    stale (bot/people/directory.py PROFILE_TTL), so this costs little on the hot path.
    """

    def __init__(
        self,
        client: AsyncWebClient,
        team_id: str | None = None,
        department_field: str | None = None,
    ) -> None:
        self.client = client
        self.team_id = team_id
        self.department_field = department_field

    async def profiles(self, people: Sequence[PersonRef]) -> dict[str, Answer]:
        fetched = await asyncio.gather(
            *(fetch_profile(self.client, p.ref, self.team_id) for p in people)
        )
        found = {
            person.ref: answer
            for person, answer in zip(people, fetched, strict=True)
            if answer is not None
        }
        if self.department_field and found:
            found = await self._with_departments(found)
        return found

    async def _with_departments(self, found: dict[str, Answer]) -> dict[str, Answer]:
        from handlers.slack.directory import custom_field, department_field_id

        profiles = {
            ref: answer for ref, answer in found.items() if isinstance(answer, MemberProfile)
        }
        try:
            field_id = await department_field_id(self.client, self.department_field)
            if field_id is None or not profiles:
                return found
            values = await asyncio.gather(
                *(
                    custom_field(self.client, profile.platform_user_id, field_id)
                    for profile in profiles.values()
                )
            )
        except (SlackApiError, EveryseatError) as error:
            # A department is a nicety; it never blocks a nomination.
            log.warning("Slack department field not read: %s", error)
            return found
        for (ref, profile), value in zip(profiles.items(), values, strict=True):
            found[ref] = replace(profile, department=value or profile.department)
        return found

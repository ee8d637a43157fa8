"""Slack's directory for `everyseat directory sync --slack`: every account, with title,
department (from the custom profile field named by EVERYSEAT_SLACK_DEPARTMENT_FIELD) and
verified email (the users:read.email scope).

`users.list` is read 200 accounts a page (Tier 2); custom fields need `users.profile.get`
per person (Tier 4), asked a few at a time. The client's retry handlers honour Slack's
Retry-After on 429 and back off on 5xx.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import messages
from bot.directory.sync import CHAT_PROFILE, DirectoryEntry
from bot.errors import DirectorySyncError
from handlers.slack.people import SLACK, profile_from_user

PAGE_SIZE = 200
PROFILE_CONCURRENCY = 4


async def department_field_id(client: AsyncWebClient, label: str | None) -> str | None:
    """The id of the team's custom profile field whose label is `label` (any case)."""
    if not label:
        return None
    response = await client.team_profile_get()
    for profile_field in (response.get("profile") or {}).get("fields") or []:
        if str(profile_field.get("label", "")).strip().lower() == label.strip().lower():
            return str(profile_field["id"])
    raise DirectorySyncError(
        f"No custom profile field is labelled {label!r} in this Slack workspace; check "
        "EVERYSEAT_SLACK_DEPARTMENT_FIELD against Slack's profile settings."
    )


async def custom_field(client: AsyncWebClient, user_id: str, field_id: str) -> str | None:
    response = await client.users_profile_get(user=user_id)
    fields = (response.get("profile") or {}).get("fields") or {}
    value = (fields.get(field_id) or {}).get("value")
    return str(value).strip() or None if value else None


class SlackDirectory:
    """The DirectorySource for one Slack workspace."""

    platform = SLACK
    kind = CHAT_PROFILE

    def __init__(
        self, client: AsyncWebClient, team_id: str, department_field: str | None = None
    ) -> None:
        self.client = client
        self.workspace_external_id = team_id
        self.department_field = department_field

    async def entries(self) -> Sequence[DirectoryEntry]:
        try:
            field_id = await department_field_id(self.client, self.department_field)
            users = [
                user
                for user in await self._all_users()
                # Slack Connect lists people of other workspaces too; they aren't staff here.
                if user.get("team_id") in (None, self.workspace_external_id)
            ]
            departments = await self._departments(users, field_id) if field_id else {}
        except SlackApiError as error:
            raise DirectorySyncError(
                messages.DIRECTORY_SYNC_FAILED.format(
                    platform="Slack", reason=error.response.get("error", "error")
                )
            ) from error
        return [_entry(user, departments.get(user["id"])) for user in users]

    async def _all_users(self) -> list[dict[str, Any]]:
        users: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            response = await self.client.users_list(limit=PAGE_SIZE, cursor=cursor)
            users.extend(response.get("members") or [])
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return users

    async def _departments(self, users: list[dict[str, Any]], field_id: str) -> dict[str, str]:
        limit = asyncio.Semaphore(PROFILE_CONCURRENCY)

        async def one(user_id: str) -> tuple[str, str | None]:
            async with limit:
                return user_id, await custom_field(self.client, user_id, field_id)

        people = [
            user["id"] for user in users if not user.get("is_bot") and not user.get("deleted")
        ]
        answers = await asyncio.gather(*(one(user_id) for user_id in people))
        return {user_id: value for user_id, value in answers if value}


def _entry(user: dict[str, Any], department: str | None) -> DirectoryEntry:
    profile = profile_from_user(user)
    return DirectoryEntry(
        account_id=profile.platform_user_id,
        display_name=profile.display_name,
        email=profile.email,
        job_title=profile.title,
        department=department,
        is_bot=profile.is_bot,
        is_deactivated=profile.is_deactivated,
        is_platform_admin=profile.is_platform_admin,
    )

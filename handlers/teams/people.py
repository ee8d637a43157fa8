"""Teams' directory: people named in activities, described by the Bot Connector.

Members are keyed by AAD object id, the one id that is the same in every conversation and in
the people picker. Mentions carry a conversation-scoped `29:` id instead, so those are looked
up through the Bot Connector's members endpoint, which also gives the current name.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from microsoft_teams.api import ApiClient

from bot.people.directory import MemberProfile
from bot.people.resolution import PersonRef as Person
from handlers.teams.turns import PersonRef

log = logging.getLogger(__name__)


def _known_id(person: PersonRef) -> str | None:
    """The AAD object id when the activity already gave it (a sender, a picker choice)."""
    if person.aad_object_id:
        return person.aad_object_id
    if not person.ref.startswith(("28:", "29:", "8:")):
        return person.ref  # the people picker sends AAD object ids
    return None


def teams_person(person: PersonRef) -> Person:
    """A person named in an activity, as the core names people."""
    return Person(
        ref=person.ref, platform_user_id=_known_id(person), name=person.name, is_bot=person.is_bot
    )


def sender_ref(person: PersonRef) -> PersonRef:
    """The sender as a PersonRef keyed the way members are (their AAD object id)."""
    return PersonRef(
        ref=person.aad_object_id or person.ref,
        name=person.name,
        aad_object_id=person.aad_object_id,
    )


class TeamsProfiles:
    """The core's ProfileLookup, answered by the Bot Connector's members endpoint in the
    conversations given (the one the activity came from first)."""

    def __init__(self, api: ApiClient, conversation_ids: Sequence[str]) -> None:
        self.api = api
        self.conversation_ids = list(conversation_ids)

    async def _ask(self, person: Person) -> MemberProfile | None:
        for conversation_id in self.conversation_ids:
            try:
                account = await self.api.conversations.get_member_by_id(conversation_id, person.ref)
            except Exception as error:
                log.info("Teams member %s not found in %s: %s", person.ref, conversation_id, error)
                continue
            return MemberProfile(
                platform_user_id=account.aad_object_id or person.platform_user_id or person.ref,
                display_name=account.name or person.name or person.ref,
                is_bot=person.is_bot,
            )
        return None

    async def profiles(self, people: Sequence[Person]) -> dict[str, MemberProfile]:
        answers = await asyncio.gather(*(self._ask(person) for person in people))
        return {
            person.ref: answer
            for person, answer in zip(people, answers, strict=True)
            if answer is not None
        }

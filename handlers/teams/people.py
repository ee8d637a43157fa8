"""Turning Teams people (mentions, picker choices, senders) into members.

Members are keyed by AAD object id, the one id that is the same in every conversation and in
the people picker. Mentions carry a conversation-scoped `29:` id instead, so those are looked
up through the Bot Connector's members endpoint, which also gives the current name.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from microsoft_teams.api import ApiClient

from bot.app.services import Services
from bot.people.directory import (
    MemberProfile,
    get_or_create_workspace,
    members_by_platform_id,
    save_profiles,
    stale_platform_ids,
)
from db.models import Member, Workspace
from handlers.teams.installs import TEAMS, base_conversation_id, installed_team_channels
from handlers.teams.turns import PersonRef

log = logging.getLogger(__name__)


async def workspace_for(services: Services, tenant_id: str) -> Workspace:
    def load() -> Workspace:
        with services.sessions() as session:
            return get_or_create_workspace(session, TEAMS, tenant_id, services.clock())

    return await asyncio.to_thread(load)


def _known_id(person: PersonRef) -> str | None:
    """The AAD object id when the activity already gave it (a sender, a picker choice)."""
    if person.aad_object_id:
        return person.aad_object_id
    if not person.ref.startswith(("28:", "29:", "8:")):
        return person.ref  # the people picker sends AAD object ids
    return None


async def lookup_conversations(
    services: Services, workspace_id: int, conversation_id: str
) -> list[str]:
    """Where to ask who someone is: this conversation, then the team channels Everyseat is in
    (a personal chat's member list holds only the person and the bot)."""

    def installed() -> list[str]:
        with services.sessions() as session:
            return [row.conversation_id for row in installed_team_channels(session, workspace_id)]

    here = base_conversation_id(conversation_id)
    return [here, *[cid for cid in await asyncio.to_thread(installed) if cid != here][:3]]


async def _ask_connector(
    api: ApiClient, conversation_ids: Sequence[str], person: PersonRef
) -> MemberProfile | None:
    for conversation_id in conversation_ids:
        try:
            account = await api.conversations.get_member_by_id(conversation_id, person.ref)
        except Exception as error:
            log.info("Teams member %s not found in %s: %s", person.ref, conversation_id, error)
            continue
        return MemberProfile(
            platform_user_id=account.aad_object_id or _known_id(person) or person.ref,
            display_name=account.name or person.name or person.ref,
            is_bot=person.is_bot,
        )
    return None


async def resolve_people(
    api: ApiClient,
    services: Services,
    workspace_id: int,
    conversation_ids: Sequence[str],
    people: Sequence[PersonRef],
) -> dict[str, Member]:
    """Members for `people`, keyed by each PersonRef's `ref`.

    Profiles cached within PROFILE_TTL are used as they are. A person the connector can't
    describe keeps their cached profile or is stored under the id and name the activity gave,
    so a hiccup at Teams never blocks a nomination.
    """
    people = list({person.ref: person for person in people}.values())
    now = services.clock()
    known_ids = {person.ref: _known_id(person) for person in people}

    def stale() -> set[str]:
        with services.sessions() as session:
            ids = [aad for aad in known_ids.values() if aad]
            known = members_by_platform_id(session, workspace_id, ids)
            return set(stale_platform_ids(known, ids, now))

    stale_ids = await asyncio.to_thread(stale)
    to_ask = [
        person
        for person in people
        if not person.is_bot
        and (known_ids[person.ref] is None or known_ids[person.ref] in stale_ids)
    ]
    answers = await asyncio.gather(
        *(_ask_connector(api, conversation_ids, person) for person in to_ask)
    )
    answered = {
        person.ref: answer
        for person, answer in zip(to_ask, answers, strict=True)
        if answer is not None
    }
    # Everyone Teams didn't describe: stored under the id and name the activity gave, unless
    # a cached profile exists (checked in store()).
    fallback: dict[str, MemberProfile] = {}
    for person in people:
        if person.ref in answered:
            continue
        platform_id = known_ids[person.ref] or person.ref
        fallback[person.ref] = MemberProfile(
            platform_user_id=platform_id,
            display_name=person.name or platform_id,
            is_bot=person.is_bot,
        )

    def store() -> dict[str, Member]:
        with services.sessions() as session:
            platform_ids = {
                person.ref: (answered.get(person.ref) or fallback[person.ref]).platform_user_id
                for person in people
            }
            cached = members_by_platform_id(session, workspace_id, platform_ids.values())
            to_save = [
                *answered.values(),
                *(p for p in fallback.values() if p.platform_user_id not in cached),
            ]
            if to_save:
                save_profiles(session, workspace_id, to_save, now)
            stored = members_by_platform_id(session, workspace_id, platform_ids.values())
            return {ref: stored[platform_id] for ref, platform_id in platform_ids.items()}

    return await asyncio.to_thread(store)


def sender_ref(person: PersonRef) -> PersonRef:
    """The sender as a PersonRef keyed the way members are (their AAD object id)."""
    return PersonRef(
        ref=person.aad_object_id or person.ref,
        name=person.name,
        aad_object_id=person.aad_object_id,
    )

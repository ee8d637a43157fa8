"""Turning people as a platform names them into members, written once for every platform.

An adapter reads each person from its payload into a `PersonRef` and hands over a
`ProfileLookup` that asks its platform (Slack's `users.info`, the Teams Bot Connector).
Cached profiles younger than PROFILE_TTL are used as they are; the platform is asked only
about the rest. A person the platform can't describe right now keeps their cached profile,
or is stored under the id and name the payload gave, so a hiccup at the platform never
blocks a nomination.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select

from bot.people.directory import (
    MemberProfile,
    get_or_create_workspace,
    members_by_platform_id,
    save_profiles,
    stale_platform_ids,
)
from bot.services import Services
from db.models import Member, Workspace


@dataclass(frozen=True)
class PersonRef:
    """Someone as a payload names them. `ref` is how the adapter refers to them (a Slack
    user id, a Teams `29:` id or AAD object id, a console name); `platform_user_id` is the
    stable id members are stored under, when the payload already gives it."""

    ref: str
    platform_user_id: str | None = None
    name: str | None = None
    is_bot: bool = False


class ProfileLookup(Protocol):
    """A platform's directory: what it can say about people right now."""

    async def profiles(self, people: Sequence[PersonRef]) -> dict[str, MemberProfile]:
        """Profiles keyed by `PersonRef.ref`; anyone the platform couldn't describe is left
        out (never raises for a person it doesn't know or a transient failure)."""
        ...


class NoLookup:
    """For adapters with no directory to ask (the console): people are who they say."""

    async def profiles(self, people: Sequence[PersonRef]) -> dict[str, MemberProfile]:
        return {}


def workspace_id_in(services: Services, platform: str, external_id: str) -> int:
    """The workspace row for (platform, external id), created on first sight."""
    with services.unit_of_work() as session:
        return get_or_create_workspace(session, platform, external_id, services.clock()).id


async def workspace_id_for(services: Services, platform: str, external_id: str) -> int:
    """`workspace_id_in`, from async code."""
    return await services.in_worker(workspace_id_in, services, platform, external_id)


def known_names(
    services: Services, platform: str, external_id: str, platform_user_ids: Sequence[str]
) -> dict[str, str]:
    """Display names already stored for these ids; reads only, creates nothing (used where
    nothing may be stored, such as a submission the information-governance guard refused)."""
    with services.unit_of_work() as session:
        rows = session.execute(
            select(Member.platform_user_id, Member.display_name)
            .join(Workspace, Workspace.id == Member.workspace_id)
            .where(
                Workspace.platform == platform,
                Workspace.external_id == external_id,
                Member.platform_user_id.in_(list(platform_user_ids)),
            )
        )
        return {user_id: name for user_id, name in rows}


async def resolve_people(
    services: Services, workspace_id: int, people: Sequence[PersonRef], lookup: ProfileLookup
) -> dict[str, Member]:
    """Members for `people`, keyed by each PersonRef's `ref` (created or refreshed)."""
    people = list({person.ref: person for person in people}.values())
    now = services.clock()
    stable_ids = [person.platform_user_id for person in people if person.platform_user_id]

    def cached() -> tuple[dict[str, Member], set[str]]:
        with services.unit_of_work() as session:
            known = members_by_platform_id(session, workspace_id, stable_ids)
            return known, set(stale_platform_ids(known, stable_ids, now))

    known, stale = await services.in_worker(cached)
    to_ask = [
        person
        for person in people
        if not person.is_bot
        and (person.platform_user_id is None or person.platform_user_id in stale)
    ]
    if not to_ask and all(person.platform_user_id in known for person in people):
        return {person.ref: known[person.platform_user_id or ""] for person in people}
    answered = await lookup.profiles(to_ask) if to_ask else {}

    def platform_id(person: PersonRef) -> str:
        answer = answered.get(person.ref)
        return answer.platform_user_id if answer else person.platform_user_id or person.ref

    def store() -> dict[str, Member]:
        with services.unit_of_work() as session:
            ids = {person.ref: platform_id(person) for person in people}
            already = members_by_platform_id(session, workspace_id, ids.values())
            fallbacks = [
                MemberProfile(
                    platform_user_id=ids[person.ref],
                    display_name=person.name or ids[person.ref],
                    is_bot=person.is_bot,
                )
                for person in people
                if person.ref not in answered and ids[person.ref] not in already
            ]
            to_save = [*answered.values(), *fallbacks]
            if to_save:
                save_profiles(session, workspace_id, to_save, now)
            stored = members_by_platform_id(session, workspace_id, ids.values())
            return {ref: stored[member_id] for ref, member_id in ids.items()}

    return await services.in_worker(store)

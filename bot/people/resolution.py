"""Turning people as a platform names them into members, written once for every platform.

An adapter reads each person from its payload into a `PersonRef` and hands over a
`ProfileLookup` that asks its platform (Slack's `users.info`, the Teams Bot Connector).
Cached profiles younger than PROFILE_TTL are used as they are; the platform is asked only
about the rest. A person the platform can't describe right now (a timeout, an outage) keeps
their cached profile, or is stored under the id and name the payload gave and marked for a
refresh on next use, so a hiccup at the platform never blocks a nomination. A person the
platform says isn't one of the workspace's people (unknown, of another workspace) is no
member: `vet_people` refuses them, and a bot or deactivated account, by name, without
inventing a member row.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from bot import messages
from bot.people.directory import (
    MemberProfile,
    MemberRow,
    get_or_create_workspace,
    member_rows_by_platform_id,
    members_by_platform_id,
    save_profiles,
    stale_platform_ids,
)
from bot.services import STORAGE_RESERVE_SECONDS, Services
from db.models import Member, Workspace

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PersonRef:
    """Someone as a payload names them. `ref` is how the adapter refers to them (a Slack
    user id, a Teams `29:` id or AAD object id, a console name); `platform_user_id` is the
    stable id members are stored under, when the payload already gives it."""

    ref: str
    platform_user_id: str | None = None
    name: str | None = None
    is_bot: bool = False


class Absence(StrEnum):
    """Why the platform says someone is not one of the workspace's people."""

    UNKNOWN = "unknown"  # no such user (never was, or gone for good)
    OTHER_WORKSPACE = "other_workspace"  # a guest from another organisation


@dataclass(frozen=True)
class NotInDirectory:
    """The platform's definite answer that a person isn't in this workspace."""

    reason: Absence
    name: str | None = None


Answer = MemberProfile | NotInDirectory


class ProfileLookup(Protocol):
    """A platform's directory: what it can say about people right now."""

    async def profiles(self, people: Sequence[PersonRef]) -> Mapping[str, Answer]:
        """Answers keyed by `PersonRef.ref`: a profile, or NotInDirectory when the platform
        says so. Anyone it couldn't describe right now is left out (never raises for a
        transient failure)."""
        ...


class NoLookup:
    """For adapters with no directory to ask (the console): people are who they say."""

    async def profiles(self, people: Sequence[PersonRef]) -> Mapping[str, Answer]:
        return {}


@dataclass(frozen=True)
class Resolution:
    """Members for the people resolved, and the vetted people refused, each with the
    message that says what to fix (no member row was made for them)."""

    members: dict[str, Member]
    refused: dict[str, str] = field(default_factory=dict)


def _refusal(person: PersonRef, answer: Answer | None, stored: Member | None) -> str | None:
    """Why a person who must be a colleague isn't one, or None when they may be."""
    name = person.name or person.platform_user_id or person.ref
    if isinstance(answer, NotInDirectory):
        if answer.reason is Absence.OTHER_WORKSPACE:
            return messages.NOMINEE_OTHER_WORKSPACE.format(name=answer.name or name)
        return messages.NOMINEE_UNKNOWN.format(user_id=person.platform_user_id or person.ref)
    if stored is not None:
        return None  # a known member: the nomination rules judge the refreshed profile
    if answer is not None:
        name = answer.display_name
    if person.is_bot or (answer is not None and answer.is_bot):
        return messages.BOT_NOMINEE.format(name=name)
    if answer is not None and answer.is_deactivated:
        return messages.DEACTIVATED_NOMINEE.format(name=name)
    return None


async def _ask_in_time(
    services: Services, lookup: ProfileLookup, people: Sequence[PersonRef]
) -> Mapping[str, Answer]:
    """The platform's answers about `people`, unless serving a request whose acknowledgement
    would then come too late to store anything: without answers, people are stored as the
    request named them and asked about again next time."""
    left = services.seconds_to_acknowledge()
    if left is None:
        return await lookup.profiles(people)
    try:
        return await asyncio.wait_for(
            lookup.profiles(people), max(left - STORAGE_RESERVE_SECONDS, 0.05)
        )
    except TimeoutError:
        log.warning("profiles of %d people not asked in time; stored as named", len(people))
        return {}


def workspace_id_in(services: Services, platform: str, external_id: str) -> int:
    """The workspace row for (platform, external id), created on first sight."""
    known = services.workspace_ids.get((platform, external_id))
    if known is not None:
        return known
    with services.unit_of_work() as session:
        return known_workspace_id(services, session, platform, external_id)


def known_workspace_id(
    services: Services, session: Session, platform: str, external_id: str
) -> int:
    """`workspace_id_in` within the caller's session: the id remembered in `services`, else
    the row's, created on first sight (which commits)."""
    key = (platform, external_id)
    known = services.workspace_ids.get(key)
    if known is None:
        workspace = get_or_create_workspace(session, platform, external_id, services.clock())
        known = services.workspace_ids[key] = workspace.id
    return known


async def workspace_id_for(services: Services, platform: str, external_id: str) -> int:
    """`workspace_id_in`, from async code (no worker needed once the id is known)."""
    known = services.workspace_ids.get((platform, external_id))
    if known is not None:
        return known
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
    return (await vet_people(services, workspace_id, people, lookup)).members


async def vet_people(
    services: Services,
    workspace_id: int,
    people: Sequence[PersonRef],
    lookup: ProfileLookup,
    *,
    vetted: Collection[str] = (),
) -> Resolution:
    """Members for `people`, keyed by `ref`; those whose `ref` is in `vetted` (nominees)
    must be real, active people of this workspace, and are refused otherwise."""
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
        return Resolution({person.ref: known[person.platform_user_id or ""] for person in people})
    answers = await _ask_in_time(services, lookup, to_ask) if to_ask else {}
    answered = {ref: a for ref, a in answers.items() if isinstance(a, MemberProfile)}
    refused = {
        person.ref: reason
        for person in people
        if person.ref in vetted
        and (
            reason := _refusal(
                person, answers.get(person.ref), known.get(person.platform_user_id or "")
            )
        )
    }
    people = [person for person in people if person.ref not in refused]

    def platform_id(person: PersonRef) -> str:
        answer = answered.get(person.ref)
        return answer.platform_user_id if answer else person.platform_user_id or person.ref

    def store() -> dict[str, Member]:
        with services.unit_of_work() as session:
            ids = {person.ref: platform_id(person) for person in people}
            already = members_by_platform_id(session, workspace_id, ids.values())
            # Stored as the payload named them until the platform can say more: left
            # unrefreshed, so the next use asks again.
            fallbacks = [
                MemberProfile(
                    platform_user_id=ids[person.ref],
                    display_name=person.name or ids[person.ref],
                    is_bot=person.is_bot,
                )
                for person in people
                if person.ref not in answered and ids[person.ref] not in already
            ]
            if fallbacks:
                save_profiles(session, workspace_id, fallbacks, now, refreshed=False)
            fresh = [answered[person.ref] for person in people if person.ref in answered]
            if fresh:
                save_profiles(session, workspace_id, fresh, now)
            stored = members_by_platform_id(session, workspace_id, ids.values())
            return {ref: stored[member_id] for ref, member_id in ids.items()}

    return Resolution(await services.in_worker(store), refused)


def cached_people(
    session: Session | Connection, workspace_id: int, people: Sequence[PersonRef], now: datetime
) -> dict[str, MemberRow] | None:
    """Members for `people` keyed by `ref` when every one is stored with a fresh profile, so
    nobody needs asking or vetting again (`vet_people` returns them as they are); None
    otherwise, and then `vet_people` asks the platform. Lets a use case read the people in
    the same transaction as its own work, as plain rows (no ORM objects to load)."""
    people = list({person.ref: person for person in people}.values())
    stable_ids = [person.platform_user_id for person in people if person.platform_user_id]
    known = member_rows_by_platform_id(session, workspace_id, stable_ids)
    stale = set(stale_platform_ids(known, stable_ids, now))
    for person in people:
        if person.platform_user_id is None or person.platform_user_id not in known:
            return None
        if not person.is_bot and person.platform_user_id in stale:
            return None
    return {person.ref: known[person.platform_user_id or ""] for person in people}

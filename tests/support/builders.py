"""Builders for rows tests need: workspaces, members and nominations."""

from __future__ import annotations

from collections.abc import Sequence

from bot.nominations.rules import NominationOutcome, NominationRequest, nominate
from bot.people.directory import MemberProfile, get_or_create_workspace, save_profiles
from bot.services import Services
from db.models import Member, Workspace

STORY = "Reorganised the porter rota so theatre lists never waited for a trolley."


def workspace(
    services: Services, external_id: str = "T0FAKE", platform: str = "slack"
) -> Workspace:
    with services.sessions() as session:
        return get_or_create_workspace(session, platform, external_id, services.clock())


def member(
    services: Services,
    workspace_id: int,
    user_id: str,
    name: str | None = None,
    *,
    title: str | None = None,
    department: str | None = None,
    is_bot: bool = False,
    is_deactivated: bool = False,
    email: str | None = None,
) -> Member:
    profile = MemberProfile(
        platform_user_id=user_id,
        display_name=name or user_id,
        title=title,
        department=department,
        is_bot=is_bot,
        is_deactivated=is_deactivated,
        email=email,
    )
    with services.sessions() as session:
        return save_profiles(session, workspace_id, [profile], services.clock())[user_id]


def nomination(
    services: Services,
    nominator: Member,
    nominees: Sequence[Member],
    *,
    story: str = STORY,
    behaviours: Sequence[str] = ("leading-from-every-seat",),
    visibility: str = "public",
) -> NominationOutcome:
    request = NominationRequest(
        workspace_id=nominator.workspace_id,
        nominator=nominator,
        nominees=list(nominees),
        behaviour_slugs=list(behaviours),
        story=story,
        visibility=visibility,
    )
    with services.sessions() as session:
        return nominate(
            session,
            request,
            catalogue=services.catalogue,
            rules=services.rules,
            clock=services.clock,
        )

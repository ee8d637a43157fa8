"""Who may see statistics and exports: configured admins and platform admins/owners."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import timedelta

import pytest

from bot import messages
from bot.app.composition import build_services
from bot.errors import NotAuthorisedError
from bot.people.admins import ADMIN_FLAG_TTL, is_admin, require_admin
from bot.people.directory import MemberProfile, members_by_platform_id
from bot.people.resolution import PersonRef
from bot.services import Services
from bot.settings import Settings
from db.migrate import upgrade_database
from tests.support import builders
from tests.support.clock import FakeClock


class PlatformDirectory:
    """A ProfileLookup that answers like users.info would, and counts the questions."""

    def __init__(self, **admins: bool) -> None:
        self.admins = admins
        self.asked: list[str] = []

    async def profiles(self, people: Sequence[PersonRef]) -> dict[str, MemberProfile]:
        answers = {}
        for person in people:
            self.asked.append(person.ref)
            if person.ref in self.admins:  # anyone else: the platform could not be asked
                answers[person.ref] = MemberProfile(
                    person.ref, person.ref, is_platform_admin=self.admins[person.ref]
                )
        return answers


def run_check(
    services: Services, workspace_id: int, user_id: str, platform: PlatformDirectory | None
) -> None:
    asyncio.run(require_admin(services, workspace_id, [user_id], platform, action="export"))


def test_configured_admin_is_allowed_without_asking_the_platform(
    make_settings: Callable[..., Settings], clock: FakeClock
) -> None:
    services = build_services(make_settings(EVERYSEAT_ADMINS="UHR, UOPS"), clock=clock)
    upgrade_database(services.engine)
    try:
        ws = builders.workspace(services)
        platform = PlatformDirectory()
        run_check(services, ws.id, "UOPS", platform)
        assert platform.asked == []
    finally:
        services.close()


def test_platform_owner_is_allowed_and_the_flag_is_cached_briefly(
    services: Services, clock: FakeClock
) -> None:
    ws = builders.workspace(services)
    platform = PlatformDirectory(UOWNER=True)
    run_check(services, ws.id, "UOWNER", platform)
    clock.advance(ADMIN_FLAG_TTL - timedelta(seconds=1))
    run_check(services, ws.id, "UOWNER", platform)
    assert platform.asked == ["UOWNER"]
    clock.advance(timedelta(seconds=2))
    run_check(services, ws.id, "UOWNER", platform)
    assert platform.asked == ["UOWNER", "UOWNER"]


def test_non_admin_is_refused_politely_and_the_attempt_logged(
    services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    ws = builders.workspace(services)
    with (
        caplog.at_level(logging.WARNING, logger="bot.people.admins"),
        pytest.raises(NotAuthorisedError) as refused,
    ):
        run_check(services, ws.id, "UNIA", PlatformDirectory(UNIA=False))
    assert refused.value.message == messages.NOT_AN_ADMIN
    assert "Refused admin action 'export' to UNIA" in caplog.text


def test_platform_outage_never_grants_access(services: Services) -> None:
    ws = builders.workspace(services)
    with pytest.raises(NotAuthorisedError):
        run_check(services, ws.id, "UUNKNOWN", PlatformDirectory())


def test_demoted_admin_loses_access_once_the_cache_expires(
    services: Services, clock: FakeClock
) -> None:
    ws = builders.workspace(services)
    platform = PlatformDirectory(UEX=True)
    run_check(services, ws.id, "UEX", platform)
    platform.admins["UEX"] = False
    clock.advance(ADMIN_FLAG_TTL + timedelta(minutes=1))
    with pytest.raises(NotAuthorisedError):
        run_check(services, ws.id, "UEX", platform)


def test_a_fresh_platform_profile_is_saved_on_the_member_row(
    services: Services, clock: FakeClock
) -> None:
    ws = builders.workspace(services)
    run_check(services, ws.id, "UOWNER", PlatformDirectory(UOWNER=True))
    with services.sessions() as session:
        owner = members_by_platform_id(session, ws.id, ["UOWNER"])["UOWNER"]
        assert owner.is_platform_admin
        assert owner.profile_refreshed_at == clock()


def test_any_configured_id_is_enough_and_no_lookup_means_no_platform_flag(
    make_settings: Callable[..., Settings], clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    """Teams names a sender by AAD object id and Teams user id, and has no admin flag."""
    services = build_services(make_settings(EVERYSEAT_ADMINS="29:sam"), clock=clock)
    upgrade_database(services.engine)
    try:
        ws = builders.workspace(services, "tenant-nhs", platform="teams")
        assert asyncio.run(is_admin(services, ws.id, ["aad-sam", "29:sam"], None))
        assert not asyncio.run(is_admin(services, ws.id, ["aad-ola", "29:ola"], None))
        builders.member(services, ws.id, "aad-ola", "Ola")
        with (
            caplog.at_level(logging.WARNING, logger="bot.people.admins"),
            pytest.raises(NotAuthorisedError),
        ):
            asyncio.run(require_admin(services, ws.id, ["aad-ola", "29:ola"], None, action="stats"))
        assert "Refused admin action 'stats' to aad-ola / 29:ola" in caplog.text
    finally:
        services.close()

"""Who may see statistics and exports: configured admins and platform admins/owners."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from bot import messages
from bot.app.composition import build_services
from bot.errors import NotAuthorisedError
from bot.people.admins import ADMIN_FLAG_TTL, check_admin
from bot.people.directory import MemberProfile
from bot.services import Services
from db.migrate import upgrade_database
from tests.support import builders
from tests.support.clock import FakeClock


class PlatformDirectory:
    """Answers profile look-ups like users.info would, and counts them."""

    def __init__(self, **admins: bool) -> None:
        self.admins = admins
        self.asked: list[str] = []

    def __call__(self, user_id: str) -> MemberProfile | None:
        self.asked.append(user_id)
        if user_id not in self.admins:
            return None  # the platform could not be asked
        return MemberProfile(user_id, user_id, is_platform_admin=self.admins[user_id])


def run_check(
    services: Services, workspace_id: int, user_id: str, platform: PlatformDirectory
) -> None:
    with services.sessions() as session:
        check_admin(
            session,
            services.settings,
            workspace_id,
            user_id,
            now=services.clock(),
            fetch_profile=platform,
            action="export",
        )


def test_configured_admin_is_allowed_without_asking_the_platform(make_settings, clock) -> None:
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

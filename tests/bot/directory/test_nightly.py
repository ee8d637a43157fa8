"""The nightly directory sync runs once a night, whichever replica asks first."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from bot.app.composition import build_services
from bot.directory.nightly import night_due, sync_if_due
from bot.directory.seats import DIRECTORY
from bot.directory.sync import DirectoryEntry
from bot.errors import DirectorySyncError
from bot.settings import Settings
from tests.support.clock import FakeClock


class CountingDirectory:
    platform = "teams"
    workspace_external_id = "tenant-1"
    kind = DIRECTORY

    def __init__(self, failures: int = 0) -> None:
        self.asked = 0
        self.failures = failures

    async def entries(self) -> Sequence[DirectoryEntry]:
        self.asked += 1
        if self.failures:
            self.failures -= 1
            raise DirectorySyncError("Graph said no")
        return [DirectoryEntry("aad-1", "Ana", email="ana@trust.nhs.uk", job_title="Porter")]


def test_the_sync_is_due_after_the_local_time_and_can_be_turned_off(make_settings) -> None:
    settings: Settings = make_settings(EVERYSEAT_DIRECTORY_SYNC_TIME="02:30")
    # 01:45 UTC on a summer night is 02:45 in London: due, keyed by the London date.
    assert night_due(settings, datetime(2026, 7, 1, 1, 45, tzinfo=UTC)) == "2026-07-01"
    assert night_due(settings, datetime(2026, 7, 1, 1, 15, tzinfo=UTC)) is None
    assert night_due(make_settings(EVERYSEAT_DIRECTORY_SYNC_TIME="off"), datetime.now(UTC)) is None


def test_two_replicas_asking_all_night_sync_once(make_settings, services) -> None:
    clock = FakeClock(datetime(2026, 11, 18, 2, 40, tzinfo=UTC))
    settings = make_settings()
    replicas = [build_services(settings, clock=clock) for _ in range(2)]
    source = CountingDirectory()
    try:

        async def night() -> list[object]:
            results = []
            for _ in range(6):  # every ten minutes, both replicas
                results += await asyncio.gather(*(sync_if_due(r, source) for r in replicas))
                clock.advance(timedelta(minutes=10))
            return results

        results = asyncio.run(night())
        assert source.asked == 1
        assert sum(result is not None for result in results) == 1

        clock.advance(timedelta(days=1))  # the next night syncs again
        asyncio.run(night())
        assert source.asked == 2
    finally:
        for replica in replicas:
            replica.close()


def test_a_failed_sync_is_tried_again_the_same_night(services) -> None:
    services.clock = FakeClock(datetime(2026, 11, 18, 3, 0, tzinfo=UTC))  # type: ignore[method-assign]
    source = CountingDirectory(failures=1)
    assert asyncio.run(sync_if_due(services, source)) is None
    report = asyncio.run(sync_if_due(services, source))
    assert report is not None and report.accounts == 1
    assert source.asked == 2

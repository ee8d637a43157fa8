"""The nightly directory sync: once a night per directory, however many replicas run.

Each replica's scheduler asks every few minutes; the first to claim tonight's sync for a
workspace (the same claim that keeps the digest to one post, bot/deliveries.py) runs it.
A failed sync is released as failed, so a later sweep the same night tries again.
"""

from __future__ import annotations

import logging
from datetime import datetime, time

from bot.deliveries import (
    DeliveryClaim,
    DeliveryKey,
    claim_delivery,
    mark_delivery_failed,
    mark_delivery_posted,
)
from bot.directory.sync import DirectorySource, SyncReport, sync_directory
from bot.errors import DirectorySyncError
from bot.people.directory import get_or_create_workspace
from bot.services import Services
from bot.settings import Settings

log = logging.getLogger(__name__)

SYNC_KIND = "directory-sync"
SYNC_CHANNEL = "directory"


def night_due(settings: Settings, now: datetime) -> str | None:
    """Tonight's key (the local date) once the local sync time has passed; None before it,
    or when the nightly sync is off."""
    if settings.EVERYSEAT_DIRECTORY_SYNC_TIME == "off":
        return None
    local = now.astimezone(settings.timezone)
    hours, minutes = (int(part) for part in settings.EVERYSEAT_DIRECTORY_SYNC_TIME.split(":"))
    if local.time() < time(hours, minutes):
        return None
    return local.date().isoformat()


async def sync_if_due(services: Services, source: DirectorySource) -> SyncReport | None:
    """Run tonight's sync of `source` if it is due and nobody has claimed it."""
    night = night_due(services.settings, services.clock())

    def claim() -> DeliveryClaim | None:
        with services.unit_of_work() as session:
            now = services.clock()
            workspace = get_or_create_workspace(
                session, source.platform, source.workspace_external_id, now
            )
            key = DeliveryKey(workspace.id, SYNC_CHANNEL, SYNC_KIND, str(night))
            return claim_delivery(session, key, now)

    if night is None:
        return None
    held = await services.in_worker(claim)
    if held is None:
        return None
    try:
        report = await sync_directory(services, source)
    except DirectorySyncError as error:
        log.error("nightly directory sync: %s", error)
        reason = str(error)

        def release() -> None:
            with services.unit_of_work() as session:
                mark_delivery_failed(session, held, reason)

        await services.in_worker(release)
        return None

    def done() -> None:
        with services.unit_of_work() as session:
            mark_delivery_posted(session, held, "synced", services.clock())

    await services.in_worker(done)
    log.info("nightly directory sync: %s", report.summary())
    return report

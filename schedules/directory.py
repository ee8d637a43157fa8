"""The nightly directory sync job. It asks every few minutes whether tonight's sync is due
(bot/directory/nightly.py decides, with the services' clock, and claims it once across
replicas); the sync itself is handed in, so nothing here knows Slack or Microsoft Graph."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.interval import IntervalTrigger

log = logging.getLogger(__name__)
CHECK_INTERVAL = timedelta(minutes=10)


def run_directory_sync(sync: Callable[[], None]) -> None:
    try:
        sync()
    except Exception:
        log.exception("nightly directory sync failed")


def register(
    scheduler: BaseScheduler, sync: Callable[[], None], *, interval: timedelta = CHECK_INTERVAL
) -> None:
    scheduler.add_job(
        run_directory_sync,
        IntervalTrigger(seconds=interval.total_seconds()),
        args=[sync],
        id="directory-sync",
        name="sync seats from the directories once a night",
    )

"""The nightly retention job: nominations older than EVERYSEAT_RETENTION_MONTHS are deleted
or anonymised (bot/nominations/retention.py), once per night however many replicas run it.

`register` is the only place the job id meets its callback.
"""

from __future__ import annotations

import logging
from datetime import time

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.audit import SCHEDULER
from bot.nominations.retention import run_nightly_retention
from bot.services import Services

log = logging.getLogger(__name__)

# A quiet hour, local time: after midnight, before the day shift.
NIGHTLY_AT = time(2, 30)
JOB_ID = "retention-nightly"


def apply_retention_tonight(services: Services) -> None:
    for outcome in run_nightly_retention(services, SCHEDULER):
        log.info("retention: %s", outcome.describe())


def register(scheduler: BaseScheduler, services: Services) -> None:
    scheduler.add_job(
        apply_retention_tonight,
        CronTrigger(
            hour=NIGHTLY_AT.hour, minute=NIGHTLY_AT.minute, timezone=services.settings.timezone
        ),
        args=[services],
        id=JOB_ID,
        name="retention: remove old nominations",
    )

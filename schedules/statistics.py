"""The nightly statistics job: builds the weekly rollups (bot/reporting/weekly_rollups.py)
missing from the past year, for every workspace, so the day's first `/recognition stats`
reads rollups instead of building them. Replicas may all run it: a week being built or
changed elsewhere is left alone, and a week built twice is built the same.

`register` is the only place the job id meets its callback.
"""

from __future__ import annotations

import logging
from datetime import time, timedelta

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import select

from bot.reporting.weekly_rollups import build_missing_weeks, whole_weeks
from bot.services import Services
from db.models import Workspace

log = logging.getLogger(__name__)

# A quiet hour, local time, after the retention job (02:30) has removed what it removes.
NIGHTLY_AT = time(3, 15)
JOB_ID = "statistics-rollups"
# The longest period admins usually ask for ("365d"), and its partial first week.
BUILT_BACK = timedelta(weeks=53)


def build_statistics_rollups(services: Services) -> int:
    """Build the missing rollups of every workspace's weeks over the past year; how many."""
    now = services.clock()
    with services.unit_of_work() as session:
        workspace_ids = list(session.scalars(select(Workspace.id).order_by(Workspace.id)))
    built = build_missing_weeks(
        services.engine, workspace_ids, whole_weeks(now - BUILT_BACK, now, now)
    )
    log.info("statistics: built the rollups of %d workspace-weeks", built)
    return built


def register(scheduler: BaseScheduler, services: Services) -> None:
    scheduler.add_job(
        build_statistics_rollups,
        CronTrigger(
            hour=NIGHTLY_AT.hour, minute=NIGHTLY_AT.minute, timezone=services.settings.timezone
        ),
        args=[services],
        id=JOB_ID,
        name="statistics: build weekly rollups",
    )

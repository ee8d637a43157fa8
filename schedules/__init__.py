"""Scheduled posts, run by APScheduler inside the server process.

Each process keeps its own in-memory job store: APScheduler's job stores must never be
shared between processes. What keeps replicas from posting twice is the delivery claim
in the database (bot/deliveries.py), so any number of processes may run a scheduler.
The platforms are handed in as weekly senders and outbox sweeps (bot/app/platforms.py
builds them); nothing here knows Slack or Teams.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from bot.services import Services
from bot.weekly.posting import WeeklyPoster, WeeklySender
from schedules import directory, outbox, retention, statistics, weekly
from schedules.outbox import OutboxSweep

log = logging.getLogger(__name__)


def build_scheduler(
    services: Services,
    *,
    weekly_senders: Sequence[WeeklySender] = (),
    outbox_sweeps: Sequence[OutboxSweep] = (),
    directory_sync: Callable[[], None] | None = None,
    sweep_interval: timedelta | None = None,
) -> BackgroundScheduler:
    """A scheduler with every job registered, not yet started: the weekly posts through
    `weekly_senders` (one per platform) and the recognition outbox through `outbox_sweeps`."""
    settings = services.settings
    scheduler = BackgroundScheduler(
        jobstores={"default": MemoryJobStore()},
        executors={"default": ThreadPoolExecutor(max_workers=2)},
        job_defaults={
            "coalesce": True,  # several missed runs make one
            "max_instances": 1,
            # APScheduler's default grace of one second would silently skip a week when
            # the process was busy or paused at the fire time.
            "misfire_grace_time": int(
                timedelta(hours=settings.EVERYSEAT_CATCH_UP_HOURS).total_seconds()
            )
            or None,
        },
        timezone=settings.timezone,
    )
    if outbox_sweeps:
        # With a test clock the outbox is swept as often as the weekly posts (every second).
        outbox.register(scheduler, outbox_sweeps, interval=sweep_interval or outbox.OUTBOX_INTERVAL)
    if directory_sync is not None:
        directory.register(
            scheduler, directory_sync, interval=sweep_interval or directory.CHECK_INTERVAL
        )
    if settings.EVERYSEAT_RETENTION_MONTHS is not None:
        retention.register(scheduler, services)
    statistics.register(scheduler, services)
    posters = [WeeklyPoster(services, sender) for sender in weekly_senders]
    if posters:
        weekly.register(
            scheduler, services, posters, sweep_interval=sweep_interval or weekly.SWEEP_INTERVAL
        )
    else:
        log.info("weekly posts are off: EVERYSEAT_DIGEST_CHANNEL is not set and Teams is off")
    return scheduler


def start_scheduler(
    services: Services,
    *,
    weekly_senders: Sequence[WeeklySender] = (),
    outbox_sweeps: Sequence[OutboxSweep] = (),
    directory_sync: Callable[[], None] | None = None,
    sweep_interval: timedelta | None = None,
) -> BackgroundScheduler | None:
    """Start the scheduled jobs in a background thread; None when neither Slack nor Teams
    is configured (nothing could be posted) and retention is off."""
    settings = services.settings
    retention_on = settings.EVERYSEAT_RETENTION_MONTHS is not None
    if not (settings.slack_configured or settings.teams_configured or retention_on):
        log.info("scheduled posts are off: neither Slack nor Teams is configured")
        return None
    scheduler = build_scheduler(
        services,
        weekly_senders=weekly_senders,
        outbox_sweeps=outbox_sweeps,
        directory_sync=directory_sync,
        sweep_interval=sweep_interval,
    )
    scheduler.start()
    for job in scheduler.get_jobs():
        log.info("scheduled %s: next run %s", job.name, job.next_run_time)
    return scheduler


def stop_scheduler(scheduler: BackgroundScheduler | None) -> None:
    """Stop taking new runs and wait for a post in progress to finish."""
    if scheduler is not None and scheduler.running:
        scheduler.shutdown(wait=True)

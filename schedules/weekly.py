"""The weekly jobs: the Monday spotlight, the mid-week prompt and the catch-up sweep.

`register` is the only place job ids meet their callbacks. The cron jobs post on time;
the sweep runs once at start and then every few minutes, posting anything due that was
missed while the bot was down, retrying failed posts and claims whose lease ran out.
"""

from __future__ import annotations

from datetime import timedelta

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.periods import PostKind, WeeklySchedule, schedule_for
from schedules.posting import SlackPoster

SWEEP_INTERVAL = timedelta(minutes=10)
CATCH_UP_JOB_ID = "catch-up-on-start"


def cron_trigger(schedule: WeeklySchedule) -> CronTrigger:
    """Fires at the schedule's local day and time; DST changes keep the local time."""
    return CronTrigger(
        day_of_week=schedule.day_name[:3],
        hour=schedule.at.hour,
        minute=schedule.at.minute,
        timezone=schedule.timezone,
    )


def sweep(poster: SlackPoster) -> None:
    for kind in PostKind:
        poster.post_if_due(kind)


def register(
    scheduler: BaseScheduler, poster: SlackPoster, *, sweep_interval: timedelta = SWEEP_INTERVAL
) -> None:
    settings = poster.services.settings
    for kind in PostKind:
        scheduler.add_job(
            poster.post_if_due,
            cron_trigger(schedule_for(settings, kind)),
            args=[kind],
            id=f"weekly-{kind}",
            name=f"weekly {kind}",
        )
    scheduler.add_job(
        sweep,
        IntervalTrigger(seconds=sweep_interval.total_seconds(), timezone=settings.timezone),
        args=[poster],
        id="retry-sweep",
        name="post anything due that was missed or failed",
    )
    # No trigger: runs once, as soon as the scheduler starts.
    scheduler.add_job(sweep, args=[poster], id=CATCH_UP_JOB_ID, name="catch up on start")

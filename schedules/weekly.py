"""The weekly jobs: the Monday spotlight, the mid-week prompt and the catch-up sweep.

`register` is the only place job ids meet their callbacks. The cron jobs post on time;
the sweep runs once at start and then every few minutes, posting anything due that was
missed while the bot was down, retrying failed posts and claims whose lease ran out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.services import Services
from bot.weekly.periods import PostKind, WeeklySchedule, schedule_for
from bot.weekly.posting import WeeklyPoster, post_all_due

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


def sweep(*posters: WeeklyPoster) -> None:
    for kind in PostKind:
        post_all_due(posters, kind)


def register(
    scheduler: BaseScheduler,
    services: Services,
    posters: Sequence[WeeklyPoster],
    *,
    sweep_interval: timedelta = SWEEP_INTERVAL,
) -> None:
    """The weekly jobs, each posting to every platform in `posters` (Slack, Teams)."""
    settings = services.settings
    posters = list(posters)
    for kind in PostKind:
        scheduler.add_job(
            post_all_due,
            cron_trigger(schedule_for(settings, kind)),
            args=[posters, kind],
            id=f"weekly-{kind}",
            name=f"weekly {kind}",
        )
    scheduler.add_job(
        sweep,
        IntervalTrigger(seconds=sweep_interval.total_seconds(), timezone=settings.timezone),
        args=posters,
        id="retry-sweep",
        name="post anything due that was missed or failed",
    )
    # No trigger: runs once, as soon as the scheduler starts.
    scheduler.add_job(sweep, args=posters, id=CATCH_UP_JOB_ID, name="catch up on start")

"""The nightly statistics job: at 03:15 local time it builds the weekly rollups missing from
the past year for every workspace, and the figures read from them are the figures."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.app.composition import build_services
from bot.reporting.periods import last_days
from bot.reporting.stats import recognition_stats
from bot.settings import Settings
from db.migrate import upgrade_database
from db.models import StatisticsWeek
from schedules import build_scheduler
from schedules.statistics import JOB_ID, build_statistics_rollups
from tests.support import builders
from tests.support.clock import FakeClock

LONDON = ZoneInfo("Europe/London")
# A Wednesday: the year before it holds 52 whole weeks that are over.
NOW = datetime(2026, 11, 18, 3, 15, tzinfo=UTC)


def test_the_job_runs_nightly_at_a_quarter_past_three_local(
    make_settings: Callable[..., Settings],
) -> None:
    services = build_services(make_settings())
    try:
        scheduler = build_scheduler(services)
        (job,) = [job for job in scheduler.get_jobs() if job.id == JOB_ID]
        fires = job.trigger.get_next_fire_time(None, datetime(2026, 11, 18, 12, tzinfo=LONDON))
        assert fires == datetime(2026, 11, 19, 3, 15, tzinfo=LONDON)
    finally:
        services.close()


def test_the_job_builds_each_missing_week_of_the_year_once(
    make_settings: Callable[..., Settings], clock: FakeClock
) -> None:
    services = build_services(make_settings(), clock=clock)
    upgrade_database(services.engine)
    try:
        slack = builders.workspace(services)
        builders.workspace(services, "tenant-1", platform="teams")
        ana = builders.member(services, slack.id, "UANA", "Ana")
        nia = builders.member(services, slack.id, "UNIA", "Nia")
        clock.set(NOW - timedelta(days=20))
        builders.nomination(services, ana, [nia])
        clock.set(NOW)
        period = last_days(365, NOW)
        with services.unit_of_work() as session:
            raw = recognition_stats(session, slack.id, period, services.catalogue)

        assert build_statistics_rollups(services) == 2 * 52  # both workspaces
        assert build_statistics_rollups(services) == 0  # nothing left to build

        with services.unit_of_work() as session:
            weeks = list(
                session.scalars(
                    select(StatisticsWeek).where(StatisticsWeek.workspace_id == slack.id)
                )
            )
            assert [week.nominations for week in weeks if week.nominations] == [1]
            assert recognition_stats(session, slack.id, period, services.catalogue) == raw
        assert raw.nominations == 1
    finally:
        services.close()

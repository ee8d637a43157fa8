"""The nightly retention job: registered only when retention is on, at 02:30 local time,
and it runs the claimed, audited retention (bot/nominations/retention.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.app.composition import build_services
from bot.audit import audit_entries
from bot.settings import Settings
from db.migrate import upgrade_database
from schedules import build_scheduler, start_scheduler, stop_scheduler
from schedules.retention import JOB_ID, apply_retention_tonight
from tests.support import builders
from tests.support.clock import FakeClock

LONDON = ZoneInfo("Europe/London")


def test_the_job_runs_nightly_at_half_past_two_local_only_when_retention_is_on(
    make_settings: Callable[..., Settings],
) -> None:
    off = build_services(make_settings())
    on = build_services(make_settings(EVERYSEAT_RETENTION_MONTHS="24"))
    try:
        assert JOB_ID not in {job.id for job in build_scheduler(off).get_jobs()}
        assert start_scheduler(off) is None  # no platform and no retention: nothing to run
        # No chat platform is needed: retention alone starts the scheduler.
        scheduler = start_scheduler(on)
        assert scheduler is not None
        try:
            (job,) = [job for job in scheduler.get_jobs() if job.id == JOB_ID]
            at = job.next_run_time.astimezone(LONDON)
            assert (at.hour, at.minute) == (2, 30)
        finally:
            stop_scheduler(scheduler)
    finally:
        off.close()
        on.close()


def test_the_job_applies_the_policy_and_records_it(
    make_settings: Callable[..., Settings], clock: FakeClock
) -> None:
    services = build_services(
        make_settings(EVERYSEAT_RETENTION_MONTHS="12", EVERYSEAT_RETENTION_MODE="anonymise"),
        clock=clock,
    )
    upgrade_database(services.engine)
    try:
        workspace = builders.workspace(services)
        ana = builders.member(services, workspace.id, "UANA", "Ana")
        nia = builders.member(services, workspace.id, "UNIA", "Nia")
        clock.set(datetime(2025, 1, 5, 9, tzinfo=UTC))
        builders.nomination(services, ana, [nia])
        clock.set(datetime(2026, 11, 18, 2, 30, tzinfo=UTC))

        apply_retention_tonight(services)
        apply_retention_tonight(services)

        with services.sessions() as session:
            (entry,) = audit_entries(session)
        assert (entry.actor, entry.action) == ("scheduler", "retention.applied")
        assert (entry.detail["mode"], entry.detail["nominations"]) == ("anonymise", 1)
    finally:
        services.close()

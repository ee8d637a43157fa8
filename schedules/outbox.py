"""The outbox sweep: recognition posts Slack or Teams refused are sent again, once, every
minute. Each platform's deliveries have their own kinds, so each sweep takes only its own."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.services import Services

log = logging.getLogger(__name__)
OUTBOX_INTERVAL = timedelta(minutes=1)


def send_slack_outbox(services: Services) -> int:
    from handlers.slack.client import build_async_client
    from handlers.slack.recognition import retry_outbox

    return asyncio.run(retry_outbox(build_async_client(services.settings), services))


def send_teams_outbox(services: Services) -> int:
    # Imported here: the Teams SDK is only loaded when Teams is configured.
    from handlers.teams.proactive import connector_api
    from handlers.teams.recognition import retry_outbox

    return asyncio.run(retry_outbox(connector_api(services.settings), services))


def send_outbox(services: Services) -> int:
    """One sweep per configured platform, from the scheduler's worker thread (it has no
    event loop of its own). One platform failing doesn't stop the other."""
    settings = services.settings
    sweeps = []
    if settings.slack_configured:
        sweeps.append(("Slack", send_slack_outbox))
    if settings.teams_configured:
        sweeps.append(("Teams", send_teams_outbox))
    total = 0
    for platform, sweep in sweeps:
        try:
            posted = sweep(services)
        except Exception:
            log.exception("outbox: the %s sweep failed", platform)
            continue
        if posted:
            log.info(
                "outbox: posted %d recognition message(s) %s had refused before", posted, platform
            )
        total += posted
    return total


def register(scheduler: BaseScheduler, services: Services) -> None:
    scheduler.add_job(
        send_outbox,
        IntervalTrigger(seconds=OUTBOX_INTERVAL.total_seconds()),
        args=[services],
        id="recognition-outbox",
        name="send recognition posts that failed",
    )

"""The outbox sweep: recognition posts Slack refused are sent again, once, every minute."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.services import Services
from handlers.slack.client import build_async_client
from handlers.slack.recognition import retry_outbox

log = logging.getLogger(__name__)
OUTBOX_INTERVAL = timedelta(minutes=1)


def send_outbox(services: Services) -> int:
    """One sweep, from the scheduler's worker thread (it has no event loop of its own)."""
    posted = asyncio.run(retry_outbox(build_async_client(services.settings), services))
    if posted:
        log.info("outbox: posted %d recognition message(s) Slack had refused before", posted)
    return posted


def register(scheduler: BaseScheduler, services: Services) -> None:
    scheduler.add_job(
        send_outbox,
        IntervalTrigger(seconds=OUTBOX_INTERVAL.total_seconds()),
        args=[services],
        id="recognition-outbox",
        name="send recognition posts that failed",
    )

"""The outbox sweep: recognition posts Slack or Teams refused are sent again, once, every
minute. Each platform's deliveries have their own kinds, so each sweep takes only its own.

The sweeps are handed in (bot/app/platforms.py builds them), so this module knows no platform.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import NamedTuple

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.interval import IntervalTrigger

log = logging.getLogger(__name__)
OUTBOX_INTERVAL = timedelta(minutes=1)


class OutboxSweep(NamedTuple):
    """One platform's sweep: its name for the logs, and a call that sends what it can of
    that platform's outbox and returns how many posts went out."""

    platform: str
    send: Callable[[], int]


def send_outbox(sweeps: Sequence[OutboxSweep]) -> int:
    """Every platform's sweep, from the scheduler's worker thread (it has no event loop of
    its own). One platform failing doesn't stop the other."""
    total = 0
    for platform, sweep in sweeps:
        try:
            posted = sweep()
        except Exception:
            log.exception("outbox: the %s sweep failed", platform)
            continue
        if posted:
            log.info(
                "outbox: posted %d recognition message(s) %s had refused before", posted, platform
            )
        total += posted
    return total


def register(
    scheduler: BaseScheduler, sweeps: Sequence[OutboxSweep], interval: timedelta = OUTBOX_INTERVAL
) -> None:
    scheduler.add_job(
        send_outbox,
        IntervalTrigger(seconds=interval.total_seconds()),
        args=[list(sweeps)],
        id="recognition-outbox",
        name="send recognition posts that failed",
    )

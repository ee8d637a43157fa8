"""Reporting periods: "the last 30 days" or a range of dates, as a half-open UTC interval.

Dates are read in the workspace's time zone, so "2026-11-01..2026-11-30" means from local
midnight on the 1st up to (not including) local midnight on 1 December.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot import messages
from bot.errors import InvalidPeriodError

DEFAULT_DAYS = 30
_DAYS = re.compile(r"^(\d{1,4})d$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


@dataclass(frozen=True)
class ReportingPeriod:
    """From `since` (inclusive) to `until` (exclusive), both aware UTC datetimes."""

    since: datetime
    until: datetime
    label: str

    @property
    def days(self) -> float:
        return (self.until - self.since) / timedelta(days=1)


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _parse_date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidPeriodError(messages.BAD_DATE.format(option=option, value=text)) from None


def last_days(days: int, now: datetime) -> ReportingPeriod:
    """The `days` days up to now."""
    return ReportingPeriod(
        now - timedelta(days=days),
        now,
        messages.PERIOD_LAST_DAYS.format(days=messages.count_of(days, "day", "days")),
    )


def between_dates(first: date, last: date, zone: ZoneInfo) -> ReportingPeriod:
    """Whole local days from `first` to `last`, both included."""
    if last < first:
        raise InvalidPeriodError(
            messages.PERIOD_BACKWARDS.format(since=first.isoformat(), until=last.isoformat())
        )
    return ReportingPeriod(
        _local_midnight(first, zone),
        _local_midnight(last + timedelta(days=1), zone),
        messages.PERIOD_DATES.format(since=first.isoformat(), until=last.isoformat()),
    )


def period_from_options(
    since: str | None, until: str | None, *, now: datetime, zone: ZoneInfo
) -> ReportingPeriod:
    """The period for `--since`/`--until` (dates, both optional; default the last 30 days)."""
    if since is None and until is None:
        return last_days(DEFAULT_DAYS, now)
    last = _parse_date(until, "--until") if until else now.astimezone(zone).date()
    first = _parse_date(since, "--since") if since else last - timedelta(days=DEFAULT_DAYS - 1)
    return between_dates(first, last, zone)


def parse_period(text: str, *, now: datetime, zone: ZoneInfo) -> ReportingPeriod:
    """A period as typed in chat: empty (30 days), "90d", or "2026-10-01..2026-10-31"."""
    text = text.strip().lower()
    if not text:
        return last_days(DEFAULT_DAYS, now)
    if days := _DAYS.match(text):
        count = int(days.group(1))
        if count < 1:
            raise InvalidPeriodError(messages.BAD_PERIOD.format(value=text))
        return last_days(count, now)
    if dates := _RANGE.match(text):
        return between_dates(
            _parse_date(dates.group(1), "the first date"),
            _parse_date(dates.group(2), "the second date"),
            zone,
        )
    raise InvalidPeriodError(messages.BAD_PERIOD.format(value=text))

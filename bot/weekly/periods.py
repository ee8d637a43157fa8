"""When weekly posts fall due: local-time weekly schedules and the periods they close.

A post's period ends at its scheduled time and starts at the previous one, in the
workspace's time zone, so 09:00 stays 09:00 across daylight-saving changes. The period's
key (the local date it is due) names it in the delivery table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.settings import WEEKDAYS, Settings

# Week numbers for quote rotation count from this Monday.
ROTATION_EPOCH = date(2024, 1, 1)


class PostKind(StrEnum):
    DIGEST = "digest"
    PROMPT = "prompt"


@dataclass(frozen=True)
class WeeklySchedule:
    """One post a week at a local day and time."""

    kind: PostKind
    weekday: int  # Monday is 0
    at: time
    timezone: ZoneInfo

    @property
    def day_name(self) -> str:
        return WEEKDAYS[self.weekday]

    def fire_on(self, day: date) -> datetime:
        """The UTC instant of `at` local time on `day`."""
        return datetime.combine(day, self.at, tzinfo=self.timezone).astimezone(UTC)

    def latest_fire_at_or_before(self, moment: datetime) -> datetime:
        local = moment.astimezone(self.timezone)
        day = local.date() - timedelta(days=(local.weekday() - self.weekday) % 7)
        fire = self.fire_on(day)
        return fire if fire <= moment else self.fire_on(day - timedelta(days=7))

    def next_fire_after(self, moment: datetime) -> datetime:
        latest = self.latest_fire_at_or_before(moment)
        return self.fire_on(latest.astimezone(self.timezone).date() + timedelta(days=7))

    def period_due_at(self, fire: datetime) -> Period:
        """The period that closes at the scheduled instant `fire`."""
        day = fire.astimezone(self.timezone).date()
        return Period(
            kind=self.kind,
            key=day.isoformat(),
            starts_at=self.fire_on(day - timedelta(days=7)),
            due_at=fire,
            rotation_slot=2 * ((day - ROTATION_EPOCH).days // 7)
            + (0 if self.kind is PostKind.DIGEST else 1),
        )


@dataclass(frozen=True)
class Period:
    """The week a post covers: [starts_at, due_at), named by its local due date."""

    kind: PostKind
    key: str
    starts_at: datetime
    due_at: datetime
    # Digest and prompt of one week get different slots, so they show different quotes.
    rotation_slot: int


def schedule_for(settings: Settings, kind: PostKind) -> WeeklySchedule:
    day, at = (
        (settings.EVERYSEAT_DIGEST_DAY, settings.EVERYSEAT_DIGEST_TIME)
        if kind is PostKind.DIGEST
        else (settings.EVERYSEAT_PROMPT_DAY, settings.EVERYSEAT_PROMPT_TIME)
    )
    return WeeklySchedule(kind, WEEKDAYS.index(day), time.fromisoformat(at), settings.timezone)


def due_period(schedule: WeeklySchedule, now: datetime, catch_up: timedelta) -> Period | None:
    """The period whose post is due now: scheduled at most `catch_up` ago, else None."""
    latest = schedule.latest_fire_at_or_before(now)
    return schedule.period_due_at(latest) if now - latest <= catch_up else None


def next_period(schedule: WeeklySchedule, now: datetime) -> Period:
    """The period whose post is still to come: the week so far."""
    return schedule.period_due_at(schedule.next_fire_after(now))


def current_period(schedule: WeeklySchedule, now: datetime, catch_up: timedelta) -> Period:
    """What a manual post means by "this week's": the one due now, if any, otherwise the
    next one (sent early, covering the week so far)."""
    return due_period(schedule, now, catch_up) or next_period(schedule, now)

"""Weekly schedules in local time: due dates, period windows and daylight-saving changes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.settings import ConfigError, Settings
from bot.weekly.periods import PostKind, WeeklySchedule, current_period, due_period, schedule_for

LONDON = ZoneInfo("Europe/London")
DIGEST = WeeklySchedule(PostKind.DIGEST, 0, time(9, 0), LONDON)
CATCH_UP = timedelta(hours=72)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        # October: BST (UTC+1) before the change on Sunday 25 Oct 2026, GMT after.
        (utc(2026, 10, 17), utc(2026, 10, 19, 8, 0)),
        (utc(2026, 10, 20), utc(2026, 10, 26, 9, 0)),
        # March: GMT before the change on Sunday 28 Mar 2027, BST after.
        (utc(2027, 3, 20), utc(2027, 3, 22, 9, 0)),
        (utc(2027, 3, 23), utc(2027, 3, 29, 8, 0)),
    ],
)
def test_fires_at_nine_local_on_both_sides_of_the_clock_changes(
    after: datetime, expected: datetime
) -> None:
    fire = DIGEST.next_fire_after(after)
    assert fire == expected
    assert fire.astimezone(LONDON).hour == 9


def test_a_period_spans_the_week_to_its_due_time_and_is_named_by_its_local_date() -> None:
    period = DIGEST.period_due_at(utc(2026, 10, 26, 9, 0))
    assert period.key == "2026-10-26"
    assert period.starts_at == utc(2026, 10, 19, 8, 0)  # 09:00 BST: the week had 169 hours
    assert period.kind is PostKind.DIGEST


def test_due_period_only_within_the_catch_up_window() -> None:
    monday_nine = utc(2026, 11, 23, 9, 0)
    # Last week's was scheduled a week ago: too long to catch up.
    assert due_period(DIGEST, monday_nine - timedelta(seconds=1), CATCH_UP) is None
    due = due_period(DIGEST, monday_nine, CATCH_UP)
    assert due is not None and due.key == "2026-11-23"
    late = due_period(DIGEST, monday_nine + CATCH_UP, CATCH_UP)
    assert late is not None and late.key == "2026-11-23"
    assert due_period(DIGEST, monday_nine + CATCH_UP + timedelta(seconds=1), CATCH_UP) is None


def test_current_period_is_the_due_one_else_the_next() -> None:
    saturday = utc(2026, 11, 21, 22, 0)
    assert current_period(DIGEST, saturday, CATCH_UP).key == "2026-11-23"
    tuesday = utc(2026, 11, 24, 10, 0)
    assert current_period(DIGEST, tuesday, CATCH_UP).key == "2026-11-23"


def test_digest_and_prompt_of_one_week_use_different_rotation_slots(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings()
    digest = schedule_for(settings, PostKind.DIGEST)
    prompt = schedule_for(settings, PostKind.PROMPT)
    assert (digest.day_name, digest.at, prompt.day_name, prompt.at) == (
        "monday",
        time(9, 0),
        "wednesday",
        time(12, 0),
    )
    now = utc(2026, 11, 21)
    slots = {
        digest.period_due_at(digest.next_fire_after(now)).rotation_slot,
        prompt.period_due_at(prompt.next_fire_after(now)).rotation_slot,
    }
    assert len(slots) == 2


def test_schedule_settings_accept_short_days_and_explain_mistakes(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings(EVERYSEAT_DIGEST_DAY="Fri", EVERYSEAT_DIGEST_TIME="7:30")
    assert (settings.EVERYSEAT_DIGEST_DAY, settings.EVERYSEAT_DIGEST_TIME) == ("friday", "07:30")
    with pytest.raises(ConfigError) as error:
        make_settings(EVERYSEAT_PROMPT_DAY="funday", EVERYSEAT_PROMPT_TIME="25:00")
    assert str(error.value).splitlines() == [
        "Configuration error: EVERYSEAT_PROMPT_DAY is not a day of the week (got 'funday'): "
        "use a day of the week such as wednesday (or wed).",
        "Configuration error: EVERYSEAT_PROMPT_TIME is not a time of day (HH:MM) (got '25:00'): "
        "use a 24-hour local time such as 12:00.",
    ]

"""The console adapter driven through standard input, as `everyseat shell` is."""

from __future__ import annotations

import io
from datetime import timedelta

from bot import messages
from bot.services import Services
from handlers.console import CONSOLE_PLATFORM, CONSOLE_WORKSPACE, run_console
from tests.support import builders
from tests.support.clock import FakeClock
from tests.support.seniority import (
    LARGE_BAND_LINE,
    LARGE_GROUP_LINE,
    NO_BAND,
    QUIET_BAND,
    QUIET_GROUP,
    SMALL_GROUP,
    build_seniority_ward,
    hidden_line,
)

NOMINATION = (
    "/nominate @nia Led the handover huddle when the ward was short #leading-from-every-seat"
)


def drive(services: Services, *lines: str, user: str = "me") -> str:
    out = io.StringIO()
    assert run_console(services, io.StringIO("\n".join(lines) + "\n"), out, user=user) == 0
    return out.getvalue()


def test_nominate_then_list(services: Services) -> None:
    shown = drive(services, NOMINATION, "/recent")
    assert shown.count("#1 @me recognised @nia for Leading from every seat") == 2
    assert "“Led the handover huddle when the ward was short”" in shown


def test_errors_say_what_to_fix_and_echo_the_input(services: Services) -> None:
    shown = drive(services, "/nominate @me I organised everything myself today", "/recent")
    assert messages.SELF_NOMINATION in shown
    assert "You typed: @me I organised everything myself today" in shown
    assert messages.CONSOLE_NO_NOMINATIONS in shown


def test_acting_as_someone_else_and_unknown_commands(services: Services) -> None:
    shown = drive(
        services, "/as nia", "/nominate @me Covered my shift without being asked twice", "/frob"
    )
    assert "#1 @nia recognised @me" in shown
    assert messages.CONSOLE_UNKNOWN_COMMAND.format(command="/frob") in shown


def test_stats_prints_the_summary_for_a_period(services: Services, clock: FakeClock) -> None:
    drive(
        services,
        "/nominate @nia Led the handover huddle when the ward was short #speaking-up",
        "/nominate @nia @sam Reorganised the rota so nobody worked a double shift",
    )
    clock.advance(timedelta(minutes=1))  # "the last 30 days" ends now, exclusive
    shown = drive(services, "/help", "/stats", "/stats 2026-10-01..2026-10-31", "/stats soon")
    assert "no admin check: you are the local operator" in shown
    # Small counts are hidden in chat and the console alike (EVERYSEAT_MIN_CELL, 5).
    assert (
        "Recognition, the last 30 days\n<5 nominations from <5 people recognised <5 people"
    ) in shown
    assert "Coverage: <5 of <5 active members were recognised at least once." in shown
    assert "Spread: Gini 0.17" in shown
    assert (
        "By behaviour:\n  • Leading from every seat: figures hidden (fewer than 5 people or "
        "recognitions)\n"
    ) in shown
    assert "Recognition, 2026-10-01 to 2026-10-31\n0 nominations" in shown
    assert messages.STATS_SPREAD_NONE in shown
    assert messages.BAD_PERIOD.format(value="soon") in shown


def test_a_story_too_long_is_echoed_back_in_full(services: Services) -> None:
    story = "Kept calm and carried the shift. " * 300  # about 10,000 characters
    shown = drive(services, f"/nominate @nia {story.strip()}", "/recent")
    assert messages.STORY_TOO_LONG.split("{")[0] in shown
    assert f"You typed: @nia {story.strip()}" in shown
    assert messages.CONSOLE_NO_NOMINATIONS in shown


def test_a_story_of_zero_width_characters_is_refused(services: Services) -> None:
    shown = drive(services, "/nominate @nia " + "\u200b" * 30, "/recent")
    assert messages.STORY_INVISIBLE in shown
    assert messages.CONSOLE_NO_NOMINATIONS in shown


def test_stats_shows_staff_groups_and_pay_bands_with_small_ones_hidden(
    services: Services, clock: FakeClock
) -> None:
    workspace = builders.workspace(services, CONSOLE_WORKSPACE, CONSOLE_PLATFORM)
    build_seniority_ward(services, workspace.id)
    clock.advance(timedelta(minutes=1))
    shown = drive(services, "/stats")
    assert f"{messages.STATS_BY_DEPARTMENT}:\n  • Ward 7: " in shown
    assert (
        f"{messages.STATS_BY_STAFF_GROUP}:\n  • {hidden_line(QUIET_GROUP)}\n"
        f"  • {LARGE_GROUP_LINE}\n  • {hidden_line(SMALL_GROUP)}\n"
    ) in shown
    assert (
        f"{messages.STATS_BY_PAY_BAND}:\n  • {hidden_line(QUIET_BAND)}\n"
        f"  • {LARGE_BAND_LINE}\n  • {hidden_line(NO_BAND)}\n"
    ) in shown

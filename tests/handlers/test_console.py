"""The console adapter driven through standard input, as `everyseat shell` is."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from bot import messages
from bot.services import Services
from handlers.console import run_console
from tests.support.clock import FakeClock
from tests.support.processes import serve_environment

REPO = Path(__file__).resolve().parents[2]
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


def run_everyseat(tmp_path: Path, verb: str, stdin: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot VERB` with no platform credentials and a fresh SQLite file."""
    return subprocess.run(
        [sys.executable, "-m", "bot", verb],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=serve_environment(DATABASE_URL=f"sqlite:///{tmp_path / 'console.db'}"),
        timeout=60,
        check=True,
    )


@pytest.mark.scenario
def test_everyseat_shell_reads_piped_stdin(tmp_path: Path) -> None:
    result = run_everyseat(tmp_path, "shell", f"{NOMINATION}\n/recent\n")
    assert "#1 @me recognised @nia for Leading from every seat" in result.stdout


@pytest.mark.scenario
def test_make_run_without_credentials_explains_and_opens_the_console(tmp_path: Path) -> None:
    result = run_everyseat(tmp_path, "run", f"{NOMINATION}\n")
    assert "missing: SLACK_BOT_TOKEN" in result.stderr
    assert "manifest.yml" in result.stderr
    assert "#1 @me recognised @nia" in result.stdout


def test_stats_prints_the_summary_for_a_period(services: Services, clock: FakeClock) -> None:
    drive(
        services,
        "/nominate @nia Led the handover huddle when the ward was short #speaking-up",
        "/nominate @nia @sam Reorganised the rota so nobody worked a double shift",
    )
    clock.advance(timedelta(minutes=1))  # "the last 30 days" ends now, exclusive
    shown = drive(services, "/help", "/stats", "/stats 2026-10-01..2026-10-31", "/stats soon")
    assert "no admin check: you are the local operator" in shown
    assert "Recognition, the last 30 days\n2 nominations from 1 people recognised 2 people" in shown
    assert "Coverage: 67% of 3 active members were recognised at least once." in shown
    assert "top 10% of recipients (1 people) received 67% of recognitions; Gini 0.17" in shown
    assert "By behaviour:\n  • Leading from every seat: 1 nominations, 2 people\n" in shown
    assert "Recognition, 2026-10-01 to 2026-10-31\n0 nominations" in shown
    assert messages.STATS_SPREAD_NONE in shown
    assert messages.BAD_PERIOD.format(value="soon") in shown

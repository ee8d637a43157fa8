"""The console adapter driven through standard input, as `everyseat shell` is."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from bot import messages
from bot.services import Services
from handlers.console import run_console

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


def test_everyseat_shell_reads_piped_stdin(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "EVERYSEAT_"))}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'console.db'}"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "shell"],
        input=f"{NOMINATION}\n/recent\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
        check=True,
    )
    assert "#1 @me recognised @nia for Leading from every seat" in result.stdout


def test_make_run_without_credentials_explains_and_opens_the_console(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "EVERYSEAT_"))}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'console.db'}"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        input=f"{NOMINATION}\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
        check=True,
    )
    assert "missing: SLACK_BOT_TOKEN" in result.stderr
    assert "manifest.yml" in result.stderr
    assert "#1 @me recognised @nia" in result.stdout

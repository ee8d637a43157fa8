"""`everyseat shell` and `everyseat run` as child processes, driven through standard input."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from tests.handlers.test_console import NOMINATION
from tests.support.processes import serve_environment

NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)


def run_everyseat(tmp_path: Path, verb: str, stdin: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot VERB` with no platform credentials and a fresh SQLite file, at a fixed
    instant (`--clock-file`): Wednesday 18 November 2026, 10:00 UTC."""
    clock_file = tmp_path / "now.txt"
    clock_file.write_text(NOW.isoformat(), encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "bot", verb, "--clock-file", str(clock_file)],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=serve_environment(DATABASE_URL=f"sqlite:///{tmp_path / 'console.db'}"),
        timeout=60,
        check=True,
    )


def test_everyseat_shell_reads_piped_stdin(tmp_path: Path) -> None:
    result = run_everyseat(tmp_path, "shell", f"{NOMINATION}\n/recent\n")
    assert "#1 @me recognised @nia for Leading from every seat" in result.stdout


def test_make_run_without_credentials_explains_and_opens_the_console(tmp_path: Path) -> None:
    result = run_everyseat(tmp_path, "run", f"{NOMINATION}\n")
    assert "missing: SLACK_BOT_TOKEN" in result.stderr
    assert "manifest.yml" in result.stderr
    assert "#1 @me recognised @nia" in result.stdout

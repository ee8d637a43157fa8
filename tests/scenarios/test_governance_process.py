"""The guard, the audit trail and retention through `everyseat` child processes: a trust's
patterns file from the environment, a broken one refused at start-up, and a console that
refuses a patient identifier and keeps the text."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot import messages
from tests.support.processes import serve_environment

NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
TRUST_FILE = """
[[identifier]]
name = "local hospital number"
pattern = '\\bRTH\\d{7}\\b'
examples = ["RTH1234567"]
"""


def everyseat(
    tmp_path: Path, *argv: str, stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    clock_file = tmp_path / "now.txt"
    clock_file.write_text(NOW.isoformat(), encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "bot", *argv, "--clock-file", str(clock_file)],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=serve_environment(DATABASE_URL=f"sqlite:///{tmp_path / 'console.db'}", **env),
        timeout=60,
        check=False,
    )


def test_the_console_refuses_identifiers_from_the_trust_file_and_nhs_numbers(
    tmp_path: Path,
) -> None:
    (tmp_path / "trust.toml").write_text(TRUST_FILE, encoding="utf-8")
    typed = (
        "/nominate @nia Found notes for RTH7654321 on the printer and shredded them #speaking-up"
    )
    nhs = "/nominate @nia Covered 943 476 5919 on the screen before visiting time #speaking-up"
    clean = "/nominate @nia Covered an open screen before visiting time #speaking-up"

    result = everyseat(
        tmp_path,
        "shell",
        stdin=f"{typed}\n{nhs}\n{clean}\n/recent\n",
        EVERYSEAT_PATIENT_IDENTIFIERS_FILE=str(tmp_path / "trust.toml"),
    )

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    local = messages.PATIENT_IDENTIFIER_REFUSED.format(
        findings="a local hospital number (RTH*******)"
    )
    assert lines[lines.index(local) + 2] == typed
    nhs_refusal = messages.PATIENT_IDENTIFIER_REFUSED.format(
        findings="an NHS number (943 *** ****)"
    )
    assert lines[lines.index(nhs_refusal) + 2] == nhs
    assert result.stdout.count("recognised @nia") == 2  # the clean one, then /recent
    assert "RTH7654321" not in (tmp_path / "console.db").read_bytes().decode("latin-1")


def test_a_broken_trust_file_stops_start_up_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "trust.toml").write_text(TRUST_FILE.replace("RTH1234567", "RTH12"), "utf-8")

    result = everyseat(
        tmp_path,
        "shell",
        EVERYSEAT_PATIENT_IDENTIFIERS_FILE=str(tmp_path / "trust.toml"),
    )

    assert result.returncode == 2
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith("Configuration error: EVERYSEAT_PATIENT_IDENTIFIERS_FILE")
    )
    assert "does not find its example 'RTH12'" in result.stderr


def test_retention_and_the_audit_trail_from_the_command_line(tmp_path: Path) -> None:
    everyseat(
        tmp_path, "shell", stdin="/nominate @nia Covered an open screen in clinic #speaking-up\n"
    )
    later = {"EVERYSEAT_RETENTION_MONTHS": "1", "EVERYSEAT_ADMINS": "U1"}
    # A month on, the nomination is due.
    (tmp_path / "later.txt").write_text("2026-12-19T03:00:00+00:00", encoding="utf-8")
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "retention",
            "run",
            "--clock-file",
            str(tmp_path / "later.txt"),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=serve_environment(DATABASE_URL=f"sqlite:///{tmp_path / 'console.db'}", **later),
        timeout=60,
        check=True,
    )
    assert run.stdout.strip() == (
        "local: 1 nomination from before 2026-11-19 deleted (1 nominee link, 0 endorsements, "
        "0 deliveries removed)."
    )

    shown = everyseat(tmp_path, "audit", "show", **later)

    assert shown.stdout.splitlines()[1:] == [
        "2026-12-19 03:00 UTC · retention.applied by cli (cli) · workspace local · cutoff "
        "2026-11-19T00:00:00+00:00, deliveries 0, endorsements 0, mode delete, months 1, "
        "nominations 1, nominee_links 1",
        "2026-12-19 03:00 UTC · admins.changed by EVERYSEAT_ADMINS (settings) · added U1, "
        "admins U1, removed ",
    ]

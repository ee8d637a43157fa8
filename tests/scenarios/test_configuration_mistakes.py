"""Configuration mistakes, made the way an admin would: each gets one clear line on standard
error and a non-zero exit from the real `everyseat` process, never a traceback."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.support.databases import postgres_admin_url, postgres_unreachable_reason
from tests.support.processes import serve_environment


def everyseat(workdir: Path, *args: str, **variables: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=workdir,
        env=serve_environment(LOG_LEVEL="WARNING", **variables),
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def one_clear_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_admins_separated_by_semicolons_are_refused(tmp_path: Path) -> None:
    line = one_clear_line(everyseat(tmp_path, "db", "upgrade", EVERYSEAT_ADMINS="U012ABC;U034DEF"))
    assert line.startswith("Configuration error: EVERYSEAT_ADMINS")
    assert "separated by commas" in line


def test_a_database_file_in_a_missing_folder(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'no' / 'such' / 'folder' / 'everyseat.db'}"
    line = one_clear_line(everyseat(tmp_path, "db", "upgrade", DATABASE_URL=url))
    assert line.startswith("Database error: can't use DATABASE_URL")
    assert "folder exists" in line


def test_a_database_url_for_a_driver_not_installed(tmp_path: Path) -> None:
    line = one_clear_line(everyseat(tmp_path, "db", "upgrade", DATABASE_URL="mysql://u@h/db"))
    assert "needs a database driver that isn't installed" in line


@pytest.mark.parametrize(
    "args",
    [
        ["export", "--format", "csv", "--out", "{missing}/report.csv"],
        ["export", "--format", "xlsx", "--out", "{folder}"],
        ["member", "export", "U012ABC", "--out", "{missing}/me.json"],
    ],
    ids=["export-into-a-missing-folder", "export-onto-a-folder", "member-export"],
)
def test_out_to_a_path_that_cannot_be_written(tmp_path: Path, args: list[str]) -> None:
    filled = [a.format(missing=tmp_path / "absent", folder=tmp_path) for a in args]
    line = one_clear_line(everyseat(tmp_path, *filled))
    assert line.startswith("Can't write to ")
    assert "--out" in line


@pytest.mark.skipif(postgres_unreachable_reason() is not None, reason="needs PostgreSQL")
@pytest.mark.parametrize("scheme", ["postgres://", "postgresql://"])
def test_bare_postgres_urls_use_the_installed_driver(
    tmp_path: Path, postgres_url: str, scheme: str
) -> None:
    url = scheme + postgres_url.split("://", 1)[1]
    result = everyseat(tmp_path, "db", "upgrade", DATABASE_URL=url)
    assert result.returncode == 0, result.stderr
    assert "Database is at revision" in result.stdout


@pytest.mark.skipif(postgres_unreachable_reason() is not None, reason="needs PostgreSQL")
def test_a_missing_postgres_database(tmp_path: Path) -> None:
    admin = postgres_admin_url() or ""
    missing = f"everyseat_missing_{uuid.uuid4().hex[:8]}"
    url = admin.rsplit("/", 1)[0] + f"/{missing}"
    line = one_clear_line(everyseat(tmp_path, "db", "upgrade", DATABASE_URL=url))
    assert line.startswith("Database error: can't use DATABASE_URL")
    assert f'database "{missing}" does not exist' in line
    assert f"createdb {missing}" in line

"""The audit trail from the command line: what each admin action writes, `everyseat audit
export|show`, the admin list compared at start-up, and an erasure that leaves no trace of
who was erased."""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import messages
from bot.app.cli import main
from bot.audit import AuditEntry, audit_entries
from bot.services import Services
from tests.support.clock import FakeClock
from tests.support.datasets import Dataset, build_dataset
from tests.support.stored import every_stored_value

PERIOD = ["--workspace", "T0FAKE", "--since", "2026-10-19", "--until", "2026-11-18"]


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def dataset(services: Services, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> Dataset:
    monkeypatch.setenv("DATABASE_URL", services.settings.DATABASE_URL)
    monkeypatch.chdir(Path(__file__).parent)  # no stray .env is read
    return build_dataset(services, clock)


def entries(services: Services) -> list[AuditEntry]:
    with services.sessions() as session:
        return list(audit_entries(session))


def test_each_export_is_recorded_with_its_options(
    clock: FakeClock, dataset: Dataset, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.csv"
    assert main(["export", "--format", "csv", "--out", str(out), *PERIOD], clock=clock) == 0
    # The row-level people report is refused under --min-cell (nothing exported, nothing
    # recorded); the summary is suppressed and recorded with its options.
    refused = ["export", "--format", "json", "--report", "people", "--min-cell", "5", *PERIOD]
    assert main(refused, clock=clock) != 0
    main(
        ["export", "--format", "json", "--report", "summary", "--min-cell", "5", *PERIOD],
        clock=clock,
    )
    assert main(["member", "export", "UNIA"], clock=clock) == 0

    access, summary, nominations = entries(dataset.services)
    assert (nominations.actor, nominations.platform, nominations.action) == ("cli", "cli", "export")
    assert nominations.subject == "nominations"
    assert nominations.detail["format"] == "csv" and nominations.detail["rows"] == 8
    assert nominations.detail["to"] == "file"
    assert nominations.detail["since"] == "2026-10-18T23:00:00+00:00"  # midnight in London (BST)
    assert (summary.subject, summary.detail["min_cell"], summary.detail["to"]) == (
        "summary",
        5,
        "stdout",
    )
    assert (access.subject, access.detail) == (
        "subject access",
        {"format": "json", "workspaces": 1},
    )
    assert "UNIA" not in json.dumps([access.subject, dict(access.detail)])


def test_an_erasure_is_recorded_with_counts_and_nothing_about_the_person(
    clock: FakeClock, dataset: Dataset, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["member", "forget", "USAM", "--yes"], clock=clock) == 0

    (erasure,) = entries(dataset.services)
    assert (erasure.actor, erasure.platform, erasure.action, erasure.subject) == (
        "cli",
        "cli",
        "member.erased",
        "",
    )
    assert erasure.detail == {
        "member_rows": 1,
        "nominations_deleted": 0,
        "removed_from_shared": 1,
        "given_anonymised": 1,
        "endorsements_deleted": 0,
    }
    # Nothing stored anywhere, the trail included, still names Sam.
    assert not any(value in {"USAM", "Sam"} for value in every_stored_value(dataset.services))


def test_the_admin_list_is_compared_at_start_up(
    clock: FakeClock, dataset: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVERYSEAT_ADMINS", "U2,U1")
    main(["db", "upgrade"], clock=clock)
    main(["db", "upgrade"], clock=clock)  # unchanged: nothing new recorded
    monkeypatch.setenv("EVERYSEAT_ADMINS", "U1,U3")
    main(["db", "upgrade"], clock=clock)

    changed, first = entries(dataset.services)
    assert (first.actor, first.platform, first.action) == (
        "EVERYSEAT_ADMINS",
        "settings",
        "admins.changed",
    )
    assert first.detail == {"added": "U1,U2", "removed": "", "admins": "U1,U2"}
    assert changed.detail == {"added": "U3", "removed": "U2", "admins": "U1,U3"}


def test_audit_export_writes_the_trail_and_records_itself(
    clock: FakeClock, dataset: Dataset, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["member", "forget", "URAJ", "--yes"], clock=clock)
    capsys.readouterr()
    out = tmp_path / "audit.csv"

    assert main(["audit", "export", "--since", "2026-11-01", "--out", str(out)], clock=clock) == 0
    assert main(["audit", "export", "--since", "2026-11-01", "--format", "json"], clock=clock) == 0

    captured = capsys.readouterr()
    assert (
        messages.AUDIT_EXPORTED.format(entries="1 audit entry", since="2026-11-01", path=str(out))
        in captured.err
    )
    with out.open(encoding="utf-8", newline="") as handle:
        (row,) = list(csv.DictReader(handle))
    assert (row["actor"], row["action"], row["at"]) == (
        "cli",
        "member.erased",
        "2026-11-18T10:00:00Z",
    )
    assert json.loads(row["detail"])["endorsements_deleted"] == 2
    exported = json.loads(captured.out)
    assert [item["action"] for item in exported] == ["member.erased", "audit.exported"]
    assert exported[1]["detail"] == {"since": "2026-11-01", "entries": 1}
    assert [entry.action for entry in entries(dataset.services)] == [
        "audit.exported",
        "audit.exported",
        "member.erased",
    ]


def test_audit_export_since_excludes_older_entries_and_needs_a_date(
    clock: FakeClock, dataset: Dataset, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["member", "forget", "URAJ", "--yes"], clock=clock)
    capsys.readouterr()

    assert main(["audit", "export", "--since", "2026-11-19", "--format", "json"], clock=clock) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["audit", "export", "--since", "yesterday"], clock=clock) == 1
    assert "'yesterday' is not a date" in capsys.readouterr().err


def test_audit_show_lists_the_last_entries(
    clock: FakeClock, dataset: Dataset, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "show"], clock=clock) == 0
    assert capsys.readouterr().out.strip() == messages.AUDIT_EMPTY
    main(["member", "forget", "URAJ", "--yes"], clock=clock)
    capsys.readouterr()

    assert main(["audit", "show"], clock=clock) == 0

    assert capsys.readouterr().out.splitlines() == [
        messages.AUDIT_HEADER.format(count=1),
        "2026-11-18 10:00 UTC · member.erased by cli (cli) · endorsements_deleted 2, "
        "given_anonymised 0, member_rows 1, nominations_deleted 0, removed_from_shared 0",
    ]


def test_the_console_shows_the_trail(services: Services, clock: FakeClock) -> None:
    from handlers.console import run_console

    out = io.StringIO()
    run_console(services, io.StringIO("/audit\n"), out, user="ana")
    assert messages.AUDIT_EMPTY in out.getvalue()
    with services.sessions() as session:
        from bot.audit import CLI, AuditAction, record_by

        record_by(session, CLI, AuditAction.RETENTION_APPLIED, at=clock(), detail={"deleted": 3})
        session.commit()
    out = io.StringIO()
    run_console(services, io.StringIO("/audit\n"), out, user="ana")
    assert out.getvalue().splitlines()[-2:] == [
        messages.AUDIT_HEADER.format(count=1),
        "  2026-11-18 10:00 UTC · retention.applied by cli (cli) · deleted 3",
    ]


def test_retention_run_from_the_command_line(
    clock: FakeClock,
    dataset: Dataset,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert main(["retention", "run"], clock=clock) == 2
    assert capsys.readouterr().err.strip() == messages.RETENTION_OFF

    # The dataset's oldest nomination is more than 30 days old: one month keeps the rest.
    monkeypatch.setenv("EVERYSEAT_RETENTION_MONTHS", "1")
    assert main(["retention", "run", "--dry-run"], clock=clock) == 0
    dry = capsys.readouterr().out.splitlines()
    assert dry[0].startswith(
        "T0FAKE (dry run, nothing changed): 1 nomination from before 2026-10-18"
    )
    assert dry[1].startswith("T0OTHER (dry run, nothing changed): 1 nomination")
    assert entries(dataset.services) == []

    assert main(["retention", "run"], clock=clock) == 0
    done = capsys.readouterr().out.splitlines()
    assert done[0].startswith("T0FAKE: 1 nomination from before 2026-10-18 deleted")
    # One audit entry per workspace, in the same transaction as its changes.
    assert [entry.subject for entry in entries(dataset.services)] == [
        "workspace T0OTHER",
        "workspace T0FAKE",
    ]
    entry = entries(dataset.services)[1]
    assert (entry.actor, entry.action, entry.detail["nominations"]) == (
        "cli",
        "retention.applied",
        1,
    )

"""The admin command line: `everyseat export` and `everyseat member export|forget`."""

from __future__ import annotations

import csv
import io
import json
import logging
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from bot import messages
from bot.app.cli import main
from bot.services import Services
from db.models import DirectoryRecord, Endorsement, Member, Nomination, NominationNominee, Person
from tests.support import builders
from tests.support.clock import FakeClock
from tests.support.datasets import Dataset, build_dataset


def last_line(stream: str) -> str:
    """What the person reads last (migration log lines may come before it)."""
    return stream.strip().splitlines()[-1]


PERIOD = ["--workspace", "T0FAKE", "--since", "2026-10-19", "--until", "2026-11-18"]


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """The CLI configures the root logger; put pytest's handlers back afterwards."""
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


def test_export_csv_to_a_file_writes_the_nominations(
    clock: FakeClock, dataset, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "x.csv"
    assert main(["export", "--format", "csv", "--out", str(out), *PERIOD], clock=clock) == 0
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 8
    assert rows[0]["nominee_id"] == "UNIA"
    assert last_line(capsys.readouterr().err) == f"Wrote 8 rows (nominations) to {out}."
    assert not (tmp_path / "x.csv.partial").exists()


def test_export_json_goes_to_standard_output_without_a_progress_bar(
    clock: FakeClock, dataset, capsys
) -> None:
    assert main(["export", "--format", "json", "--report", "people", *PERIOD], clock=clock) == 0
    captured = capsys.readouterr()
    people = json.loads(captured.out)
    assert {person["member_id"] for person in people} >= {"UNIA", "UANA", "UGONE"}
    assert "rows/s" not in captured.err and "\r" not in captured.err


def test_export_xlsx_holds_every_report_and_needs_out(
    clock: FakeClock, dataset, tmp_path: Path, capsys
) -> None:
    assert main(["export", "--format", "xlsx", *PERIOD], clock=clock) == 1
    assert last_line(capsys.readouterr().err) == messages.EXPORT_NEEDS_OUT
    out = tmp_path / "report.xlsx"
    assert (
        main(
            ["export", "--format", "xlsx", "--out", str(out), "--min-cell", "3", *PERIOD],
            clock=clock,
        )
        == 0
    )
    # Under --min-cell only the aggregate sheets are written: rows about one named person
    # can't be suppressed.
    workbook = openpyxl.load_workbook(out)
    assert workbook.sheetnames == ["overview", "summary"]
    notes = [cell.value for cell in workbook["overview"]["A"] if isinstance(cell.value, str)]
    assert messages.REPORT_ROW_LEVEL_LEFT_OUT in notes
    assert main(["export", "--report", "nominations", "--min-cell", "3", *PERIOD], clock=clock) == 1
    assert last_line(capsys.readouterr().err) == (
        "The nominations report lists individuals, so --min-cell can't make it safe to share. "
        "Use --report summary (or XLSX) for suppressed figures, or drop --min-cell for the "
        "full internal export."
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--since", "1 Nov"], messages.BAD_DATE.format(option="--since", value="1 Nov")),
        (
            ["--since", "2026-11-10", "--until", "2026-11-01"],
            messages.PERIOD_BACKWARDS.format(since="2026-11-10", until="2026-11-01"),
        ),
    ],
)
def test_export_explains_a_bad_period(
    clock: FakeClock, dataset, capsys, arguments, message
) -> None:
    assert main(["export", "--workspace", "T0FAKE", *arguments], clock=clock) == 1
    assert last_line(capsys.readouterr().err) == message


def test_export_refuses_a_bad_min_cell(clock: FakeClock, dataset, capsys) -> None:
    with pytest.raises(SystemExit):
        main(["export", "--min-cell", "0"], clock=clock)
    assert messages.EXPORT_BAD_MIN_CELL in capsys.readouterr().err


def test_member_export_lists_everything_stored_about_a_person(
    clock: FakeClock, dataset, capsys
) -> None:
    assert main(["member", "export", "UNIA"], clock=clock) == 0
    data = json.loads(capsys.readouterr().out)
    (record,) = data["members"]
    assert record["profile"]["display_name"] == "Nia"
    assert record["profile"]["title"] == "Porter"
    assert len(record["nominations_received"]) == 4
    (given,) = record["nominations_given"]
    assert (given["visibility"], given["story"]) == ("private", builders.STORY)
    assert given["nominees"] == [{"user_id": "UANA", "name": "Ana"}]


def test_member_export_of_an_unknown_id_says_so(clock: FakeClock, dataset, capsys) -> None:
    assert main(["member", "export", "UNOBODY"], clock=clock) == 1
    assert last_line(capsys.readouterr().err) == messages.MEMBER_NOT_FOUND.format(user_id="UNOBODY")


def counts(services: Services) -> dict[str, int]:
    with services.sessions() as session:
        return {
            model.__name__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Member, Nomination, NominationNominee, Endorsement)
        }


def test_forget_asks_first_and_changes_nothing_without_yes(
    clock: FakeClock, dataset, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = counts(dataset.services)
    monkeypatch.setattr(sys, "stdin", io.StringIO("no\n"))
    assert main(["member", "forget", "UANA"], clock=clock) == 1
    err = capsys.readouterr().err
    assert "This erases UANA (Ana) for good" in err
    assert err.rstrip().endswith(messages.FORGET_ABORTED)
    assert counts(dataset.services) == before


def test_forget_deletes_received_keeps_given_anonymised(
    clock: FakeClock, dataset, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("yes\n"))
    assert main(["member", "forget", "UANA"], clock=clock) == 0
    assert capsys.readouterr().out.strip() == (
        "Erased UANA: 1 nomination deleted, removed from 0 shared ones, "
        "1 nomination given anonymised, 0 endorsements deleted."
    )
    with dataset.services.sessions() as session:
        assert session.scalars(select(Member).where(Member.platform_user_id == "UANA")).all() == []
        stories = session.execute(select(Nomination.nominator_id, Nomination.visibility)).all()
        # Nia's private nomination of Ana is gone; Ana's nomination of Nia remains, nameless.
        assert ("private") not in {visibility for _, visibility in stories}
        anonymous = session.scalars(
            select(Nomination).where(Nomination.nominator_id.is_(None))
        ).all()
        assert [[link.member.platform_user_id for link in n.nominees] for n in anonymous] == [
            ["UNIA"]
        ]


def test_forget_removes_a_person_from_shared_nominations_and_their_endorsements(
    clock: FakeClock, dataset, capsys
) -> None:
    assert main(["member", "forget", "USAM", "--yes"], clock=clock) == 0
    assert main(["member", "forget", "URAJ", "--yes"], clock=clock) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "Erased USAM: 0 nominations deleted, removed from 1 shared one, "
        "1 nomination given anonymised, 0 endorsements deleted.",
        "Erased URAJ: 0 nominations deleted, removed from 0 shared ones, "
        "0 nominations given anonymised, 2 endorsements deleted.",
    ]
    with dataset.services.sessions() as session:
        nominees = session.scalars(
            select(Member.platform_user_id)
            .join(NominationNominee, NominationNominee.member_id == Member.id)
            .join(Nomination, Nomination.id == NominationNominee.nomination_id)
            .where(Nomination.created_at >= datetime(2026, 11, 16, tzinfo=UTC))
        ).all()
        assert sorted(nominees) == ["UANA", "ULEE", "UNIA"]
        assert session.scalar(select(func.count()).select_from(Endorsement)) == 1


def test_forget_names_every_linked_account_before_and_after_erasing(
    clock: FakeClock, dataset: Dataset, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nia has a Teams account with the email of her Slack one, and an HR record: naming
    her Slack id lists both accounts and the records, and erases them all."""
    services = dataset.services
    slack_id = builders.workspace(services, "T0FAKE").id
    builders.member(services, slack_id, "UNIA", "Nia", title="Porter", email="nia@trust.nhs.uk")
    teams = builders.workspace(services, "tenant-0001", "teams")
    builders.member(services, teams.id, "aad-nia", "Nia O.", email="NIA@trust.nhs.uk")
    with services.sessions() as session:
        session.add(DirectoryRecord(source="hr", email="nia@trust.nhs.uk", updated_at=clock()))
        session.commit()
    before = counts(services)
    monkeypatch.setattr(sys, "stdin", io.StringIO("no\n"))

    assert main(["member", "forget", "UNIA"], clock=clock) == 1

    err = capsys.readouterr().err
    scope = [
        messages.FORGET_ACCOUNTS,
        "  • Nia (UNIA), Slack workspace T0FAKE",
        "  • Nia O. (aad-nia), Teams workspace tenant-0001",
        "It also deletes 1 person record and 1 HR or directory record.",
    ]
    assert "\n".join(scope) in err
    assert counts(services) == before

    assert main(["member", "forget", "UNIA", "--yes"], clock=clock) == 0

    out = capsys.readouterr().out.strip().splitlines()
    assert out[0].startswith("Erased UNIA: ")
    assert out[1:] == scope
    with services.sessions() as session:
        assert session.scalars(select(Member).where(Member.display_name.like("Nia%"))).all() == []
        assert session.scalar(select(func.count()).select_from(Person)) == 0
        assert session.scalar(select(func.count()).select_from(DirectoryRecord)) == 0
        assert counts(services)["Member"] == before["Member"] - 2

"""`everyseat directory import`: ESR-style files validated whole, imported all or nothing."""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from bot.app.cli import main
from bot.audit import audit_entries
from bot.people.directory import MemberProfile, get_or_create_workspace, save_profiles
from bot.services import Services
from db.models import DirectoryRecord, Member, Person
from tests.support.clock import FakeClock

ESR_COLUMNS = [
    "Employee Number",
    "Full Name",
    "Email Address",
    "Staff Group",
    "Job Role",
    "Organisation",
    "Location",
    "Pay Band",
]
STAFF = [
    [
        "100001",
        "Ana Silva",
        "ana@trust.nhs.uk",
        "Estates and Ancillary",
        "Porter",
        "Facilities",
        "General Hospital",
        "Band 2",
    ],
    [
        "100002",
        "Ben Okafor",
        "ben@trust.nhs.uk",
        "Nursing and Midwifery Registered",
        "Staff Nurse",
        "Ward 7",
        "General Hospital",
        "Band 5",
    ],
    [
        "100003",
        "Cat Jones",
        "cat@trust.nhs.uk",
        "Administrative and Clerical",
        "Receptionist",
        "Outpatients",
        "Community Hub",
        "Band 3",
    ],
]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = ESR_COLUMNS) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture(autouse=True)
def _cli_environment(
    services: Services, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[None]:
    monkeypatch.setenv("DATABASE_URL", services.settings.DATABASE_URL)
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def records(services: Services) -> dict[str, DirectoryRecord]:
    with services.unit_of_work() as session:
        rows = session.scalars(select(DirectoryRecord).where(DirectoryRecord.source == "hr"))
        return {row.email: row for row in rows}


def test_an_esr_csv_is_imported_and_a_linked_account_takes_its_seat(
    services: Services, clock: FakeClock, tmp_path: Path, capsys
) -> None:
    with services.unit_of_work() as session:
        workspace = get_or_create_workspace(session, "slack", "T1", clock())
        save_profiles(
            session,
            workspace.id,
            [MemberProfile("U_ANA", "Ana", title="Rota queen", email="ana@trust.nhs.uk")],
            clock(),
        )

    file = write_csv(tmp_path / "staff.csv", STAFF)
    assert main(["directory", "import", str(file)], clock=clock) == 0

    out = capsys.readouterr().out
    assert "Imported 3 staff records: 3 new, 0 updated, 0 unchanged, 0 returned; 0 no longer" in out
    stored = records(services)
    assert sorted(stored) == ["ana@trust.nhs.uk", "ben@trust.nhs.uk", "cat@trust.nhs.uk"]
    assert stored["ben@trust.nhs.uk"].staff_group == "Nursing and Midwifery Registered"
    assert stored["ben@trust.nhs.uk"].pay_band == "Band 5"
    assert stored["cat@trust.nhs.uk"].site == "Community Hub"
    with services.unit_of_work() as session:
        ana = session.scalars(select(Member).where(Member.platform_user_id == "U_ANA")).one()
        assert (ana.title, ana.department, ana.staff_group, ana.pay_band, ana.site) == (
            "Porter",
            "Facilities",
            "Estates and Ancillary",
            "Band 2",
            "General Hospital",
        )
        assert session.scalar(select(func.count()).select_from(Person)) == 3
        (entry,) = audit_entries(session)
        assert entry.action == "directory.imported" and entry.detail["rows"] == 3


def test_a_reimport_updates_and_reports_leavers(
    services: Services, clock: FakeClock, tmp_path: Path, capsys
) -> None:
    assert (
        main(["directory", "import", str(write_csv(tmp_path / "a.csv", STAFF))], clock=clock) == 0
    )
    moved = [STAFF[0], [*STAFF[1][:6], "General Hospital", "Band 6"]]  # Cat left, Ben promoted
    capsys.readouterr()
    assert (
        main(["directory", "import", str(write_csv(tmp_path / "b.csv", moved))], clock=clock) == 0
    )

    out = capsys.readouterr().out
    assert "2 staff records: 0 new, 1 updated, 1 unchanged, 0 returned; 1 no longer" in out
    assert "left: cat@trust.nhs.uk" in out
    stored = records(services)
    assert stored["ben@trust.nhs.uk"].pay_band == "Band 6"
    assert stored["cat@trust.nhs.uk"].left_at == clock()


def test_every_bad_row_is_reported_by_line_and_nothing_changes(
    services: Services, clock: FakeClock, tmp_path: Path, capsys
) -> None:
    assert (
        main(["directory", "import", str(write_csv(tmp_path / "a.csv", STAFF))], clock=clock) == 0
    )
    before = {email: record.pay_band for email, record in records(services).items()}
    bad = [
        [*STAFF[0][:7], "Band 3"],  # a good change, which must not be applied either
        ["100004", "No Mail", "", "Medical and Dental", "Doctor", "ED", "GH", ""],
        ["100005", "Typo", "dee.trust.nhs.uk", "Medical and Dental", "Doctor", "ED", "GH", ""],
        ["100006", "Twice", "ana@trust.nhs.uk", "Estates and Ancillary", "Porter", "F", "GH", ""],
        ["100007", "Long", "eve@trust.nhs.uk", "X" * 300, "Doctor", "ED", "GH", ""],
    ]
    capsys.readouterr()
    assert (
        main(["directory", "import", str(write_csv(tmp_path / "bad.csv", bad))], clock=clock) == 1
    )

    err = capsys.readouterr().err
    assert "bad.csv has 4 bad rows; nothing was imported." in err
    assert "line 3: no email address" in err
    assert "line 4: 'dee.trust.nhs.uk' is not an email address" in err
    assert "line 5: ana@trust.nhs.uk is also on line 2" in err
    assert "line 6: staff_group is longer than 255 characters" in err
    assert {email: record.pay_band for email, record in records(services).items()} == before


def test_a_dry_run_reports_without_changing_anything(
    services: Services, clock: FakeClock, tmp_path: Path, capsys
) -> None:
    file = write_csv(tmp_path / "staff.csv", STAFF)
    assert main(["directory", "import", "--dry-run", str(file)], clock=clock) == 0
    assert "Would import 3 staff records: 3 new" in capsys.readouterr().out
    assert records(services) == {}


def test_an_xlsx_export_with_its_own_column_names_imports_through_a_mapping(
    services: Services, clock: FakeClock, tmp_path: Path, capsys
) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Work Email", "Group", "Role", "Dept", "Band"])
    sheet.append(["ana@trust.nhs.uk", "Estates and Ancillary", "Porter", "Facilities", "Band 2"])
    sheet.append([None, None, None, None, None])  # blank rows are skipped
    sheet.append(["ben@trust.nhs.uk", "Allied Health Professionals", "Physio", "Therapies", 6])
    workbook.save(tmp_path / "staff.xlsx")
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(
        '[columns]\nemail = "Work Email"\nstaff_group = "Group"\njob_role = "Role"\n'
        'department = "Dept"\npay_band = "Band"\n',
        encoding="utf-8",
    )
    code = main(
        ["directory", "import", str(tmp_path / "staff.xlsx"), "--mapping", str(mapping)],
        clock=clock,
    )
    assert code == 0, capsys.readouterr().err
    stored = records(services)
    assert stored["ben@trust.nhs.uk"].job_title == "Physio"
    assert stored["ben@trust.nhs.uk"].pay_band == "6"


def test_a_file_without_the_mapped_columns_says_which_are_missing(
    services: Services, clock: FakeClock, tmp_path: Path, capsys
) -> None:
    file = write_csv(tmp_path / "other.csv", [["x@y.nhs.uk"]], header=["Mail"])
    assert main(["directory", "import", str(file)], clock=clock) == 1
    err = capsys.readouterr().err
    assert "other.csv has no column 'Email Address'" in err
    assert "Its columns are: 'Mail'" in err and "--mapping" in err

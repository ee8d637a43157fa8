"""`everyseat directory import`: seats from an HR export (ESR-style CSV or XLSX).

The whole file is validated first and every bad row reported by line number and reason; a
file with any bad row changes nothing. A good file is imported in one transaction: new
people are added, changed ones updated, and people missing from the file are marked as
leavers (their HR seat stops counting) and reported.
"""

from __future__ import annotations

import csv
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.audit import AuditAction, record_audit
from bot.directory.linking import normalise_email, persons_by_email
from bot.directory.seats import HR, refresh_seats_for_emails
from bot.errors import DirectoryFileError
from bot.services import Services
from db.models import DirectoryRecord

# Everyseat's fields, in the order reports list them; only `email` is required.
FIELDS = (
    "email",
    "employee_number",
    "name",
    "staff_group",
    "job_role",
    "department",
    "site",
    "pay_band",
)
REQUIRED = ("email",)
LIMITS = {"pay_band": 64, "employee_number": 128}
DEFAULT_LIMIT = 255

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ColumnMapping:
    """Which column of the file holds each Everyseat field."""

    columns: dict[str, str]

    @classmethod
    def default(cls) -> ColumnMapping:
        text = resources.files("bot").joinpath("data/esr_mapping.toml").read_text("utf-8")
        return cls.parse(text, "the built-in ESR mapping")

    @classmethod
    def from_file(cls, path: Path) -> ColumnMapping:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise DirectoryFileError(
                f"Can't read the mapping file {path}: {error.strerror or error}."
            ) from error
        return cls.parse(text, str(path))

    @classmethod
    def parse(cls, text: str, where: str) -> ColumnMapping:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise DirectoryFileError(f"{where} is not valid TOML: {error}.") from error
        columns = data.get("columns")
        if not isinstance(columns, dict):
            raise DirectoryFileError(
                f'{where} needs a [columns] table, such as email = "Email Address".'
            )
        unknown = sorted(set(columns) - set(FIELDS))
        if unknown:
            raise DirectoryFileError(
                f"{where} maps fields Everyseat doesn't know: {', '.join(unknown)}. "
                f"Known fields: {', '.join(FIELDS)}."
            )
        if any(not isinstance(value, str) or not value.strip() for value in columns.values()):
            raise DirectoryFileError(f"{where}: every column name must be non-empty text.")
        for name in REQUIRED:
            if name not in columns:
                raise DirectoryFileError(f"{where} must say which column holds {name}.")
        return cls({name: value.strip() for name, value in columns.items()})


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass(frozen=True)
class StaffRow:
    line: int
    email: str
    employee_number: str | None
    name: str | None
    staff_group: str | None
    job_role: str | None
    department: str | None
    site: str | None
    pay_band: str | None


@dataclass
class ImportReport:
    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejoined: int = 0
    leavers: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    def summary(self) -> str:
        verb = "Would import" if self.dry_run else "Imported"
        return (
            f"{verb} {self.rows} staff records: {self.added} new, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.rejoined} returned; "
            f"{len(self.leavers)} no longer in the file (marked as leavers)."
        )


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, {column: text}) for each non-empty row of a CSV or XLSX file."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        yield from _csv_rows(path)
    elif suffix in {".xlsx", ".xlsm"}:
        yield from _xlsx_rows(path)
    else:
        raise DirectoryFileError(f"{path.name}: Everyseat reads .csv and .xlsx HR exports.")


def _csv_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                raise DirectoryFileError(f"{path.name} is empty.")
            yield 1, {name.strip(): name.strip() for name in header}
            for values in reader:
                if any(value.strip() for value in values):
                    yield reader.line_num, dict(zip(header, values, strict=False))
    except UnicodeDecodeError as error:
        raise DirectoryFileError(
            f"{path.name} is not UTF-8 text; save it as CSV UTF-8 and try again."
        ) from error
    except OSError as error:
        raise DirectoryFileError(f"Can't read {path}: {error.strerror or error}.") from error


def _xlsx_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    from openpyxl import load_workbook  # only imports need it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (OSError, InvalidFileException, KeyError, ValueError) as error:
        raise DirectoryFileError(f"Can't open {path.name} as an Excel workbook.") from error
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header_cells = next(rows, None)
        if header_cells is None:
            raise DirectoryFileError(f"{path.name} is empty.")
        header = ["" if cell is None else str(cell).strip() for cell in header_cells]
        yield 1, {name: name for name in header}
        for number, cells in enumerate(rows, start=2):
            values = ["" if cell is None else str(cell) for cell in cells]
            if any(value.strip() for value in values):
                yield number, dict(zip(header, values, strict=False))
    finally:
        workbook.close()


def parse_file(path: Path, mapping: ColumnMapping) -> tuple[list[StaffRow], list[RowError]]:
    """Every row checked; the good rows, and one error per bad row (or file problem)."""
    rows = read_rows(path)
    _, header = next(rows)
    missing = [column for name, column in mapping.columns.items() if column not in header]
    if missing:
        raise DirectoryFileError(
            f"{path.name} has no column {', '.join(repr(c) for c in missing)}. "
            f"Its columns are: {', '.join(repr(c) for c in header if c)}. "
            "Pass --mapping with your export's column names."
        )
    good: list[StaffRow] = []
    errors: list[RowError] = []
    first_line_of: dict[str, int] = {}
    for line, values in rows:
        cell = {
            name: (values.get(column) or "").strip() or None
            for name, column in mapping.columns.items()
        }
        problems = []
        email = normalise_email(cell.get("email"))
        if cell.get("email") is None:
            problems.append("no email address")
        elif email is None:
            problems.append(f"{cell['email']!r} is not an email address")
        elif email in first_line_of:
            problems.append(f"{email} is also on line {first_line_of[email]}")
        for name, value in cell.items():
            limit = LIMITS.get(name, DEFAULT_LIMIT)
            if value is not None and len(value) > limit:
                problems.append(f"{name} is longer than {limit} characters")
        if problems:
            errors.append(RowError(line, "; ".join(problems)))
            continue
        assert email is not None
        first_line_of[email] = line
        good.append(
            StaffRow(
                line=line,
                email=email,
                employee_number=cell.get("employee_number"),
                name=cell.get("name"),
                staff_group=cell.get("staff_group"),
                job_role=cell.get("job_role"),
                department=cell.get("department"),
                site=cell.get("site"),
                pay_band=cell.get("pay_band"),
            )
        )
    return good, errors


def _same(record: DirectoryRecord, row: StaffRow) -> bool:
    return (
        record.external_id == row.employee_number
        and record.display_name == row.name
        and record.job_title == row.job_role
        and record.department == row.department
        and record.staff_group == row.staff_group
        and record.pay_band == row.pay_band
        and record.site == row.site
    )


def import_staff(
    session: Session,
    path: Path,
    mapping: ColumnMapping,
    now: datetime,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Validate `path`, then import it in the caller's transaction (committed unless a dry
    run). Raises DirectoryFileError listing every bad row; nothing is written then."""
    rows, errors = parse_file(path, mapping)
    report = ImportReport(rows=len(rows), errors=errors, dry_run=dry_run)
    if errors:
        listed = "\n".join(f"  {error}" for error in errors)
        raise DirectoryFileError(
            f"{path.name} has {len(errors)} bad "
            f"{'row' if len(errors) == 1 else 'rows'}; nothing was imported. Fix these and "
            f"import it again:\n{listed}"
        )
    existing = {
        record.email: record
        for record in session.scalars(select(DirectoryRecord).where(DirectoryRecord.source == HR))
    }
    total = len(rows)
    for done, row in enumerate(rows, start=1):
        record = existing.pop(row.email, None)
        if record is None:
            record = DirectoryRecord(source=HR, email=row.email, updated_at=now)
            session.add(record)
            report.added += 1
        elif record.left_at is not None:
            report.rejoined += 1
        elif _same(record, row):
            report.unchanged += 1
        else:
            report.updated += 1
        record.external_id = row.employee_number
        record.display_name = row.name
        record.job_title = row.job_role
        record.department = row.department
        record.staff_group = row.staff_group
        record.pay_band = row.pay_band
        record.site = row.site
        record.left_at = None
        record.updated_at = now
        if progress is not None and (done % 250 == 0 or done == total):
            progress(done, total)
    for email, record in sorted(existing.items()):
        if record.left_at is None:
            record.left_at = now
            report.leavers.append(email)
    session.flush()
    persons_by_email(session, (row.email for row in rows), now)
    refresh_seats_for_emails(session, [*(row.email for row in rows), *report.leavers])
    if dry_run:
        session.rollback()
    return report


def import_staff_file(
    services: Services,
    path: Path,
    *,
    mapping: ColumnMapping | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    actor: str = "cli",
    platform: str = "cli",
) -> ImportReport:
    """The use case: validate and import `path` in one unit of work, audited."""
    with services.unit_of_work() as session:
        now = services.clock()
        report = import_staff(
            session,
            path,
            mapping or ColumnMapping.default(),
            now,
            dry_run=dry_run,
            progress=progress,
        )
        if not dry_run:
            record_audit(
                session,
                at=now,
                actor=actor,
                platform=platform,
                action=AuditAction.DIRECTORY_IMPORTED,
                subject=path.name,
                detail={
                    "rows": report.rows,
                    "added": report.added,
                    "updated": report.updated,
                    "leavers": len(report.leavers),
                },
            )
            session.commit()
    return report

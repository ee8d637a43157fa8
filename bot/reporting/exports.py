"""Exports for admins: nominations, people and the summary statistics as CSV, XLSX or JSON.

Rows stream from the database in batches (a server-side cursor on PostgreSQL) straight into
the writer, so memory stays flat however long the history. CSV cells that a spreadsheet
would run as a formula are neutralised; private stories are withheld unless asked for;
`min_cell` hides small counts so a report can be shared without identifying anyone.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import IO, Any, TextIO

import xlsxwriter
from sqlalchemy import false, func, select
from sqlalchemy.orm import Session, aliased

from bot import messages
from bot.errors import ReportError
from bot.nominations.behaviours import BehaviourCatalogue
from bot.reporting.periods import ReportingPeriod
from bot.reporting.stats import RecognitionStats, in_period, recognition_stats
from db.models import Endorsement, Member, Nomination, NominationBehaviour, NominationNominee

BATCH_SIZE = 1000
XLSX_MAX_DATA_ROWS = 1_048_575  # Excel's row limit, less the header
FORMULA_STARTS = frozenset("=+-@\t\r")  # what a spreadsheet may read as a formula

Cell = str | int | float | None
Row = tuple[Cell, ...]
ProgressCallback = Callable[[int], None]


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    JSON = "json"


class Report(StrEnum):
    NOMINATIONS = "nominations"
    PEOPLE = "people"
    SUMMARY = "summary"


NOMINATION_COLUMNS = (
    "nomination_id",
    "created_at",
    "nominator_id",
    "nominator_name",
    "nominee_id",
    "nominee_name",
    "nominee_title",
    "nominee_department",
    "behaviours",
    "story",
    "visibility",
    "endorsements",
)
PEOPLE_COLUMNS = ("member_id", "name", "title", "department", "active", "received", "given")
SUMMARY_COLUMNS = ("section", "item", "measure", "value")


@dataclass(frozen=True)
class ExportRequest:
    workspace_id: int
    period: ReportingPeriod
    reports: tuple[Report, ...] = (Report.NOMINATIONS,)
    include_private: bool = False
    min_cell: int | None = None


@dataclass
class Table:
    """One report: its columns, its rows (a lazy stream) and how to count them cheaply."""

    name: str
    columns: tuple[str, ...]
    rows: Iterable[Row]
    count: Callable[[], int] = field(repr=False)


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def neutralise_formula(value: Cell) -> Cell:
    """Make text a spreadsheet would evaluate (=, +, -, @ …) read as plain text."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def suppress_small(count: int, min_cell: int | None) -> int | str:
    """A count, or "<N" when it is at least 1 and below N (zero identifies nobody)."""
    if min_cell is not None and 0 < count < min_cell:
        return f"<{min_cell}"
    return count


# --- reading ----------------------------------------------------------------------------


def _nomination_rows(session: Session, request: ExportRequest) -> Iterator[Row]:
    nominator = aliased(Member)
    nominee = aliased(Member)
    behaviours = (
        select(func.aggregate_strings(NominationBehaviour.behaviour_slug, ","))
        .where(NominationBehaviour.nomination_id == Nomination.id)
        .scalar_subquery()
    )
    endorsements = (
        select(func.count(Endorsement.id))
        .where(Endorsement.nomination_id == Nomination.id)
        .scalar_subquery()
    )
    query = (
        select(
            Nomination.id,
            Nomination.created_at,
            nominator.platform_user_id,
            nominator.display_name,
            nominee.platform_user_id,
            nominee.display_name,
            nominee.title,
            nominee.department,
            behaviours,
            Nomination.story,
            Nomination.visibility,
            endorsements,
        )
        .join(NominationNominee, NominationNominee.nomination_id == Nomination.id)
        .join(nominee, nominee.id == NominationNominee.member_id)
        .outerjoin(nominator, nominator.id == Nomination.nominator_id)
        .where(in_period(request.workspace_id, request.period))
        .order_by(Nomination.created_at, Nomination.id, NominationNominee.position)
    )
    result = session.execute(query, execution_options={"yield_per": BATCH_SIZE})
    for row in result:
        (ident, created, by_id, by_name, to_id, to_name, title, dept, slugs, story, vis, ends) = row
        if vis == "private" and not request.include_private:
            story = messages.PRIVATE_STORY_WITHHELD
        yield (
            ident,
            iso_utc(created),
            by_id,
            by_name,
            to_id,
            to_name,
            title,
            dept,
            ", ".join(sorted((slugs or "").split(","))),
            story,
            vis,
            int(ends or 0),
        )


def _count_nomination_rows(session: Session, request: ExportRequest) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(NominationNominee)
            .join(Nomination, Nomination.id == NominationNominee.nomination_id)
            .where(in_period(request.workspace_id, request.period))
        )
        or 0
    )


def _people_query(request: ExportRequest) -> Any:
    received = (
        select(NominationNominee.member_id.label("member_id"), func.count().label("count"))
        .join(Nomination, Nomination.id == NominationNominee.nomination_id)
        .where(in_period(request.workspace_id, request.period))
        .group_by(NominationNominee.member_id)
        .subquery("received")
    )
    given = (
        select(Nomination.nominator_id.label("member_id"), func.count().label("count"))
        .where(in_period(request.workspace_id, request.period))
        .where(Nomination.nominator_id.is_not(None))
        .group_by(Nomination.nominator_id)
        .subquery("given")
    )
    return (
        select(
            Member.platform_user_id,
            Member.display_name,
            Member.title,
            Member.department,
            Member.is_deactivated,
            func.coalesce(received.c.count, 0),
            func.coalesce(given.c.count, 0),
        )
        .outerjoin(received, received.c.member_id == Member.id)
        .outerjoin(given, given.c.member_id == Member.id)
        .where(Member.workspace_id == request.workspace_id, Member.is_bot == false())
    )


def _people_rows(session: Session, request: ExportRequest) -> Iterator[Row]:
    query = _people_query(request).order_by(Member.display_name, Member.id)
    for user_id, name, title, dept, deactivated, received, given in session.execute(
        query, execution_options={"yield_per": BATCH_SIZE}
    ):
        yield (
            user_id,
            name,
            title,
            dept,
            "no" if deactivated else "yes",
            suppress_small(int(received), request.min_cell),
            suppress_small(int(given), request.min_cell),
        )


def summary_rows(stats: RecognitionStats, min_cell: int | None = None) -> list[Row]:
    """The statistics in long form: (section, item, measure, value), one figure a row."""

    def count(value: int) -> int | str:
        return suppress_small(value, min_cell)

    def share(value: float | None, numerator: int) -> float | str | None:
        if value is None:
            return None
        if isinstance(count(numerator), str):  # a share would give the hidden count away
            return f"<{min_cell}"
        return round(value, 4)

    rows: list[Row] = [
        ("period", "", "since", iso_utc(stats.period.since)),
        ("period", "", "until", iso_utc(stats.period.until)),
        ("totals", "", "nominations", count(stats.nominations)),
        ("totals", "", "endorsements", count(stats.endorsements)),
        ("totals", "", "distinct_nominees", count(stats.distinct_nominees)),
        ("totals", "", "distinct_nominators", count(stats.distinct_nominators)),
        ("totals", "", "recognitions_received", count(stats.recognitions_received)),
        ("coverage", "", "active_members", count(stats.active_members)),
        ("coverage", "", "recognised_active_members", count(stats.recognised_active_members)),
        ("coverage", "", "share", share(stats.coverage, stats.recognised_active_members)),
        ("spread", "", "top_10_percent_recipients", count(stats.top_recipients)),
        (
            "spread",
            "",
            "top_10_percent_share",
            share(stats.top_share, stats.top_recipients_received),
        ),
        ("spread", "", "gini", None if stats.gini is None else round(stats.gini, 4)),
    ]
    for group in stats.by_behaviour:
        rows.append(("behaviour", group.key, "nominations", count(group.nominations)))
        rows.append(("behaviour", group.key, "people_recognised", count(group.people_recognised)))
    for section, groups in (("title", stats.by_title), ("department", stats.by_department)):
        for group in groups:
            rows.append((section, group.label, "members", count(group.members or 0)))
            rows.append((section, group.label, "nominations", count(group.nominations)))
            rows.append((section, group.label, "people_recognised", count(group.people_recognised)))
    for week in stats.weekly:
        rows.append(("week", week.week_start.isoformat(), "nominations", count(week.nominations)))
        rows.append(
            (
                "week",
                week.week_start.isoformat(),
                "people_recognised",
                count(week.people_recognised),
            )
        )
    for seat in stats.seats_never_recognised:
        rows.append(("never_recognised_seat", seat.title, "members", count(seat.members)))
    return rows


def _counter(count: int) -> Callable[[], int]:
    return lambda: count


def open_tables(
    session: Session, request: ExportRequest, catalogue: BehaviourCatalogue
) -> list[Table]:
    """The requested reports as lazy tables, read through `session` as they are written."""
    tables = []
    for report in request.reports:
        if report is Report.NOMINATIONS:
            tables.append(
                Table(
                    report.value,
                    NOMINATION_COLUMNS,
                    _nomination_rows(session, request),
                    lambda: _count_nomination_rows(session, request),
                )
            )
        elif report is Report.PEOPLE:
            tables.append(
                Table(
                    report.value,
                    PEOPLE_COLUMNS,
                    _people_rows(session, request),
                    lambda: int(
                        session.scalar(
                            select(func.count()).select_from(_people_query(request).subquery())
                        )
                        or 0
                    ),
                )
            )
        else:
            stats = recognition_stats(session, request.workspace_id, request.period, catalogue)
            rows = summary_rows(stats, request.min_cell)
            tables.append(Table(report.value, SUMMARY_COLUMNS, rows, _counter(len(rows))))
    return tables


# --- writing ----------------------------------------------------------------------------


def _batches(rows: Iterable[Row], on_rows: ProgressCallback | None) -> Iterator[Row]:
    pending = 0
    for row in rows:
        yield row
        pending += 1
        if on_rows is not None and pending == BATCH_SIZE:
            on_rows(pending)
            pending = 0
    if on_rows is not None and pending:
        on_rows(pending)


def write_csv(out: TextIO, table: Table, on_rows: ProgressCallback | None = None) -> int:
    """Header then rows, formula-looking cells neutralised. `out` should be UTF-8, newline=''."""
    writer = csv.writer(out)
    writer.writerow(table.columns)
    written = 0
    for row in _batches(table.rows, on_rows):
        # neutralise_formula, inlined: this line runs once per cell of a long export.
        writer.writerow(
            [
                "'" + cell if isinstance(cell, str) and cell[:1] in FORMULA_STARTS else cell
                for cell in row
            ]
        )
        written += 1
    return written


def write_json(out: TextIO, table: Table, on_rows: ProgressCallback | None = None) -> int:
    """A JSON array of objects keyed by column, written one object at a time."""
    out.write("[")
    written = 0
    for row in _batches(table.rows, on_rows):
        out.write(",\n" if written else "\n")
        out.write(json.dumps(dict(zip(table.columns, row, strict=True)), ensure_ascii=False))
        written += 1
    out.write("\n]\n" if written else "]\n")
    return written


def write_xlsx(
    target: str | Path | IO[bytes], tables: Sequence[Table], on_rows: ProgressCallback | None = None
) -> int:
    """One sheet per report (continued on a second sheet past Excel's row limit)."""
    workbook = xlsxwriter.Workbook(
        str(target) if isinstance(target, Path) else target,
        {
            # Rows go to disk as they are written; text is never turned into formulas/links.
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    bold = workbook.add_format({"bold": True})
    written = 0
    try:
        for table in tables:
            sheet, row_number, part = None, 0, 1
            for row in _batches(table.rows, on_rows):
                if sheet is None or row_number > XLSX_MAX_DATA_ROWS:
                    name = table.name if part == 1 else f"{table.name} ({part})"
                    sheet = workbook.add_worksheet(name[:31])
                    sheet.write_row(0, 0, table.columns, bold)
                    sheet.freeze_panes(1, 0)
                    row_number, part = 1, part + 1
                sheet.write_row(row_number, 0, row)
                row_number += 1
                written += 1
            if sheet is None:  # an empty report still gets its sheet and header
                sheet = workbook.add_worksheet(table.name[:31])
                sheet.write_row(0, 0, table.columns, bold)
    finally:
        workbook.close()
    return written


def write_export(
    fmt: ExportFormat,
    tables: Sequence[Table],
    *,
    text_out: TextIO | None = None,
    binary_target: str | Path | IO[bytes] | None = None,
    on_rows: ProgressCallback | None = None,
) -> int:
    """Write `tables` in `fmt`: CSV/JSON (one report) to `text_out`, XLSX to `binary_target`."""
    if fmt is ExportFormat.XLSX:
        if binary_target is None:
            raise ReportError(messages.EXPORT_NEEDS_OUT)
        return write_xlsx(binary_target, tables, on_rows)
    if text_out is None or len(tables) != 1:
        raise ValueError("CSV and JSON exports write exactly one report to a text stream")
    writer = write_csv if fmt is ExportFormat.CSV else write_json
    return writer(text_out, tables[0], on_rows)

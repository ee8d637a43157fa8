"""Exports for admins: nominations, people and the summary statistics as CSV, XLSX or JSON.

Rows stream from the database in batches (a server-side cursor on PostgreSQL) straight into
the writer, so memory stays flat however long the history. CSV cells that a spreadsheet
would run as a formula are neutralised; private stories are withheld unless asked for;
`min_cell` hides small counts so a report can be shared without identifying anyone.

For the whole organisation (workspace_id ORGANISATION), the people report has one row per
person, however many linked accounts they have (bot/reporting/stats.py counts the same way).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import IO, Any, TextIO

import xlsxwriter
from sqlalchemy import ColumnElement, String, aggregate_order_by, case, false, func, literal, select
from sqlalchemy.orm import Session, aliased

from bot import messages
from bot.errors import ReportError
from bot.nominations.behaviours import BehaviourCatalogue
from bot.reporting.overview import (
    Breakdown,
    FigureKind,
    ReportOverview,
    build_overview,
)
from bot.reporting.periods import ReportingPeriod
from bot.reporting.seniority import seniority_breakdowns
from bot.reporting.stats import (
    RecognitionStats,
    in_period,
    is_active_person,
    person_of_account,
    recognition_stats,
)
from bot.reporting.suppression import SmallCells, suppress_groups
from db.models import Endorsement, Member, Nomination, NominationBehaviour, NominationNominee

BATCH_SIZE = 1000
XLSX_MAX_DATA_ROWS = 1_048_575  # Excel's row limit, less the header
FORMULA_STARTS = frozenset("=+-@\t\r")  # what a spreadsheet may read as a formula

Cell = str | int | float | datetime | date | None
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
PEOPLE_COLUMNS = (
    "member_id",
    "name",
    "title",
    "department",
    "staff_group",
    "pay_band",
    "active",
    "received",
    "given",
)
SUMMARY_COLUMNS = ("section", "item", "measure", "value")


class Kind(StrEnum):
    """How a column's cells are shown in a spreadsheet."""

    TEXT = "text"
    COUNT = "count"
    SHARE = "share"
    DATETIME = "datetime"
    DATE = "date"
    INDEX = "index"


ROW_LEVEL_REPORTS = frozenset({Report.NOMINATIONS, Report.PEOPLE})
T, N = "text", "count"
NOMINATION_KINDS = tuple(Kind(kind) for kind in (N, "datetime", T, T, T, T, T, T, T, T, T, N))
NOMINATION_WIDTHS = (13, 17, 14, 22, 14, 22, 24, 22, 30, 60, 10, 13)
PEOPLE_KINDS = tuple(Kind(kind) for kind in (T, T, T, T, T, T, T, N, N))
PEOPLE_WIDTHS = (14, 24, 26, 24, 26, 12, 8, 10, 10)
SUMMARY_KINDS = tuple(Kind(kind) for kind in (T, T, T, N))
SHARE_KINDS = (Kind.TEXT, Kind.TEXT, Kind.TEXT, Kind.SHARE)
INDEX_KINDS = (Kind.TEXT, Kind.TEXT, Kind.TEXT, Kind.INDEX)


def summary_row_kinds(row: Row) -> tuple[Kind, ...]:
    """Shares as percentages and the Gini with two decimals; every other value a count."""
    measure = str(row[2])
    if measure.endswith("share"):
        return SHARE_KINDS
    if measure == "gini":
        return INDEX_KINDS
    return SUMMARY_KINDS


SUMMARY_WIDTHS = (22, 30, 26, 12)


@dataclass(frozen=True)
class ExportRequest:
    workspace_id: int | None  # None (ORGANISATION): every workspace, each person once
    period: ReportingPeriod
    reports: tuple[Report, ...] = (Report.NOMINATIONS,)
    include_private: bool = False
    min_cell: int | None = None


@dataclass
class Table:
    """One report: its columns, its rows (a lazy stream) and how to count them cheaply;
    `kinds` says how each column is shown in XLSX, and `widths` how wide it is."""

    name: str
    columns: tuple[str, ...]
    rows: Iterable[Row]
    count: Callable[[], int] = field(repr=False)
    kinds: tuple[Kind, ...] = ()
    widths: tuple[int, ...] = ()
    overview: ReportOverview | None = field(default=None, repr=False)
    row_kinds: Callable[[Row], tuple[Kind, ...]] | None = field(default=None, repr=False)
    # The same rows as CSV cells already (moments as ISO 8601 text, formula-looking text
    # neutralised), where the database writes them so; a lazy stream too.
    csv_rows: Iterable[Row] | None = field(default=None, repr=False)


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def as_text_cell(value: Cell) -> Cell:
    """CSV and JSON have no dates: a moment is written as ISO 8601 UTC, a day as YYYY-MM-DD."""
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def reports_for(
    fmt: ExportFormat, report: Report | None, min_cell: int | None
) -> tuple[Report, ...]:
    """The reports an export holds: the one asked for, else every report in XLSX (only the
    aggregate ones under --min-cell) and the nominations in CSV and JSON."""
    if report is not None:
        return (report,)
    if fmt is ExportFormat.XLSX:
        return (Report.SUMMARY,) if min_cell is not None else tuple(Report)
    return (Report.NOMINATIONS,)


def neutralise_formula(value: Cell) -> Cell:
    """Make text a spreadsheet would evaluate (=, +, -, @ …) read as plain text."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


# --- reading ----------------------------------------------------------------------------


def _sorted_slugs(dialect: str) -> ColumnElement[str]:
    """A nomination's behaviour slugs, sorted and joined with ", " ("" for none)."""
    slug = NominationBehaviour.behaviour_slug
    mine = NominationBehaviour.nomination_id == Nomination.id
    if dialect == "postgresql":
        # In code point order, as Python sorts, whatever the database's collation.
        in_order = aggregate_order_by(func.aggregate_strings(slug, ", "), slug.collate("C"))
        joined = select(in_order).where(mine)
    else:
        # SQLite before 3.44 has no ORDER BY inside an aggregate; it concatenates the rows of
        # an ordered subquery in their order (an aggregate's subquery is never flattened).
        ordered = (
            select(slug.label("slug"))
            .where(mine)
            .correlate(Nomination)
            .order_by(slug)
            .subquery("slugs")
        )
        joined = select(func.aggregate_strings(ordered.c.slug, ", "))
    return func.coalesce(joined.scalar_subquery(), "")


def _iso_utc_text(moment: Any, dialect: str) -> ColumnElement[str]:
    """A UTC moment as `iso_utc` writes it (2026-11-30T09:15:00Z), by the database."""
    if dialect == "postgresql":
        return func.to_char(func.timezone("UTC", moment), 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
    return func.strftime("%Y-%m-%dT%H:%M:%SZ", moment, type_=String())


def _neutralised(text: Any) -> ColumnElement[str]:
    """`neutralise_formula`, by the database."""
    return case(
        (func.substr(text, 1, 1).in_(sorted(FORMULA_STARTS)), literal("'") + text),
        else_=text,
    )


def _nomination_rows(
    session: Session, request: ExportRequest, *, for_csv: bool = False
) -> Iterator[Row]:
    """One row per nominee, every cell as written, so no row passes through Python code of
    ours: the story withheld when private (unless asked for), behaviours sorted, and for
    CSV the moment as ISO 8601 text and formula-looking text neutralised."""
    dialect = session.get_bind().dialect.name
    nominator = aliased(Member)
    nominee = aliased(Member)
    endorsements = (
        select(func.count(Endorsement.id))
        .where(Endorsement.nomination_id == Nomination.id)
        .scalar_subquery()
    )
    story: Any = Nomination.story
    if not request.include_private:
        story = case(
            (Nomination.visibility == "private", literal(messages.PRIVATE_STORY_WITHHELD)),
            else_=Nomination.story,
        )
    texts: list[Any] = [
        nominator.platform_user_id,
        nominator.display_name,
        nominee.platform_user_id,
        nominee.display_name,
        nominee.title,
        nominee.department,
        _sorted_slugs(dialect),
        story,
        Nomination.visibility,
    ]
    if for_csv:
        texts = [_neutralised(text) for text in texts]
    created: Any = (
        _iso_utc_text(Nomination.created_at, dialect) if for_csv else Nomination.created_at
    )
    query = (
        select(Nomination.id, created, *texts, endorsements)
        .join(NominationNominee, NominationNominee.nomination_id == Nomination.id)
        .join(nominee, nominee.id == NominationNominee.member_id)
        .outerjoin(nominator, nominator.id == Nomination.nominator_id)
        .where(in_period(request.workspace_id, request.period))
        .order_by(Nomination.created_at, Nomination.id, NominationNominee.position)
    )
    result = session.execute(query, execution_options={"yield_per": BATCH_SIZE})
    yield from result


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
    """One row per account of the workspace (or per person in the organisation), in the
    order they are listed: by name."""
    if request.workspace_id is None:
        return _organisation_people_query(request)
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
            Member.staff_group,
            Member.pay_band,
            Member.is_deactivated,
            func.coalesce(received.c.count, 0),
            func.coalesce(given.c.count, 0),
        )
        .outerjoin(received, received.c.member_id == Member.id)
        .outerjoin(given, given.c.member_id == Member.id)
        .where(Member.workspace_id == request.workspace_id, Member.is_bot == false())
        .order_by(Member.display_name, Member.id)
    )


def _organisation_people_query(request: ExportRequest) -> Any:
    """One row per person over every workspace, named by one of their accounts (an active
    one, then the oldest, as the statistics choose a person's seat): what they received
    (each nomination once) and gave from any of their accounts; active if any account is."""
    person = person_of_account()
    active = is_active_person()
    accounts = (
        select(
            Member.id,
            Member.platform_user_id,
            Member.display_name,
            Member.title,
            Member.department,
            Member.staff_group,
            Member.pay_band,
            person.label("person"),
            case((active, 0), else_=1).label("inactive"),
            func.row_number()
            .over(partition_by=person, order_by=(case((active, 0), else_=1), Member.id))
            .label("choice"),
        )
        .where(Member.is_bot == false())
        .subquery("accounts")
    )
    received = (
        select(
            person.label("person"),
            func.count(func.distinct(NominationNominee.nomination_id)).label("count"),
        )
        .join(Nomination, Nomination.id == NominationNominee.nomination_id)
        .join(Member, Member.id == NominationNominee.member_id)
        .where(in_period(request.workspace_id, request.period))
        .group_by(person)
        .subquery("received")
    )
    nominator = aliased(Member)
    given = (
        select(person_of_account(nominator).label("person"), func.count().label("count"))
        .select_from(Nomination)
        .join(nominator, nominator.id == Nomination.nominator_id)
        .where(in_period(request.workspace_id, request.period))
        .group_by(person_of_account(nominator))
        .subquery("given")
    )
    return (
        select(
            accounts.c.platform_user_id,
            accounts.c.display_name,
            accounts.c.title,
            accounts.c.department,
            accounts.c.staff_group,
            accounts.c.pay_band,
            accounts.c.inactive == 1,
            func.coalesce(received.c.count, 0),
            func.coalesce(given.c.count, 0),
        )
        .outerjoin(received, received.c.person == accounts.c.person)
        .outerjoin(given, given.c.person == accounts.c.person)
        .where(accounts.c.choice == 1)
        .order_by(accounts.c.display_name, accounts.c.id)
    )


def _people_rows(session: Session, request: ExportRequest) -> Iterator[Row]:
    query = _people_query(request)
    for user_id, name, title, dept, group, band, deactivated, received, given in session.execute(
        query, execution_options={"yield_per": BATCH_SIZE}
    ):
        yield (
            user_id,
            name,
            title,
            dept,
            group,
            band,
            "no" if deactivated else "yes",
            int(received),
            int(given),
        )


def _group_rows(section: str, breakdown: Breakdown, *, with_share: bool = False) -> list[Row]:
    """Each group's figures; `with_share` adds the share of its members recognised (the
    seniority view), hidden with them."""
    rows: list[Row] = []
    for group in breakdown.rows:
        item = group.key if section == "behaviour" else group.label
        if group.members is not None:
            rows.append((section, item, "members", group.members))
        rows.append((section, item, "nominations", group.nominations))
        rows.append((section, item, "people_recognised", group.people_recognised))
        if with_share and group.members is not None:
            share = group.coverage
            rows.append(
                (
                    section,
                    item,
                    "recognised_share",
                    round(share, 4) if isinstance(share, float) else share,
                )
            )
    return rows


def summary_rows(stats: RecognitionStats, min_cell: int | None = None) -> list[Row]:
    """The statistics in long form: (section, item, measure, value), one figure a row, with
    the same small cells hidden as on the overview sheet and in the board report."""
    cells = SmallCells(min_cell)
    count = cells.count

    def share(numerator: int, denominator: int) -> float | str | None:
        value = cells.share(numerator, denominator)
        return round(value, 4) if isinstance(value, float) else value

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
        ("coverage", "", "share", share(stats.recognised_active_members, stats.active_members)),
        ("spread", "", "top_10_percent_recipients", count(stats.top_recipients)),
        (
            "spread",
            "",
            "top_10_percent_share",
            share(stats.top_recipients_received, stats.recognitions_received),
        ),
        ("spread", "", "gini", None if stats.gini is None else round(stats.gini, 4)),
    ]
    rows += _group_rows(
        "behaviour", Breakdown("behaviour", "", suppress_groups(stats.by_behaviour, cells))
    )
    rows += _group_rows("title", Breakdown("title", "", suppress_groups(stats.by_title, cells)))
    rows += _group_rows(
        "department", Breakdown("department", "", suppress_groups(stats.by_department, cells))
    )
    for seniority in seniority_breakdowns(stats):
        breakdown = Breakdown(seniority.key, "", suppress_groups(seniority.groups, cells))
        rows += _group_rows(seniority.key, breakdown, with_share=True)
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
    """The requested reports as lazy tables, read through `session` as they are written.

    Raises ReportError for a row-level report (nominations, people) under `min_cell`: a row
    about one named person is a group of one, which no suppression can make safe to share.
    """
    if request.min_cell is not None:
        for report in request.reports:
            if report in ROW_LEVEL_REPORTS:
                raise ReportError(messages.ROW_LEVEL_WITH_MIN_CELL.format(report=report.value))
    tables = []
    for report in request.reports:
        if report is Report.NOMINATIONS:
            tables.append(
                Table(
                    report.value,
                    NOMINATION_COLUMNS,
                    _nomination_rows(session, request),
                    lambda: _count_nomination_rows(session, request),
                    kinds=NOMINATION_KINDS,
                    widths=NOMINATION_WIDTHS,
                    csv_rows=_nomination_rows(session, request, for_csv=True),
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
                    kinds=PEOPLE_KINDS,
                    widths=PEOPLE_WIDTHS,
                )
            )
        else:
            stats = recognition_stats(session, request.workspace_id, request.period, catalogue)
            rows = summary_rows(stats, request.min_cell)
            tables.append(
                Table(
                    report.value,
                    SUMMARY_COLUMNS,
                    rows,
                    _counter(len(rows)),
                    kinds=SUMMARY_KINDS,
                    widths=SUMMARY_WIDTHS,
                    overview=build_overview(stats, SmallCells(request.min_cell)),
                    row_kinds=summary_row_kinds,
                )
            )
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
    rows = table.csv_rows if table.csv_rows is not None else _csv_cells(table.rows)
    for row in _batches(rows, on_rows):
        writer.writerow(row)
        written += 1
    return written


def _csv_cells(rows: Iterable[Row]) -> Iterator[Row]:
    """Rows as CSV cells: moments as ISO 8601 text, formula-looking text neutralised."""
    for row in rows:
        # neutralise_formula, inlined: this line runs once per cell of a long export.
        yield tuple(
            "'" + cell
            if isinstance(cell, str) and cell[:1] in FORMULA_STARTS
            else iso_utc(cell)
            if isinstance(cell, datetime)
            else cell
            for cell in row
        )


def write_json(out: TextIO, table: Table, on_rows: ProgressCallback | None = None) -> int:
    """A JSON array of objects keyed by column, written one object at a time."""
    out.write("[")
    written = 0
    for row in _batches(table.rows, on_rows):
        out.write(",\n" if written else "\n")
        values = (as_text_cell(cell) for cell in row)
        out.write(json.dumps(dict(zip(table.columns, values, strict=True)), ensure_ascii=False))
        written += 1
    out.write("\n]\n" if written else "]\n")
    return written


class _Formats:
    """The workbook's cell formats, made once."""

    def __init__(self, workbook: xlsxwriter.Workbook) -> None:
        add = workbook.add_format
        self.header = add({"bold": True, "bg_color": "#DDEBF7", "bottom": 1, "text_wrap": True})
        self.title = add({"bold": True, "font_size": 14})
        self.heading = add({"bold": True, "font_size": 12})
        self.note = add({"italic": True, "font_color": "#444444", "text_wrap": True})
        self.text = add({})
        self.count = add({"num_format": "#,##0"})
        self.share = add({"num_format": "0%"})
        self.index = add({"num_format": "0.00"})
        self.datetime = add({"num_format": "yyyy-mm-dd hh:mm"})
        self.date = add({"num_format": "yyyy-mm-dd"})
        # A hidden small cell: "<5", right-aligned like the numbers around it, in grey.
        self.hidden = add({"align": "right", "italic": True, "font_color": "#595959"})


def _write_cell(
    sheet: Any, row: int, col: int, value: Cell, kind: Kind | FigureKind, formats: _Formats
) -> None:
    if value is None or value == "":
        sheet.write_blank(row, col, None)
    elif isinstance(value, datetime):
        # Excel has no time zones: moments are written as UTC wall-clock time.
        sheet.write_datetime(row, col, value.astimezone(UTC).replace(tzinfo=None), formats.datetime)
    elif isinstance(value, date):
        sheet.write_datetime(row, col, datetime.combine(value, datetime.min.time()), formats.date)
    elif isinstance(value, str):
        hidden = value.startswith("<") and kind not in (Kind.TEXT,)
        sheet.write_string(row, col, value, formats.hidden if hidden else formats.text)
    elif isinstance(value, bool):
        sheet.write_string(row, col, "yes" if value else "no")
    else:
        number_format = {
            Kind.SHARE: formats.share,
            FigureKind.SHARE: formats.share,
            FigureKind.INDEX: formats.index,
            Kind.INDEX: formats.index,
        }.get(kind, formats.count)
        sheet.write_number(row, col, value, number_format)


def _write_overview(
    workbook: xlsxwriter.Workbook, overview: ReportOverview, formats: _Formats
) -> None:
    """The first sheet: headline figures, then one table per breakdown, the weeks and the
    seats never recognised — readable without pivoting, small cells shown as "<5"."""
    sheet = workbook.add_worksheet("overview")
    sheet.set_column(0, 0, 44)
    sheet.set_column(1, 4, 16)
    sheet.write_string(0, 0, overview.title, formats.title)
    sheet.write_string(1, 0, messages.REPORT_PERIOD, formats.text)
    _write_cell(sheet, 1, 1, overview.first_day, Kind.DATE, formats)
    _write_cell(sheet, 1, 2, overview.last_day, Kind.DATE, formats)
    row = 2
    if overview.suppression_note:
        sheet.merge_range(row, 0, row, 4, overview.suppression_note, formats.note)
        sheet.set_row(row, 45)
        row += 1
        sheet.merge_range(row, 0, row, 4, messages.REPORT_ROW_LEVEL_LEFT_OUT, formats.note)
        sheet.set_row(row, 30)
        row += 1
    row += 1
    sheet.write_string(row, 0, messages.REPORT_HEADLINES, formats.heading)
    row += 1
    for headline in overview.headlines:
        sheet.write_string(row, 0, headline.label)
        _write_cell(sheet, row, 1, headline.value, headline.kind, formats)
        row += 1
    for breakdown in overview.breakdowns:
        row += 1
        sheet.write_string(row, 0, breakdown.heading, formats.heading)
        row += 1
        columns = [breakdown.heading]
        if breakdown.has_members:
            columns += [messages.REPORT_COL_MEMBERS, messages.REPORT_COL_RECOGNISED]
            columns += [messages.REPORT_COL_COVERAGE, messages.REPORT_COL_NOMINATIONS]
        else:
            columns += [messages.REPORT_COL_NOMINATIONS, messages.REPORT_COL_RECOGNISED]
        sheet.write_row(row, 0, columns, formats.header)
        row += 1
        for group in breakdown.rows:
            sheet.write_string(row, 0, group.label)
            if breakdown.has_members:
                values: list[tuple[Cell, Kind]] = [
                    (group.members, Kind.COUNT),
                    (group.people_recognised, Kind.COUNT),
                    (group.coverage, Kind.SHARE),
                    (group.nominations, Kind.COUNT),
                ]
            else:
                values = [(group.nominations, Kind.COUNT), (group.people_recognised, Kind.COUNT)]
            for col, (value, kind) in enumerate(values, start=1):
                _write_cell(sheet, row, col, value, kind, formats)
            row += 1
    row += 1
    sheet.write_string(row, 0, messages.REPORT_WEEKS, formats.heading)
    row += 1
    sheet.write_row(
        row,
        0,
        [
            messages.REPORT_COL_WEEK,
            messages.REPORT_COL_DAYS,
            messages.REPORT_COL_NOMINATIONS,
            messages.REPORT_COL_RECOGNISED,
        ],
        formats.header,
    )
    row += 1
    placeholder = overview.cells.placeholder
    for week in overview.weeks:
        _write_cell(sheet, row, 0, week.week_start, Kind.DATE, formats)
        _write_cell(sheet, row, 1, week.days_in_period, Kind.COUNT, formats)
        nominations = placeholder if week.nominations is None else week.nominations
        people = placeholder if week.people_recognised is None else week.people_recognised
        _write_cell(sheet, row, 2, nominations, Kind.COUNT, formats)
        _write_cell(sheet, row, 3, people, Kind.COUNT, formats)
        row += 1
    row += 1
    sheet.write_string(row, 0, messages.REPORT_UNSEEN_SEATS, formats.heading)
    row += 1
    if not overview.unseen_seats:
        sheet.write_string(row, 0, messages.REPORT_NO_UNSEEN_SEATS)
        return
    sheet.write_row(row, 0, [messages.REPORT_COL_SEAT, messages.REPORT_COL_MEMBERS], formats.header)
    row += 1
    for seat in overview.unseen_seats:
        sheet.write_string(row, 0, seat.title)
        _write_cell(sheet, row, 1, seat.members, Kind.COUNT, formats)
        row += 1


def _start_sheet(workbook: xlsxwriter.Workbook, name: str, table: Table, formats: _Formats) -> Any:
    sheet = workbook.add_worksheet(name[:31])
    for col, width in enumerate(table.widths):
        sheet.set_column(col, col, width)
    sheet.write_row(0, 0, table.columns, formats.header)
    sheet.freeze_panes(1, 0)
    return sheet


def write_xlsx(
    target: str | Path | IO[bytes], tables: Sequence[Table], on_rows: ProgressCallback | None = None
) -> int:
    """An overview sheet first when the summary is included (headline figures and one table
    per breakdown), then one sheet per report with real dates, number formats, column
    widths and a filter on its header (continued on a further sheet past Excel's row limit).
    """
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
    formats = _Formats(workbook)
    written = 0
    try:
        overview = next((table.overview for table in tables if table.overview), None)
        if overview is not None:
            _write_overview(workbook, overview, formats)
        for table in tables:
            kinds = table.kinds or tuple(Kind.TEXT for _ in table.columns)
            sheet, row_number, part = None, 0, 1
            for row in _batches(table.rows, on_rows):
                if sheet is None or row_number > XLSX_MAX_DATA_ROWS:
                    if sheet is not None:
                        sheet.autofilter(0, 0, row_number - 1, len(table.columns) - 1)
                    name = table.name if part == 1 else f"{table.name} ({part})"
                    sheet = _start_sheet(workbook, name, table, formats)
                    row_number, part = 1, part + 1
                row_kinds = table.row_kinds(row) if table.row_kinds else kinds
                for col, cell in enumerate(row):
                    _write_cell(sheet, row_number, col, cell, row_kinds[col], formats)
                row_number += 1
                written += 1
            if sheet is None:  # an empty report still gets its sheet and header
                sheet = _start_sheet(workbook, table.name, table, formats)
                row_number = 1
            sheet.autofilter(0, 0, max(row_number - 1, 0), len(table.columns) - 1)
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

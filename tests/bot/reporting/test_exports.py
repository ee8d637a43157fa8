"""Exports: what a person opening the CSV, XLSX or JSON file would find in it."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from bot import messages
from bot.errors import ReportError
from bot.reporting.exports import (
    PEOPLE_COLUMNS,
    ExportFormat,
    ExportRequest,
    Report,
    Table,
    as_text_cell,
    neutralise_formula,
    open_tables,
    write_export,
)
from bot.reporting.periods import last_days
from bot.services import Services
from db.models import NominationBehaviour
from tests.support import builders
from tests.support.clock import FakeClock
from tests.support.datasets import NOW, Dataset, at, build_dataset

PER_GROUP = ("members", "nominations", "people_recognised")


@pytest.fixture
def dataset(services: Services, clock: FakeClock) -> Dataset:
    return build_dataset(services, clock)


def request_for(dataset: Dataset, *reports: Report, **options: object) -> ExportRequest:
    return ExportRequest(
        workspace_id=dataset.workspace_id,
        period=last_days(30, NOW),
        reports=reports or (Report.NOMINATIONS,),
        **options,  # type: ignore[arg-type]
    )


def export_text(dataset: Dataset, fmt: ExportFormat, request: ExportRequest) -> str:
    out = io.StringIO(newline="")
    with dataset.services.sessions() as session:
        tables = open_tables(session, request, dataset.services.catalogue)
        write_export(fmt, tables, text_out=out)
    return out.getvalue()


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_nominations_csv_has_a_header_and_one_row_per_nominee_per_nomination(dataset) -> None:
    rows = csv_rows(export_text(dataset, ExportFormat.CSV, request_for(dataset)))
    assert [(row["nominator_id"], row["nominee_id"]) for row in rows] == [
        ("UANA", "UNIA"),
        ("USAM", "UNIA"),
        ("USAM", "ULEE"),
        ("ULEE", "UNIA"),
        ("UMO", "UNIA"),
        ("UMO", "ULEE"),
        ("UMO", "USAM"),
        ("UNIA", "UANA"),
    ]
    first = rows[0]
    assert first["created_at"] == "2026-11-02T09:00:00Z"
    assert (first["nominator_name"], first["nominee_name"]) == ("Ana", "Nia")
    assert (first["nominee_title"], first["nominee_department"]) == ("Porter", "Facilities")
    assert (first["story"], first["visibility"], first["endorsements"]) == (
        builders.STORY,
        "public",
        "1",
    )
    assert rows[1]["behaviours"] == "enabling-change, speaking-up"


def test_private_stories_are_withheld_unless_asked_for(dataset) -> None:
    withheld = csv_rows(export_text(dataset, ExportFormat.CSV, request_for(dataset)))[-1]
    assert (withheld["visibility"], withheld["story"]) == (
        "private",
        messages.PRIVATE_STORY_WITHHELD,
    )
    request = request_for(dataset, include_private=True)
    shown = csv_rows(export_text(dataset, ExportFormat.CSV, request))[-1]
    assert shown["story"] == builders.STORY


def test_formula_injection_is_neutralised_in_csv_and_kept_as_text_in_xlsx(
    dataset, clock: FakeClock, tmp_path: Path
) -> None:
    evil = '=HYPERLINK("http://attacker.example","Click for your award")'
    clock.set(at(18, hour=8))
    mallory = builders.member(dataset.services, dataset.workspace_id, "UMAL", "@mallory")
    plus = builders.member(dataset.services, dataset.workspace_id, "UPLUS", "+44 ward line")
    builders.nomination(dataset.services, mallory, [plus], story=evil)
    clock.set(at(19))
    request = ExportRequest(dataset.workspace_id, last_days(30, clock()))

    row = csv_rows(export_text(dataset, ExportFormat.CSV, request))[-1]
    assert row["story"] == "'" + evil
    assert row["nominator_name"] == "'@mallory"
    assert row["nominee_name"] == "'+44 ward line"

    path = tmp_path / "export.xlsx"
    with dataset.services.sessions() as session:
        write_export(
            ExportFormat.XLSX,
            open_tables(session, request, dataset.services.catalogue),
            binary_target=path,
        )
    sheet = openpyxl.load_workbook(path)["nominations"]
    story_cell = sheet.cell(row=sheet.max_row, column=10)
    assert (story_cell.value, story_cell.data_type) == (evil, "s")


def test_xlsx_has_a_sheet_per_report_with_headers_and_rows(dataset, tmp_path: Path) -> None:
    path = tmp_path / "all.xlsx"
    request = request_for(dataset, Report.NOMINATIONS, Report.PEOPLE, Report.SUMMARY)
    with dataset.services.sessions() as session:
        rows = write_export(
            ExportFormat.XLSX,
            open_tables(session, request, dataset.services.catalogue),
            binary_target=path,
        )
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["overview", "nominations", "people", "summary"]
    nominations = list(workbook["nominations"].iter_rows(values_only=True))
    assert nominations[0][:3] == ("nomination_id", "created_at", "nominator_id")
    assert len(nominations) == 1 + 8
    assert nominations[1][11] == 1  # endorsements are numbers, not text
    people = {row[0]: row for row in workbook["people"].iter_rows(min_row=2, values_only=True)}
    assert people["UNIA"][-2:] == (4, 1)  # received, given
    assert "UBOT" not in people
    assert people["UGONE"][PEOPLE_COLUMNS.index("active")] == "no"
    summary = {
        (row[0], row[1], row[2]): row[3]
        for row in workbook["summary"].iter_rows(min_row=2, values_only=True)
    }
    assert summary[("spread", None, "gini")] == pytest.approx(0.3125)
    assert summary[("coverage", None, "share")] == pytest.approx(0.4)
    assert summary[("never_recognised_seat", "Cleaner", "members")] == 1
    assert rows == 8 + len(people) + len(summary)


def test_json_export_parses_back_to_the_csv_rows(dataset) -> None:
    request = request_for(dataset)
    from_json = json.loads(export_text(dataset, ExportFormat.JSON, request))
    from_csv = csv_rows(export_text(dataset, ExportFormat.CSV, request))
    assert len(from_json) == 8
    assert [{key: str(value) for key, value in row.items()} for row in from_json] == from_csv


def test_an_empty_period_still_writes_the_header(dataset) -> None:
    request = ExportRequest(dataset.workspace_id, last_days(3, at(1, month=1)))
    assert export_text(dataset, ExportFormat.CSV, request).splitlines() == [
        "nomination_id,created_at,nominator_id,nominator_name,nominee_id,nominee_name,"
        "nominee_title,nominee_department,behaviours,story,visibility,endorsements"
    ]
    assert json.loads(export_text(dataset, ExportFormat.JSON, request)) == []


def test_min_cell_hides_small_groups_in_the_summary(dataset) -> None:
    summary = csv_rows(
        export_text(dataset, ExportFormat.CSV, request_for(dataset, Report.SUMMARY, min_cell=3))
    )
    value = {(row["section"], row["item"], row["measure"]): row["value"] for row in summary}
    assert value[("totals", "", "nominations")] == "5"
    assert value[("totals", "", "distinct_nominees")] == "4"
    assert value[("coverage", "", "share")] == "0.4"
    # Pharmacist is one person: the seat's every figure is hidden, not only counts under 3,
    # so nobody's recognition can be read off a one-person seat.
    assert [value[("title", "Pharmacist", measure)] for measure in PER_GROUP] == ["<3"] * 3
    # Surgery (3 members, 2 recognised) is hidden too: its count is small.
    assert value[("department", "Surgery", "people_recognised")] == "<3"
    assert value[("behaviour", "partnering-with-patients", "nominations")] == "0"


def test_min_cell_leaves_no_hidden_figure_to_subtract_back(dataset) -> None:
    # Departments, 5 or more: Facilities (Nia, Kit, Ida) is the only group of 3 or more
    # people with... every department is small here; with a threshold of 2 only one
    # department (Pharmacy, one person) is primarily hidden, and a second must go with it.
    summary = csv_rows(
        export_text(dataset, ExportFormat.CSV, request_for(dataset, Report.SUMMARY, min_cell=2))
    )
    members = {
        row["item"]: row["value"]
        for row in summary
        if (row["section"], row["measure"]) == ("department", "members")
    }
    hidden = [name for name, shown in members.items() if shown == "<2"]
    assert "Pharmacy" in hidden and len(hidden) >= 2
    total = int(next(row["value"] for row in summary if row["measure"] == "active_members"))
    shown_sum = sum(int(shown) for shown in members.values() if shown != "<2")
    assert total - shown_sum > 1  # the difference covers at least two groups, not one


@pytest.mark.parametrize("report", [Report.NOMINATIONS, Report.PEOPLE])
def test_row_level_reports_refuse_min_cell_with_a_clear_message(dataset, report) -> None:
    with pytest.raises(ReportError) as refused:
        export_text(dataset, ExportFormat.CSV, request_for(dataset, report, min_cell=5))
    assert str(refused.value).startswith(
        f"The {report.value} report lists individuals, so --min-cell can't make it safe"
    )


def test_xlsx_reads_without_pivoting_with_real_dates_formats_widths_and_filters(
    dataset, tmp_path: Path
) -> None:
    path = tmp_path / "all.xlsx"
    request = request_for(dataset, Report.NOMINATIONS, Report.PEOPLE, Report.SUMMARY)
    with dataset.services.sessions() as session:
        write_export(
            ExportFormat.XLSX,
            open_tables(session, request, dataset.services.catalogue),
            binary_target=path,
        )
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames[0] == "overview"
    overview = workbook["overview"]
    cells = {
        cell.value: overview.cell(row=cell.row, column=2)
        for cell in overview["A"]
        if isinstance(cell.value, str)
    }
    # Headline figures: numbers with number formats, not text.
    assert (cells["Nominations"].value, cells["Nominations"].number_format) == (5, "#,##0")
    coverage = cells["Coverage (active members recognised at least once)"]
    assert (coverage.value, coverage.number_format) == (pytest.approx(0.4), "0%")
    period_start = overview["B2"]
    assert isinstance(period_start.value, datetime) and period_start.number_format == "yyyy-mm-dd"
    # One table per breakdown: a heading, a header row, then a row per group.
    seat_heading = next(cell.row for cell in overview["A"] if cell.value == "Seat (job title)")
    header = [cell.value for cell in overview[seat_heading + 1]][:5]
    assert header == [
        "Seat (job title)",
        "Active members",
        "People recognised",
        "Coverage",
        "Nominations",
    ]
    porter = next(
        row for row in overview.iter_rows(min_row=seat_heading) if row[0].value == "Porter"
    )
    assert [cell.value for cell in porter[1:5]] == [2, 1, 0.5, 4]
    assert porter[3].number_format == "0%"
    week = next(row for row in overview.iter_rows() if isinstance(row[0].value, datetime))
    assert week[0].number_format == "yyyy-mm-dd"
    assert overview.column_dimensions["A"].width >= 40

    nominations = workbook["nominations"]
    created = nominations["B2"]
    assert (
        created.value == datetime(2026, 11, 2, 9, 0) and created.number_format == "yyyy-mm-dd hh:mm"
    )
    assert nominations["L2"].data_type == "n"
    assert nominations.auto_filter.ref == "A1:L9"
    assert nominations.column_dimensions["J"].width >= 50
    assert nominations.freeze_panes == "A2"
    people = workbook["people"]
    assert people.auto_filter.ref.startswith("A1:I")  # every column of the people report
    summary = workbook["summary"]
    gini = next(row for row in summary.iter_rows(min_row=2) if row[2].value == "gini")
    assert gini[3].number_format == "0.00"
    share = next(row for row in summary.iter_rows(min_row=2) if row[2].value == "share")
    assert share[3].number_format == "0%"


def test_xlsx_under_min_cell_shows_hidden_cells_as_such_with_a_note(
    dataset, tmp_path: Path
) -> None:
    path = tmp_path / "shared.xlsx"
    request = request_for(dataset, Report.SUMMARY, min_cell=5)
    with dataset.services.sessions() as session:
        write_export(
            ExportFormat.XLSX,
            open_tables(session, request, dataset.services.catalogue),
            binary_target=path,
        )
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["overview", "summary"]
    overview = workbook["overview"]
    notes = [cell.value for cell in overview["A"] if isinstance(cell.value, str)]
    assert any(note.startswith("<5 means fewer than 5 people or recognitions") for note in notes)
    pharmacist = next(row for row in overview.iter_rows() if row[0].value == "Pharmacist")
    assert [cell.value for cell in pharmacist[1:5]] == ["<5"] * 4
    assert pharmacist[1].alignment.horizontal == "right" and pharmacist[1].font.i


def test_csv_and_json_take_exactly_one_report() -> None:
    empty = Table("nominations", ("a",), [], lambda: 0)
    with pytest.raises(ValueError, match="exactly one report"):
        write_export(ExportFormat.CSV, [empty, empty], text_out=io.StringIO())


def test_csv_cells_written_by_the_database_are_the_python_formatting_of_the_rows(
    dataset, clock: FakeClock
) -> None:
    # The CSV's cells come straight from SQL (moments as text, behaviours sorted, formula
    # starts neutralised, private stories withheld); the XLSX's rows are the same query's
    # plain values. Formatted in Python, those must give the CSV, on either database.
    clock.set(at(18, hour=8).replace(minute=7, second=5, microsecond=987654))
    tab = builders.member(dataset.services, dataset.workspace_id, "UTAB", "\tTabbed")
    dash = builders.member(dataset.services, dataset.workspace_id, "UDASH", "-Dash, Émile")
    made = builders.nomination(
        dataset.services, tab, [dash], story="+1 for the rota, from all of us", visibility="private"
    )
    with dataset.services.sessions() as session:
        for slug in ("Zeta", "alpha_beta", "alpha-beta", "émile", "=sum"):
            session.add(NominationBehaviour(nomination_id=made.nomination_id, behaviour_slug=slug))
        session.commit()
    clock.set(at(19))
    for include_private in (False, True):
        request = ExportRequest(
            dataset.workspace_id, last_days(30, clock()), include_private=include_private
        )
        with dataset.services.sessions() as session:
            (table,) = open_tables(session, request, dataset.services.catalogue)
            plain = [
                tuple(neutralise_formula(as_text_cell(cell)) for cell in row) for row in table.rows
            ]
        expected = io.StringIO(newline="")
        csv.writer(expected).writerows(plain)
        written = export_text(dataset, ExportFormat.CSV, request).split("\r\n", 1)[1]
        assert written == expected.getvalue()
        assert (
            "'\tTabbed" in written
            and "'=sum, Zeta, alpha-beta, alpha_beta, leading-from-every-seat, émile" in written
        )
        assert ("'+1 for the rota, from all of us" in written) is include_private

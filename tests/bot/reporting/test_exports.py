"""Exports: what a person opening the CSV, XLSX or JSON file would find in it."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest

from bot import messages
from bot.reporting.exports import (
    ExportFormat,
    ExportRequest,
    Report,
    Table,
    open_tables,
    write_export,
)
from bot.reporting.periods import last_days
from bot.services import Services
from tests.support import builders
from tests.support.clock import FakeClock
from tests.support.datasets import NOW, Dataset, at, build_dataset


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
    assert workbook.sheetnames == ["nominations", "people", "summary"]
    nominations = list(workbook["nominations"].iter_rows(values_only=True))
    assert nominations[0][:3] == ("nomination_id", "created_at", "nominator_id")
    assert len(nominations) == 1 + 8
    assert nominations[1][11] == 1  # endorsements are numbers, not text
    people = {row[0]: row for row in workbook["people"].iter_rows(min_row=2, values_only=True)}
    assert people["UNIA"][5:] == (4, 1)  # received, given
    assert "UBOT" not in people
    assert people["UGONE"][4] == "no"
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


def test_min_cell_hides_small_counts_in_people_and_summary(dataset) -> None:
    people = csv_rows(
        export_text(dataset, ExportFormat.CSV, request_for(dataset, Report.PEOPLE, min_cell=3))
    )
    by_id = {row["member_id"]: row for row in people}
    assert (by_id["UNIA"]["received"], by_id["UNIA"]["given"]) == ("4", "<3")
    assert (by_id["ULEE"]["received"], by_id["UKIT"]["received"]) == ("<3", "0")

    summary = csv_rows(
        export_text(dataset, ExportFormat.CSV, request_for(dataset, Report.SUMMARY, min_cell=5))
    )
    value = {(row["section"], row["item"], row["measure"]): row["value"] for row in summary}
    assert value[("totals", "", "nominations")] == "5"
    assert value[("totals", "", "distinct_nominees")] == "<5"
    assert value[("coverage", "", "share")] == "<5"  # 4 of 10 would reveal the hidden 4
    assert value[("title", "Porter", "people_recognised")] == "<5"
    assert value[("behaviour", "partnering-with-patients", "nominations")] == "0"


def test_csv_and_json_take_exactly_one_report() -> None:
    empty = Table("nominations", ("a",), [], lambda: 0)
    with pytest.raises(ValueError, match="exactly one report"):
        write_export(ExportFormat.CSV, [empty, empty], text_out=io.StringIO())

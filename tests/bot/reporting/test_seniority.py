"""The seniority view — recognition per staff group and pay band as a share of headcount —
in the chat summary, the report overview, the exports and the board report: shown after
seats and departments, in one order, left out when unknown, small cells hidden."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest

from bot import messages
from bot.reporting.board_report import build_board_report
from bot.reporting.exports import (
    PEOPLE_COLUMNS,
    ExportFormat,
    ExportRequest,
    Report,
    open_tables,
    write_export,
)
from bot.reporting.overview import build_overview
from bot.reporting.periods import ReportingPeriod, last_days
from bot.reporting.seniority import in_seniority_order
from bot.reporting.stats import GroupCount, RecognitionStats, recognition_stats
from bot.reporting.summary import summarise
from bot.reporting.suppression import SmallCells
from bot.services import Services
from tests.support import builders
from tests.support.clock import FakeClock
from tests.support.seniority import (
    LARGE_BAND,
    LARGE_BAND_LINE,
    LARGE_GROUP,
    LARGE_GROUP_LINE,
    NO_BAND,
    QUIET_BAND,
    QUIET_GROUP,
    SMALL_GROUP,
    build_seniority_ward,
    hidden_line,
)


@pytest.fixture
def ward(services: Services, clock: FakeClock) -> tuple[int, ReportingPeriod]:
    workspace = builders.workspace(services)
    build_seniority_ward(services, workspace.id)
    clock.advance(timedelta(minutes=1))  # "the last 30 days" ends now, exclusive
    return workspace.id, last_days(30, clock())


def stats_of(services: Services, ward: tuple[int, ReportingPeriod]) -> RecognitionStats:
    workspace_id, period = ward
    with services.sessions() as session:
        return recognition_stats(session, workspace_id, period, services.catalogue)


def group(label: str | None, members: int = 10) -> GroupCount:
    return GroupCount(label, label or NO_BAND, 0, 0, members)


def test_pay_bands_read_lowest_first_and_the_unknown_last() -> None:
    shuffled = tuple(
        group(label) for label in ("Band 10", None, "Consultant", "Band 8a", "Band 2", "Band 8b")
    )
    assert [g.label for g in in_seniority_order(shuffled)] == [
        "Band 2",
        "Band 8a",
        "Band 8b",
        "Band 10",
        "Consultant",
        NO_BAND,
    ]


def test_the_summary_shows_staff_groups_and_pay_bands_after_seats_and_departments(
    services: Services, ward
) -> None:
    summary = summarise(stats_of(services, ward))  # no threshold: every figure shown
    assert [section.key for section in summary.groups] == [
        "behaviour",
        "title",
        "department",
        "staff_group",
        "pay_band",
    ]
    staff_groups, pay_bands = summary.seniority
    assert staff_groups.heading == messages.STATS_BY_STAFF_GROUP
    assert staff_groups.lines == (
        f"{QUIET_GROUP}: 0 of 8 people recognised (0%); 0 nominations",
        LARGE_GROUP_LINE,
        f"{SMALL_GROUP}: 1 of 2 people recognised (50%); 1 nomination",
    )
    assert pay_bands.heading == messages.STATS_BY_PAY_BAND
    assert pay_bands.lines == (
        f"{QUIET_BAND}: 0 of 8 people recognised (0%); 0 nominations",
        LARGE_BAND_LINE,
        f"{NO_BAND}: 1 of 2 people recognised (50%); 1 nomination",
    )


def test_a_small_staff_group_or_pay_band_is_hidden_in_the_summary(services: Services, ward) -> None:
    staff_groups, pay_bands = summarise(stats_of(services, ward), SmallCells(5)).seniority
    # Students are two people: hidden whole; the next smallest group goes with them, so the
    # students can't be worked out from the total.
    assert staff_groups.lines == (
        hidden_line(QUIET_GROUP),
        LARGE_GROUP_LINE,
        hidden_line(SMALL_GROUP),
    )
    assert pay_bands.lines == (hidden_line(QUIET_BAND), LARGE_BAND_LINE, hidden_line(NO_BAND))
    assert not any("1 of 2" in line for line in (*staff_groups.lines, *pay_bands.lines))


def test_without_staff_groups_or_pay_bands_the_seniority_view_is_left_out(
    services: Services, clock: FakeClock
) -> None:
    workspace = builders.workspace(services)
    nia = builders.member(services, workspace.id, "UNIA", title="Porter", department="Estates")
    sam = builders.member(services, workspace.id, "USAM", title="Nurse", department="Ward 7")
    builders.nomination(services, sam, [nia])
    clock.advance(timedelta(minutes=1))
    stats = stats_of(services, (workspace.id, last_days(30, clock())))
    summary = summarise(stats)
    assert summary.seniority == ()
    assert [section.key for section in summary.groups] == ["behaviour", "title", "department"]
    overview = build_overview(stats, SmallCells(5))
    assert [b.key for b in overview.breakdowns] == ["title", "department", "behaviour"]
    summary_csv = export(services, workspace.id, last_days(30, clock()), ExportFormat.CSV)
    assert {row["section"] for row in csv_rows(summary_csv)}.isdisjoint({"staff_group", "pay_band"})


def export(
    services: Services,
    workspace_id: int,
    period: ReportingPeriod,
    fmt: ExportFormat,
    *reports: Report,
    min_cell: int | None = None,
    binary: Path | None = None,
) -> str:
    request = ExportRequest(workspace_id, period, reports or (Report.SUMMARY,), min_cell=min_cell)
    out = io.StringIO(newline="")
    with services.sessions() as session:
        tables = open_tables(session, request, services.catalogue)
        if binary is not None:
            write_export(fmt, tables, binary_target=binary)
        else:
            write_export(fmt, tables, text_out=out)
    return out.getvalue()


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def seniority_values(rows: list[dict[str, str]]) -> dict[tuple[str, str, str], str]:
    return {
        (row["section"], row["item"], row["measure"]): str(row["value"])
        for row in rows
        if row["section"] in ("staff_group", "pay_band")
    }


def test_the_summary_export_hides_a_small_staff_group_and_shows_a_large_one(
    services: Services, ward
) -> None:
    workspace_id, period = ward
    from_csv = seniority_values(
        csv_rows(export(services, workspace_id, period, ExportFormat.CSV, min_cell=5))
    )
    from_json = seniority_values(
        json.loads(export(services, workspace_id, period, ExportFormat.JSON, min_cell=5))
    )
    assert from_json == from_csv
    for section, large, small in (
        ("staff_group", LARGE_GROUP, SMALL_GROUP),
        ("pay_band", LARGE_BAND, NO_BAND),
    ):
        assert [
            from_csv[(section, large, measure)]
            for measure in ("members", "nominations", "people_recognised", "recognised_share")
        ] == ["12", "6", "6", "0.5"]
        assert [
            from_csv[(section, small, measure)]
            for measure in ("members", "nominations", "people_recognised", "recognised_share")
        ] == ["<5"] * 4
    # Without a threshold (the admin's own data) the small group's figures are there.
    unsuppressed = seniority_values(
        csv_rows(export(services, workspace_id, period, ExportFormat.CSV))
    )
    assert unsuppressed[("staff_group", SMALL_GROUP, "members")] == "2"


def test_the_xlsx_overview_and_summary_hide_a_small_staff_group(
    services: Services, ward, tmp_path: Path
) -> None:
    workspace_id, period = ward
    path = tmp_path / "report.xlsx"
    export(services, workspace_id, period, ExportFormat.XLSX, min_cell=5, binary=path)
    workbook = openpyxl.load_workbook(path)
    overview = [[cell for cell in row] for row in workbook["overview"].iter_rows(values_only=True)]
    headings = [row[0] for row in overview]
    staff = headings.index(messages.REPORT_BY_STAFF_GROUP)
    band = headings.index(messages.REPORT_BY_PAY_BAND)
    assert headings.index(messages.REPORT_BY_DEPARTMENT) < staff < band
    table = {row[0]: row[1:5] for row in overview[staff + 2 : staff + 5]}
    assert list(table) == [QUIET_GROUP, LARGE_GROUP, SMALL_GROUP]
    assert list(table[LARGE_GROUP]) == [12, 6, 0.5, 6]
    assert list(table[SMALL_GROUP]) == ["<5"] * 4
    summary = {
        (row[0], row[1], row[2]): row[3]
        for row in workbook["summary"].iter_rows(min_row=2, values_only=True)
    }
    assert summary[("staff_group", LARGE_GROUP, "recognised_share")] == 0.5
    assert summary[("staff_group", SMALL_GROUP, "people_recognised")] == "<5"
    assert summary[("pay_band", LARGE_BAND, "members")] == 12


def test_the_people_export_carries_each_persons_staff_group_and_pay_band(
    services: Services, ward
) -> None:
    workspace_id, period = ward
    people = {
        row["member_id"]: row
        for row in csv_rows(export(services, workspace_id, period, ExportFormat.CSV, Report.PEOPLE))
    }
    assert list(people["UNURSE0"])[:6] == list(PEOPLE_COLUMNS[:6])
    assert (people["UNURSE0"]["staff_group"], people["UNURSE0"]["pay_band"]) == (
        LARGE_GROUP,
        LARGE_BAND,
    )
    assert (people["USTUDENT0"]["staff_group"], people["USTUDENT0"]["pay_band"]) == (
        SMALL_GROUP,
        "",
    )


def board_rows(page: str, key: str) -> dict[str, list[str]]:
    table = re.search(rf'data-breakdown="{key}">(.*?)</table>', page, re.S)
    assert table is not None, f"no {key} table"
    return {
        label: re.findall(r"<td[^>]*>([^<]*)</td>", cells)
        for label, cells in re.findall(
            r'<th scope="row">([^<]*)</th>(.*?)</tr>', table.group(1), re.S
        )
    }


def test_the_board_report_hides_a_small_staff_group_and_pay_band(services: Services, ward) -> None:
    workspace_id, period = ward
    page = build_board_report(services, workspace_id, period, min_cell=5).html
    staff_groups = board_rows(page, "staff_group")
    assert list(staff_groups) == [QUIET_GROUP, LARGE_GROUP, SMALL_GROUP]
    assert staff_groups[LARGE_GROUP] == ["12", "6", "50%", "6"]
    assert staff_groups[SMALL_GROUP] == ["&lt;5"] * 4
    pay_bands = board_rows(page, "pay_band")
    assert pay_bands[LARGE_BAND] == ["12", "6", "50%", "6"]
    assert pay_bands[NO_BAND] == ["&lt;5"] * 4
    # A coverage chart per breakdown of people: seat, department, staff group, pay band.
    alts = re.findall(r'alt="([^"]*)"', page)
    assert any(" by staff group: " in alt for alt in alts)
    assert any(" by pay band: " in alt for alt in alts)

"""The admin reporting use cases against the hand-built workspace (see test_stats): the
summary, the chart, the App Home figures, the export file and the chat arguments."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest

from bot import messages
from bot.app.composition import build_services
from bot.audit import CLI
from bot.errors import InvalidPeriodError, ReportError, StorageUnavailableError
from bot.reporting.admin_reports import (
    ExportArguments,
    build_export,
    default_period,
    home_panel_summary,
    parse_export_arguments,
    parse_stats_arguments,
    stats_report,
    stats_summary,
)
from bot.reporting.exports import ExportFormat
from bot.reporting.periods import between_dates, last_days
from bot.services import Services
from bot.settings import Settings
from tests.support.clock import FakeClock
from tests.support.datasets import NOW, Dataset, build_dataset

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def dataset(services: Services, clock: FakeClock) -> Dataset:
    return build_dataset(services, clock)


def test_stats_summary_says_what_happened_in_the_period(dataset: Dataset) -> None:
    summary = stats_summary(dataset.services, dataset.workspace_id, last_days(30, NOW))
    assert summary.header == "Recognition, the last 30 days"
    assert summary.totals.startswith("5 nominations from 5 people recognised 4 people")
    assert summary.coverage == ("Coverage: 40% of 10 active members were recognised at least once.")
    assert summary.unseen_seats == "Seats never recognised: Cleaner (1), Pharmacist (1)."


def test_stats_report_adds_the_weekly_trend_chart_to_the_same_summary(dataset: Dataset) -> None:
    period = last_days(90, NOW)
    report = stats_report(dataset.services, dataset.workspace_id, period)
    assert report.summary == stats_summary(dataset.services, dataset.workspace_id, period)
    assert report.summary.totals.startswith("6 nominations")  # October's is in 90 days
    assert report.trend_png.startswith(PNG_SIGNATURE)


def test_home_panel_shows_the_last_30_days_by_the_services_clock(
    dataset: Dataset, clock: FakeClock
) -> None:
    assert default_period(dataset.services) == last_days(30, NOW)
    summary = home_panel_summary(dataset.services, dataset.workspace_id)
    assert summary == stats_summary(dataset.services, dataset.workspace_id, last_days(30, NOW))
    clock.set(datetime(2027, 3, 1, 9, 0, tzinfo=UTC))  # months later: nothing recent
    later = home_panel_summary(dataset.services, dataset.workspace_id)
    assert later.totals.startswith("0 nominations")


def test_csv_export_holds_the_nominations_with_private_stories_withheld(
    dataset: Dataset,
) -> None:
    export = build_export(
        dataset.services, dataset.workspace_id, last_days(30, NOW), ExportFormat.CSV, CLI
    )
    assert export.name == "everyseat-nominations.csv"
    assert export.report == "nominations"
    rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8"), newline="")))
    assert len(rows) == 8  # one row per nominee per nomination
    assert [row["nominee_id"] for row in rows[:2]] == ["UNIA", "UNIA"]
    assert rows[-1]["story"] == messages.PRIVATE_STORY_WITHHELD


def test_xlsx_export_holds_every_report_one_sheet_each(dataset: Dataset) -> None:
    export = build_export(
        dataset.services, dataset.workspace_id, last_days(30, NOW), ExportFormat.XLSX, CLI
    )
    assert export.name == "everyseat-report.xlsx"
    assert export.report == "nominations, people, summary"
    workbook = openpyxl.load_workbook(io.BytesIO(export.content), read_only=True)
    assert workbook.sheetnames == ["nominations", "people", "summary"]
    assert workbook["nominations"].max_row == 9  # the header and eight rows


@pytest.mark.parametrize(
    ("text", "fmt", "label"),
    [
        ("", ExportFormat.CSV, "the last 30 days"),
        ("csv", ExportFormat.CSV, "the last 30 days"),
        ("XLSX 90d", ExportFormat.XLSX, "the last 90 days"),
        ("7d", ExportFormat.CSV, "the last 7 days"),
    ],
)
def test_export_arguments_read_an_optional_format_then_a_period(
    services: Services, text: str, fmt: ExportFormat, label: str
) -> None:
    arguments = parse_export_arguments(services, text)
    assert arguments.format is fmt
    assert arguments.period.label == label
    assert arguments.period.until == services.clock()


def test_export_arguments_take_a_range_of_dates_in_the_workspace_zone(
    services: Services,
) -> None:
    arguments = parse_export_arguments(services, "xlsx 2026-11-01..2026-11-10")
    first, last = datetime(2026, 11, 1).date(), datetime(2026, 11, 10).date()
    zone = services.settings.timezone
    assert arguments == ExportArguments(ExportFormat.XLSX, between_dates(first, last, zone))


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        ("pdf", ReportError, messages.EXPORT_BAD_FORMAT.format(value="pdf")),
        ("json", ReportError, messages.EXPORT_BAD_FORMAT.format(value="json")),
        ("csv last-month", InvalidPeriodError, messages.BAD_PERIOD.format(value="last-month")),
    ],
)
def test_bad_export_arguments_say_what_to_fix(
    services: Services, text: str, error: type[ReportError], message: str
) -> None:
    with pytest.raises(error) as raised:
        parse_export_arguments(services, text)
    assert raised.value.message == message


def test_stats_arguments_are_a_period(services: Services) -> None:
    assert parse_stats_arguments(services, "90d") == last_days(90, services.clock())
    with pytest.raises(InvalidPeriodError) as raised:
        parse_stats_arguments(services, "2026-11-10..2026-11-01")
    assert raised.value.message == messages.PERIOD_BACKWARDS.format(
        since="2026-11-10", until="2026-11-01"
    )


def test_a_database_outage_asks_the_admin_to_try_again(
    make_settings: Callable[..., Settings], clock: FakeClock, tmp_path: Path
) -> None:
    missing = tmp_path / "no-such-folder" / "everyseat.db"
    services = build_services(make_settings(DATABASE_URL=f"sqlite:///{missing}"), clock=clock)
    try:
        with pytest.raises(StorageUnavailableError) as raised:
            stats_summary(services, 1, last_days(30, clock()))
        assert raised.value.message == messages.STORAGE_UNAVAILABLE
    finally:
        services.close()

"""What an admin asks of reporting, for every platform: a statistics summary (with the
weekly trend chart), an export file, and the App Home panel's figures.

Each use case opens its own unit of work and is synchronous: async adapters run it with
`services.in_worker`, the console calls it directly. Rendering stays with the adapters.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from bot import messages
from bot.audit import Actor, AuditAction, record_by
from bot.errors import ReportError
from bot.reporting.board_report import BoardReport, build_board_report
from bot.reporting.charts import ChartImage, weekly_trend_chart
from bot.reporting.exports import ExportFormat, ExportRequest, Report, open_tables, write_export
from bot.reporting.periods import DEFAULT_DAYS, ReportingPeriod, last_days, parse_period
from bot.reporting.stats import RecognitionStats, recognition_stats
from bot.reporting.summary import StatsSummary, summarise
from bot.reporting.suppression import SmallCells
from bot.services import Services

# The formats an admin may ask for in chat; JSON stays on the command line.
CHAT_EXPORT_FORMATS = (ExportFormat.CSV, ExportFormat.XLSX)


@dataclass(frozen=True)
class StatsReport:
    """The statistics summary and the weekly trend chart for one period."""

    summary: StatsSummary
    trend: ChartImage

    @property
    def trend_png(self) -> bytes:
        return self.trend.png


@dataclass(frozen=True)
class ExportArguments:
    """`export [csv|xlsx] [period]` as typed in chat."""

    format: ExportFormat
    period: ReportingPeriod


@dataclass(frozen=True)
class ExportFile:
    """A finished export: its file name, its bytes, and what it holds ("nominations")."""

    name: str
    content: bytes
    report: str


def default_period(services: Services) -> ReportingPeriod:
    """The last DEFAULT_DAYS days up to now: what App Home shows and exports."""
    return last_days(DEFAULT_DAYS, services.clock())


def parse_stats_arguments(services: Services, text: str) -> ReportingPeriod:
    """`stats [30d|90d|YYYY-MM-DD..YYYY-MM-DD]`; raises InvalidPeriodError saying what to type."""
    return parse_period(text, now=services.clock(), zone=services.settings.timezone)


def parse_export_arguments(services: Services, text: str) -> ExportArguments:
    """`export [csv|xlsx] [period]` (CSV by default); raises ReportError saying what to fix."""
    words = text.split()
    fmt = ExportFormat.CSV
    if words and words[0].lower() in CHAT_EXPORT_FORMATS:
        fmt = ExportFormat(words.pop(0).lower())
    elif words and words[0].isalpha():
        raise ReportError(messages.EXPORT_BAD_FORMAT.format(value=words[0]))
    return ExportArguments(fmt, parse_stats_arguments(services, " ".join(words)))


def _stats(services: Services, workspace_id: int, period: ReportingPeriod) -> RecognitionStats:
    with services.unit_of_work() as session:
        return recognition_stats(
            session, workspace_id, period, services.catalogue, now=services.clock()
        )


def shared_cells(services: Services) -> SmallCells:
    """The small-cell threshold of everything shown in chat and in the board report."""
    return SmallCells(services.settings.EVERYSEAT_MIN_CELL)


def stats_summary(services: Services, workspace_id: int, period: ReportingPeriod) -> StatsSummary:
    """The statistics summary for one workspace and period, small cells hidden."""
    return summarise(_stats(services, workspace_id, period), shared_cells(services))


def stats_report(services: Services, workspace_id: int, period: ReportingPeriod) -> StatsReport:
    """`stats_summary` and the weekly trend chart drawn from the same figures."""
    stats = _stats(services, workspace_id, period)
    cells = shared_cells(services)
    return StatsReport(
        summarise(stats, cells),
        weekly_trend_chart(stats, drawn_at=services.clock(), cells=cells),
    )


def board_report(services: Services, workspace_id: int, period: ReportingPeriod) -> BoardReport:
    """The board report for chat: small cells hidden at EVERYSEAT_MIN_CELL."""
    return build_board_report(services, workspace_id, period)


def home_panel_summary(services: Services, workspace_id: int) -> StatsSummary:
    """The figures on the App Home admin panel: the summary for `default_period`."""
    return stats_summary(services, workspace_id, default_period(services))


def record_export(
    services: Services,
    actor: Actor,
    request: ExportRequest,
    fmt: ExportFormat,
    *,
    rows: int,
    destination: str,
) -> None:
    """Put an export in the audit trail: who, which reports, period and options, how many
    rows and where they went."""
    with services.unit_of_work() as session:
        _record_export(session, services, actor, request, fmt, rows=rows, destination=destination)
        session.commit()


def _record_export(
    session: Session,
    services: Services,
    actor: Actor,
    request: ExportRequest,
    fmt: ExportFormat,
    *,
    rows: int,
    destination: str,
) -> None:
    record_by(
        session,
        actor,
        AuditAction.EXPORT,
        at=services.clock(),
        subject=", ".join(report.value for report in request.reports),
        detail={
            "format": fmt.value,
            "workspace_id": request.workspace_id,
            "since": request.period.since.isoformat(),
            "until": request.period.until.isoformat(),
            "rows": rows,
            "include_private": request.include_private,
            "min_cell": request.min_cell,
            "to": destination,
        },
    )


def _write_export(
    services: Services,
    request: ExportRequest,
    fmt: ExportFormat,
    path: Path,
    requested_by: Actor,
) -> None:
    """Stream the export's rows into `path` and record it in the audit trail."""
    with services.unit_of_work() as session:
        tables = open_tables(session, request, services.catalogue)
        if fmt is ExportFormat.XLSX:
            rows = write_export(fmt, tables, binary_target=path)
        else:
            with path.open("w", encoding="utf-8", newline="") as out:
                rows = write_export(fmt, tables, text_out=out)
        destination = f"{requested_by.platform} direct message"
        _record_export(
            session, services, requested_by, request, fmt, rows=rows, destination=destination
        )
        session.commit()


def build_export(
    services: Services,
    workspace_id: int,
    period: ReportingPeriod,
    fmt: ExportFormat,
    requested_by: Actor,
) -> ExportFile:
    """The export for one workspace and period: XLSX holds every report, one sheet each;
    CSV and JSON hold the nominations. Private stories are withheld. Recorded in the audit
    trail as `requested_by`'s export.

    Blocking (it queries and writes the whole export): async callers use `in_worker`.
    """
    reports = tuple(Report) if fmt is ExportFormat.XLSX else (Report.NOMINATIONS,)
    request = ExportRequest(workspace_id=workspace_id, period=period, reports=reports)
    stem = reports[0].value if len(reports) == 1 else "report"
    name = f"everyseat-{stem}.{fmt.value}"
    with tempfile.TemporaryDirectory(prefix="everyseat-export-") as folder:
        path = Path(folder) / name
        _write_export(services, request, fmt, path, requested_by)
        content = path.read_bytes()
    return ExportFile(name, content, ", ".join(report.value for report in reports))

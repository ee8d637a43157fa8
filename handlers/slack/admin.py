"""Slack surface of the admin feature: `/recognition stats|export|help`.

Every admin action is checked here on the server (EVERYSEAT_ADMINS, or a workspace admin or
owner per `users.info`); files go to the admin's DM with `files_upload_v2` and the command
answers ephemerally where to find them.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from pathlib import Path
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import messages
from bot.admins import cached_platform_admin, is_configured_admin, require_admin
from bot.charts import weekly_trend_png
from bot.directory import save_profiles
from bot.errors import NotAuthorisedError, ReportError
from bot.exports import ExportFormat, ExportRequest, Report, open_tables, write_export
from bot.reporting_periods import ReportingPeriod, parse_period
from bot.services import Services
from bot.stats import RecognitionStats, recognition_stats
from bot.stats_summary import StatsSummary, summarise
from handlers.slack.mrkdwn import escape_mrkdwn
from handlers.slack.people import profile_from_user, workspace_for

log = logging.getLogger(__name__)

COMMAND = "/recognition"
Block = dict[str, Any]


# --- who may ----------------------------------------------------------------------------


async def _platform_admin(
    client: AsyncWebClient, services: Services, workspace_id: int, user_id: str
) -> bool:
    """The workspace admin/owner flag, from the member row if fresh, else from users.info."""

    def cached() -> bool | None:
        with services.sessions() as session:
            return cached_platform_admin(session, workspace_id, user_id, services.clock())

    flag = await asyncio.to_thread(cached)
    if flag is not None:
        return flag
    try:
        response = await client.users_info(user=user_id)
    except SlackApiError as error:
        log.warning("users.info failed for %s: %s", user_id, error.response.get("error"))
        return False  # an outage never grants access
    profile = profile_from_user(response["user"])

    def store() -> None:
        with services.sessions() as session:
            save_profiles(session, workspace_id, [profile], services.clock())

    await asyncio.to_thread(store)
    return profile.is_platform_admin


async def _is_admin(
    client: AsyncWebClient, services: Services, workspace_id: int, user_id: str
) -> bool:
    if is_configured_admin(services.settings, user_id):
        return True
    return await _platform_admin(client, services, workspace_id, user_id)


async def _require_admin(
    client: AsyncWebClient, services: Services, workspace_id: int, user_id: str, action: str
) -> None:
    require_admin(
        services.settings,
        user_id,
        platform_admin=await _is_admin(client, services, workspace_id, user_id),
        action=action,
    )


# --- rendering --------------------------------------------------------------------------


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def stats_blocks(summary: StatsSummary) -> list[Block]:
    """The statistics summary as an ephemeral Block Kit message."""
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": summary.header[:150]}},
        _section(escape_mrkdwn(summary.totals)),
        _section(f"*{escape_mrkdwn(summary.coverage)}*"),
        _section(escape_mrkdwn(summary.spread)),
        _section(escape_mrkdwn(summary.unseen_seats)),
    ]
    for group in summary.groups:
        if group.lines:
            lines = "\n".join(f"• {escape_mrkdwn(line)}" for line in group.lines)
            blocks.append(_section(f"*{escape_mrkdwn(group.heading)}*\n{lines}"))
    blocks.append(
        {"type": "context", "elements": [{"type": "mrkdwn", "text": escape_mrkdwn(summary.weekly)}]}
    )
    return blocks


def help_text(is_admin: bool) -> str:
    return (
        f"{messages.RECOGNITION_HELP}\n\n{messages.RECOGNITION_HELP_ADMIN}"
        if is_admin
        else messages.RECOGNITION_HELP
    )


# --- files ------------------------------------------------------------------------------


async def _dm_channel(client: AsyncWebClient, user_id: str) -> str:
    opened = await client.conversations_open(users=user_id)
    return str(opened["channel"]["id"])


def _export_file(
    services: Services, workspace_id: int, period: ReportingPeriod, fmt: ExportFormat, folder: Path
) -> Path:
    """Write the export into `folder`, streaming rows, and return the file."""
    reports = tuple(Report) if fmt is ExportFormat.XLSX else (Report.NOMINATIONS,)
    request = ExportRequest(workspace_id=workspace_id, period=period, reports=reports)
    path = folder / f"everyseat-{reports[0].value if len(reports) == 1 else 'report'}.{fmt.value}"
    with services.sessions() as session:
        tables = open_tables(session, request, services.catalogue)
        if fmt is ExportFormat.XLSX:
            write_export(fmt, tables, binary_target=path)
        else:
            with path.open("w", encoding="utf-8", newline="") as out:
                write_export(fmt, tables, text_out=out)
    return path


def _parse_export_arguments(
    words: list[str], services: Services
) -> tuple[ExportFormat, ReportingPeriod]:
    fmt = ExportFormat.CSV
    if words and words[0].lower() in (ExportFormat.CSV, ExportFormat.XLSX):
        fmt = ExportFormat(words.pop(0).lower())
    elif words and words[0].isalpha():
        raise ReportError(messages.EXPORT_BAD_FORMAT.format(value=words[0]))
    period = parse_period(" ".join(words), now=services.clock(), zone=services.settings.timezone)
    return fmt, period


# --- the command ------------------------------------------------------------------------


async def _stats(
    client: AsyncWebClient, services: Services, workspace_id: int, user_id: str, words: list[str]
) -> tuple[str, list[Block]]:
    period = parse_period(" ".join(words), now=services.clock(), zone=services.settings.timezone)

    def compute() -> tuple[RecognitionStats, bytes]:
        with services.sessions() as session:
            stats = recognition_stats(session, workspace_id, period, services.catalogue)
        return stats, weekly_trend_png(stats, services.catalogue)

    stats, png = await asyncio.to_thread(compute)
    summary = summarise(stats)
    blocks = stats_blocks(summary)
    try:
        await client.files_upload_v2(
            channel=await _dm_channel(client, user_id),
            content=png,
            filename="everyseat-weekly-trend.png",
            title=messages.STATS_CHART_TITLE.format(period=period.label),
            initial_comment=messages.STATS_FILE_COMMENT.format(period=period.label),
        )
        note = messages.STATS_CHART_SENT
    except SlackApiError as error:
        log.warning("chart upload to %s failed: %s", user_id, error.response.get("error"))
        note = messages.STATS_CHART_FAILED.format(reason=error.response.get("error"))
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": note}]})
    return summary.header, blocks


async def _export(
    client: AsyncWebClient, services: Services, workspace_id: int, user_id: str, words: list[str]
) -> str:
    fmt, period = _parse_export_arguments(words, services)
    with tempfile.TemporaryDirectory(prefix="everyseat-export-") as folder:
        path = await asyncio.to_thread(
            _export_file, services, workspace_id, period, fmt, Path(folder)
        )
        report = "nominations" if fmt is ExportFormat.CSV else "nominations, people, summary"
        try:
            await client.files_upload_v2(
                channel=await _dm_channel(client, user_id),
                file=str(path),
                filename=path.name,
                title=path.name,
                initial_comment=messages.EXPORT_FILE_COMMENT.format(
                    report=report, period=period.label
                ),
            )
        except SlackApiError as error:
            log.warning("export upload to %s failed: %s", user_id, error.response.get("error"))
            return messages.EXPORT_FAILED.format(reason=error.response.get("error"))
    log.info("export %s (%s) sent to %s", fmt.value, period.label, user_id)
    return messages.EXPORT_SENT.format(
        format=fmt.value.upper(), report=report, period=period.label, name=path.name
    )


async def on_recognition_command(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    services: Services,
) -> None:
    await ack()
    words = (body.get("text") or "").split()
    verb = words.pop(0).lower() if words else "help"
    user_id = body["user_id"]
    workspace = await workspace_for(services, body["team_id"])
    if verb == "help":
        is_admin = await _is_admin(client, services, workspace.id, user_id)
        await respond(text=help_text(is_admin), response_type="ephemeral")
        return
    if verb not in ("stats", "export"):
        await respond(
            text=messages.RECOGNITION_UNKNOWN.format(text=" ".join([verb, *words])),
            response_type="ephemeral",
        )
        return
    try:
        await _require_admin(client, services, workspace.id, user_id, verb)
        if verb == "stats":
            text, blocks = await _stats(client, services, workspace.id, user_id, words)
            await respond(text=text, blocks=blocks, response_type="ephemeral")
        else:
            text = await _export(client, services, workspace.id, user_id, words)
            await respond(text=text, response_type="ephemeral")
    except (NotAuthorisedError, ReportError) as error:
        await respond(text=error.message, response_type="ephemeral")


def register(app: AsyncApp) -> None:
    """The only place the admin command meets its listener."""
    app.command(COMMAND)(on_recognition_command)

"""Slack surface of the admin feature: `/recognition stats|export|report|help` and the App Home
admin panel with its export buttons.

Every admin action is checked on the server by the core's one admin check
(bot/people/admins.py: EVERYSEAT_ADMINS, or a workspace admin or owner per `users.info`);
files go to the admin's DM with `files_upload_v2`. Slack expects an answer within 3 seconds,
so every listener acks first and the reporting use cases run in a worker thread.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import messages
from bot.audit import Actor, AuditEntry, describe_entry, recent_audit
from bot.errors import EveryseatError
from bot.people.admins import is_admin, require_admin
from bot.people.resolution import workspace_id_for
from bot.reporting.admin_reports import (
    board_report,
    build_export,
    default_period,
    home_panel_summary,
    parse_export_arguments,
    parse_stats_arguments,
    stats_report,
)
from bot.reporting.exports import ExportFormat
from bot.reporting.periods import ReportingPeriod
from bot.reporting.summary import GroupSection, StatsSummary
from bot.services import Services
from handlers.slack.mrkdwn import escape_mrkdwn, shorten
from handlers.slack.people import SLACK, SlackProfiles

log = logging.getLogger(__name__)

COMMAND = "/recognition"
BOARD_DEFAULT_PERIOD = "90d"
# The App Home export buttons: action ids `admin_home_export_csv` and `admin_home_export_xlsx`.
HOME_EXPORT_ACTION = "admin_home_export"
_HOME_EXPORT_ACTIONS = re.compile(rf"^{HOME_EXPORT_ACTION}_(csv|xlsx)$")
Block = dict[str, Any]


# --- who may ----------------------------------------------------------------------------


async def slack_admin(
    client: AsyncWebClient, services: Services, workspace_id: int, user_id: str
) -> bool:
    """Whether this Slack user may see statistics and exports (a fresh check)."""
    return await is_admin(services, workspace_id, [user_id], SlackProfiles(client))


async def require_slack_admin(
    client: AsyncWebClient, services: Services, workspace_id: int, user_id: str, action: str
) -> None:
    await require_admin(services, workspace_id, [user_id], SlackProfiles(client), action=action)


# --- rendering --------------------------------------------------------------------------


# A sentence (such as a long list of unrecognised seats) is cut to this before escaping, so
# the escaped text stays within Slack's 3,000 characters per section.
SENTENCE_LIMIT = 1000
# A group's line (a label up to 255 characters and its figures) is cut to this, and a
# section of lines stops short of Slack's 3,000 characters.
GROUP_LINE_LIMIT = 300
SECTION_TEXT_LIMIT = 2900


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _sentence(text: str) -> str:
    return escape_mrkdwn(shorten(text, SENTENCE_LIMIT))


def _group_block(group: GroupSection) -> Block:
    """A breakdown as a bulleted section, its lines cut so the section fits Slack's limit."""
    text = f"*{escape_mrkdwn(group.heading)}*"
    for line in group.lines:
        bullet = f"\n• {escape_mrkdwn(shorten(line, GROUP_LINE_LIMIT))}"
        if len(text) + len(bullet) > SECTION_TEXT_LIMIT:
            text += "\n…"
            break
        text += bullet
    return _section(text)


def stats_blocks(summary: StatsSummary) -> list[Block]:
    """The statistics summary as an ephemeral Block Kit message."""
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": summary.header[:150]}},
        _section(_sentence(summary.totals)),
        _section(f"*{_sentence(summary.coverage)}*"),
        _section(_sentence(summary.spread)),
        _section(_sentence(summary.unseen_seats)),
    ]
    blocks += [_group_block(group) for group in summary.groups if group.lines]
    blocks.append(
        {"type": "context", "elements": [{"type": "mrkdwn", "text": _sentence(summary.weekly)}]}
    )
    return blocks


def _export_button(label: str, fmt: ExportFormat) -> Block:
    return {
        "type": "button",
        "action_id": f"{HOME_EXPORT_ACTION}_{fmt.value}",
        "text": {"type": "plain_text", "text": label},
    }


def home_panel_blocks(summary: StatsSummary) -> list[Block]:
    """The admin panel at the foot of App Home: the headline figures, the seniority view
    (staff group and pay band, where known) and export buttons."""
    return [
        {"type": "divider"},
        {"type": "header", "text": {"type": "plain_text", "text": messages.HOME_ADMIN_HEADER}},
        _section(_sentence(summary.totals)),
        _section(f"*{_sentence(summary.coverage)}*"),
        _section(_sentence(summary.spread)),
        _section(_sentence(summary.unseen_seats)),
        *(_group_block(group) for group in summary.seniority if group.lines),
        {
            "type": "actions",
            "elements": [
                _export_button(messages.HOME_EXPORT_CSV, ExportFormat.CSV),
                _export_button(messages.HOME_EXPORT_XLSX, ExportFormat.XLSX),
            ],
        },
    ]


def audit_blocks(entries: list[AuditEntry]) -> list[Block]:
    """The audit trail's last entries on App Home, one line each, newest first."""
    if not entries:
        return [_section(escape_mrkdwn(messages.AUDIT_EMPTY))]
    heading = messages.AUDIT_HEADER.format(count=len(entries))
    return [
        {"type": "header", "text": {"type": "plain_text", "text": heading[:150]}},
        *(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": _sentence(line)}]}
            for line in map(describe_entry, entries)
        ),
    ]


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


@dataclass(frozen=True)
class ExportResult:
    """What happened to one export: whether it reached the DM, and the sentence to show."""

    sent: bool
    message: str


async def upload_export(
    client: AsyncWebClient,
    services: Services,
    workspace_id: int,
    user_id: str,
    fmt: ExportFormat,
    period: ReportingPeriod,
) -> ExportResult:
    """Build an export off the event loop and upload it to the person's DM.

    Callers check admin rights first; both `/recognition export` and the App Home buttons
    come through here. The build runs in a worker thread: it queries and writes the whole
    export, and slack_sdk would otherwise read the file on the event loop.
    """
    export = await services.in_worker(
        build_export, services, workspace_id, period, fmt, Actor(user_id, SLACK)
    )
    try:
        await client.files_upload_v2(
            channel=await _dm_channel(client, user_id),
            content=export.content,
            filename=export.name,
            title=export.name,
            initial_comment=messages.EXPORT_FILE_COMMENT.format(
                report=export.report, period=period.label
            ),
        )
    except SlackApiError as error:
        log.warning("export upload to %s failed: %s", user_id, error.response.get("error"))
        return ExportResult(
            False, messages.EXPORT_FAILED.format(reason=error.response.get("error"))
        )
    log.info("export %s (%s) sent to %s", fmt.value, period.label, user_id)
    return ExportResult(
        True,
        messages.EXPORT_SENT.format(
            format=fmt.value.upper(), report=export.report, period=period.label, name=export.name
        ),
    )


# --- App Home ---------------------------------------------------------------------------


async def home_admin_panel(
    client: AsyncWebClient, services: Services, workspace_id: int, user_id: str
) -> list[Block]:
    """The admin panel for App Home: empty for anyone who is not an admin."""
    if not await slack_admin(client, services, workspace_id, user_id):
        return []
    summary = await services.in_worker(home_panel_summary, services, workspace_id)
    entries = await services.in_worker(recent_audit, services)
    return [*home_panel_blocks(summary), *audit_blocks(list(entries))]


async def on_home_export(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, services: Services
) -> None:
    """An export button on App Home. The click may be forged, so admin rights are checked
    again here; App Home has no response_url, so any answer other than the file is a DM."""
    await ack()
    user_id = body["user"]["id"]
    team_id = (body.get("team") or {}).get("id") or body["user"].get("team_id")
    matched = _HOME_EXPORT_ACTIONS.match(body["actions"][0]["action_id"])
    assert matched is not None  # the listener is registered for exactly these ids
    fmt = ExportFormat(matched.group(1))
    try:
        workspace_id = await workspace_id_for(services, SLACK, team_id)
        await require_slack_admin(client, services, workspace_id, user_id, "export")
        result = await upload_export(
            client, services, workspace_id, user_id, fmt, default_period(services)
        )
    except EveryseatError as error:  # not an admin, or the database is down
        await client.chat_postMessage(channel=user_id, text=error.message)
        return
    if not result.sent:
        await client.chat_postMessage(channel=user_id, text=result.message)


# --- the command ------------------------------------------------------------------------


async def _stats(
    client: AsyncWebClient, services: Services, workspace_id: int, user_id: str, arguments: str
) -> tuple[str, list[Block]]:
    period = parse_stats_arguments(services, arguments)
    report = await services.in_worker(stats_report, services, workspace_id, period)
    blocks = stats_blocks(report.summary)
    try:
        await client.files_upload_v2(
            channel=await _dm_channel(client, user_id),
            content=report.trend.png,
            filename="everyseat-weekly-trend.png",
            title=report.trend.title,
            alt_txt=report.trend.alt_text,
            initial_comment=messages.STATS_FILE_COMMENT.format(
                period=period.label, description=report.trend.alt_text
            ),
        )
        note = messages.STATS_CHART_SENT
    except SlackApiError as error:
        log.warning("chart upload to %s failed: %s", user_id, error.response.get("error"))
        note = messages.STATS_CHART_FAILED.format(reason=error.response.get("error"))
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": note}]})
    return report.summary.header, blocks


async def _export(
    client: AsyncWebClient, services: Services, workspace_id: int, user_id: str, arguments: str
) -> str:
    export = parse_export_arguments(services, arguments)
    result = await upload_export(
        client, services, workspace_id, user_id, export.format, export.period
    )
    return result.message


async def _board_report(
    client: AsyncWebClient, services: Services, workspace_id: int, user_id: str, arguments: str
) -> str:
    """`/recognition report [period]`: the board report (90 days by default) as an HTML
    file in the admin's DM."""
    period = parse_stats_arguments(services, arguments or BOARD_DEFAULT_PERIOD)
    report = await services.in_worker(board_report, services, workspace_id, period)
    try:
        await client.files_upload_v2(
            channel=await _dm_channel(client, user_id),
            content=report.html.encode("utf-8"),
            filename=report.name,
            title=report.overview.title,
            initial_comment=messages.BOARD_FILE_COMMENT.format(period=period.label),
        )
    except SlackApiError as error:
        log.warning("board report upload to %s failed: %s", user_id, error.response.get("error"))
        return messages.BOARD_FAILED.format(reason=error.response.get("error"))
    log.info("board report (%s) sent to %s", period.label, user_id)
    return messages.BOARD_SENT.format(period=period.label, name=report.name)


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
    arguments = " ".join(words)
    user_id = body["user_id"]
    try:
        workspace_id = await workspace_id_for(services, SLACK, body["team_id"])
        if verb == "help":
            admin = await slack_admin(client, services, workspace_id, user_id)
            await respond(text=help_text(admin), response_type="ephemeral")
            return
        if verb not in ("stats", "export", "report"):
            await respond(
                text=messages.RECOGNITION_UNKNOWN.format(text=" ".join([verb, *words])),
                response_type="ephemeral",
            )
            return
        await require_slack_admin(client, services, workspace_id, user_id, verb)
        if verb == "stats":
            text, blocks = await _stats(client, services, workspace_id, user_id, arguments)
            await respond(text=text, blocks=blocks, response_type="ephemeral")
        elif verb == "report":
            text = await _board_report(client, services, workspace_id, user_id, arguments)
            await respond(text=text, response_type="ephemeral")
        else:
            text = await _export(client, services, workspace_id, user_id, arguments)
            await respond(text=text, response_type="ephemeral")
    except EveryseatError as error:  # not an admin, arguments to fix, the database down
        await respond(text=error.message, response_type="ephemeral")


def register(app: AsyncApp) -> None:
    """The only place the admin command and the App Home export buttons meet listeners."""
    app.command(COMMAND)(on_recognition_command)
    app.action(_HOME_EXPORT_ACTIONS)(on_home_export)

"""Teams surface of the admin feature: `stats`, `report` and `audit` (the audit trail's last
entries) in a personal chat with Everyseat.

Every request is checked on the server by the core's one admin check (bot/people/admins.py),
which also logs a refusal: the sender's AAD object id or Teams user id must be in
EVERYSEAT_ADMINS (Teams has no cheap workspace-admin flag to ask). A refusal is polite and
carries no figures. Statistics are only shown in a personal chat, so they never land in a
channel by accident. Exports stay on the command line.

`report [period]` sends the board report the way Teams lets a bot send a file in a personal
chat: a file consent card naming the file and its size; when the admin accepts, Teams gives
an upload URL in their OneDrive, the report is built again (the admin check too: the accept
is a new request), PUT there, and a file info card links to it.
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from microsoft_teams.api.activities.message.message import MessageActivityInput
from microsoft_teams.api.models.attachment.attachment import Attachment
from microsoft_teams.apps import ActivityContext

from bot import messages
from bot.audit import recent_audit
from bot.errors import EveryseatError
from bot.installs import TEAMS
from bot.people.admins import require_admin
from bot.people.resolution import workspace_id_for
from bot.reporting.admin_reports import board_report, parse_stats_arguments, stats_summary
from bot.services import Services
from handlers.teams.cards import render_audit_card, render_stats_card
from handlers.teams.proactive import card_activity
from handlers.teams.turns import Turn, parse_turn


def sender_ids(turn: Turn) -> list[str]:
    """Every id the sender may be listed under in EVERYSEAT_ADMINS, AAD object id first."""
    return [value for value in (turn.sender.aad_object_id, turn.sender.ref) if value]


async def reply_with_stats(
    ctx: ActivityContext[Any], services: Services, turn: Turn, arguments: str
) -> None:
    """`stats [30d|90d|YYYY-MM-DD..YYYY-MM-DD]`: the statistics card, for admins only."""
    if not turn.is_personal:
        await ctx.send(messages.TEAMS_STATS_PERSONAL_ONLY)
        return
    try:
        workspace_id = await workspace_id_for(services, TEAMS, turn.tenant_id)
        await require_admin(services, workspace_id, sender_ids(turn), None, action="stats")
        period = parse_stats_arguments(services, arguments)
        summary = await services.in_worker(stats_summary, services, workspace_id, period)
    except EveryseatError as error:  # not an admin, a period to fix, the database down
        await ctx.send(error.message)
        return
    await ctx.send(card_activity(render_stats_card(summary), text=summary.header))


log = logging.getLogger(__name__)
FILE_CONSENT_CARD = "application/vnd.microsoft.teams.card.file.consent"
FILE_INFO_CARD = "application/vnd.microsoft.teams.card.file.info"
BOARD_DEFAULT_PERIOD = "90d"
UPLOAD_TIMEOUT = aiohttp.ClientTimeout(total=60)


async def _admin_report_period(services: Services, turn: Turn, arguments: str) -> Any:
    """The workspace id and period of a board report, for an admin only (raises the domain
    errors whose message the admin reads)."""
    workspace_id = await workspace_id_for(services, TEAMS, turn.tenant_id)
    await require_admin(services, workspace_id, sender_ids(turn), None, action="report")
    return workspace_id, parse_stats_arguments(services, arguments or BOARD_DEFAULT_PERIOD)


async def offer_board_report(
    ctx: ActivityContext[Any], services: Services, turn: Turn, arguments: str
) -> None:
    """`report [period]`: a file consent card for the board report, for admins only."""
    if not turn.is_personal:
        await ctx.send(messages.TEAMS_STATS_PERSONAL_ONLY)
        return
    try:
        workspace_id, period = await _admin_report_period(services, turn, arguments)
        report = await services.in_worker(board_report, services, workspace_id, period)
    except EveryseatError as error:
        await ctx.send(error.message)
        return
    context = {"report": "board", "period": arguments or BOARD_DEFAULT_PERIOD}
    consent = Attachment(
        content_type=FILE_CONSENT_CARD,
        name=report.name,
        content={
            "description": messages.BOARD_FILE_COMMENT.format(period=period.label),
            "sizeInBytes": len(report.html.encode("utf-8")),
            "acceptContext": context,
            "declineContext": context,
        },
    )
    await ctx.send(MessageActivityInput(text=messages.TEAMS_BOARD_OFFER).add_attachments(consent))


async def _upload(url: str, content: bytes) -> None:
    """PUT the file to the upload session Teams opened in the admin's OneDrive."""
    headers = {
        "Content-Length": str(len(content)),
        "Content-Range": f"bytes 0-{len(content) - 1}/{len(content)}",
    }
    async with (
        aiohttp.ClientSession(timeout=UPLOAD_TIMEOUT) as session,
        session.put(url, data=content, headers=headers) as answer,
    ):
        answer.raise_for_status()


async def on_file_consent(services: Services, ctx: ActivityContext[Any]) -> None:
    """The admin accepted or declined the board report's file consent card."""
    raw = dict(ctx.activity.model_dump(mode="json", by_alias=True, exclude_none=True))
    value = raw.get("value") or {}
    context = value.get("context") or {}
    if value.get("action") != "accept":
        await ctx.send(messages.TEAMS_BOARD_DECLINED)
        return
    turn = parse_turn(raw)
    upload = value.get("uploadInfo") or {}
    url = str(upload.get("uploadUrl") or "")
    if not url.startswith("https://") and not services.settings.TEAMS_ALLOW_UNAUTHENTICATED:
        log.warning("file consent with a non-https upload URL refused")
        await ctx.send(messages.BOARD_FAILED.format(reason="no upload URL"))
        return
    try:
        workspace_id, period = await _admin_report_period(
            services, turn, str(context.get("period") or "")
        )
        report = await services.in_worker(board_report, services, workspace_id, period)
    except EveryseatError as error:
        await ctx.send(error.message)
        return
    try:
        await _upload(url, report.html.encode("utf-8"))
    except (aiohttp.ClientError, TimeoutError) as error:
        log.warning("board report upload to OneDrive failed: %s", error)
        await ctx.send(messages.BOARD_FAILED.format(reason=type(error).__name__))
        return
    info = Attachment(
        content_type=FILE_INFO_CARD,
        content_url=upload.get("contentUrl"),
        name=upload.get("name") or report.name,
        content={"uniqueId": upload.get("uniqueId"), "fileType": upload.get("fileType") or "html"},
    )
    log.info("board report (%s) uploaded for %s", period.label, turn.sender.ref)
    await ctx.send(
        MessageActivityInput(
            text=messages.TEAMS_BOARD_SENT.format(period=period.label)
        ).add_attachments(info)
    )


async def reply_with_audit(ctx: ActivityContext[Any], services: Services, turn: Turn) -> None:
    """`audit`: the audit trail's last entries, for admins only, in a personal chat."""
    if not turn.is_personal:
        await ctx.send(messages.TEAMS_STATS_PERSONAL_ONLY)
        return
    try:
        workspace_id = await workspace_id_for(services, TEAMS, turn.tenant_id)
        await require_admin(services, workspace_id, sender_ids(turn), None, action="audit")
        entries = await services.in_worker(recent_audit, services)
    except EveryseatError as error:  # not an admin, the database down
        await ctx.send(error.message)
        return
    heading = messages.AUDIT_HEADER.format(count=len(entries)) if entries else messages.AUDIT_EMPTY
    await ctx.send(card_activity(render_audit_card(list(entries)), text=heading))

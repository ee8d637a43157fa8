"""Teams surface of the admin feature: `stats` and `audit` (the audit trail's last entries)
in a personal chat with Everyseat.

Every request is checked on the server by the core's one admin check (bot/people/admins.py),
which also logs a refusal: the sender's AAD object id or Teams user id must be in
EVERYSEAT_ADMINS (Teams has no cheap workspace-admin flag to ask). A refusal is polite and
carries no figures. Statistics are only shown in a personal chat, so they never land in a
channel by accident. Exports stay on the command line.
"""

from __future__ import annotations

from typing import Any

from microsoft_teams.apps import ActivityContext

from bot import messages
from bot.audit import recent_audit
from bot.errors import EveryseatError
from bot.installs import TEAMS
from bot.people.admins import require_admin
from bot.people.resolution import workspace_id_for
from bot.reporting.admin_reports import parse_stats_arguments, stats_summary
from bot.services import Services
from handlers.teams.cards import render_audit_card, render_stats_card
from handlers.teams.proactive import card_activity
from handlers.teams.turns import Turn


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

"""Teams surface of the admin feature: `stats` in a personal chat with Everyseat.

The check is made here on the server, for every request: the sender's AAD object id or Teams
user id must be in EVERYSEAT_ADMINS (Teams has no cheap workspace-admin flag to ask). A
refusal is polite, carries no figures, and is logged by bot/admins.py. Statistics are only
shown in a personal chat, so they never land in a channel by accident. Exports stay on the
command line.
"""

from __future__ import annotations

import asyncio
from typing import Any

from microsoft_teams.apps import ActivityContext

from bot import messages
from bot.errors import NotAuthorisedError, ReportError
from bot.people.admins import is_configured_admin, require_admin
from bot.reporting.periods import parse_period
from bot.reporting.stats import RecognitionStats, recognition_stats
from bot.reporting.summary import summarise
from bot.services import Services
from handlers.teams.cards import render_stats_card
from handlers.teams.people import workspace_for
from handlers.teams.proactive import card_activity
from handlers.teams.turns import Turn


def require_teams_admin(services: Services, turn: Turn, action: str) -> None:
    """Allow a sender listed in EVERYSEAT_ADMINS by AAD object id or Teams user id; log and
    raise NotAuthorisedError for anyone else."""
    ids = [value for value in (turn.sender.aad_object_id, turn.sender.ref) if value]
    listed = any(is_configured_admin(services.settings, value) for value in ids)
    who = " / ".join(ids) or "an unknown sender"
    require_admin(services.settings, who, platform_admin=listed, action=action)


async def reply_with_stats(
    ctx: ActivityContext[Any], services: Services, turn: Turn, arguments: str
) -> None:
    """`stats [30d|90d|YYYY-MM-DD..YYYY-MM-DD]`: the statistics card, for admins only."""
    if not turn.is_personal:
        await ctx.send(messages.TEAMS_STATS_PERSONAL_ONLY)
        return
    try:
        require_teams_admin(services, turn, "stats")
        period = parse_period(arguments, now=services.clock(), zone=services.settings.timezone)
    except (NotAuthorisedError, ReportError) as error:
        await ctx.send(error.message)
        return
    workspace = await workspace_for(services, turn.tenant_id)

    def compute() -> RecognitionStats:
        with services.sessions() as session:
            return recognition_stats(session, workspace.id, period, services.catalogue)

    summary = summarise(await asyncio.to_thread(compute))
    await ctx.send(card_activity(render_stats_card(summary), text=summary.header))

"""Install tracking: where Everyseat is installed in Teams, so it can post there unprompted.

Teams tells the bot about installs twice over: an `installationUpdate` (add/remove) and a
`conversationUpdate` whose membersAdded/membersRemoved includes the bot. Both are handled;
recording is idempotent, so receiving both is harmless.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from microsoft_teams.apps import App

from bot.installs import Install, record_install, record_removal
from bot.services import Services
from handlers.teams.errors import polite_errors
from handlers.teams.turns import Turn, parse_turn

log = logging.getLogger(__name__)


def install_of(turn: Turn) -> Install:
    """The conversation an install activity is about, in the core's terms."""
    return Install(
        conversation_id=turn.conversation_id,
        conversation_type=turn.conversation_type,
        service_url=turn.service_url,
        tenant_id=turn.tenant_id,
        team_id=turn.team_id,
        team_name=turn.team_name,
        channel_id=turn.channel_id,
        installed_by=turn.sender.aad_object_id or turn.sender.ref or None,
    )


def _raw(ctx: Any) -> dict[str, Any]:
    return dict(ctx.activity.model_dump(mode="json", by_alias=True, exclude_none=True))


async def on_installation_update(services: Services, ctx: Any) -> None:
    raw = _raw(ctx)
    turn = parse_turn(raw)
    action = str(raw.get("action") or "")
    if action.startswith("add"):
        await services.in_worker(record_install, services, install_of(turn))
    elif action.startswith("remove"):
        await services.in_worker(record_removal, services, turn.conversation_id)


async def on_conversation_update(services: Services, ctx: Any) -> None:
    raw = _raw(ctx)
    turn = parse_turn(raw)
    added = {str(member.get("id")) for member in raw.get("membersAdded") or []}
    removed = {str(member.get("id")) for member in raw.get("membersRemoved") or []}
    if turn.bot_id in added:
        await services.in_worker(record_install, services, install_of(turn))
    elif turn.bot_id in removed:
        await services.in_worker(record_removal, services, turn.conversation_id)


def register(app: App, services: Services) -> None:
    """The install feature's Teams activities, and the callbacks they reach."""
    app.on_installation_update(polite_errors(partial(on_installation_update, services)))
    app.on_conversation_update(polite_errors(partial(on_conversation_update, services)))

"""Platform adapters: each feature's Slack listeners, the Teams bot and the local console.

`register_slack` and `register_teams` are the one place each platform's surface is wired;
read them to see every command, shortcut, card action and activity Everyseat answers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp

from bot.services import Services

if TYPE_CHECKING:
    from microsoft_teams.apps import App as TeamsApp


def register_slack(app: AsyncApp, services: Services) -> None:
    async def provide_services(
        context: dict[str, Any], next: Callable[[], Awaitable[None]]
    ) -> None:
        # Listeners ask for `services` by parameter name; Bolt fills it from the context.
        context["services"] = services
        await next()

    # Imported here, so that importing one adapter module (a renderer, a sender) doesn't load
    # every Slack listener.
    from handlers.slack import admin, errors, home, moderation, nominate

    app.middleware(provide_services)
    nominate.register(app)
    home.register(app)
    admin.register(app)
    moderation.register(app)
    errors.register(app)


def register_teams(app: TeamsApp, services: Services) -> None:
    # Imported here: the Teams SDK is only loaded when Teams is configured.
    from handlers.teams import installs
    from handlers.teams import nominate as teams_nominate

    teams_nominate.register(app, services)
    installs.register(app, services)

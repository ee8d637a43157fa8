"""Platform adapters: each feature's Slack listeners, the Teams bot and the local console.

`register_slack` is the one place the whole Slack surface is wired; read it to see every
command, shortcut, view and action Everyseat answers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.services import Services
from handlers.slack import admin, errors, home, nominate


def register_slack(app: AsyncApp, services: Services) -> None:
    async def provide_services(
        context: dict[str, Any], next: Callable[[], Awaitable[None]]
    ) -> None:
        # Listeners ask for `services` by parameter name; Bolt fills it from the context.
        context["services"] = services
        await next()

    app.middleware(provide_services)
    nominate.register(app)
    home.register(app)
    admin.register(app)
    errors.register(app)

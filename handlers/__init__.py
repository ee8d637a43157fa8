"""Platform adapters: each feature's Slack listeners, the Teams bot and the local console.

`register_slack` and `register_teams` are the one place each platform's surface is wired;
read them to see every command, shortcut, card action and activity Everyseat answers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from slack_bolt.async_app import AsyncApp, AsyncBoltRequest
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.response import BoltResponse

from bot.services import Services

if TYPE_CHECKING:
    from microsoft_teams.apps import App as TeamsApp


class ProvideServices(AsyncMiddleware):
    """Puts `services` in every request's context: listeners ask for it by parameter name
    and Bolt fills it from there. A middleware class, not a function: Bolt works out a
    function middleware's arguments on every request."""

    def __init__(self, services: Services) -> None:
        self.services = services

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse | None:
        req.context["services"] = self.services
        return await next()


def register_slack(app: AsyncApp, services: Services) -> None:
    # Imported here, so that importing one adapter module (a renderer, a sender) doesn't load
    # every Slack listener.
    from handlers.slack import admin, errors, home, moderation, nominate

    app.middleware(ProvideServices(services))
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

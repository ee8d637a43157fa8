"""The Bolt app: Slack's signed requests in, the registered listeners out."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from slack_bolt.async_app import AsyncApp, AsyncBoltRequest
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.response import BoltResponse

from bot.services import Services
from handlers import register_slack
from handlers.slack.authorization import tolerate_unreachable_slack
from handlers.slack.client import PooledRespond, build_async_client
from handlers.slack.prompt_ack import answer_promptly

# Bolt's framework logger (bot/app/logs.py sets its level, so Bolt builds no debug lines).
BOLT_LOGGER = "everyseat.slack"


class PooledRespondMiddleware(AsyncMiddleware):
    """Listeners' `respond` replies over the Web API client's pooled session, once the
    server has opened it (bot/app/server.py). A middleware class, not a function: Bolt
    works out a function middleware's arguments on every request."""

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse | None:
        context = req.context
        client = context.client
        if context.response_url and client is not None and client.session is not None:
            context["respond"] = PooledRespond(
                response_url=context.response_url,
                session=client.session,
                proxy=client.proxy,
                ssl=client.ssl,
            )
        return await next()


def create_slack_app(services: Services) -> AsyncApp:
    """The Bolt app. Its HTTP requests come only through the server's Slack route, which has
    verified them already (bot/app/server.py)."""
    settings = services.settings
    secret = settings.SLACK_SIGNING_SECRET
    app = AsyncApp(
        client=build_async_client(settings),
        signing_secret=secret.get_secret_value() if secret else None,
        # Verified once, not twice: the server's only Slack route checks the signature and
        # timestamp before anything is parsed (handlers/slack/edge.py), then hands the
        # request to Bolt; Socket Mode connections are authenticated by the app token.
        request_verification_enabled=False,
        logger=logging.getLogger(BOLT_LOGGER),
    )
    answer_promptly(app)
    tolerate_unreachable_slack(app)
    app.middleware(PooledRespondMiddleware())
    register_slack(app, services)
    return app

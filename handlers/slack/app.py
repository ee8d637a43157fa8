"""The Bolt app: Slack's signed requests in, the registered listeners out."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp

from bot.services import Services
from handlers import register_slack
from handlers.slack.authorization import tolerate_unreachable_slack
from handlers.slack.client import build_async_client


def create_slack_app(services: Services) -> AsyncApp:
    """A Bolt app verifying every request with the signing secret (when HTTP is used)."""
    settings = services.settings
    secret = settings.SLACK_SIGNING_SECRET
    app = AsyncApp(
        client=build_async_client(settings),
        signing_secret=secret.get_secret_value() if secret else None,
        # Socket Mode connections are authenticated by the app token instead.
        request_verification_enabled=secret is not None,
        logger=logging.getLogger("everyseat.slack"),
    )
    tolerate_unreachable_slack(app)
    register_slack(app, services)
    return app

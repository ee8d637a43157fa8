"""The Teams SDK app: credentials from settings, mounted on Everyseat's FastAPI server.

Incoming activities are validated by the SDK (Bot Framework JWTs) unless
TEAMS_ALLOW_UNAUTHENTICATED is set for local testing. Replies go to each activity's
`serviceUrl`, which is how a local fake connector receives them in tests.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from microsoft_teams.apps import App

from bot.services import Services
from bot.settings import Settings
from handlers.teams.edge import GuardedFastAPIAdapter, GuardedTeamsApp

MESSAGING_ENDPOINT = "/api/messages"


def teams_app_options(settings: Settings) -> dict[str, Any]:
    """The SDK options Everyseat's settings translate to (explicit, so the SDK's own
    environment variables such as CLIENT_ID are not needed)."""
    secret = settings.TEAMS_CLIENT_SECRET
    return {
        "client_id": settings.TEAMS_CLIENT_ID,
        "client_secret": secret.get_secret_value() if secret else None,
        "tenant_id": settings.TEAMS_TENANT_ID,
        "dangerously_allow_unauthenticated_requests": settings.TEAMS_ALLOW_UNAUTHENTICATED,
        "messaging_endpoint": MESSAGING_ENDPOINT,
        "telemetry": {"agent365": False},
    }


def create_teams_app(services: Services, server: FastAPI | None = None) -> App:
    """A Teams app with every Everyseat handler registered.

    With `server`, POST /api/messages is added to that FastAPI app when the app is
    initialised (`await app.initialize()`, done by the server's lifespan).
    """
    from handlers import register_teams

    # Both guarded: junk bodies and activities the SDK can't parse get 400 (edge.py).
    adapter = GuardedFastAPIAdapter(app=server) if server is not None else None
    app = GuardedTeamsApp(**teams_app_options(services.settings), http_server_adapter=adapter)
    register_teams(app, services)
    return app

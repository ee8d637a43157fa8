"""App Home: a person's recent recognition, received and given; admins also see the
statistics panel from the admin feature."""

from __future__ import annotations

import asyncio
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.nominations.rules import count_endorsements, recent_nominations
from bot.recognition.views import RecognitionView, recognition_view
from bot.services import Services
from handlers.slack.admin import home_admin_panel
from handlers.slack.people import resolve_members, workspace_for
from handlers.slack.render import home_view

RECENT_ON_HOME = 5


async def on_home_opened(
    event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient, services: Services
) -> None:
    if event.get("tab", "home") != "home":
        return
    user_id = event["user"]
    workspace = await workspace_for(services, body["team_id"])
    member = (await resolve_members(client, services, workspace.id, [user_id]))[user_id]

    def load() -> tuple[list[RecognitionView], list[RecognitionView]]:
        with services.sessions() as session:

            def views(**who: int) -> list[RecognitionView]:
                found = recent_nominations(session, workspace.id, limit=RECENT_ON_HOME, **who)
                return [
                    recognition_view(n, services.catalogue, count_endorsements(session, n.id))
                    for n in found
                ]

            return views(received_by=member.id), views(given_by=member.id)

    received, given = await asyncio.to_thread(load)
    panel = await home_admin_panel(client, services, workspace.id, user_id)
    await client.views_publish(user_id=user_id, view=home_view(received, given, panel))


def register(app: AsyncApp) -> None:
    app.event("app_home_opened")(on_home_opened)

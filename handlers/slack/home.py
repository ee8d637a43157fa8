"""App Home: a person's recent recognition, received and given; admins also see the
statistics panel from the admin feature."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.people.resolution import resolve_people, workspace_id_for
from bot.recognition.history import recent_recognition
from bot.services import Services
from handlers.slack.admin import home_admin_panel
from handlers.slack.moderation import home_moderation_panel
from handlers.slack.people import SLACK, SlackProfiles, slack_person
from handlers.slack.render import home_view

RECENT_ON_HOME = 5


async def on_home_opened(
    event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient, services: Services
) -> None:
    if event.get("tab", "home") != "home":
        return
    await publish_home(client, services, body["team_id"], event["user"])


async def publish_home(
    client: AsyncWebClient, services: Services, team_id: str, user_id: str
) -> None:
    """Build and publish a person's App Home (again, after an admin changed something)."""
    workspace_id = await workspace_id_for(services, SLACK, team_id)
    people = await resolve_people(
        services, workspace_id, [slack_person(user_id)], SlackProfiles(client)
    )
    history = await services.in_worker(
        recent_recognition, services, workspace_id, people[user_id].id, limit=RECENT_ON_HOME
    )
    panel = await home_admin_panel(client, services, workspace_id, user_id)
    if panel:  # an admin: moderation comes first, the statistics keep the foot
        panel = [*await home_moderation_panel(services, workspace_id), *panel]
    await client.views_publish(
        user_id=user_id, view=home_view(history.received, history.given, panel)
    )


def register(app: AsyncApp) -> None:
    app.event("app_home_opened")(on_home_opened)

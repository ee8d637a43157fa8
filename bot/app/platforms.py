"""Wiring the platforms into the core's jobs: the weekly senders and the outbox sweeps for
whichever of Slack and Teams is configured.

This is the entry-point side (the server and the CLI call it), so it may import the
adapters; it does so inside functions, so the Teams SDK is only loaded when Teams is on.
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING

from bot.directory.nightly import night_due, sync_if_due
from bot.directory.sync import DirectorySource
from bot.recognition.outbox import retry_outbox
from bot.recognition.senders import RecognitionEditor
from bot.services import Services
from bot.settings import Settings
from bot.weekly.posting import WeeklyPoster, WeeklySender
from schedules.outbox import OutboxSweep

if TYPE_CHECKING:
    from slack_sdk.web import WebClient

    from handlers.slack.weekly import SlackWeeklySender
    from handlers.teams.weekly import TeamsWeeklySender


def slack_weekly_sender(
    services: Services, slack_client: WebClient | None = None
) -> SlackWeeklySender:
    """Slack's weekly sender, with `slack_client` or one built from the settings."""
    from handlers.slack.client import build_sync_client
    from handlers.slack.weekly import SlackWeeklySender

    return SlackWeeklySender(services, slack_client or build_sync_client(services.settings))


def teams_weekly_sender(services: Services) -> TeamsWeeklySender:
    from handlers.teams.weekly import TeamsWeeklySender

    return TeamsWeeklySender(services)


def weekly_senders(services: Services, slack_client: WebClient | None = None) -> list[WeeklySender]:
    """A sender for each configured platform: Slack when it is configured and has a digest
    channel, Teams when it is configured (or in local-test mode)."""
    settings = services.settings
    senders: list[WeeklySender] = []
    if settings.slack_configured and settings.digest_channel is not None:
        senders.append(slack_weekly_sender(services, slack_client))
    if settings.teams_configured:
        senders.append(teams_weekly_sender(services))
    return senders


def weekly_posters(services: Services, slack_client: WebClient | None = None) -> list[WeeklyPoster]:
    """`weekly_senders`, each behind the core's claim-build-send-record flow."""
    return [WeeklyPoster(services, sender) for sender in weekly_senders(services, slack_client)]


def send_slack_outbox(services: Services) -> int:
    """The core outbox sweep with Slack's sender (from the scheduler's worker thread, which
    has no event loop of its own)."""
    from handlers.slack.client import build_async_client
    from handlers.slack.recognition import SlackRecognitionSender

    sender = SlackRecognitionSender(build_async_client(services.settings), services.settings)
    return asyncio.run(retry_outbox(services, sender))


def send_teams_outbox(services: Services) -> int:
    """The core outbox sweep with Teams' sender; routes come from the stored installs."""
    from handlers.teams.proactive import connector_api
    from handlers.teams.recognition import TeamsRecognitionSender

    sender = TeamsRecognitionSender(connector_api(services.settings), services)
    return asyncio.run(retry_outbox(services, sender))


def recognition_editor(services: Services, platform: str) -> RecognitionEditor | None:
    """The editor for recognitions posted on `platform` ("slack" or "teams"), when that
    platform is configured; None otherwise (the database is changed all the same)."""
    settings = services.settings
    if platform == "slack" and settings.slack_configured:
        from handlers.slack.client import build_async_client
        from handlers.slack.recognition import SlackRecognitionSender

        return SlackRecognitionSender(build_async_client(settings), settings)
    if platform == "teams" and settings.teams_configured:
        from handlers.teams.proactive import connector_api
        from handlers.teams.recognition import TeamsRecognitionSender

        return TeamsRecognitionSender(connector_api(settings), services)
    return None


def outbox_sweeps(services: Services) -> list[OutboxSweep]:
    """One recognition-outbox sweep per configured platform."""
    settings = services.settings
    sweeps: list[OutboxSweep] = []
    if settings.slack_configured:
        sweeps.append(OutboxSweep("Slack", partial(send_slack_outbox, services)))
    if settings.teams_configured:
        sweeps.append(OutboxSweep("Teams", partial(send_teams_outbox, services)))
    return sweeps


async def directory_sources(
    settings: Settings, *, slack: bool = True, teams: bool = True
) -> list[DirectorySource]:
    """The directories to sync: Slack's profiles when Slack is configured, Microsoft Graph
    when the Teams app registration and its tenant are."""
    sources: list[DirectorySource] = []
    if slack and settings.slack_configured:
        from handlers.slack.client import build_async_client
        from handlers.slack.directory import SlackDirectory

        client = build_async_client(settings)
        team_id = str((await client.auth_test())["team_id"])
        sources.append(SlackDirectory(client, team_id, settings.EVERYSEAT_SLACK_DEPARTMENT_FIELD))
    if teams and settings.TEAMS_CLIENT_ID and settings.TEAMS_TENANT_ID:
        from handlers.teams.graph import GraphDirectory

        sources.append(GraphDirectory.from_settings(settings))
    return sources


def nightly_directory_sync(services: Services) -> None:
    """Tonight's sync of every directory, if due (from the scheduler's worker thread)."""

    if night_due(services.settings, services.clock()) is None:
        return  # asked every few minutes: don't touch the platforms before it's time

    async def run() -> None:
        for source in await directory_sources(services.settings):
            await sync_if_due(services, source)

    asyncio.run(run())

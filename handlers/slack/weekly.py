"""Slack's side of the weekly posts: the digest channel as the target, Block Kit to send.

`SlackWeeklySender` implements the core's `WeeklySender`; the claim, the view and the record
of what was posted stay in bot/weekly/posting.py.
"""

from __future__ import annotations

from slack_sdk.errors import SlackApiError
from slack_sdk.web import WebClient

from bot import messages
from bot.people.resolution import workspace_id_in
from bot.services import Services
from bot.weekly.posting import WeeklyTarget, describe_any_error
from bot.weekly.spotlight import DigestView, PromptView
from handlers.slack.spotlight import render_digest_message, render_prompt_message

SLACK = "slack"


class SlackWeeklySender:
    """Sends one bot token's digests and prompts to its workspace's digest channel."""

    platform = "Slack"

    def __init__(self, services: Services, client: WebClient) -> None:
        self.services = services
        self.client = client
        self._workspace_id: int | None = None

    def workspace_id(self) -> int:
        """The workspace row of the team the bot token belongs to (asked of Slack once)."""
        if self._workspace_id is None:
            team = self.client.auth_test()
            self._workspace_id = workspace_id_in(self.services, SLACK, str(team["team_id"]))
        return self._workspace_id

    def targets(self) -> list[WeeklyTarget]:
        channel_id = self.services.settings.digest_channel
        if channel_id is None:  # bot/app/platforms.py builds no Slack sender then
            return []
        return [WeeklyTarget(self.workspace_id(), channel_id)]

    def send(self, target: WeeklyTarget, view: DigestView | PromptView) -> str:
        message = (
            render_digest_message(view)
            if isinstance(view, DigestView)
            else render_prompt_message(view)
        )
        response = self.client.chat_postMessage(
            channel=target.channel_id,
            text=message.text,
            blocks=message.blocks,
            unfurl_links=False,
            unfurl_media=False,
        )
        return str(response.get("ts") or "")

    def describe_error(self, error: Exception) -> str:
        if isinstance(error, SlackApiError):
            code = error.response.get("error") if error.response is not None else None
            status = error.response.status_code if error.response is not None else "?"
            return messages.POST_SLACK_REFUSED.format(status=status, code=code or "error")
        return describe_any_error(error)

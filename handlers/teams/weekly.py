"""Teams' side of the weekly posts: every team channel Everyseat is installed in (General by
default) as the targets, an Adaptive Card sent proactively.

`TeamsWeeklySender` implements the core's `WeeklySender`; install records come from
bot/installs.py, so this adapter never opens a session.
"""

from __future__ import annotations

from bot import messages
from bot.installs import every_installed_channel, installed_channel
from bot.services import Services
from bot.weekly.posting import WeeklyTarget, describe_any_error
from bot.weekly.spotlight import DigestView, PromptView
from handlers.teams.cards import render_digest_card, render_prompt_card
from handlers.teams.proactive import ConversationTarget, post_card_blocking


class TeamsWeeklySender:
    """Sends each Teams workspace's (tenant's) digests and prompts to every team Everyseat is
    installed in: the channel recorded at install, the team's General channel by default."""

    platform = "Teams"

    def __init__(self, services: Services) -> None:
        self.services = services

    def targets(self) -> list[WeeklyTarget]:
        return [
            WeeklyTarget(channel.workspace_id, channel.conversation_id, channel.team_name)
            for channel in every_installed_channel(self.services)
        ]

    def send(self, target: WeeklyTarget, view: DigestView | PromptView) -> str:
        channel = installed_channel(self.services, target.channel_id)
        if channel is None:
            raise LookupError(messages.POST_NOT_INSTALLED.format(channel=target.channel_id))
        conversation = ConversationTarget(channel.conversation_id, channel.service_url)
        card = (
            render_digest_card(view) if isinstance(view, DigestView) else render_prompt_card(view)
        )
        return post_card_blocking(self.services.settings, conversation, card)

    def describe_error(self, error: Exception) -> str:
        response = getattr(error, "response", None)
        status = getattr(response, "status_code", None)
        if status is not None:
            return messages.POST_TEAMS_REFUSED.format(status=status)
        return describe_any_error(error)

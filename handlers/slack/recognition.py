"""Slack's side of posting a recognition: the core's RecognitionSender, in Block Kit.

What is sent, when and exactly once is decided by the core outbox (bot/recognition/outbox.py);
this only says where a public post goes in Slack and how each message is sent.
"""

from __future__ import annotations

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.recognition.senders import PublicTarget
from bot.recognition.views import RecognitionView
from bot.settings import Settings
from handlers.slack.render import Block, nominee_message, recognition_message

# Delivery kinds: the claim's channel is the channel id for the public post, the nominee's
# user id for a DM; the period is the nomination id.
PUBLIC_POST = "recognition"
NOMINEE_DM = "recognition-dm"

# Errors a retry won't fix without a person acting (inviting the bot, say).
PERMANENT_ERRORS = frozenset({"not_in_channel", "channel_not_found", "is_archived"})
# The bot token itself was refused: the app was uninstalled, deactivated or its token revoked.
REVOKED_ERRORS = frozenset(
    {"account_inactive", "token_revoked", "invalid_auth", "not_authed", "token_expired"}
)


class SlackRecognitionSender:
    """Posts recognitions with one bot token's Web API client."""

    platform = "Slack"
    public_kind = PUBLIC_POST
    dm_kind = NOMINEE_DM

    def __init__(self, client: AsyncWebClient, settings: Settings) -> None:
        self.client = client
        self.settings = settings

    async def public_target(
        self, workspace_id: int, source_channel_id: str | None
    ) -> PublicTarget | None:
        channel = self.settings.EVERYSEAT_RECOGNITION_CHANNEL or source_channel_id
        return PublicTarget(channel, f"<#{channel}>") if channel else None

    async def post_recognition(
        self, workspace_id: int, channel_id: str, view: RecognitionView
    ) -> str:
        text, blocks = recognition_message(view)
        return await self._post(channel_id, text, blocks)

    async def send_dm(self, workspace_id: int, person_id: str, view: RecognitionView) -> str:
        text, blocks = nominee_message(view)
        return await self._post(person_id, text, blocks)

    async def update_post(
        self, workspace_id: int, channel_id: str, message_id: str, view: RecognitionView
    ) -> None:
        text, blocks = recognition_message(view)
        await self.client.chat_update(channel=channel_id, ts=message_id, text=text, blocks=blocks)

    async def _post(self, channel: str, text: str, blocks: list[Block]) -> str:
        response = await self.client.chat_postMessage(
            channel=channel, text=text, blocks=blocks, unfurl_links=False
        )
        return str(response.get("ts") or "")

    def describe_error(self, error: Exception) -> str:
        if isinstance(error, SlackApiError):
            return str(error.response.get("error") or error.response.status_code)
        return f"{type(error).__name__}: {error}"[:200]

    def is_permanent(self, reason: str) -> bool:
        return reason in PERMANENT_ERRORS or reason in REVOKED_ERRORS

    def is_revoked(self, reason: str) -> bool:
        return reason in REVOKED_ERRORS

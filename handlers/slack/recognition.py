"""Slack's side of posting a recognition: the core's RecognitionSender, in Block Kit.

What is sent, when and exactly once is decided by the core outbox (bot/recognition/outbox.py);
this only says where a public post goes in Slack and how each message is sent.
"""

from __future__ import annotations

import re

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.recognition.senders import FlagNotice, PublicTarget, SentMessage
from bot.recognition.views import RecognitionView
from bot.settings import Settings
from handlers.slack.render import (
    Block,
    flag_message,
    hidden_message,
    nominee_message,
    recognition_message,
)

# Delivery kinds: the claim's channel is the channel id for the public post, the nominee's
# user id for a DM; the period is the nomination id.
PUBLIC_POST = "recognition"
NOMINEE_DM = "recognition-dm"

# A Slack user id: the only ids EVERYSEAT_ADMINS may hold that Slack can message.
_SLACK_USER = re.compile(r"^[UW][A-Z0-9]+$")

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

    # --- moderation: changing what was sent (RecognitionEditor) --------------------------

    async def _channel_of(self, message: SentMessage) -> str:
        """The conversation a message is in: a nominee's message was sent to their user id,
        but chat.update and chat.delete need the DM's channel id."""
        if not message.direct:
            return message.channel_id
        opened = await self.client.conversations_open(users=message.channel_id)
        return str(opened["channel"]["id"])

    async def update_message(
        self, workspace_id: int, message: SentMessage, view: RecognitionView
    ) -> None:
        text, blocks = nominee_message(view) if message.direct else recognition_message(view)
        await self.client.chat_update(
            channel=await self._channel_of(message),
            ts=message.message_id,
            text=text,
            blocks=blocks,
        )

    async def replace_with_notice(self, workspace_id: int, message: SentMessage, text: str) -> None:
        fallback, blocks = hidden_message(text)
        await self.client.chat_update(
            channel=await self._channel_of(message),
            ts=message.message_id,
            text=fallback,
            blocks=blocks,
        )

    async def delete_message(self, workspace_id: int, message: SentMessage) -> None:
        await self.client.chat_delete(
            channel=await self._channel_of(message), ts=message.message_id
        )

    # --- moderation: telling admins about a flag (FlagNotifier) ---------------------------

    def can_reach(self, person_id: str) -> bool:
        return bool(_SLACK_USER.match(person_id))

    async def send_flag(self, workspace_id: int, admin_id: str, notice: FlagNotice) -> None:
        text, blocks = flag_message(notice)
        await self._post(admin_id, text, blocks)

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

"""Teams' side of posting a recognition: the core's RecognitionSender, in Adaptive Cards.

What is sent, when and exactly once is decided by the core outbox (bot/recognition/outbox.py),
with Teams' own delivery kinds so the Slack and Teams sweeps never take each other's work.
This says where a public post goes in Teams (the shared conversation it was made in, else
the most recently installed team channel) and how each card is sent.
"""

from __future__ import annotations

import re

from microsoft_teams.api import ApiClient

from bot import messages
from bot.installs import Route, installed_channels, route_to
from bot.recognition.senders import FlagNotice, PublicTarget, SentMessage
from bot.recognition.views import RecognitionView
from bot.services import Services
from handlers.teams.cards import (
    flag_card,
    hidden_card,
    nominee_card,
    notice_card,
    recognition_card,
)
from handlers.teams.proactive import (
    ConversationTarget,
    delete_card,
    personal_conversation,
    post_card,
    send_personal_card,
    update_card,
)
from handlers.teams.turns import Turn

# The claim's channel is the conversation id for the public post, the nominee's AAD object id
# for a personal message; the period is the nomination id.
PUBLIC_POST = "teams-recognition"
NOMINEE_DM = "teams-recognition-dm"
SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]+$")
UNREACHABLE = "no Teams service URL is known for this workspace"


class TeamsRecognitionSender:
    """Posts recognitions through the Bot Connector. With the `turn` being answered, its
    conversation and service URL are used; the outbox sweep looks routes up instead."""

    platform = "Teams"
    public_kind = PUBLIC_POST
    dm_kind = NOMINEE_DM

    def __init__(self, api: ApiClient, services: Services, turn: Turn | None = None) -> None:
        self.api = api
        self.services = services
        self.turn = turn

    async def public_target(
        self, workspace_id: int, source_channel_id: str | None
    ) -> PublicTarget | None:
        if self.turn is not None and self.turn.is_shared:
            return PublicTarget(self.turn.conversation_id, messages.TEAMS_THIS_CONVERSATION)
        channels = await self.services.in_worker(installed_channels, self.services, workspace_id)
        if not channels:
            return None
        newest = channels[0]
        return PublicTarget(
            newest.conversation_id, newest.team_name or messages.TEAMS_YOUR_TEAM_CHANNEL
        )

    async def _route(self, workspace_id: int, conversation_id: str | None) -> Route:
        turn = self.turn
        if turn is not None and conversation_id in (None, turn.conversation_id):
            return Route(turn.service_url, turn.tenant_id)
        found = await self.services.in_worker(
            route_to, self.services, workspace_id, conversation_id or ""
        )
        if found is None and turn is not None:
            return Route(turn.service_url, turn.tenant_id)
        if found is None:
            raise LookupError(UNREACHABLE)
        return found

    async def post_recognition(
        self, workspace_id: int, channel_id: str, view: RecognitionView
    ) -> str:
        route = await self._route(workspace_id, channel_id)
        target = ConversationTarget(channel_id, route.service_url)
        return await post_card(self.api, target, recognition_card(view, self.services.catalogue))

    async def send_dm(self, workspace_id: int, person_id: str, view: RecognitionView) -> str:
        route = await self._route(workspace_id, None)
        return await send_personal_card(
            self.api, route.service_url, route.tenant_id, person_id, nominee_card(view)
        )

    async def update_post(
        self, workspace_id: int, channel_id: str, message_id: str, view: RecognitionView
    ) -> None:
        route = await self._route(workspace_id, channel_id)
        target = ConversationTarget(channel_id, route.service_url)
        await update_card(
            self.api, target, message_id, recognition_card(view, self.services.catalogue)
        )

    # --- moderation: changing what was sent (RecognitionEditor) --------------------------

    async def _target(self, workspace_id: int, message: SentMessage) -> ConversationTarget:
        """Where a sent message is: a nominee's was sent to their AAD object id, so their
        1:1 chat is looked up again (Teams returns the same one)."""
        if not message.direct:
            route = await self._route(workspace_id, message.channel_id)
            return ConversationTarget(message.channel_id, route.service_url)
        route = await self._route(workspace_id, None)
        conversation = await personal_conversation(
            self.api, route.service_url, route.tenant_id, message.channel_id
        )
        return ConversationTarget(conversation, route.service_url)

    async def update_message(
        self, workspace_id: int, message: SentMessage, view: RecognitionView
    ) -> None:
        card = (
            nominee_card(view)
            if message.direct
            else recognition_card(view, self.services.catalogue)
        )
        target = await self._target(workspace_id, message)
        await update_card(self.api, target, message.message_id, card)

    async def replace_with_notice(self, workspace_id: int, message: SentMessage, text: str) -> None:
        target = await self._target(workspace_id, message)
        nomination_id = 0 if message.direct else await self._nomination_of(message)
        card = hidden_card(nomination_id) if nomination_id else notice_card(text)
        await update_card(self.api, target, message.message_id, card)

    async def _nomination_of(self, message: SentMessage) -> int:
        from bot.nominations.moderation import nomination_posted_as

        found = await self.services.in_worker(
            nomination_posted_as, self.services, message.channel_id, message.message_id
        )
        return found[0] if found else 0

    async def delete_message(self, workspace_id: int, message: SentMessage) -> None:
        target = await self._target(workspace_id, message)
        await delete_card(self.api, target, message.message_id)

    # --- moderation: telling admins about a flag (FlagNotifier) ---------------------------

    def can_reach(self, person_id: str) -> bool:
        # Slack user ids (U…/W…) can't be messaged in Teams; AAD object ids and 29: ids can.
        return not SLACK_USER_ID.match(person_id)

    async def send_flag(self, workspace_id: int, admin_id: str, notice: FlagNotice) -> None:
        route = await self._route(workspace_id, None)
        await send_personal_card(
            self.api, route.service_url, route.tenant_id, admin_id, flag_card(notice)
        )

    def describe_error(self, error: Exception) -> str:
        status = getattr(getattr(error, "response", None), "status_code", None)
        return f"Teams answered {status}" if status is not None else f"{type(error).__name__}"

    def is_permanent(self, reason: str) -> bool:
        return False  # Teams' refusals are retried by the sweep until the attempts run out

    def is_revoked(self, reason: str) -> bool:
        # The SDK fetches a fresh token per call with the client secret; a refused secret
        # fails there, not as an answer Everyseat could tell from any other refusal.
        return False

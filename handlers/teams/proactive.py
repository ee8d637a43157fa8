"""Posting to a Teams conversation without being spoken to first (digests, recognition).

Needs a conversation reference stored at install time (`installs.py`). Use `post_card` from
async code and `post_card_blocking` from threads such as the scheduler or the CLI.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Protocol

from microsoft_teams.api import Account, ApiClient
from microsoft_teams.api.activities.message.message import MessageActivityInput
from microsoft_teams.api.clients.conversation.params import CreateConversationParams
from microsoft_teams.api.models.entity import MentionEntity
from microsoft_teams.apps import App
from microsoft_teams.cards import AdaptiveCard

from bot.settings import Settings
from handlers.teams.app import teams_app_options


class Reachable(Protocol):
    """Anything that says where a conversation is (an installed channel, a stored row)."""

    @property
    def conversation_id(self) -> str: ...

    @property
    def service_url(self) -> str: ...


@dataclass(frozen=True)
class ConversationTarget:
    """Where to post: a conversation id and the Bot Connector service URL that reaches it."""

    conversation_id: str
    service_url: str

    @classmethod
    def of(cls, place: Reachable) -> ConversationTarget:
        return cls(place.conversation_id, place.service_url)


def connector_api(settings: Settings) -> ApiClient:
    """A Bot Connector client authenticated with the bot's credentials (none in local-test
    mode). Tokens are fetched lazily, on the first request."""
    return App(**teams_app_options(settings)).api


def card_activity(card: AdaptiveCard, text: str | None = None) -> MessageActivityInput:
    """A message carrying `card`. Mentions the card makes (its `msteams.entities`) are also
    the activity's mention entities, so Teams notifies those people wherever it looks."""
    activity = MessageActivityInput(text=text) if text else MessageActivityInput()
    for mention in (card.msteams.entities or []) if card.msteams else []:
        if mention.mentioned is not None and mention.mentioned.id:
            activity.add_entity(
                MentionEntity(
                    mentioned=Account(id=mention.mentioned.id, name=mention.mentioned.name),
                    text=mention.text,
                )
            )
    return activity.add_card(card)


async def post_card(api: ApiClient, target: Reachable, card: AdaptiveCard) -> str:
    """Post `card` as a new message in the conversation; returns the new activity's id.

    Raises the SDK's HTTP errors if Teams refuses (for example, the bot was removed).
    """
    scoped = api.clone(service_url=target.service_url)
    sent = await scoped.conversations.create_activity(target.conversation_id, card_activity(card))
    return str(sent.id)


def post_card_blocking(settings: Settings, target: Reachable, card: AdaptiveCard) -> str:
    """`post_card` for synchronous callers (the scheduler's threads, the CLI)."""
    return asyncio.run(post_card(connector_api(settings), target, card))


async def update_card(
    api: ApiClient, target: ConversationTarget, activity_id: str, card: AdaptiveCard
) -> None:
    """Replace the card in a message Everyseat posted earlier."""
    scoped = api.clone(service_url=target.service_url)
    await scoped.conversations.update_activity(
        target.conversation_id, activity_id, card_activity(card)
    )


async def delete_card(api: ApiClient, target: ConversationTarget, activity_id: str) -> None:
    """Delete a message Everyseat posted earlier."""
    scoped = api.clone(service_url=target.service_url)
    await scoped.conversations.delete_activity(target.conversation_id, activity_id)


async def personal_conversation(
    api: ApiClient, service_url: str, tenant_id: str, user_id: str
) -> str:
    """The id of the bot's 1:1 chat with `user_id` (Teams returns the existing one)."""
    scoped = api.clone(service_url=service_url)
    conversation = await scoped.conversations.create(
        CreateConversationParams(
            members=[Account(id=user_id)],
            tenant_id=tenant_id,
            channel_data={"tenant": {"id": tenant_id}},
            isGroup=False,
        )
    )
    return str(conversation.id)


async def send_personal_card(
    api: ApiClient, service_url: str, tenant_id: str, user_id: str, card: AdaptiveCard
) -> str:
    """Open (or reuse) the bot's 1:1 chat with `user_id` and post `card` there.

    Teams only allows this where the person has Everyseat installed (it is when the app is
    installed for the team or organisation); otherwise the connector refuses.
    """
    scoped = api.clone(service_url=service_url)
    conversation = await scoped.conversations.create(
        CreateConversationParams(
            members=[Account(id=user_id)],
            tenant_id=tenant_id,
            channel_data={"tenant": {"id": tenant_id}},
            isGroup=False,
        )
    )
    sent = await scoped.conversations.create_activity(conversation.id, card_activity(card))
    return str(sent.id)

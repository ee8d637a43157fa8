"""What Everyseat needs from a Teams activity, read once into plain typed values.

The SDK's activity models change between releases; handlers read this small view instead,
built from the activity's JSON, so the parsing is tested against real payloads in one place.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from bot.nominations.one_line import extract_hashtags, tidy_story

# Teams calls a team channel "channel", a group chat "groupChat" and a 1:1 chat "personal".
CHANNEL = "channel"
GROUP_CHAT = "groupChat"
PERSONAL = "personal"

# Bots and apps have ids starting "28:"; people "29:" (or an AAD object id in a picker).
BOT_ID_PREFIX = "28:"

_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class PersonRef:
    """A person as an activity names them: an id Teams understands, and what else it said."""

    ref: str
    name: str | None = None
    aad_object_id: str | None = None

    @property
    def is_bot(self) -> bool:
        return self.ref.startswith(BOT_ID_PREFIX)


@dataclass(frozen=True)
class Turn:
    """One incoming activity, reduced to the parts Everyseat uses."""

    activity_id: str | None
    conversation_id: str
    conversation_type: str
    service_url: str
    tenant_id: str
    sender: PersonRef
    bot_id: str
    team_id: str | None = None
    team_name: str | None = None
    channel_id: str | None = None
    text: str = ""
    mentions: tuple[tuple[PersonRef, str], ...] = ()  # (who, the text Teams put in `text`)
    reply_to_id: str | None = None
    value: dict[str, Any] = field(default_factory=dict)

    @property
    def is_personal(self) -> bool:
        return self.conversation_type == PERSONAL

    @property
    def is_shared(self) -> bool:
        """A team channel or group chat, where a post is seen by everyone in it."""
        return self.conversation_type in (CHANNEL, GROUP_CHAT)


def _text(value: Any) -> str | None:
    return str(value) if isinstance(value, str) and value else None


def parse_turn(activity: dict[str, Any]) -> Turn:
    """Build a Turn from an activity's JSON (camelCase keys, as Teams sends it)."""
    conversation = activity.get("conversation") or {}
    channel_data = activity.get("channelData") or {}
    sender = activity.get("from") or {}
    recipient = activity.get("recipient") or {}
    team = channel_data.get("team") or {}
    channel = channel_data.get("channel") or {}
    tenant_id = (
        _text((channel_data.get("tenant") or {}).get("id"))
        or _text(conversation.get("tenantId"))
        or ""
    )
    conversation_type = _text(conversation.get("conversationType")) or (
        GROUP_CHAT if conversation.get("isGroup") else PERSONAL
    )
    mentions: list[tuple[PersonRef, str]] = []
    for entity in activity.get("entities") or []:
        if entity.get("type") != "mention":
            continue
        mentioned = entity.get("mentioned") or {}
        if not _text(mentioned.get("id")):
            continue
        person = PersonRef(
            ref=str(mentioned["id"]),
            name=_text(mentioned.get("name")),
            aad_object_id=_text(mentioned.get("aadObjectId")),
        )
        mentions.append((person, str(entity.get("text") or "")))
    value = activity.get("value")
    return Turn(
        activity_id=_text(activity.get("id")),
        conversation_id=str(conversation.get("id") or ""),
        conversation_type=conversation_type,
        service_url=str(activity.get("serviceUrl") or ""),
        tenant_id=tenant_id,
        sender=PersonRef(
            ref=str(sender.get("id") or ""),
            name=_text(sender.get("name")),
            aad_object_id=_text(sender.get("aadObjectId")),
        ),
        bot_id=str(recipient.get("id") or ""),
        team_id=_text(team.get("id")),
        team_name=_text(team.get("name")),
        channel_id=_text(channel.get("id")),
        text=str(activity.get("text") or ""),
        mentions=tuple(mentions),
        reply_to_id=_text(activity.get("replyToId")),
        value=dict(value) if isinstance(value, dict) else {},
    )


@dataclass(frozen=True)
class MessageCommand:
    """A message to the bot, with its own @mention taken out."""

    verb: str  # the first word, lowercased ("nominate", "stats", "help", or "")
    nominees: tuple[PersonRef, ...]
    behaviour_slugs: tuple[str, ...]
    story: str
    typed: str  # what the person wrote after the verb, mentions as names, for echoing back


def _plain(text: str) -> str:
    return html.unescape(_TAG.sub(" ", text))


def parse_message_command(turn: Turn) -> MessageCommand:
    """Split `@Everyseat nominate @Nia @Sam what they did #behaviour` into its parts.

    Only the bot's own mention is dropped; every other mention is a nominee, in the order
    written. Hashtags become behaviour slugs, and what is left is the story.
    """
    text = turn.text
    nominees: list[PersonRef] = []
    typed = text
    for person, mention_text in turn.mentions:
        if person.ref == turn.bot_id:
            text = text.replace(mention_text, " ", 1) if mention_text else text
            typed = typed.replace(mention_text, " ", 1) if mention_text else typed
            continue
        if mention_text:
            text = text.replace(mention_text, " ", 1)
            typed = typed.replace(mention_text, f"@{person.name or person.ref}", 1)
        if all(known.ref != person.ref for known in nominees):
            nominees.append(person)
    words = _plain(text).split(maxsplit=1)
    verb = words[0].lower() if words else ""
    rest = words[1] if len(words) > 1 else ""
    without_tags, slugs = extract_hashtags(rest)
    typed_words = _plain(typed).split(maxsplit=1)
    return MessageCommand(
        verb=verb,
        nominees=tuple(nominees),
        behaviour_slugs=tuple(slugs),
        story=tidy_story(without_tags),
        typed=typed_words[1].strip() if len(typed_words) > 1 else "",
    )

"""What the core needs a platform to send for a recognition, as a small protocol.

Slack (handlers/slack/recognition.py) and Teams (handlers/teams/recognition.py) implement
it; the outbox (outbox.py) decides what is sent, when and exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.recognition.views import RecognitionView


@dataclass(frozen=True)
class PublicTarget:
    """Where a public recognition goes, and how to name that place to the nominator."""

    channel_id: str
    label: str


class RecognitionSender(Protocol):
    """Posts recognitions on one platform. Each method raises whatever the platform raises
    when it refuses or can't be reached; the outbox catches it and retries later."""

    platform: str
    # Delivery kinds of the public post and of a nominee's personal message: distinct per
    # platform, so each platform's outbox sweep only takes its own.
    public_kind: str
    dm_kind: str

    async def public_target(
        self, workspace_id: int, source_channel_id: str | None
    ) -> PublicTarget | None:
        """Where this nomination's public post goes; None when there is nowhere to post."""
        ...

    async def post_recognition(
        self, workspace_id: int, channel_id: str, view: RecognitionView
    ) -> str:
        """Post the recognition; returns the platform's message id."""
        ...

    async def send_dm(self, workspace_id: int, person_id: str, view: RecognitionView) -> str:
        """Send the nominee their personal message; returns the platform's message id."""
        ...

    async def update_post(
        self, workspace_id: int, channel_id: str, message_id: str, view: RecognitionView
    ) -> None:
        """Replace an earlier recognition post with `view` (a new endorsement count)."""
        ...

    def describe_error(self, error: Exception) -> str:
        """A short reason for the log and the delivery row (no secrets, no stack)."""
        ...

    def is_permanent(self, reason: str) -> bool:
        """Whether a retry can't fix this without a person acting (invite the bot, say)."""
        ...

    def is_revoked(self, reason: str) -> bool:
        """Whether the platform refused Everyseat's own credentials (a revoked token): nothing
        will go out until an admin reinstalls the app."""
        ...


@dataclass(frozen=True)
class SentMessage:
    """One message a recognition was sent as: the public post (`direct` False, in channel
    `channel_id`) or a nominee's personal message (`direct` True, `channel_id` the person)."""

    channel_id: str
    message_id: str
    direct: bool


class RecognitionEditor(RecognitionSender, Protocol):
    """Changes recognitions already sent: what moderation (editing, withdrawing, hiding,
    restoring) needs a platform to do to each message."""

    async def update_message(
        self, workspace_id: int, message: SentMessage, view: RecognitionView
    ) -> None:
        """Show `view` in place of what `message` said (post or personal message)."""
        ...

    async def replace_with_notice(self, workspace_id: int, message: SentMessage, text: str) -> None:
        """Replace `message` with one neutral line."""
        ...

    async def delete_message(self, workspace_id: int, message: SentMessage) -> None:
        """Remove `message`."""
        ...


@dataclass(frozen=True)
class FlagNotice:
    """A flag as admins are told about it, with the recognition it is about."""

    flag_id: int
    reason: str
    flagged_by: str | None  # a display name; None once that person has been erased
    recognition: RecognitionView


class FlagNotifier(Protocol):
    """Tells one admin about a flag, with Hide and Dismiss buttons."""

    def can_reach(self, person_id: str) -> bool:
        """Whether `person_id` is an id this platform can message (EVERYSEAT_ADMINS may list
        both Slack and Teams ids)."""
        ...

    async def send_flag(self, workspace_id: int, admin_id: str, notice: FlagNotice) -> None: ...

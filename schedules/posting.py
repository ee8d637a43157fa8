"""Posting a digest or prompt to Slack exactly once: claim, build, send, record.

Shared by the scheduled jobs and `everyseat digest|prompt --post`, so a manual run and the
scheduler (in any number of replicas) go through the same claim and can't both post.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from slack_sdk.errors import SlackApiError
from slack_sdk.web import WebClient

from bot import messages
from bot.deliveries import (
    DeliveryKey,
    DeliveryStatus,
    claim_delivery,
    find_delivery,
    mark_delivery_failed,
    mark_delivery_posted,
)
from bot.directory import get_or_create_workspace
from bot.periods import Period, PostKind, due_period, schedule_for
from bot.services import Services
from bot.spotlight import build_digest_view, build_prompt_view, record_spotlights
from handlers.slack.spotlight import render_digest_message, render_prompt_message

log = logging.getLogger(__name__)

# A scheduled post that keeps failing (say the bot was removed from the channel) stops
# being retried after this many attempts; `--post` can still send it by hand.
MAX_SCHEDULED_ATTEMPTS = 12


class PostResult(StrEnum):
    POSTED = "posted"
    ALREADY_POSTED = "already posted"
    IN_PROGRESS = "in progress"  # another process holds the claim
    FAILED = "failed"


@dataclass(frozen=True)
class PostOutcome:
    result: PostResult
    kind: PostKind
    period: Period
    channel_id: str
    message_ts: str | None = None
    reason: str | None = None

    def describe(self) -> str:
        """One line for a person at the command line."""
        values = {"kind": str(self.kind), "period": self.period.key, "channel": self.channel_id}
        if self.result is PostResult.POSTED:
            return messages.POST_SENT.format(**values)
        if self.result is PostResult.ALREADY_POSTED:
            return messages.POST_ALREADY_SENT.format(**values)
        if self.result is PostResult.IN_PROGRESS:
            return messages.POST_IN_PROGRESS.format(**values)
        return messages.POST_FAILED.format(**values, reason=self.reason or "unknown error")


def _reason(error: Exception) -> str:
    if isinstance(error, SlackApiError):
        code = error.response.get("error") if error.response is not None else None
        status = error.response.status_code if error.response is not None else "?"
        return f"Slack answered {status} {code or 'error'}"
    return f"{type(error).__name__}: {error}"


class SlackPoster:
    """Sends one bot token's digests and prompts to its workspace's digest channel."""

    def __init__(self, services: Services, client: WebClient) -> None:
        self.services = services
        self.client = client
        self._workspace_id: int | None = None

    def workspace_id(self) -> int:
        """The workspace row of the team the bot token belongs to (asked of Slack once)."""
        if self._workspace_id is None:
            team = self.client.auth_test()
            with self.services.sessions() as session:
                workspace = get_or_create_workspace(
                    session, "slack", str(team["team_id"]), self.services.clock()
                )
            self._workspace_id = workspace.id
        return self._workspace_id

    def delivery_key(self, period: Period, channel_id: str) -> DeliveryKey:
        return DeliveryKey(self.workspace_id(), channel_id, str(period.kind), period.key)

    def post(
        self, period: Period, channel_id: str, *, max_attempts: int | None = None
    ) -> PostOutcome:
        """Claim the period's post in `channel_id`; if the claim is ours, send it."""
        services = self.services
        key = self.delivery_key(period, channel_id)
        with services.sessions() as session:
            claim = claim_delivery(session, key, services.clock(), max_attempts=max_attempts)
            if claim is None:
                existing = find_delivery(session, key)
                result = (
                    PostResult.ALREADY_POSTED
                    if existing is not None and existing.status == DeliveryStatus.POSTED
                    else PostResult.IN_PROGRESS
                    if existing is not None and existing.status == DeliveryStatus.CLAIMED
                    else PostResult.FAILED
                )
                reason = existing.last_error if existing is not None else None
                return PostOutcome(
                    result,
                    period.kind,
                    period,
                    channel_id,
                    existing.message_ts if existing is not None else None,
                    reason,
                )
            now = services.clock()
            try:
                if period.kind is PostKind.DIGEST:
                    digest = build_digest_view(
                        session,
                        key.workspace_id,
                        period,
                        catalogue=services.catalogue,
                        reflections=services.reflections,
                    )
                    message = render_digest_message(digest)
                else:
                    digest = None
                    message = render_prompt_message(
                        build_prompt_view(
                            key.workspace_id, period, reflections=services.reflections
                        )
                    )
                response = self.client.chat_postMessage(
                    channel=channel_id,
                    text=message.text,
                    blocks=message.blocks,
                    unfurl_links=False,
                    unfurl_media=False,
                )
            except Exception as error:  # anything: release the claim so it is retried
                session.rollback()
                reason = _reason(error)
                mark_delivery_failed(session, claim, reason)
                log.warning(
                    "posting the %s for %s to %s failed (attempt %d): %s",
                    period.kind,
                    period.key,
                    channel_id,
                    claim.attempt,
                    reason,
                )
                return PostOutcome(PostResult.FAILED, period.kind, period, channel_id, None, reason)
            ts = str(response.get("ts") or "")
            if digest is not None:
                record_spotlights(session, digest, now)
            if not mark_delivery_posted(session, claim, ts, services.clock()):
                log.warning(
                    "the claim on the %s for %s lapsed while posting", period.kind, period.key
                )
            log.info("posted the %s for %s to %s (ts %s)", period.kind, period.key, channel_id, ts)
            return PostOutcome(PostResult.POSTED, period.kind, period, channel_id, ts)

    def post_if_due(self, kind: PostKind) -> PostOutcome | None:
        """The scheduled job and the catch-up sweep: post `kind` if its period is due now
        (scheduled within the catch-up window) and not yet posted. None if nothing is due."""
        settings = self.services.settings
        channel_id = settings.digest_channel
        if channel_id is None:
            log.warning(messages.POST_NO_CHANNEL.format(kind=kind))
            return None
        period = due_period(
            schedule_for(settings, kind),
            self.services.clock(),
            timedelta(hours=settings.EVERYSEAT_CATCH_UP_HOURS),
        )
        if period is None:
            return None
        return self.post(period, channel_id, max_attempts=MAX_SCHEDULED_ATTEMPTS)

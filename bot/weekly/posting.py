"""Posting a digest or prompt exactly once: claim, build, send, record.

`WeeklyPoster` is the flow, written once; a `WeeklySender` (Slack's and Teams' live in their
adapters) says only where weekly posts go and how a view is sent. Shared by the scheduled
jobs and `everyseat digest|prompt --post`, so a manual run and the scheduler (in any number
of replicas) go through the same claim and can't both post.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Protocol

from bot import messages
from bot.deliveries import (
    DeliveryKey,
    DeliveryStatus,
    claim_delivery,
    find_delivery,
    mark_delivery_failed,
    mark_delivery_posted,
)
from bot.services import Services
from bot.weekly.periods import Period, PostKind, current_period, due_period, schedule_for
from bot.weekly.spotlight import (
    DigestView,
    PromptView,
    build_digest_view,
    build_prompt_view,
    record_spotlights,
)

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
class WeeklyTarget:
    """One place a workspace's weekly posts go: the channel id is the claim's channel, and
    `label` is how a person at the command line knows it (defaults to the id)."""

    workspace_id: int
    channel_id: str
    label: str | None = None


@dataclass(frozen=True)
class PostOutcome:
    result: PostResult
    kind: PostKind
    period: Period
    channel_id: str
    message_ts: str | None = None
    reason: str | None = None
    channel_label: str | None = None

    def describe(self) -> str:
        """One line for a person at the command line."""
        values = {
            "kind": str(self.kind),
            "period": self.period.key,
            "channel": self.channel_label or self.channel_id,
        }
        if self.result is PostResult.POSTED:
            return messages.POST_SENT.format(**values)
        if self.result is PostResult.ALREADY_POSTED:
            return messages.POST_ALREADY_SENT.format(**values)
        if self.result is PostResult.IN_PROGRESS:
            return messages.POST_IN_PROGRESS.format(**values)
        return messages.POST_FAILED.format(
            **values, reason=self.reason or messages.POST_UNKNOWN_ERROR
        )


class WeeklySender(Protocol):
    """What a platform provides for weekly posts: where they go and how a view is sent."""

    @property
    def platform(self) -> str:
        """The platform's name as people know it ("Slack", "Teams"), for logs and the CLI."""
        ...

    def targets(self) -> list[WeeklyTarget]:
        """Where the weekly posts go now (may be none, e.g. nothing installed yet)."""
        ...

    def send(self, target: WeeklyTarget, view: DigestView | PromptView) -> str:
        """Render and send `view` to `target`; returns the platform's message id."""
        ...

    def describe_error(self, error: Exception) -> str:
        """Why sending failed, in a few words a person can act on."""
        ...


def describe_any_error(error: Exception) -> str:
    """The fallback for `WeeklySender.describe_error`: the exception's type and message."""
    return f"{type(error).__name__}: {error}"


class WeeklyPoster:
    """Claims a weekly post, builds its neutral view, hands it to the sender, records it.

    Everything about exactly-once lives here; the sender only names targets and sends.
    """

    def __init__(self, services: Services, sender: WeeklySender) -> None:
        self.services = services
        self.sender = sender

    @property
    def platform(self) -> str:
        return self.sender.platform

    def targets(self) -> list[WeeklyTarget]:
        return self.sender.targets()

    def post_to(
        self, target: WeeklyTarget, period: Period, *, max_attempts: int | None = None
    ) -> PostOutcome:
        """Claim the period's post in `target`; if the claim is ours, send it."""
        services = self.services
        key = DeliveryKey(target.workspace_id, target.channel_id, str(period.kind), period.key)

        def outcome(
            result: PostResult, ts: str | None = None, why: str | None = None
        ) -> PostOutcome:
            return PostOutcome(
                result, period.kind, period, target.channel_id, ts, why, target.label
            )

        with services.unit_of_work() as session:
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
                if existing is None:
                    return outcome(result)
                return outcome(result, existing.message_ts, existing.last_error)
            now = services.clock()
            digest: DigestView | None = None
            try:
                view: DigestView | PromptView
                if period.kind is PostKind.DIGEST:
                    view = digest = build_digest_view(
                        session,
                        key.workspace_id,
                        period,
                        catalogue=services.catalogue,
                        reflections=services.reflections,
                    )
                else:
                    view = build_prompt_view(
                        key.workspace_id, period, reflections=services.reflections
                    )
                ts = self.sender.send(target, view)
            except Exception as error:  # anything: release the claim so it is retried
                session.rollback()
                reason = self.sender.describe_error(error)
                mark_delivery_failed(session, claim, reason)
                log.warning(
                    "posting the %s for %s to %s %s failed (attempt %d): %s",
                    period.kind,
                    period.key,
                    self.platform,
                    target.channel_id,
                    claim.attempt,
                    reason,
                )
                return outcome(PostResult.FAILED, None, reason)
            if digest is not None:
                record_spotlights(session, digest, now)
            if not mark_delivery_posted(session, claim, ts, services.clock()):
                log.warning(
                    "the claim on the %s for %s lapsed while posting", period.kind, period.key
                )
            log.info(
                "posted the %s for %s to %s %s (message %s)",
                period.kind,
                period.key,
                self.platform,
                target.channel_id,
                ts,
            )
            return outcome(PostResult.POSTED, ts)

    def _catch_up(self) -> timedelta:
        return timedelta(hours=self.services.settings.EVERYSEAT_CATCH_UP_HOURS)

    def post_due(self, kind: PostKind) -> list[PostOutcome]:
        """The scheduled job and the catch-up sweep: post `kind` to every target if its period
        is due now (scheduled within the catch-up window) and not yet posted."""
        period = due_period(
            schedule_for(self.services.settings, kind), self.services.clock(), self._catch_up()
        )
        if period is None:
            return []
        return [
            self.post_to(target, period, max_attempts=MAX_SCHEDULED_ATTEMPTS)
            for target in self.targets()
        ]

    def post_if_due(self, kind: PostKind) -> PostOutcome | None:
        """`post_due` for a sender with one target (Slack's digest channel): its outcome, or
        None if nothing is due or there is nowhere to post."""
        outcomes = self.post_due(kind)
        return outcomes[0] if outcomes else None

    def post_now(self, kind: PostKind) -> list[PostOutcome]:
        """`--post`: the due post, or this week's early; to every target."""
        period = current_period(
            schedule_for(self.services.settings, kind), self.services.clock(), self._catch_up()
        )
        return [self.post_to(target, period) for target in self.targets()]


def post_all_due(posters: Sequence[WeeklyPoster], kind: PostKind) -> list[PostOutcome]:
    """Every platform's due post of `kind`; one platform failing doesn't stop the others."""
    outcomes: list[PostOutcome] = []
    for poster in posters:
        try:
            outcomes += poster.post_due(kind)
        except Exception:
            log.exception("the %s %s run failed before posting", poster.platform, kind)
    return outcomes

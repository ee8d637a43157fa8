"""Posting a digest or prompt exactly once: claim, build, send, record.

`WeeklyPoster` is the flow, written once; `SlackPoster` and `TeamsPoster` say only where
scheduled posts go and how a view is sent (the Teams SDK is imported only when used).
Shared by the scheduled jobs and `everyseat digest|prompt --post`, so a manual run and the
scheduler (in any number of replicas) go through the same claim and can't both post.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from slack_sdk.errors import SlackApiError
from slack_sdk.web import WebClient
from sqlalchemy import select

from bot import messages
from bot.deliveries import (
    DeliveryKey,
    DeliveryStatus,
    claim_delivery,
    find_delivery,
    mark_delivery_failed,
    mark_delivery_posted,
)
from bot.people.directory import get_or_create_workspace
from bot.services import Services
from bot.weekly.periods import Period, PostKind, current_period, due_period, schedule_for
from bot.weekly.spotlight import (
    DigestView,
    PromptView,
    build_digest_view,
    build_prompt_view,
    record_spotlights,
)
from db.models import Workspace
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
        return messages.POST_FAILED.format(**values, reason=self.reason or "unknown error")


class WeeklyPoster(ABC):
    """Claims a weekly post, builds its neutral view, hands it to the platform, records it.

    Subclasses name the targets and send a view; everything about exactly-once lives here.
    """

    platform: str

    def __init__(self, services: Services) -> None:
        self.services = services

    @abstractmethod
    def targets(self) -> list[WeeklyTarget]:
        """Where the weekly posts go now (may be none, e.g. nothing installed yet)."""

    @abstractmethod
    def send(self, target: WeeklyTarget, view: DigestView | PromptView) -> str:
        """Render and send `view` to `target`; returns the platform's message id."""

    def describe_error(self, error: Exception) -> str:
        return f"{type(error).__name__}: {error}"

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
                ts = self.send(target, view)
            except Exception as error:  # anything: release the claim so it is retried
                session.rollback()
                reason = self.describe_error(error)
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

    def post_now(self, kind: PostKind) -> list[PostOutcome]:
        """`--post`: the due post, or this week's early; to every target."""
        period = current_period(
            schedule_for(self.services.settings, kind), self.services.clock(), self._catch_up()
        )
        return [self.post_to(target, period) for target in self.targets()]


class SlackPoster(WeeklyPoster):
    """Sends one bot token's digests and prompts to its workspace's digest channel."""

    platform = "Slack"

    def __init__(self, services: Services, client: WebClient) -> None:
        super().__init__(services)
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

    def targets(self) -> list[WeeklyTarget]:
        channel_id = self.services.settings.digest_channel
        if channel_id is None:
            return []
        return [WeeklyTarget(self.workspace_id(), channel_id)]

    def delivery_key(self, period: Period, channel_id: str) -> DeliveryKey:
        return DeliveryKey(self.workspace_id(), channel_id, str(period.kind), period.key)

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
            return f"Slack answered {status} {code or 'error'}"
        return super().describe_error(error)

    def post(
        self, period: Period, channel_id: str, *, max_attempts: int | None = None
    ) -> PostOutcome:
        """Claim the period's post in `channel_id`; if the claim is ours, send it."""
        target = WeeklyTarget(self.workspace_id(), channel_id)
        return self.post_to(target, period, max_attempts=max_attempts)

    def post_if_due(self, kind: PostKind) -> PostOutcome | None:
        """`post_due` for the one digest channel. None if nothing is due."""
        if self.services.settings.digest_channel is None:
            log.warning(messages.POST_NO_CHANNEL.format(kind=kind))
            return None
        outcomes = self.post_due(kind)
        return outcomes[0] if outcomes else None


class TeamsPoster(WeeklyPoster):
    """Sends each Teams workspace's (tenant's) digests and prompts to every team Everyseat is
    installed in: the channel recorded at install, the team's General channel by default."""

    platform = "Teams"

    def targets(self) -> list[WeeklyTarget]:
        from handlers.teams.installs import TEAMS, installed_team_channels

        with self.services.sessions() as session:
            workspace_ids = session.scalars(
                select(Workspace.id).where(Workspace.platform == TEAMS).order_by(Workspace.id)
            ).all()
            return [
                WeeklyTarget(workspace_id, row.conversation_id, row.team_name)
                for workspace_id in workspace_ids
                for row in reversed(installed_team_channels(session, workspace_id))
            ]

    def send(self, target: WeeklyTarget, view: DigestView | PromptView) -> str:
        from handlers.teams.cards import render_digest_card, render_prompt_card
        from handlers.teams.installs import find_conversation
        from handlers.teams.proactive import ConversationTarget, post_card_blocking

        with self.services.sessions() as session:
            row = find_conversation(session, target.channel_id)
            if row is None or row.removed_at is not None:
                raise LookupError(f"Everyseat is not installed in {target.channel_id}")
            conversation = ConversationTarget.of(row)
        card = (
            render_digest_card(view) if isinstance(view, DigestView) else render_prompt_card(view)
        )
        return post_card_blocking(self.services.settings, conversation, card)

    def describe_error(self, error: Exception) -> str:
        response = getattr(error, "response", None)
        status = getattr(response, "status_code", None)
        if status is not None:
            return f"Teams answered {status}"
        return super().describe_error(error)


def weekly_posters(services: Services, slack_client: WebClient | None = None) -> list[WeeklyPoster]:
    """A poster for each configured platform: Slack when it is configured and has a digest
    channel, Teams when it is configured (or in local-test mode)."""
    settings = services.settings
    posters: list[WeeklyPoster] = []
    if settings.slack_configured and settings.digest_channel is not None:
        from handlers.slack.client import build_sync_client

        posters.append(SlackPoster(services, slack_client or build_sync_client(settings)))
    if settings.teams_configured:
        posters.append(TeamsPoster(services))
    return posters


def post_all_due(posters: Sequence[WeeklyPoster], kind: PostKind) -> list[PostOutcome]:
    """Every platform's due post of `kind`; one platform failing doesn't stop the others."""
    outcomes: list[PostOutcome] = []
    for poster in posters:
        try:
            outcomes += poster.post_due(kind)
        except Exception:
            log.exception("the %s %s run failed before posting", poster.platform, kind)
    return outcomes

"""Slack's weekly digest as the fake Web API receives it: only the spotlighted are notified."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

from slack_sdk.web import WebClient
from sqlalchemy import select

from bot import messages
from bot.services import Services
from bot.weekly.periods import PostKind
from bot.weekly.posting import PostResult, WeeklyPoster
from db.models import Member, Nomination, NominationBehaviour, NominationNominee, Spotlight
from handlers.slack.weekly import SlackWeeklySender
from tests.fakes.slack_web_api import TEAM_ID, FakeSlack
from tests.support import builders
from tests.support.clock import FakeClock
from tests.support.slack_digest import DIGEST_CHANNEL, settings, slack_client

MONDAY_NINE = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # 09:00 in London (GMT)
RECOGNISED = 300
__all__ = ["settings", "slack_client"]  # the Slack-configured fixtures

# Anything Slack turns into a notification: a user mention or a broadcast.
NOTIFYING = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>|<!(channel|here|everyone)\b")


def a_week_recognising(services: Services, count: int) -> None:
    """`count` people, each recognised once this week by one of ten nominators."""
    created = MONDAY_NINE - timedelta(days=4)
    workspace = builders.workspace(services, TEAM_ID)
    with services.sessions() as session:
        people = [
            Member(
                workspace_id=workspace.id,
                platform_user_id=f"U{index:06d}",
                display_name=f"Colleague {index}",
                title=f"Seat {index % 40}",
                created_at=created,
            )
            for index in range(count)
        ]
        nominators = [
            Member(
                workspace_id=workspace.id,
                platform_user_id=f"UNOM{index}",
                display_name=f"Nominator {index}",
                created_at=created,
            )
            for index in range(10)
        ]
        session.add_all([*people, *nominators])
        session.flush()
        for index, person in enumerate(people):
            session.add(
                Nomination(
                    workspace_id=workspace.id,
                    nominator_id=nominators[index % 10].id,
                    story=f"Story {index}: kept the ward calm on a hard night. " * 2,
                    visibility="public",
                    created_at=created + timedelta(minutes=index),
                    fingerprint=f"fp{index}",
                    dedupe_key=f"week-{index}",
                    nominees=[NominationNominee(member_id=person.id, position=0)],
                    behaviours=[
                        NominationBehaviour(behaviour_slug="leading-from-every-seat", position=0)
                    ],
                )
            )
        session.commit()


def test_a_week_with_300_recognised_notifies_only_the_spotlighted(
    services: Services, clock: FakeClock, fake_slack: FakeSlack, slack_client: WebClient
) -> None:
    a_week_recognising(services, RECOGNISED)
    clock.set(MONDAY_NINE)
    outcome = WeeklyPoster(services, SlackWeeklySender(services, slack_client)).post_if_due(
        PostKind.DIGEST
    )
    assert outcome is not None and outcome.result is PostResult.POSTED
    [post] = fake_slack.calls_to("chat.postMessage")
    assert post.args["channel"] == DIGEST_CHANNEL
    posted = json.dumps([post.args["text"], post.args["blocks"]], ensure_ascii=False)
    with services.sessions() as session:
        spotlighted = set(
            session.scalars(
                select(Member.platform_user_id).join(Spotlight, Spotlight.member_id == Member.id)
            )
        )
    notified = [user or broadcast for user, broadcast in NOTIFYING.findall(posted)]
    assert len(spotlighted) == 5
    assert sorted(notified) == sorted(spotlighted)  # each spotlighted person once, nobody else
    # Everyone else is still named, in plain text, or counted, with a pointer to App Home.
    others = {f"U{index:06d}" for index in range(RECOGNISED)} - spotlighted
    named = {f"U{int(n):06d}" for n in re.findall(r"Colleague (\d+)\b", posted)}
    assert named == others and "more colleagues" not in posted
    assert "Nominated by Nominator" in posted and "<@UNOM" not in posted
    assert messages.DIGEST_SEE_HOME in posted

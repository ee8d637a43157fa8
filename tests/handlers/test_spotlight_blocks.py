"""Block Kit for the spotlight and the prompt: valid, within Slack's limits, escaped."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_sdk.models.blocks import Block

from bot.recognition.views import PersonView
from bot.services import Services
from bot.weekly.periods import Period, PostKind, schedule_for
from bot.weekly.spotlight import DigestSummary, DigestView, build_digest_view, build_prompt_view
from db.models import Member, Nomination, NominationBehaviour, NominationNominee
from handlers.slack.spotlight import (
    OPEN_FORM_ACTION,
    SlackMessage,
    render_digest_message,
    render_prompt_message,
)
from tests.support import builders
from tests.support.clock import FakeClock

MONDAY = datetime(2026, 11, 23, 9, tzinfo=UTC)


def assert_valid_message(message: SlackMessage) -> None:
    assert message.text, "every message needs a plain-text fallback"
    assert len(message.blocks) <= 50
    for block in Block.parse_all(message.blocks):
        assert block is not None
        block.to_dict()  # slack_sdk validates required fields and lengths here

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in {"mrkdwn", "plain_text"}:
                assert len(node["text"]) <= 3000
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(message.blocks)
    buttons = [
        element
        for block in message.blocks
        if block["type"] == "actions"
        for element in block["elements"]
    ]
    assert [(b["action_id"], b["text"]["text"]) for b in buttons] == [
        (OPEN_FORM_ACTION, "Nominate a colleague")
    ]


def all_text(message: SlackMessage) -> str:
    return json.dumps(message.blocks, ensure_ascii=False)


def digest_period(services: Services) -> Period:
    return schedule_for(services.settings, PostKind.DIGEST).period_due_at(MONDAY)


def digest(services: Services, workspace_id: int) -> DigestView:
    with services.sessions() as session:
        return build_digest_view(
            session,
            workspace_id,
            digest_period(services),
            catalogue=services.catalogue,
            reflections=services.reflections,
        )


def test_quiet_week_invites_nominations(services: Services) -> None:
    workspace = builders.workspace(services)
    view = digest(services, workspace.id)
    message = render_digest_message(view)
    assert_valid_message(message)
    assert message.blocks[0]["text"]["text"] == "A quiet week for recognition"
    assert view.reflection.question.text in message.text
    quote = view.reflection.quote
    assert f"“{quote.text}”".replace("&", "&amp;").replace("<", "&lt;") in all_text(message)


def test_normal_week_mentions_nominees_and_escapes_what_people_typed(
    services: Services, clock: FakeClock
) -> None:
    clock.set(MONDAY - timedelta(days=2))
    workspace = builders.workspace(services)
    nia = builders.member(services, workspace.id, "U0NIA", "Nia", title="Nurse <Band 5> & co")
    sam = builders.member(services, workspace.id, "U0SAM", "Sam", title="Porter")
    builders.nomination(
        services,
        sam,
        [nia],
        story="Spotted the <!channel> alarm & fixed it before > 3 patients waited.",
        behaviours=("speaking-up",),
    )
    for index in range(4):
        other = builders.member(services, workspace.id, f"U0P{index}", f"Person {index}")
        builders.nomination(services, nia, [other], story=f"Story number {index} " * 3)
    message = render_digest_message(digest(services, workspace.id))
    assert_valid_message(message)
    text = all_text(message)
    assert "<@U0NIA> (Nurse &lt;Band 5&gt; &amp; co)" in text
    assert "Nominated by Sam" in text and "<@U0SAM>" not in text
    assert "&lt;!channel&gt; alarm &amp; fixed it before &gt; 3 patients" in text
    assert "<!channel>" not in text
    assert "Also recognised this week" in text
    assert message.text.startswith("This week's spotlight on leadership from every seat.")
    assert "5 nominations, 5 people recognised" in message.text


def _busy_week(services: Services, workspace_id: int, count: int) -> None:
    """`count` public nominations of mostly different people, inserted in one go."""
    created = MONDAY - timedelta(days=3)
    with services.sessions() as session:
        members = [
            Member(
                workspace_id=workspace_id,
                platform_user_id=f"U{index:06d}",
                display_name=f"Colleague {index}",
                title=f"Seat {index % 40}",
                created_at=created,
            )
            for index in range(count + 1)
        ]
        session.add_all(members)
        session.flush()
        slugs = [behaviour.slug for behaviour in services.catalogue]
        for index in range(count):
            session.add(
                Nomination(
                    workspace_id=workspace_id,
                    nominator_id=members[-1].id,
                    story=f"Nomination {index}: kept the ward running & calm. " * (1 + index % 5),
                    visibility="public",
                    created_at=created + timedelta(minutes=index),
                    fingerprint=f"fp{index}",
                    dedupe_key=f"busy-{index}",
                    nominees=[NominationNominee(member_id=members[index].id, position=0)],
                    behaviours=[NominationBehaviour(behaviour_slug=slugs[index % 9], position=0)],
                )
            )
        session.commit()


def test_a_500_nomination_week_is_summarised_within_limits(services: Services) -> None:
    workspace = builders.workspace(services)
    _busy_week(services, workspace.id, 500)
    view = digest(services, workspace.id)
    assert view.summary.nominations == 500 and len(view.spotlights) == 5
    message = render_digest_message(view)
    assert_valid_message(message)
    text = all_text(message)
    # Only the spotlighted are mentioned (a mention notifies); the rest are named in plain
    # text or counted, and nothing is cut off mid-name.
    mentioned = set(re.findall(r"<@(U\d{6})>", text))
    spotlighted = {p.platform_user_id for item in view.spotlights for p in item.nominees}
    assert mentioned == spotlighted and len(mentioned) == 5
    # (Colleague 500 is the nominator, named in every spotlight's "Nominated by".)
    named = {n for n in re.findall(r"Colleague (\d+)\b", text) if int(n) < 500}
    counts = re.findall(r"and (\d+) more colleagues", text)
    assert len(named) + sum(int(count) for count in counts) == 495


def test_prompt_has_quote_question_and_button(services: Services) -> None:
    workspace = builders.workspace(services)
    period = schedule_for(services.settings, PostKind.PROMPT).period_due_at(
        datetime(2026, 11, 25, 12, tzinfo=UTC)
    )
    view = build_prompt_view(workspace.id, period, reflections=services.reflections)
    message = render_prompt_message(view)
    assert_valid_message(message)
    assert message.blocks[0]["text"]["text"] == "Mid-week reflection"
    assert message.text == f"Mid-week reflection: {view.reflection.question.text}"
    assert view.reflection.quote.attribution.replace("&", "&amp;") in all_text(message)


def test_more_names_than_fit_are_counted_not_cut(services: Services) -> None:
    workspace = builders.workspace(services)
    quiet = digest(services, workspace.id)
    people = tuple(PersonView(f"U{index:06d}", f"Colleague {index}") for index in range(3000))
    view = replace(
        quiet,
        summary=DigestSummary(3000, 3000, tuple(services.catalogue)),
        also_recognised=people,
    )
    message = render_digest_message(view)
    assert_valid_message(message)
    text = all_text(message)
    assert "<@" not in text  # nobody "also recognised" is notified
    named = len(set(re.findall(r"Colleague (\d+)\b", text)))
    counts = re.findall(r"and (\d+) more colleagues", text)
    assert len(counts) == 1
    assert named + int(counts[0]) == 3000
    assert named < 3000  # the section cap kicked in

"""Adaptive Cards for the spotlight, the prompt and the admin statistics: valid 1.5, within
Teams' message size, and saying what the view models say."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from bot import messages
from bot.recognition.views import PersonView
from bot.reporting.periods import last_days
from bot.reporting.stats import recognition_stats
from bot.reporting.summary import summarise
from bot.services import Services
from bot.weekly.periods import PostKind, schedule_for
from bot.weekly.spotlight import DigestSummary, build_prompt_view
from handlers.teams.cards import (
    ALSO_RECOGNISED_NAMES,
    NOMINATE_DIALOG,
    card_json,
    render_digest_card,
    render_prompt_card,
    render_stats_card,
)
from tests.handlers.test_spotlight_blocks import MONDAY, _busy_week, digest
from tests.support import builders
from tests.support.adaptive_cards import assert_valid_card, mentions, symbols_read_aloud, texts
from tests.support.clock import FakeClock

# Teams refuses a message larger than about 28 KB (text, cards and metadata together).
TEAMS_MESSAGE_LIMIT = 28_000


def assert_postable(card: dict[str, Any]) -> None:
    assert_valid_card(card)
    assert len(json.dumps(card, ensure_ascii=False).encode()) < TEAMS_MESSAGE_LIMIT
    (button,) = card["actions"]
    assert button["title"] == messages.NOMINATE_BUTTON
    # Action.Submit with msteams task/fetch opens a dialog (the nomination form) instead of
    # replacing the digest for whoever clicked.
    assert button["type"] == "Action.Submit"
    assert button["data"] == {"msteams": {"type": "task/fetch"}, "dialog_id": NOMINATE_DIALOG}


def test_quiet_week_card_invites_nominations(services: Services) -> None:
    workspace = builders.workspace(services)
    view = digest(services, workspace.id)
    card = card_json(render_digest_card(view))
    assert_postable(card)
    said = texts(card)
    assert said[:2] == [messages.DIGEST_QUIET_HEADER, messages.DIGEST_QUIET_INTRO]
    assert f"“{view.reflection.quote.text}”" in said
    assert view.reflection.question.text in said


def test_normal_week_card_names_people_with_their_seats(
    services: Services, clock: FakeClock
) -> None:
    clock.set(MONDAY - timedelta(days=2))
    workspace = builders.workspace(services)
    nia = builders.member(services, workspace.id, "aad-nia", "Nia Okafor", title="Porter")
    for index in range(4):
        other = builders.member(services, workspace.id, f"aad-{index}", f"Person {index}")
        builders.nomination(services, nia, [other], story=f"Story number {index} " * 3)
    builders.nomination(
        services, builders.member(services, workspace.id, "aad-sam", "Sam"), [nia], story="x" * 40
    )
    view = digest(services, workspace.id)
    card = card_json(render_digest_card(view))
    assert_postable(card)
    said = texts(card)
    assert said[0] == messages.DIGEST_HEADER
    assert said[1].startswith("This week: 5 nominations, 5 people recognised")
    featured = [text for text in said if text.startswith("Spotlight on ")]
    assert len(featured) == 3
    assert any(
        text.startswith("Spotlight on <at>Nia Okafor</at> (Porter), for ") for text in featured
    )
    # Only the spotlighted are mentioned, by their ids; the rest are plain names.
    spotlighted = {p.platform_user_id: p.display_name for i in view.spotlights for p in i.nominees}
    assert {m["mentioned"]["id"]: m["mentioned"]["name"] for m in mentions(card)} == spotlighted
    assert {m["text"] for m in mentions(card)} == {f"<at>{n}</at>" for n in spotlighted.values()}
    also = [said[i + 1] for i, text in enumerate(said) if text == messages.DIGEST_ALSO_RECOGNISED]
    assert also and "<at>" not in also[0]
    # Read aloud, the card is words: no "black star", "middle dot" or "em dash".
    assert symbols_read_aloud(card) == []


def test_a_500_nomination_week_fits_in_one_teams_message(services: Services) -> None:
    workspace = builders.workspace(services)
    _busy_week(services, workspace.id, 500)
    view = digest(services, workspace.id)
    assert view.summary.nominations == 500 and len(view.spotlights) == 5
    card = card_json(render_digest_card(view))
    assert_postable(card)
    said = "\n".join(texts(card))
    assert sum(text.startswith("Spotlight on <at>") for text in texts(card)) == 5
    assert len(mentions(card)) == 5 and symbols_read_aloud(card) == []
    named = sum(
        f"Colleague {index}," in said or f"Colleague {index}\n" in said for index in range(500)
    )
    assert named == ALSO_RECOGNISED_NAMES
    assert messages.DIGEST_AND_MORE.format(count=500 - 5 - ALSO_RECOGNISED_NAMES) in said


def test_thousands_of_names_are_counted_not_listed(services: Services) -> None:
    workspace = builders.workspace(services)
    people = tuple(
        PersonView(f"aad-{index}", "Long name " * 6 + str(index)) for index in range(3000)
    )
    view = replace(
        digest(services, workspace.id),
        summary=DigestSummary(3000, 3000, tuple(services.catalogue)),
        also_recognised=people[:1000],
        also_recognised_more=2000,
    )
    card = card_json(render_digest_card(view))
    assert_postable(card)
    assert messages.DIGEST_AND_MORE.format(count=3000 - ALSO_RECOGNISED_NAMES) in "\n".join(
        texts(card)
    )


def test_prompt_card_has_quote_question_and_button(services: Services) -> None:
    workspace = builders.workspace(services)
    period = schedule_for(services.settings, PostKind.PROMPT).period_due_at(
        datetime(2026, 11, 25, 12, tzinfo=UTC)
    )
    view = build_prompt_view(workspace.id, period, reflections=services.reflections)
    card = card_json(render_prompt_card(view))
    assert_postable(card)
    said = texts(card)
    assert said[0] == messages.PROMPT_HEADER
    assert symbols_read_aloud(card) == [] and mentions(card) == []
    assert said[2:5] == [
        f"“{view.reflection.quote.text}”",
        f"From {view.reflection.quote.attribution}",
        view.reflection.question.text,
    ]


def test_stats_card_shows_coverage_spread_unseen_seats_and_behaviours(
    services: Services, clock: FakeClock
) -> None:
    clock.set(MONDAY - timedelta(days=1))
    workspace = builders.workspace(services)
    nia = builders.member(services, workspace.id, "aad-nia", "Nia", title="Porter")
    sam = builders.member(services, workspace.id, "aad-sam", "Sam", title="Pharmacist")
    builders.member(services, workspace.id, "aad-ola", "Ola", title="Receptionist")
    builders.nomination(services, sam, [nia], story="Kept the lifts moving all night long.")
    with services.sessions() as session:
        period = last_days(30, MONDAY)
        stats = recognition_stats(session, workspace.id, period, services.catalogue)
    summary = summarise(stats)
    card = card_json(render_stats_card(summary))
    assert_valid_card(card)
    said = texts(card)
    assert said[0] == "Recognition, the last 30 days"
    assert summary.coverage in said and summary.spread in said
    assert "Receptionist (1)" in summary.unseen_seats and summary.unseen_seats in said
    assert messages.STATS_BY_BEHAVIOUR in said
    assert said[-1] == messages.TEAMS_STATS_ON_CLI

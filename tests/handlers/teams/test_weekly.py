"""The weekly spotlight and reflection in Teams: posted proactively to each installed team
channel through the same claims as Slack, from the CLI and the scheduler's sweep; its
"Nominate a colleague" button opens the form as a dialog."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot import messages
from bot.app.cli import main
from bot.deliveries import DeliveryStatus
from bot.installs import every_installed_channel
from bot.weekly.periods import PostKind
from bot.weekly.posting import PostResult, WeeklyPoster
from db.models import Delivery, Member, Nomination, Spotlight
from handlers.teams.weekly import TeamsWeeklySender
from schedules.weekly import sweep
from tests.handlers.teams.conftest import WARD7, TeamsWorld
from tests.support import builders
from tests.support.adaptive_cards import assert_valid_card, mentions, symbols_read_aloud, texts
from tests.support.clock import FakeClock

MONDAY_NINE = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # 09:00 in London (GMT)
THREAD = f"{WARD7};messageid=1700000000001"


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """The CLI points the root logger at this test's captured stderr; put it back after."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def deliveries(world: TeamsWorld) -> list[tuple[str, str, str]]:
    with world.services.sessions() as session:
        rows = session.execute(select(Delivery.channel_id, Delivery.kind, Delivery.status))
        return [(row.channel_id, row.kind, row.status) for row in rows]


def teams_poster(world: TeamsWorld) -> WeeklyPoster:
    return WeeklyPoster(world.services, TeamsWeeklySender(world.services))


def test_digest_post_reaches_the_installed_team_channel_once(
    world: TeamsWorld,
    clock: FakeClock,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert world.send("installation_update_add_team").status_code == 200
    clock.set(MONDAY_NINE - timedelta(days=2))  # Saturday: the nomination is in the week due
    assert world.send("message_mention_nominate").status_code == 200
    world.connector.clear()
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("TEAMS_ALLOW_UNAUTHENTICATED", "true")

    assert main(["digest", "--post"], clock=clock) == 0
    first = capsys.readouterr().out
    assert main(["digest", "--post"], clock=clock) == 0
    second = capsys.readouterr().out

    assert first.startswith("Posted the digest for ") and first.rstrip().endswith("in Ward 7.")
    assert "was already posted in Ward 7; nothing posted." in second
    (post,) = world.connector.sent_to(WARD7)
    assert world.connector.calls_to("send") == [post]
    (card,) = post.cards
    assert_valid_card(card)
    said = "\n".join(texts(card))
    assert texts(card)[0] == messages.DIGEST_HEADER
    assert "Nia Okafor" in said and "Sam Reid" in said
    assert card["actions"][0]["title"] == messages.NOMINATE_BUTTON
    assert (WARD7, "digest", DeliveryStatus.POSTED) in deliveries(world)


def test_preview_covers_teams_and_posts_nothing(
    clock: FakeClock,
    world: TeamsWorld,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    world.send("installation_update_add_team")
    world.connector.clear()
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("TEAMS_ALLOW_UNAUTHENTICATED", "true")
    assert main(["prompt", "--preview"], clock=clock) == 0
    out = capsys.readouterr().out
    assert out.startswith("Preview of the prompt for ")
    assert messages.PROMPT_HEADER in out
    assert world.connector.calls == []


def test_post_with_teams_but_no_team_installed_says_so(
    clock: FakeClock,
    world: TeamsWorld,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("TEAMS_ALLOW_UNAUTHENTICATED", "true")
    assert main(["digest", "--post"], clock=clock) == 0
    assert capsys.readouterr().out.strip() == messages.POST_NO_TARGET.format(
        platform="Teams", kind="digest"
    )
    assert world.connector.calls == []


def test_the_scheduled_sweep_posts_once_and_retries_a_refused_post(
    world: TeamsWorld, clock: FakeClock
) -> None:
    world.send("installation_update_add_team")
    world.connector.clear()
    poster = teams_poster(world)
    clock.set(MONDAY_NINE)
    world.connector.fail_next("send", conversation_id=WARD7, status=503)
    (failed,) = poster.post_due(PostKind.DIGEST)
    assert failed.result is PostResult.FAILED and failed.reason == "Teams answered 503"
    assert (WARD7, "digest", DeliveryStatus.FAILED) in deliveries(world)

    clock.advance(timedelta(minutes=10))
    for _run in range(3):  # the retry sweep, then later runs and a second replica
        sweep(poster, teams_poster(world))
    delivered = [call for call in world.connector.delivered() if call.conversation_id == WARD7]
    assert len(delivered) == 1
    assert texts(delivered[0].cards[0])[0] == messages.DIGEST_QUIET_HEADER
    assert (WARD7, "digest", DeliveryStatus.POSTED) in deliveries(world)

    clock.set(MONDAY_NINE + timedelta(days=2, hours=3))  # Wednesday 12:00: the prompt
    sweep(poster)
    sweep(poster)
    prompts = [call for call in world.connector.delivered() if call.conversation_id == WARD7]
    assert len(prompts) == 2 and texts(prompts[1].cards[0])[0] == messages.PROMPT_HEADER


def test_a_removed_team_gets_no_more_posts(world: TeamsWorld, clock: FakeClock) -> None:
    world.send("installation_update_add_team")
    world.send("installation_update_add_team", action="remove")
    world.connector.clear()
    clock.set(MONDAY_NINE)
    assert teams_poster(world).post_due(PostKind.DIGEST) == []
    assert world.connector.calls == []


def test_nominate_button_opens_the_form_and_its_submission_is_recorded(
    world: TeamsWorld,
) -> None:
    world.send("installation_update_add_team")
    opened = world.send("task_fetch_nominate")
    assert opened.status_code == 200
    task = opened.json()["task"]
    assert task["type"] == "continue" and task["value"]["title"] == messages.FORM_TITLE
    form = task["value"]["card"]["content"]
    assert_valid_card(form)
    assert form["actions"][0]["type"] == "Action.Submit"

    submitted = world.send("task_submit_nominate")
    assert submitted.status_code == 200
    answer = submitted.json()["task"]
    assert answer["type"] == "message"
    assert answer["value"].startswith("Recorded: you recognised Nia Okafor for Enabling change.")
    with world.services.sessions() as session:
        (story,) = session.scalars(select(Nomination.story))
    assert story == "Swapped the rota around overnight so every night shift was covered."
    (post,) = world.connector.sent_to(f"{WARD7};messageid=activity-1")
    assert texts(post.cards[0])[0] == messages.RECOGNITION_HEADER


def test_an_invalid_dialog_submission_shows_the_form_again(world: TeamsWorld) -> None:
    world.send("installation_update_add_team")
    response = world.send(
        "task_submit_nominate",
        value={"type": "task/submit", "data": {"form": "nomination", "story": "too short"}},
    )
    task = response.json()["task"]
    assert task["type"] == "continue"
    said = texts(task["value"]["card"]["content"])
    assert any("story" in text.lower() for text in said[2:])
    with world.services.sessions() as session:
        assert session.scalars(select(Nomination)).all() == []


def test_the_digest_mentions_only_the_spotlighted_and_reads_as_words(
    world: TeamsWorld, clock: FakeClock
) -> None:
    """At the fake Bot Connector: the spotlighted people are mentioned the way Teams needs
    (`<at>Name</at>` in the card, a mention entity with their id on the card and on the
    activity); the other colleagues recognised are plain names; no symbols to read aloud."""
    assert world.send("installation_update_add_team").status_code == 200
    world.connector.clear()
    (channel,) = every_installed_channel(world.services)
    clock.set(MONDAY_NINE - timedelta(days=3))
    nominator = builders.member(world.services, channel.workspace_id, "aad-ana", "Ana Lopes")
    for index in range(12):
        colleague = builders.member(
            world.services,
            channel.workspace_id,
            f"aad-colleague-{index}",
            f"Colleague {index}",
            title=f"Seat {index % 6}",
        )
        builders.nomination(
            world.services, nominator, [colleague], story=f"Story {index}: " + "calm. " * 10
        )
    clock.set(MONDAY_NINE)
    (outcome,) = teams_poster(world).post_due(PostKind.DIGEST)
    assert outcome.result is PostResult.POSTED

    (post,) = world.connector.sent_to(WARD7)
    (card,) = post.cards
    assert_valid_card(card)  # includes: every <at>…</at> has its entity, and back
    with world.services.sessions() as session:
        featured = dict(
            session.execute(
                select(Member.platform_user_id, Member.display_name).join(
                    Spotlight, Spotlight.member_id == Member.id
                )
            ).all()
        )
    assert len(featured) == 3
    on_card = {m["mentioned"]["id"]: m["mentioned"]["name"] for m in mentions(card)}
    on_activity = {
        entity["mentioned"]["id"]: entity["mentioned"]["name"]
        for entity in post.body.get("entities") or []
        if entity.get("type") == "mention"
    }
    assert on_card == on_activity == featured
    assert {e["text"] for e in post.body["entities"]} == {
        f"<at>{n}</at>" for n in featured.values()
    }
    said = texts(card)
    also = said[said.index(messages.DIGEST_ALSO_RECOGNISED) + 1]
    assert "<at>" not in also and len(also.split(", ")) == 12 - 3
    assert sum(text.startswith("Spotlight on <at>") for text in said) == 3
    assert "Nominated by Ana Lopes" in "\n".join(said) and "<at>Ana Lopes</at>" not in str(
        post.body
    )
    assert symbols_read_aloud(card) == []

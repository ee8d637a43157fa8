"""`everyseat digest|prompt --preview|--post` against the fake Slack Web API."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bot.app.cli import main
from bot.services import Services
from handlers.console import run_console
from tests.fakes.slack_web_api import TEAM_ID, FakeSlack
from tests.support import builders
from tests.support.clock import FakeClock


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """The CLI points the root logger at this test's captured stderr; put it back after."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def slack_environment(
    monkeypatch: pytest.MonkeyPatch, database_url: str, fake_slack: FakeSlack
) -> None:
    for name, value in {
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": "test-signing-secret",
        "SLACK_API_URL": fake_slack.api_url,
        "EVERYSEAT_DIGEST_CHANNEL": "C0DIGEST",
    }.items():
        monkeypatch.setenv(name, value)


def nominations_this_week(services: Services, clock: FakeClock) -> None:
    # Saturday 21 November 2026: the digest due next covers the week of Monday 16 November.
    clock.set(datetime(2026, 11, 21, 14, 0, tzinfo=UTC))
    workspace = builders.workspace(services, TEAM_ID)
    nia = builders.member(services, workspace.id, "U0NIA", "Nia", title="Ward manager")
    for index, seat in enumerate(["Porter", "Receptionist", "Pharmacist"]):
        colleague = builders.member(
            services, workspace.id, f"U0C{index}", f"Colleague {index}", title=seat
        )
        builders.nomination(services, nia, [colleague], story=f"Kept the ward calm, story {index}.")


@pytest.mark.usefixtures("slack_environment")
def test_digest_preview_prints_the_spotlight_and_posts_nothing(
    services: Services, clock: FakeClock, fake_slack: FakeSlack, capsys: pytest.CaptureFixture[str]
) -> None:
    nominations_this_week(services, clock)
    assert main(["digest", "--preview"], clock=clock) == 0
    out = capsys.readouterr().out
    assert "Leadership from every seat: this week's spotlight" in out
    assert "@Colleague 0 (Porter)" in out
    assert "(not posted yet; nominations so far)" in out
    assert any(f"“{quote.text}”" in out for quote in services.reflections.quotes)
    assert fake_slack.calls_to("chat.postMessage") == []


@pytest.mark.usefixtures("slack_environment")
def test_a_second_post_for_the_same_week_posts_nothing_and_says_so(
    services: Services, clock: FakeClock, fake_slack: FakeSlack, capsys: pytest.CaptureFixture[str]
) -> None:
    nominations_this_week(services, clock)
    assert main(["digest", "--post"], clock=clock) == 0
    first = capsys.readouterr().out
    assert main(["digest", "--post"], clock=clock) == 0
    second = capsys.readouterr().out
    assert first.startswith("Posted the digest for ") and first.rstrip().endswith("in C0DIGEST.")
    assert "was already posted in C0DIGEST; nothing posted." in second
    [post] = fake_slack.calls_to("chat.postMessage")
    assert post.args["channel"] == "C0DIGEST"
    assert main(["prompt", "--post"], clock=clock) == 0
    assert main(["prompt", "--post"], clock=clock) == 0
    assert len(fake_slack.calls_to("chat.postMessage")) == 2
    assert "Mid-week reflection" in str(fake_slack.calls_to("chat.postMessage")[1].args["blocks"])


def test_post_without_slack_explains_what_to_set(
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["digest", "--post"], clock=clock) == 2
    assert capsys.readouterr().err.strip() == (
        "Posting needs Slack or Teams: set SLACK_BOT_TOKEN, or TEAMS_CLIENT_ID and "
        "TEAMS_CLIENT_SECRET (see .env.example)."
    )


def test_console_digest_previews_the_local_workspace(services: Services, clock: FakeClock) -> None:
    out = io.StringIO()
    commands = io.StringIO(
        "/nominate @nia Reorganised the porter rota so lists never waited #enabling-change\n"
        "/digest\n"
    )
    assert run_console(services, commands, out) == 0
    text = out.getvalue()
    assert "Preview of the digest for 2026-11-23, due Mon 23 Nov 2026 09:00 Europe/London" in text
    assert "1. @nia · Enabling change" in text
    assert "★" not in text
    assert (
        "This week: 1 nomination, 1 person recognised, 1 behaviour seen: Enabling change." in text
    )

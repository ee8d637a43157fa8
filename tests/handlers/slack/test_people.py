"""Nominees as Slack's `users.info` describes them: people who aren't colleagues here are
refused by name and never stored; a Slack that can't answer never loses a nomination."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot import messages
from bot.app.composition import build_services
from bot.app.server import create_app
from bot.nominations.use_cases import NominationSubmission, record_nomination
from bot.people.directory import PROFILE_TTL
from bot.settings import Settings
from db.migrate import upgrade_database
from db.models import Delivery, Member, Nomination
from handlers.slack.client import build_async_client
from handlers.slack.people import SlackProfiles, slack_person
from tests.fakes.slack_web_api import FakeSlack
from tests.handlers.slack.conftest import SIGNING_SECRET, SlackWorld
from tests.support.clock import FakeClock
from tests.support.server import running_server
from tests.support.slack_requests import SlackSender, load_payload
from tests.support.waiting import wait_until

STORY = "Stayed past midnight to talk a frightened patient through her scan."


def nominations(world: SlackWorld) -> int:
    with world.services.sessions() as session:
        return session.scalar(select(func.count()).select_from(Nomination)) or 0


def member(world: SlackWorld, user_id: str) -> Member | None:
    with world.services.sessions() as session:
        return session.scalars(select(Member).where(Member.platform_user_id == user_id)).first()


@pytest.mark.parametrize(
    ("user_id", "setup", "expected"),
    [
        ("UNOBODY", None, messages.NOMINEE_UNKNOWN.format(user_id="UNOBODY")),
        ("UGONE", None, messages.DEACTIVATED_NOMINEE.format(name="Gone")),
        ("UROTA", None, messages.BOT_NOMINEE.format(name="Rota bot")),
        ("UGUEST", "guest", messages.NOMINEE_OTHER_WORKSPACE.format(name="Gil Guest")),
    ],
    ids=["user_not_found", "deleted", "bot", "other_workspace"],
)
def test_a_nominee_who_is_no_colleague_here_is_refused_and_not_stored(
    slack_world: SlackWorld, user_id: str, setup: str | None, expected: str
) -> None:
    if setup == "guest":  # a Slack Connect guest: users.info answers with their own team
        slack_world.slack.add_user("UGUEST", "Gil Guest", team_id="T0PARTNER")
    slack_world.sender.command(f"<@{user_id}> {STORY} #speaking-up")

    (reply,) = slack_world.slack.wait_for("response_url")
    assert expected in reply.args["text"]
    (opened,) = slack_world.slack.wait_for("views.open")  # the form, with what they typed
    assert STORY in str(opened.args["view"])
    nominees = next(b for b in opened.args["view"]["blocks"] if b.get("block_id") == "nominees")
    assert user_id not in nominees["element"].get("initial_users", [])
    assert nominations(slack_world) == 0
    assert member(slack_world, user_id) is None
    assert slack_world.slack.calls_to("chat.postMessage") == []


def test_the_form_shows_the_refusal_on_the_nominees_field(slack_world: SlackWorld) -> None:
    payload = load_payload("view_submission.json")
    payload["view"]["state"]["values"]["nominees"]["value"]["selected_users"] = ["UNIA", "UNOBODY"]
    body = slack_world.sender.interaction(payload).json()
    assert body == {
        "response_action": "errors",
        "errors": {"nominees": messages.NOMINEE_UNKNOWN.format(user_id="UNOBODY")},
    }
    assert nominations(slack_world) == 0
    assert member(slack_world, "UNOBODY") is None


def test_a_known_colleague_who_left_is_refused_without_losing_their_history(
    slack_world: SlackWorld, clock: FakeClock
) -> None:
    slack_world.sender.command(f"<@UNIA> {STORY} #speaking-up")
    slack_world.slack.wait_for("response_url")
    clock.advance(PROFILE_TTL + timedelta(minutes=1))
    slack_world.slack.users["UNIA"]["deleted"] = True
    slack_world.sender.command(f"<@UNIA> {STORY} again, the next night. #speaking-up")
    replies = slack_world.slack.wait_for("response_url", 2)
    assert messages.DEACTIVATED_NOMINEE.format(name="Nia") in replies[1].args["text"]
    assert nominations(slack_world) == 1
    stored = member(slack_world, "UNIA")
    assert stored is not None and stored.is_deactivated


def _stored_as_payload_named(world: SlackWorld) -> None:
    """The nomination went through on what the payload said: recorded, posted, confirmed."""
    assert nominations(world) == 1
    nia = member(world, "UNIA")
    assert nia is not None
    assert (nia.display_name, nia.profile_refreshed_at) == ("UNIA", None)
    posts = world.slack.calls_to("chat.postMessage")
    assert {call.args["channel"] for call in posts} == {"CWARD", "UNIA"}


def _open_app_home(world: SlackWorld, user_id: str) -> None:
    published = len(world.slack.calls_to("views.publish"))
    home = load_payload("app_home_opened.json")
    home["event"]["user"] = user_id
    world.sender.event(home)
    world.slack.wait_for("views.publish", published + 1)


def _refreshed_on_next_use(world: SlackWorld) -> None:
    """The next time Nia comes up, Slack is asked again and her profile is filled in."""
    asked = len(world.slack.calls_to("users.info"))
    _open_app_home(world, "UNIA")  # Nia opens Everyseat's App Home
    assert len(world.slack.calls_to("users.info")) == asked + 1
    nia = member(world, "UNIA")
    assert nia is not None and (nia.display_name, nia.title) == ("Nia", "Porter")
    assert nia.profile_refreshed_at is not None


def test_a_users_info_timeout_stores_the_nomination_and_refreshes_later(
    slack_world: SlackWorld,
) -> None:
    slack_world.slack.stall_next("users.info", lambda args: args.get("user") == "UNIA")
    slack_world.sender.command(f"<@UNIA> {STORY} #speaking-up")
    (reply,) = slack_world.slack.wait_for("response_url", timeout=8)
    assert reply.args["text"].startswith("Recorded: you recognised <@UNIA>")
    wait_until(lambda: len(slack_world.slack.calls_to("chat.postMessage")) == 2)
    _stored_as_payload_named(slack_world)
    slack_world.slack.release_stalled()
    _refreshed_on_next_use(slack_world)


def test_users_info_5xx_stores_the_nomination_and_refreshes_later(
    slack_world: SlackWorld,
) -> None:
    _open_app_home(slack_world, "UANA")  # Ana's profile is fresh: only Nia is asked below
    # More 503s than the client's retries fit in the lookup's time: Slack never answers.
    slack_world.slack.fail_next("users.info", status=503, times=10)
    slack_world.sender.command(f"<@UNIA> {STORY} #speaking-up")
    (reply,) = slack_world.slack.wait_for("response_url", timeout=8)
    assert reply.args["text"].startswith("Recorded: you recognised <@UNIA>")
    wait_until(lambda: len(slack_world.slack.calls_to("chat.postMessage")) == 2)
    _stored_as_payload_named(slack_world)
    slack_world.slack.clear_failures()  # Slack is well again
    _refreshed_on_next_use(slack_world)


def test_slack_unreachable_never_loses_the_nomination(slack_world: SlackWorld) -> None:
    """No route to Slack at all (its port closed): the core use case stores the nomination
    under the ids the payload gave; nothing could be posted, and nothing is lost."""
    services = slack_world.services
    unreachable = services.settings.model_copy(
        update={"SLACK_API_URL": "http://127.0.0.1:9/api/"}
    )  # the discard port: connection refused
    submission = NominationSubmission(
        platform="slack",
        workspace_external_id="T0FAKE",
        nominator=slack_person("UANA"),
        nominees=(slack_person("UNIA"),),
        behaviour_slugs=("speaking-up",),
        story=STORY,
    )

    async def submit() -> None:
        client = build_async_client(unreachable)
        await record_nomination(services, submission, SlackProfiles(client, "T0FAKE"))

    asyncio.run(submit())
    assert nominations(slack_world) == 1
    nia = member(slack_world, "UNIA")
    assert nia is not None and nia.profile_refreshed_at is None


def test_slack_unreachable_from_start_up_never_loses_a_one_line_nomination(
    fake_slack: FakeSlack, make_settings: Callable[..., Settings], clock: FakeClock
) -> None:
    """The server starts while Slack's Web API can't be reached (auth.test, users.info and
    posting all fail): the nomination is stored, its posts wait in the outbox, and the
    nominator is told (through the response URL, which is not the Web API)."""
    settings = make_settings(
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL="http://127.0.0.1:9/api/",  # the discard port: connection refused
    )
    services = build_services(settings, clock=clock)
    upgrade_database(services.engine)
    try:
        with running_server(create_app(services)) as base_url:
            sender = SlackSender(base_url, SIGNING_SECRET, fake_slack.response_url)
            assert sender.command(f"<@UNIA> {STORY} #speaking-up").status_code == 200
            (reply,) = fake_slack.wait_for("response_url", timeout=30)
        assert reply.args["text"] == messages.RECORDED_PUBLIC_QUEUED.format(
            nominees="<@UNIA>", behaviours="Speaking up", channel="<#CWARD>"
        )
        with services.sessions() as session:
            assert session.scalars(select(Nomination.story)).all() == [STORY]
            statuses = dict(session.execute(select(Delivery.kind, Delivery.status)).all())
            assert statuses == {"recognition": "failed", "recognition-dm": "failed"}
    finally:
        services.close()


def test_a_slow_slack_costs_the_profile_not_the_one_line_nomination(
    slack_world: SlackWorld,
) -> None:
    """auth.test answers late (1.4 s) and users.info hangs: asking about people would use up
    the time Slack gives to acknowledge, so they are stored as the command named them and
    the nomination is stored and confirmed, not refused as "the database didn't answer"."""
    slack_world.slack.slow_down("auth.test", 1.4)
    slack_world.slack.slow_down("users.info", 3.0)
    response = slack_world.sender.command(f"<@UNIA> {STORY} #speaking-up")
    assert response.status_code == 200
    assert "may not have been saved" not in response.text
    (reply,) = slack_world.slack.wait_for("response_url", timeout=30)
    assert "may not have been saved" not in reply.args["text"]
    assert nominations(slack_world) == 1
    nia = member(slack_world, "UNIA")
    assert nia is not None and nia.profile_refreshed_at is None

"""Slack refuses the recognition post: stored, the user is told, the outbox sends it once."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot import messages
from bot.people.data_protection import forget_member
from bot.recognition.outbox import retry_outbox
from db.models import Delivery, Nomination
from handlers.slack.client import build_async_client
from handlers.slack.recognition import SlackRecognitionSender
from tests.handlers.slack.conftest import SlackWorld

STORY = "Turned the discharge checklist into something patients can actually read."


def accepted_posts(world: SlackWorld, channel: str) -> int:
    """chat.postMessage calls to `channel` the fake answered with ok (failures are queued first)."""
    calls = world.slack.calls_to("chat.postMessage")
    return sum(call.args["channel"] == channel for call in calls)


def test_slack_500s_leave_the_post_in_the_outbox_until_it_goes_once(
    slack_world: SlackWorld,
) -> None:
    # Every attempt (first try plus the client's three retries) for the DM and the post fails.
    slack_world.slack.fail_next("chat.postMessage", status=500, times=8)
    slack_world.sender.command(f"<@UNIA> {STORY} #enabling-change")
    (reply,) = slack_world.slack.wait_for("response_url", timeout=30)
    assert reply.args["text"] == messages.RECORDED_PUBLIC_QUEUED.format(
        nominees="<@UNIA>", behaviours="Enabling change", channel="<#CWARD>"
    )
    services = slack_world.services
    with services.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Nomination)) == 1
        statuses = dict(session.execute(select(Delivery.kind, Delivery.status)).all())
        assert statuses == {"recognition": "failed", "recognition-dm": "failed"}

    slack_world.slack.clear()
    client = build_async_client(services.settings)
    assert (
        asyncio.run(retry_outbox(services, SlackRecognitionSender(client, services.settings))) == 2
    )
    assert (
        asyncio.run(retry_outbox(services, SlackRecognitionSender(client, services.settings))) == 0
    )  # nothing left: sent once
    assert accepted_posts(slack_world, "CWARD") == 1
    assert accepted_posts(slack_world, "UNIA") == 1
    with services.sessions() as session:
        nomination = session.scalars(select(Nomination)).one()
        assert nomination.posted_channel_id == "CWARD" and nomination.posted_message_id
        assert set(session.scalars(select(Delivery.status))) == {"posted"}


def test_rate_limit_then_success_posts_once_without_the_outbox(slack_world: SlackWorld) -> None:
    slack_world.slack.fail_next(
        "chat.postMessage",
        status=429,
        headers={"Retry-After": "1"},
        body={"ok": False, "error": "ratelimited"},
    )
    slack_world.sender.command(f"<@UNIA> {STORY} #enabling-change")
    (reply,) = slack_world.slack.wait_for("response_url", timeout=30)
    assert reply.args["text"].startswith("Recorded: you recognised <@UNIA>")
    with slack_world.services.sessions() as session:
        assert set(session.scalars(select(Delivery.status))) == {"posted"}


def test_the_sweep_never_messages_an_erased_person_nor_posts_their_story(
    slack_world: SlackWorld,
) -> None:
    about_nia = "Nia carried the broken bed lift's patients down four floors by hand."
    by_nia = "Sam rebuilt the outpatients' check-in desk so nobody queued outside."
    # Slack refuses every DM and post (without its client retrying), so all wait in the outbox.
    slack_world.slack.fail_next("chat.postMessage", status=200, times=4)
    slack_world.sender.command(f"<@UNIA> {about_nia} #enabling-change")
    slack_world.slack.wait_for("response_url", timeout=30)
    slack_world.sender.command(f"<@USAM> {by_nia} #enabling-change", user_id="UNIA")
    slack_world.slack.wait_for("response_url", 2, timeout=30)
    services = slack_world.services
    with services.sessions() as session:
        assert set(session.scalars(select(Delivery.status))) == {"failed"}
        assert session.scalar(select(func.count()).select_from(Delivery)) == 4

    forget_member(services, "UNIA")
    slack_world.slack.clear()
    client = build_async_client(services.settings)
    sender = SlackRecognitionSender(client, services.settings)
    assert asyncio.run(retry_outbox(services, sender)) == 0
    sent = slack_world.slack.calls
    assert [call for call in sent if call.args.get("channel") == "UNIA"] == []
    assert [call for call in sent if about_nia in str(call.args) or by_nia in str(call.args)] == []
    assert slack_world.slack.calls_to("chat.postMessage") == []

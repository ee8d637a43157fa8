"""Wiring: moderation in Slack through signed requests to the real server and the fake Web
API — the post's menu (edit, withdraw, flag, hide), the admins' Hide/Dismiss on a flag, the
message shortcut and App Home; what people see and what is stored."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot import messages
from bot.app.composition import build_services
from bot.app.server import create_app
from bot.audit import audit_entries
from db.migrate import upgrade_database
from db.models import Delivery, Nomination, NominationFlag
from handlers.slack import moderation
from tests.fakes.slack_web_api import FakeSlack
from tests.handlers.slack.conftest import SIGNING_SECRET, SlackWorld
from tests.support.block_kit import assert_valid_message, assert_valid_view, section_texts
from tests.support.clock import FakeClock
from tests.support.server import running_server
from tests.support.slack_requests import SlackSender, load_payload

STORY = "Raised the alarm about the broken hoist before anyone was hurt."
EDITED = "Raised the alarm about the broken hoist and stayed until it was fixed safely."


@pytest.fixture
def world(fake_slack: FakeSlack, make_settings, clock: FakeClock) -> Iterator[SlackWorld]:
    for user_id, name in [("UANA", "Ana"), ("UNIA", "Nia"), ("USAM", "Sam"), ("UBOSS", "Bo")]:
        fake_slack.add_user(user_id, name)
    settings = make_settings(
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake_slack.api_url,
        EVERYSEAT_ADMINS="UBOSS",
    )
    services = build_services(settings, clock=clock)
    upgrade_database(services.engine)
    try:
        with running_server(create_app(services)) as base_url:
            sender = SlackSender(base_url, SIGNING_SECRET, fake_slack.response_url)
            yield SlackWorld(services, fake_slack, sender, base_url)
    finally:
        services.close()


def nominate(world: SlackWorld) -> tuple[int, str]:
    """Ana recognises Nia in #ward; returns the nomination id and the post's ts."""
    world.sender.command(f"<@UNIA> {STORY} #speaking-up")
    world.slack.wait_for("response_url")
    with world.services.sessions() as session:
        row = session.scalars(select(Nomination)).one()
        assert row.posted_channel_id == "CWARD" and row.posted_message_id
        return row.id, row.posted_message_id


def stored(world: SlackWorld) -> Nomination:
    with world.services.sessions() as session:
        row = session.scalars(select(Nomination)).one()
        session.expunge(row)
        return row


def menu(world: SlackWorld, user_id: str, value: str) -> None:
    click = load_payload("block_action_endorse.json")
    click["user"] = {**click["user"], "id": user_id}
    click["actions"] = [
        {
            "type": "overflow",
            "action_id": moderation.RECOGNITION_MENU_ACTION,
            "block_id": "b1",
            "selected_option": {"text": {"type": "plain_text", "text": "x"}, "value": value},
            "action_ts": "1700000002.000000",
        }
    ]
    assert world.sender.interaction(click).status_code == 200


def submit(
    world: SlackWorld, user_id: str, opened: dict[str, Any], values: dict[str, Any]
) -> dict[str, Any]:
    """Submit the modal Everyseat opened, filled with `values`; returns Slack's ack body."""
    payload = load_payload("view_submission.json")
    payload["user"] = {**payload["user"], "id": user_id}
    payload["view"] = {
        **copy.deepcopy(opened),
        "id": "V1",
        "state": {"values": values},
    }
    response = world.sender.interaction(payload)
    assert response.status_code == 200
    return response.json() if response.content else {}


def opened_view(world: SlackWorld, count: int = 1) -> dict[str, Any]:
    view: dict[str, Any] = world.slack.wait_for("views.open", count)[-1].args["view"]
    assert_valid_view(view)
    return view


def dms_to(world: SlackWorld, user_id: str) -> list[str]:
    return [
        c.args["text"]
        for c in world.slack.calls_to("chat.postMessage")
        if c.args["channel"] == user_id
    ]


def test_the_author_edits_from_the_menu_and_the_post_and_dm_change(world: SlackWorld) -> None:
    nomination_id, post_ts = nominate(world)
    with world.services.sessions() as session:
        dm_ts = session.scalar(select(Delivery.message_ts).where(Delivery.kind == "recognition-dm"))

    menu(world, "UANA", f"edit:{nomination_id}")
    form = opened_view(world)
    assert form["callback_id"] == moderation.EDIT_VIEW
    story_input = next(b for b in form["blocks"] if b["block_id"] == "story")
    assert story_input["element"]["initial_value"] == STORY

    ack = submit(
        world,
        "UANA",
        form,
        {
            "behaviours": {"value": {"selected_options": [{"value": "enabling-change"}]}},
            "story": {"value": {"value": EDITED}},
        },
    )
    assert ack == {}
    updates = world.slack.wait_for("chat.update", 2)
    by_channel = {call.args["channel"]: call.args for call in updates}
    assert by_channel["CWARD"]["ts"] == post_ts
    assert by_channel["DNIA"]["ts"] == dm_ts  # the nominee's DM, found by its delivery row
    for args in by_channel.values():
        assert_valid_message(args)
        assert EDITED in section_texts(args["blocks"]) or EDITED in args["text"]
    assert "Enabling change" in section_texts(by_channel["CWARD"]["blocks"])
    world.slack.wait_for("chat.postMessage", 3)
    assert messages.EDITED in dms_to(world, "UANA")
    assert stored(world).story == EDITED


def test_an_edit_breaking_a_rule_keeps_the_form_open_with_the_problem(world: SlackWorld) -> None:
    nomination_id, _ = nominate(world)
    menu(world, "UANA", f"edit:{nomination_id}")
    ack = submit(
        world,
        "UANA",
        opened_view(world),
        {"behaviours": {"value": {"selected_options": []}}, "story": {"value": {"value": "short"}}},
    )
    assert ack["response_action"] == "errors"
    assert ack["errors"]["story"] == messages.STORY_TOO_SHORT.format(minimum=20, length=5)
    assert stored(world).story == STORY and world.slack.calls_to("chat.update") == []


def test_someone_else_or_too_late_is_told_to_ask_an_admin(
    world: SlackWorld, clock: FakeClock
) -> None:
    nomination_id, _ = nominate(world)
    menu(world, "USAM", f"withdraw:{nomination_id}")
    (reply,) = world.slack.wait_for("response_url", 2)[1:]
    assert reply.args["text"] == messages.NOT_YOUR_NOMINATION.format(admins=messages.ADMINS_UNKNOWN)
    clock.advance(timedelta(hours=25))
    menu(world, "UANA", f"edit:{nomination_id}")
    reply = world.slack.wait_for("response_url", 3)[-1]
    assert reply.args["text"].startswith("Nominations can be edited or withdrawn for 24 hours")
    assert world.slack.calls_to("views.open") == []
    assert stored(world).withdrawn_at is None


def test_the_author_withdraws_and_the_post_and_dm_are_deleted(world: SlackWorld) -> None:
    nomination_id, post_ts = nominate(world)
    menu(world, "UANA", f"withdraw:{nomination_id}")
    confirm = opened_view(world)
    assert confirm["callback_id"] == moderation.WITHDRAW_VIEW
    assert "<@UNIA>" in section_texts(confirm["blocks"])

    submit(world, "UANA", confirm, {})

    deleted = {(c.args["channel"], c.args["ts"]) for c in world.slack.wait_for("chat.delete", 2)}
    assert ("CWARD", post_ts) in deleted and any(ch == "DNIA" for ch, _ in deleted)
    assert stored(world).withdrawn_at is not None
    world.slack.wait_for("chat.postMessage", 3)
    assert messages.WITHDRAWN.format(nominees="Nia") in dms_to(world, "UANA")


def test_a_flag_reaches_the_admin_whose_hide_replaces_the_post(world: SlackWorld) -> None:
    nomination_id, post_ts = nominate(world)
    menu(world, "USAM", f"flag:{nomination_id}")
    form = opened_view(world)
    assert form["callback_id"] == moderation.FLAG_VIEW
    assert submit(world, "USAM", form, {"reason": {"value": {"value": ""}}})["errors"] == {
        "reason": messages.FLAG_REASON_MISSING
    }
    submit(world, "USAM", form, {"reason": {"value": {"value": "It names a patient"}}})

    world.slack.wait_for("chat.postMessage", 4)
    (to_admin,) = [
        c for c in world.slack.calls_to("chat.postMessage") if c.args["channel"] == "UBOSS"
    ]
    assert_valid_message(to_admin.args)
    shown = section_texts(to_admin.args["blocks"])
    assert "Sam flagged a recognition: “It names a patient”" in shown and STORY in shown
    buttons = to_admin.args["blocks"][-1]["elements"]
    assert [b["action_id"] for b in buttons] == ["flag_hide", "flag_dismiss"]
    assert messages.FLAGGED in dms_to(world, "USAM")

    # A forged click by someone who is not an admin changes nothing.
    click = load_payload("block_action_endorse.json")
    click["user"] = {**click["user"], "id": "USAM"}
    click["actions"] = [{**buttons[0], "block_id": "b1", "action_ts": "1"}]
    world.sender.interaction(click)
    assert world.slack.wait_for("response_url", 2)[-1].args["text"] == messages.NOT_A_MODERATOR
    assert stored(world).hidden_at is None

    click["user"] = {**click["user"], "id": "UBOSS"}
    world.sender.interaction(click)
    world.slack.wait_for("chat.update", 2)
    hidden = [c.args for c in world.slack.calls_to("chat.update") if c.args["channel"] == "CWARD"]
    assert hidden[-1]["ts"] == post_ts and hidden[-1]["text"] == messages.HIDDEN_NOTICE
    assert STORY not in json.dumps(hidden[-1]["blocks"])
    decided = world.slack.wait_for("response_url", 3)[-1].args
    assert decided["replace_original"] is True
    assert decided["text"] == f"#{nomination_id}: " + messages.FLAG_UPHELD_BY.format(
        admin="<@UBOSS>"
    )
    row = stored(world)
    assert (row.hidden_by, row.hidden_reason) == ("UBOSS", "It names a patient")
    with world.services.sessions() as session:
        assert session.scalars(select(NominationFlag.status)).all() == ["upheld"]
        actions = [(e.action, e.actor, e.platform) for e in audit_entries(session)]
    assert actions == [
        ("nomination.hidden", "UBOSS", "slack"),
        ("flag.upheld", "UBOSS", "slack"),
    ]


def test_the_message_shortcut_hides_then_restores_for_admins_only(world: SlackWorld) -> None:
    _nomination_id, post_ts = nominate(world)
    shortcut = load_payload("message_shortcut.json")
    shortcut.update(
        callback_id=moderation.HIDE_SHORTCUT,
        channel={"id": "CWARD", "name": "ward"},
        message={**shortcut.get("message", {}), "ts": post_ts},
    )
    shortcut["user"] = {**shortcut["user"], "id": "USAM"}
    world.sender.interaction(shortcut)
    world.slack.wait_for("chat.postMessage", 3)
    assert messages.NOT_A_MODERATOR in dms_to(world, "USAM")
    assert world.slack.calls_to("views.open") == []

    shortcut["user"] = {**shortcut["user"], "id": "UBOSS"}
    world.sender.interaction(shortcut)
    form = opened_view(world)
    assert form["callback_id"] == moderation.HIDE_VIEW
    submit(world, "UBOSS", form, {"reason": {"value": {"value": "Patient identifiable"}}})
    hidden = world.slack.wait_for("chat.update", 2)
    assert {c.args["text"] for c in hidden} == {messages.HIDDEN_NOTICE}
    assert stored(world).hidden_at is not None

    world.sender.interaction(shortcut)
    form = opened_view(world, 2)
    assert form["callback_id"] == moderation.RESTORE_VIEW
    submit(world, "UBOSS", form, {"reason": {"value": {"value": "Checked with IG"}}})
    restored = world.slack.wait_for("chat.update", 4)[2:]
    post = next(c.args for c in restored if c.args["channel"] == "CWARD")
    assert post["ts"] == post_ts and STORY in section_texts(post["blocks"])
    assert stored(world).hidden_at is None
    with world.services.sessions() as session:
        actions = [(e.action, dict(e.detail)) for e in audit_entries(session)]
    assert actions == [
        ("nomination.restored", {"reason": "Checked with IG"}),
        ("nomination.hidden", {"reason": "Patient identifiable", "flags_upheld": 0}),
    ]


def test_app_home_shows_admins_the_flags_and_hidden_posts_with_buttons(
    world: SlackWorld,
) -> None:
    nomination_id, _ = nominate(world)
    menu(world, "USAM", f"flag:{nomination_id}")
    submit(world, "USAM", opened_view(world), {"reason": {"value": {"value": "Wrong ward"}}})
    world.slack.wait_for("chat.postMessage", 4)

    home = load_payload("app_home_opened.json")
    home["event"] = {**home["event"], "user": "UBOSS", "tab": "home"}
    world.sender.event(home)
    (published,) = world.slack.wait_for("views.publish")
    view = published.args["view"]
    assert_valid_view(view)
    shown = section_texts(view["blocks"])
    assert (
        messages.HOME_OPEN_FLAG.format(nomination_id=nomination_id, who="Sam", reason="Wrong ward")
        in shown
    )
    ids = [e["action_id"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert "flag_dismiss" in ids

    # Dismiss from App Home: the post stays, the admin is told, App Home is republished.
    with world.services.sessions() as session:
        flag_id = session.scalars(select(NominationFlag.id)).one()
    click = load_payload("block_action_home_export.json")
    click["user"] = {**click["user"], "id": "UBOSS"}
    click["actions"] = [{"type": "button", "action_id": "flag_dismiss", "value": str(flag_id)}]
    world.sender.interaction(click)
    republished = world.slack.wait_for("views.publish", 2)[-1].args["view"]
    assert messages.HOME_NO_OPEN_FLAGS in section_texts(republished["blocks"])
    assert stored(world).hidden_at is None

    # A plain member sees no moderation panel.
    home["event"] = {**home["event"], "user": "USAM"}
    world.sender.event(home)
    members_view = world.slack.wait_for("views.publish", 3)[-1].args["view"]
    assert messages.HOME_MODERATION_HEADER not in json.dumps(members_view)


def test_a_private_nomination_is_flagged_from_the_nominees_dm_and_by_no_one_else(
    world: SlackWorld,
) -> None:
    form = load_payload("view_submission.json")
    form["view"]["state"]["values"]["visibility"]["value"]["selected_option"]["value"] = "private"
    world.sender.interaction(form)
    (dm,) = world.slack.wait_for("chat.postMessage")
    assert dm.args["channel"] == "UNIA"
    assert_valid_message(dm.args)
    (menu_block,) = [b for b in dm.args["blocks"] if b["type"] == "actions"]
    (overflow,) = menu_block["elements"]
    assert [o["text"]["text"] for o in overflow["options"]] == [messages.MODERATION_MENU_FLAG]
    nomination_id = stored(world).id
    assert overflow["options"][0]["value"] == f"flag:{nomination_id}"

    menu(world, "USAM", f"flag:{nomination_id}")
    refused = submit(world, "USAM", opened_view(world), {"reason": {"value": {"value": "Odd"}}})
    assert refused["errors"] == {"reason": messages.NOMINATION_NOT_FOUND}

    menu(world, "UNIA", f"flag:{nomination_id}")
    assert (
        submit(
            world, "UNIA", opened_view(world, 2), {"reason": {"value": {"value": "Please remove"}}}
        )
        == {}
    )
    to_admin = world.slack.wait_for("chat.postMessage", 3)  # the DM, the admin, Nia's thanks
    assert any(
        c.args["channel"] == "UBOSS" and "Nia flagged a recognition" in c.args["text"]
        for c in to_admin
    )
    with world.services.sessions() as session:
        assert session.scalars(select(NominationFlag.reason)).all() == ["Please remove"]

"""The "I saw this too" button decides from the database, never from the click: where the
post is, who may see a private nomination, which workspace the nomination belongs to."""

from __future__ import annotations

from sqlalchemy import func, select

from bot import messages
from db.models import Endorsement, Nomination
from tests.handlers.slack.conftest import SlackWorld
from tests.support.slack_requests import load_payload
from tests.support.waiting import wait_until

STORY = "Sat with the frightened relative in resus until the consultant came."


def stored_nomination(world: SlackWorld) -> Nomination:
    with world.services.sessions() as session:
        return session.scalars(select(Nomination)).one()


def endorsements(world: SlackWorld) -> int:
    with world.services.sessions() as session:
        return session.scalar(select(func.count()).select_from(Endorsement)) or 0


def forged_click(nomination_id: int, user_id: str = "USAM", team_id: str = "T0FAKE") -> dict:
    """A signed block_actions payload whose channel and message point somewhere else."""
    click = load_payload("block_action_endorse.json")
    click["actions"][0]["value"] = str(nomination_id)
    click["channel"] = {"id": "CEVIL", "name": "everyone"}
    click["container"] = {
        "type": "message",
        "message_ts": "1799999999.000900",
        "channel_id": "CEVIL",
        "is_ephemeral": False,
    }
    click["message"]["ts"] = "1799999999.000900"
    click["user"] = {"id": user_id, "username": user_id.lower(), "team_id": team_id}
    click["team"] = {"id": team_id, "domain": "elsewhere"}
    return click


def test_a_forged_channel_and_ts_update_only_the_stored_post(slack_world: SlackWorld) -> None:
    slack_world.sender.command(f"<@UNIA> {STORY} #speaking-up")
    slack_world.slack.wait_for("response_url")
    stored = stored_nomination(slack_world)

    slack_world.sender.interaction(forged_click(stored.id))

    (update,) = slack_world.slack.wait_for("chat.update")
    assert (update.args["channel"], update.args["ts"]) == ("CWARD", stored.posted_message_id)
    (_, reply) = slack_world.slack.wait_for("response_url", 2)
    assert reply.args["text"] == messages.ENDORSED
    assert [c for c in slack_world.slack.calls if "CEVIL" in str(c.args)] == []


def test_a_stranger_cannot_endorse_or_see_a_private_nomination(slack_world: SlackWorld) -> None:
    payload = load_payload("view_submission.json")
    values = payload["view"]["state"]["values"]
    values["story"]["value"]["value"] = STORY
    values["visibility"]["value"]["selected_option"]["value"] = "private"
    slack_world.sender.interaction(payload)
    slack_world.slack.wait_for("chat.postEphemeral")
    stored = stored_nomination(slack_world)
    assert stored.visibility == "private"

    # Sam was not sent it: a click naming its id (on a public channel's message) is refused
    # as if it didn't exist, and nothing is stored or updated.
    slack_world.sender.interaction(forged_click(stored.id, "USAM"))
    (reply,) = slack_world.slack.wait_for("response_url")
    assert reply.args["text"] == messages.NOMINATION_NOT_FOUND
    assert endorsements(slack_world) == 0
    assert slack_world.slack.calls_to("chat.update") == []

    # Sam's App Home doesn't show it either.
    home = load_payload("app_home_opened.json")
    home["event"]["user"] = "USAM"
    slack_world.sender.event(home)
    (published,) = slack_world.slack.wait_for("views.publish")
    assert STORY not in str(published.args)

    # The story went to Nia alone.
    seen = [c for c in slack_world.slack.calls if STORY in str(c.args)]
    assert [(c.method, c.args["channel"]) for c in seen] == [("chat.postMessage", "UNIA")]


def test_a_user_of_another_workspace_cannot_endorse(slack_world: SlackWorld) -> None:
    slack_world.sender.command(f"<@UNIA> {STORY} #speaking-up")
    slack_world.slack.wait_for("response_url")
    stored = stored_nomination(slack_world)
    slack_world.slack.add_user("UOUTSIDER", "Outsider")

    slack_world.sender.interaction(forged_click(stored.id, "UOUTSIDER", team_id="T0OTHER"))

    wait_until(lambda: len(slack_world.slack.calls_to("response_url")) == 2)
    reply = slack_world.slack.calls_to("response_url")[-1]
    assert reply.args["text"] == messages.NOMINATION_NOT_FOUND
    assert endorsements(slack_world) == 0
    assert slack_world.slack.calls_to("chat.update") == []

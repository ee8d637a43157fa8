"""Wiring: Teams activities POSTed to the running server, replies recorded by the fake
Bot Connector, rows read back from the database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from bot import messages
from db.models import Endorsement, Member, Nomination
from tests.handlers.teams.conftest import WARD7, TeamsWorld
from tests.support.adaptive_cards import assert_valid_card, inputs, texts

STORY = "Led the handover huddle when the ward was two nurses short."
THREAD = f"{WARD7};messageid=1700000000001"


def nomination_count(world: TeamsWorld) -> int:
    with world.services.sessions() as session:
        return session.scalar(select(func.count()).select_from(Nomination)) or 0


def only_nomination(world: TeamsWorld) -> Nomination:
    with world.services.sessions() as session:
        nomination = session.scalars(select(Nomination)).one()
        session.expunge(nomination)
        return nomination


def mention_text(body: str) -> str:
    return f"<at>Everyseat</at> nominate <at>Nia Okafor</at> <at>Sam Reid</at> {body}"


def test_mention_nomination_is_recorded_posted_and_nominees_told(world: TeamsWorld) -> None:
    assert world.send("message_mention_nominate").status_code == 200

    card_post, confirmation = world.connector.sent_to(THREAD)
    (card,) = card_post.cards
    assert_valid_card(card)
    assert texts(card)[1:3] == [
        "Ana Lopes recognised Nia Okafor and Sam Reid for Speaking up",
        f"“{STORY}”",
    ]
    assert card["actions"][0]["verb"] == "endorse"
    assert confirmation.text == messages.RECORDED_PUBLIC.format(
        nominees="Nia Okafor and Sam Reid",
        behaviours="Speaking up",
        channel=messages.TEAMS_THIS_CONVERSATION,
    )
    # Each nominee gets a 1:1 message, addressed by AAD object id.
    opened = world.connector.calls_to("create_conversation")
    assert [call.body["members"][0]["id"] for call in opened] == ["aad-nia", "aad-sam"]
    (dm,) = world.connector.sent_to("a:personal-aad-nia")
    assert texts(dm.cards[0]) == [
        messages.NOMINEE_DM.format(nominator="Ana Lopes", behaviours="Speaking up", story=STORY)
    ]

    stored = only_nomination(world)
    assert stored.story == STORY
    assert stored.source_channel_id == WARD7
    assert (stored.posted_channel_id, stored.posted_message_id) == (THREAD, card_post.answer["id"])
    with world.services.sessions() as session:
        people = {m.platform_user_id: m.display_name for m in session.scalars(select(Member))}
    assert people == {"aad-ana": "Ana Lopes", "aad-nia": "Nia Okafor", "aad-sam": "Sam Reid"}


def test_mention_without_behaviour_uses_the_default_and_says_so(world: TeamsWorld) -> None:
    world.send("message_mention_nominate", text=mention_text(STORY))
    confirmation = world.connector.sent_to(THREAD)[-1]
    assert confirmation.text.endswith(
        messages.DEFAULT_BEHAVIOUR_USED.format(slug="leading-from-every-seat")
    )
    assert nomination_count(world) == 1


def test_invalid_mention_nomination_replies_with_the_form_and_its_errors(
    world: TeamsWorld,
) -> None:
    world.send("message_mention_nominate", text=mention_text("Too short #speaking-up"))
    (reply,) = world.connector.sent_to(THREAD)
    assert reply.text.startswith("Not recorded: Tell the story in at least 20 characters")
    (form,) = reply.cards
    assert_valid_card(form)
    fields = inputs(form)
    assert fields["nominees"]["value"] == "aad-nia,aad-sam"  # what they typed, kept
    assert fields["story"]["value"] == "Too short"
    assert fields["behaviours"]["value"] == "speaking-up"
    assert any(text.startswith("Tell the story in at least 20") for text in texts(form))
    assert nomination_count(world) == 0


def test_self_and_bot_nominations_are_refused_as_in_slack(world: TeamsWorld) -> None:
    activity_changes: dict[str, Any] = {
        "text": f"<at>Everyseat</at> nominate <at>Ana Lopes</at> <at>Rota Bot</at> {STORY}",
        "entities": [
            {
                "type": "mention",
                "mentioned": {"id": "28:everyseat-bot", "name": "Everyseat"},
                "text": "<at>Everyseat</at>",
            },
            {
                "type": "mention",
                "mentioned": {"id": "29:ana-teams-id", "name": "Ana Lopes"},
                "text": "<at>Ana Lopes</at>",
            },
            {
                "type": "mention",
                "mentioned": {"id": "28:rota-bot", "name": "Rota Bot"},
                "text": "<at>Rota Bot</at>",
            },
        ],
    }
    world.send("message_mention_nominate", **activity_changes)
    (reply,) = world.connector.sent_to(THREAD)
    assert messages.SELF_NOMINATION in reply.text
    assert messages.BOT_NOMINEE.format(name="Rota Bot") in reply.text
    assert nomination_count(world) == 0


def test_nominate_alone_and_personal_chat_open_the_form(world: TeamsWorld) -> None:
    world.send(
        "message_mention_nominate",
        text="<at>Everyseat</at> nominate",
        entities=[
            {
                "type": "mention",
                "mentioned": {"id": "28:everyseat-bot", "name": "Everyseat"},
                "text": "<at>Everyseat</at>",
            }
        ],
    )
    world.send("message_personal_nominate")
    for conversation in (THREAD, "a:personal-ana"):
        (reply,) = world.connector.sent_to(conversation)
        (form,) = reply.cards
        assert_valid_card(form)
        assert form["actions"][0]["type"] == "Action.Execute"
        assert form["actions"][0]["verb"] == "nominate"
        assert inputs(form)["nominees"]["choices.data"]["dataset"] == "graph.microsoft.com/users"


def test_help_and_unknown_words_explain_how_to_nominate(world: TeamsWorld) -> None:
    world.send("message_personal_nominate", text="help")
    world.send("message_personal_nominate", text="thanks!")
    help_reply, unknown_reply = world.connector.sent_to("a:personal-ana")
    assert help_reply.text == messages.TEAMS_USAGE
    assert unknown_reply.text == messages.TEAMS_NOT_UNDERSTOOD


def test_card_form_submission_records_and_replaces_the_form(world: TeamsWorld) -> None:
    response = world.send("card_action_nominate")
    assert response.status_code == 200
    answer = response.json()
    assert answer["statusCode"] == 200
    assert answer["type"] == "application/vnd.microsoft.card.adaptive"
    assert_valid_card(answer["value"])
    assert texts(answer["value"]) == [
        messages.RECORDED_PUBLIC.format(
            nominees="Nia Okafor and Sam Reid",
            behaviours="Speaking up and Coaching and developing others",
            channel=messages.TEAMS_THIS_CONVERSATION,
        )
    ]
    thread = f"{WARD7};messageid=1700000000050"
    (post,) = world.connector.sent_to(thread)
    assert "Ana Lopes recognised Nia Okafor and Sam Reid" in texts(post.cards[0])[1]
    stored = only_nomination(world)
    assert stored.visibility == "public" and stored.posted_channel_id == thread


def test_invalid_card_form_comes_back_with_errors_and_what_was_typed(world: TeamsWorld) -> None:
    response = world.send(
        "card_action_nominate",
        value={
            "action": {
                "type": "Action.Execute",
                "verb": "nominate",
                "data": {
                    "nominees": "aad-ana",
                    "behaviours": "",
                    "story": "short",
                    "visibility": "public",
                },
            }
        },
    )
    form = response.json()["value"]
    assert_valid_card(form)
    shown = texts(form)
    assert messages.SELF_NOMINATION in shown
    assert messages.NO_BEHAVIOURS in shown
    assert any(text.startswith("Tell the story in at least 20") for text in shown)
    assert inputs(form)["story"]["value"] == "short"
    assert inputs(form)["nominees"]["choices"] == [{"title": "Ana Lopes", "value": "aad-ana"}]
    assert nomination_count(world) == 0
    assert world.connector.calls_to("send") == []


def test_a_double_submitted_form_is_recorded_once(world: TeamsWorld) -> None:
    world.send("card_action_nominate")
    again = world.send("card_action_nominate").json()
    assert texts(again["value"]) == [messages.ALREADY_RECORDED]
    assert nomination_count(world) == 1


def test_private_form_nomination_is_only_sent_to_the_nominees(world: TeamsWorld) -> None:
    response = world.send(
        "card_action_nominate",
        value={
            "action": {
                "type": "Action.Execute",
                "verb": "nominate",
                "data": {
                    "nominees": "aad-nia",
                    "behaviours": "speaking-up",
                    "story": STORY,
                    "visibility": "private",
                },
            }
        },
    )
    assert texts(response.json()["value"]) == [
        messages.RECORDED_PRIVATE.format(nominees="Nia Okafor", behaviours="Speaking up")
    ]
    sent = world.connector.calls_to("send")
    assert [call.conversation_id for call in sent] == ["a:personal-aad-nia"]
    assert texts(sent[0].cards[0]) == [
        messages.NOMINEE_DM_PRIVATE.format(
            nominator="Ana Lopes", behaviours="Speaking up", story=STORY
        )
    ]


def test_i_saw_this_too_records_and_refreshes_the_count(world: TeamsWorld) -> None:
    world.send("message_mention_nominate")
    stored = only_nomination(world)
    endorse = {"replyToId": stored.posted_message_id}

    answer = world.send("card_action_endorse", **endorse).json()
    assert answer["type"] == "application/vnd.microsoft.card.adaptive"
    assert_valid_card(answer["value"])
    assert "1 person saw this too" in texts(answer["value"])
    (update,) = world.connector.calls_to("update")
    assert update.http_method == "PUT"
    assert update.activity_id == stored.posted_message_id
    assert "1 person saw this too" in texts(update.cards[0])

    again = world.send("card_action_endorse", **endorse).json()
    assert again == {
        "statusCode": 200,
        "type": "application/vnd.microsoft.activity.message",
        "value": messages.ALREADY_ENDORSED,
    }
    nominee = world.send(
        "card_action_endorse",
        **endorse,
        **{"from": {"id": "29:nia-teams-id", "name": "Nia Okafor", "aadObjectId": "aad-nia"}},
    ).json()
    assert nominee["value"] == messages.OWN_NOMINATION
    with world.services.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Endorsement)) == 1


def test_message_extension_opens_the_form_as_a_dialog_about_the_message(
    world: TeamsWorld,
) -> None:
    answer = world.send("compose_fetch_task_message").json()
    task = answer["task"]
    assert task["type"] == "continue"
    assert task["value"]["title"] == messages.FORM_TITLE
    attachment = task["value"]["card"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    form = attachment["content"]
    assert_valid_card(form)
    assert form["actions"][0]["type"] == "Action.Submit"
    assert inputs(form)["nominees"]["choices"] == [{"title": "Nia Okafor", "value": "aad-nia"}]
    assert any(
        "About this message: https://teams.microsoft.com/l/message/" in t for t in texts(form)
    )


def test_message_extension_submission_records_with_the_message_link(world: TeamsWorld) -> None:
    answer = world.send("compose_submit_action").json()
    assert answer == {
        "task": {
            "type": "message",
            "value": messages.RECORDED_PUBLIC.format(
                nominees="Nia Okafor",
                behaviours="Enabling change",
                channel=messages.TEAMS_THIS_CONVERSATION,
            ),
        }
    }
    stored = only_nomination(world)
    assert stored.source_message_url and stored.source_message_url.endswith("/1700000000077")
    (post,) = world.connector.sent_to(f"{WARD7};messageid=1700000000077")
    assert any(t.startswith("About this message:") for t in texts(post.cards[0]))


def test_invalid_message_extension_submission_keeps_the_dialog_open(world: TeamsWorld) -> None:
    activity_value = {
        "commandId": "nominate",
        "commandContext": "compose",
        "data": {
            "nominees": "",
            "behaviours": "speaking-up",
            "story": STORY,
            "visibility": "public",
        },
    }
    answer = world.send("compose_submit_action", value=activity_value).json()
    assert answer["task"]["type"] == "continue"
    form = answer["task"]["value"]["card"]["content"]
    assert messages.NO_NOMINEES in texts(form)
    assert inputs(form)["story"]["value"] == STORY
    assert nomination_count(world) == 0


def test_personal_chat_public_nomination_goes_to_the_installed_team_channel(
    world: TeamsWorld,
) -> None:
    world.send("installation_update_add_team")
    personal = {
        "conversation": {
            "conversationType": "personal",
            "tenantId": "tenant-nhs",
            "id": "a:personal-ana",
        },
        "channelData": {"tenant": {"id": "tenant-nhs"}},
    }
    answer = world.send("card_action_nominate", **personal).json()
    assert texts(answer["value"]) == [
        messages.RECORDED_PUBLIC.format(
            nominees="Nia Okafor and Sam Reid",
            behaviours="Speaking up and Coaching and developing others",
            channel="Ward 7",
        )
    ]
    (post,) = world.connector.sent_to(WARD7)
    assert "Ana Lopes recognised Nia Okafor and Sam Reid" in texts(post.cards[0])[1]
    # People were looked up in the team, since a personal chat only holds Ana and the bot.
    asked = {call.path.rsplit("/", 1)[-1] for call in world.connector.calls_to("get_member")}
    assert {"aad-nia", "aad-sam"} <= asked


def test_personal_chat_public_nomination_without_a_team_says_so(world: TeamsWorld) -> None:
    personal = {
        "conversation": {
            "conversationType": "personal",
            "tenantId": "tenant-nhs",
            "id": "a:personal-ana",
        },
        "channelData": {"tenant": {"id": "tenant-nhs"}},
    }
    answer = world.send("card_action_nominate", **personal).json()
    (shown,) = texts(answer["value"])
    assert shown.startswith("Recorded: you recognised ")
    assert messages.TEAMS_NO_TEAM_INSTALLED in shown
    assert nomination_count(world) == 1

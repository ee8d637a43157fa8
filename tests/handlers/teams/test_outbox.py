"""Teams recognition through the outbox: a refused post or personal message is stored as a
failed delivery, and the one-minute sweep sends it once when the connector recovers."""

from __future__ import annotations

from sqlalchemy import select

from bot import messages
from bot.app.platforms import outbox_sweeps
from bot.deliveries import DeliveryStatus
from db.models import Delivery, Nomination
from handlers.teams.recognition import NOMINEE_DM, PUBLIC_POST
from schedules.outbox import send_outbox
from tests.handlers.teams.conftest import WARD7, TeamsWorld
from tests.support.adaptive_cards import texts

THREAD = f"{WARD7};messageid=1700000000001"


def deliveries(world: TeamsWorld) -> dict[tuple[str, str], tuple[str, int]]:
    with world.services.sessions() as session:
        rows = session.scalars(select(Delivery).where(Delivery.kind.in_([PUBLIC_POST, NOMINEE_DM])))
        return {(row.kind, row.channel_id): (row.status, row.attempts) for row in rows}


def recognition_posts(world: TeamsWorld) -> list[dict[str, object]]:
    return [
        card
        for call in world.connector.delivered()
        if call.conversation_id == THREAD
        for card in call.cards
        if texts(card)[0] == messages.RECOGNITION_HEADER
    ]


def test_a_refused_recognition_is_sent_once_by_the_sweep(world: TeamsWorld) -> None:
    world.send("installation_update_add_team")
    world.connector.fail_next("send", conversation_id=THREAD, status=502)
    assert world.send("message_mention_nominate").status_code == 200

    confirmation = world.connector.sent_to(THREAD)[-1]
    assert confirmation.text == messages.TEAMS_RECORDED_PUBLIC_QUEUED.format(
        nominees="Nia Okafor and Sam Reid",
        behaviours="Speaking up",
        channel=messages.TEAMS_THIS_CONVERSATION,
    )
    assert recognition_posts(world) == []
    stored = deliveries(world)
    assert stored[(PUBLIC_POST, THREAD)] == (DeliveryStatus.FAILED, 1)
    assert stored[(NOMINEE_DM, "aad-nia")] == (DeliveryStatus.POSTED, 1)

    assert send_outbox(outbox_sweeps(world.services)) == 1
    assert send_outbox(outbox_sweeps(world.services)) == 0  # nothing left: posted exactly once
    (card,) = recognition_posts(world)
    assert card["actions"][0]["verb"] == "endorse"
    assert deliveries(world)[(PUBLIC_POST, THREAD)] == (DeliveryStatus.POSTED, 2)
    with world.services.sessions() as session:
        nomination = session.scalars(select(Nomination)).one()
        # Recorded where it was posted, so "I saw this too" refreshes the right message.
        assert nomination.posted_channel_id == THREAD
        assert nomination.posted_message_id == world.connector.delivered()[-1].answer["id"]


def test_a_refused_personal_message_is_retried_too(world: TeamsWorld) -> None:
    world.send("installation_update_add_team")
    world.connector.fail_next("create_conversation", status=503, times=2)
    world.send("message_mention_nominate")
    stored = deliveries(world)
    assert stored[(NOMINEE_DM, "aad-nia")][0] == DeliveryStatus.FAILED
    assert stored[(NOMINEE_DM, "aad-sam")][0] == DeliveryStatus.FAILED
    assert stored[(PUBLIC_POST, THREAD)][0] == DeliveryStatus.POSTED
    assert world.connector.sent_to("a:personal-aad-nia") == []

    assert send_outbox(outbox_sweeps(world.services)) == 2
    assert send_outbox(outbox_sweeps(world.services)) == 0
    (dm,) = world.connector.sent_to("a:personal-aad-nia")
    assert texts(dm.cards[0])[0].startswith("Ana Lopes recognised you")
    assert len(world.connector.sent_to("a:personal-aad-sam")) == 1
    assert len(recognition_posts(world)) == 1  # the public post was not sent again


def test_an_outage_that_outlasts_a_sweep_is_retried_at_the_next(world: TeamsWorld) -> None:
    world.send("installation_update_add_team")
    world.connector.fail_next("send", conversation_id=THREAD, status=502)
    world.send("message_mention_nominate")
    world.connector.fail_next("send", conversation_id=THREAD, status=502)  # still down
    assert send_outbox(outbox_sweeps(world.services)) == 0  # still down
    assert deliveries(world)[(PUBLIC_POST, THREAD)] == (DeliveryStatus.FAILED, 2)
    assert send_outbox(outbox_sweeps(world.services)) == 1
    assert len(recognition_posts(world)) == 1

"""`audit` in a Teams personal chat: the audit trail's last entries for admins, a polite
refusal with nothing shown for anyone else."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from bot import messages
from bot.app.composition import build_services
from bot.app.server import create_app
from bot.audit import CLI, AuditAction, record_by
from db.migrate import upgrade_database
from tests.fakes.bot_connector import FakeBotConnector
from tests.handlers.teams.conftest import TeamsWorld
from tests.handlers.teams.test_admin import ANA, OLA, personal
from tests.support.adaptive_cards import assert_valid_card, texts
from tests.support.clock import FakeClock
from tests.support.server import running_server


@pytest.fixture
def admin_world(
    connector: FakeBotConnector,
    make_settings,
    clock: FakeClock,  # type: ignore[no-untyped-def]
) -> Iterator[TeamsWorld]:
    settings = make_settings(TEAMS_ALLOW_UNAUTHENTICATED="true", EVERYSEAT_ADMINS="aad-ana")
    services = build_services(settings, clock=clock)
    upgrade_database(services.engine)
    try:
        with running_server(create_app(services)) as base_url:
            yield TeamsWorld(services, connector, base_url)
    finally:
        services.close()


def _record_history(world: TeamsWorld, clock: FakeClock, count: int) -> None:
    with world.services.sessions() as session:
        for number in range(count):
            record_by(
                session,
                CLI,
                AuditAction.EXPORT,
                at=clock() + timedelta(minutes=number),
                subject="nominations",
                detail={"format": "csv", "rows": number},
            )
        session.commit()


def test_an_admin_sees_the_last_twenty_entries_newest_first(
    admin_world: TeamsWorld, clock: FakeClock
) -> None:
    _record_history(admin_world, clock, 25)

    admin_world.send("message_mention_nominate", **personal("audit", ANA, "a:personal-ana"))

    (reply,) = admin_world.connector.sent_to("a:personal-ana")
    (card,) = reply.cards
    assert_valid_card(card)
    said = texts(card)
    assert reply.text == said[0] == messages.AUDIT_HEADER.format(count=20)
    assert len(said) == 21
    assert (
        said[1] == "2026-11-18 10:24 UTC · export by cli (cli) · nominations · format csv, rows 24"
    )
    assert said[-1].endswith("rows 5")


def test_a_non_admin_is_refused_and_sees_nothing(admin_world: TeamsWorld, clock: FakeClock) -> None:
    _record_history(admin_world, clock, 2)

    admin_world.send("message_mention_nominate", **personal("audit", OLA, "a:personal-ola"))

    (reply,) = admin_world.connector.sent_to("a:personal-ola")
    assert reply.text == messages.NOT_AN_ADMIN and reply.cards == []

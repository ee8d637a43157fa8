"""`stats` in a Teams personal chat: the statistics card for admins (EVERYSEAT_ADMINS by AAD
object id or Teams user id), a polite refusal with no figures for anyone else, logged."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from bot import messages
from bot.app.composition import build_services
from bot.app.server import create_app
from bot.errors import StorageUnavailableError
from bot.reporting.summary import StatsSummary
from db.migrate import upgrade_database
from handlers.teams import admin
from tests.fakes.bot_connector import FakeBotConnector
from tests.handlers.teams.conftest import TeamsWorld, load_activity
from tests.support import builders
from tests.support.adaptive_cards import assert_valid_card, texts
from tests.support.clock import FakeClock
from tests.support.seniority import (
    LARGE_BAND_LINE,
    LARGE_GROUP_LINE,
    NO_BAND,
    QUIET_BAND,
    QUIET_GROUP,
    SMALL_GROUP,
    build_seniority_ward,
    hidden_line,
)
from tests.support.server import running_server

ANA_CHAT = "a:personal-ana"
OLA_CHAT = "a:personal-ola"


@pytest.fixture
def world(connector: FakeBotConnector, make_settings, clock: FakeClock) -> Iterator[TeamsWorld]:  # type: ignore[no-untyped-def]
    # Ana by AAD object id; Sam by the Teams user id the bot sees.
    settings = make_settings(
        TEAMS_ALLOW_UNAUTHENTICATED="true", EVERYSEAT_ADMINS="aad-ana,29:sam-teams-id"
    )
    services = build_services(settings, clock=clock)
    upgrade_database(services.engine)
    try:
        with running_server(create_app(services)) as base_url:
            yield TeamsWorld(services, connector, base_url)
    finally:
        services.close()


def personal(text: str, sender: dict[str, str], chat: str) -> dict[str, Any]:
    return {
        "text": text,
        "entities": [],
        "from": sender,
        "conversation": {"conversationType": "personal", "tenantId": "tenant-nhs", "id": chat},
        "channelData": {"tenant": {"id": "tenant-nhs"}},
    }


ANA = {"id": "29:ana-teams-id", "name": "Ana Lopes", "aadObjectId": "aad-ana"}
SAM = {"id": "29:sam-teams-id", "name": "Sam Reid"}
OLA = {"id": "29:ola-teams-id", "name": "Ola Mensah", "aadObjectId": "aad-ola"}


def test_an_admin_gets_the_statistics_card(world: TeamsWorld, clock: FakeClock) -> None:
    world.send("installation_update_add_team")
    world.send("message_mention_nominate")  # Ana recognises Nia and Sam
    clock.advance(timedelta(hours=1))
    world.connector.clear()

    assert world.send("message_mention_nominate", **personal("stats", ANA, ANA_CHAT)).is_success
    (reply,) = world.connector.sent_to(ANA_CHAT)
    (card,) = reply.cards
    assert_valid_card(card)
    said = texts(card)
    assert reply.text == said[0] == "Recognition, the last 30 days"
    # One nomination in a tiny team: every count is below EVERYSEAT_MIN_CELL (5), so hidden.
    assert said[1] == "<5 nominations from <5 people recognised <5 people; 0 “I saw this too”."
    assert "Coverage: <5 of <5 active members were recognised at least once." in said
    assert any(text.startswith("Spread: ") for text in said)
    assert messages.STATS_BY_BEHAVIOUR in said
    assert "• Speaking up: figures hidden (fewer than 5 people or recognitions)" in said


def test_admins_listed_by_teams_user_id_and_periods_work(world: TeamsWorld) -> None:
    world.send("message_mention_nominate", **personal("stats 90d", SAM, "a:personal-sam"))
    (reply,) = world.connector.sent_to("a:personal-sam")
    assert texts(reply.cards[0])[0] == "Recognition, the last 90 days"

    world.send("message_mention_nominate", **personal("stats last year", SAM, "a:personal-sam"))
    second = world.connector.sent_to("a:personal-sam")[1]
    assert second.cards == [] and second.text.startswith("I can't read 'last year' as a period.")


def test_a_non_admin_is_refused_politely_with_no_data_and_it_is_logged(
    world: TeamsWorld, caplog: pytest.LogCaptureFixture
) -> None:
    world.send("installation_update_add_team")
    world.send("message_mention_nominate")
    world.connector.clear()
    with caplog.at_level(logging.WARNING, logger="bot.people.admins"):
        world.send("message_mention_nominate", **personal("stats", OLA, OLA_CHAT))
    (reply,) = world.connector.sent_to(OLA_CHAT)
    assert reply.text == messages.NOT_AN_ADMIN and reply.cards == []
    assert world.connector.calls_to("send") == [reply]
    assert "Refused admin action 'stats' to aad-ola / 29:ola-teams-id" in caplog.text


def test_stats_in_a_channel_points_to_the_personal_chat(world: TeamsWorld) -> None:
    thread = "19:ward7-general@thread.tacv2;messageid=1700000000001"
    world.send(
        "message_mention_nominate",
        text="<at>Everyseat</at> stats",
        entities=[
            {
                "type": "mention",
                "mentioned": {"id": "28:everyseat-bot", "name": "Everyseat"},
                "text": "<at>Everyseat</at>",
            }
        ],
    )
    (reply,) = world.connector.sent_to(thread)
    assert reply.text == messages.TEAMS_STATS_PERSONAL_ONLY and reply.cards == []


def test_stats_during_a_database_outage_asks_to_try_again(
    world: TeamsWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    def database_down(*args: object) -> StatsSummary:
        raise StorageUnavailableError(messages.STORAGE_UNAVAILABLE)

    monkeypatch.setattr(admin, "stats_summary", database_down)
    world.send("message_mention_nominate", **personal("stats", ANA, ANA_CHAT))
    (reply,) = world.connector.sent_to(ANA_CHAT)
    assert reply.text == messages.STORAGE_UNAVAILABLE and reply.cards == []


class FakeOneDrive:
    """The upload session Teams opens in the admin's OneDrive, on loopback: records PUTs."""

    def __init__(self) -> None:
        self.uploads: list[tuple[dict[str, str], bytes]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                pass

            def do_PUT(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                owner.uploads.append((dict(self.headers), body))
                self.send_response(201)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.upload_url = f"http://127.0.0.1:{self.server.server_port}/upload-session"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def consent(world: TeamsWorld, upload_url: str, **value: Any) -> dict[str, Any]:
    activity = load_activity("file_consent_accept", world.connector.service_url)
    activity["value"]["uploadInfo"]["uploadUrl"] = upload_url
    activity["value"].update(value)
    return activity


def test_an_admin_gets_the_board_report_as_a_file_in_their_onedrive(
    world: TeamsWorld, clock: FakeClock
) -> None:
    world.send("installation_update_add_team")
    world.send("message_mention_nominate")
    clock.advance(timedelta(hours=1))
    world.connector.clear()

    assert world.send(
        "message_mention_nominate", **personal("report 30d", ANA, ANA_CHAT)
    ).is_success
    (offer,) = world.connector.sent_to(ANA_CHAT)
    (card,) = offer.body["attachments"]
    assert card["contentType"] == "application/vnd.microsoft.teams.card.file.consent"
    assert card["name"].startswith("everyseat-board-report-") and card["name"].endswith(".html")
    assert card["content"]["sizeInBytes"] > 10_000
    assert card["content"]["acceptContext"] == {"report": "board", "period": "30d"}
    assert offer.text == messages.TEAMS_BOARD_OFFER

    onedrive = FakeOneDrive()
    try:
        assert world.post(consent(world, onedrive.upload_url)).is_success
    finally:
        onedrive.stop()
    ((headers, page),) = onedrive.uploads
    assert page.startswith(b"<!DOCTYPE html>") and b"data:image/png;base64," in page
    assert headers["Content-Range"] == f"bytes 0-{len(page) - 1}/{len(page)}"
    sent = world.connector.sent_to(ANA_CHAT)[-1]
    (info,) = sent.body["attachments"]
    assert info["contentType"] == "application/vnd.microsoft.teams.card.file.info"
    assert info["content"] == {
        "uniqueId": "1150D938-8870-4044-9F2C-5BBDEBA70C8C",
        "fileType": "html",
    }
    assert info["contentUrl"].endswith("everyseat-board-report.html")
    assert sent.text == "The board report (the last 30 days) is saved in your OneDrive:"


def test_the_board_report_is_for_admins_even_when_the_consent_is_forged(
    world: TeamsWorld,
) -> None:
    assert world.send("message_mention_nominate", **personal("report", OLA, OLA_CHAT)).is_success
    (refusal,) = world.connector.sent_to(OLA_CHAT)
    assert refusal.text == messages.NOT_AN_ADMIN and "attachments" not in refusal.body

    onedrive = FakeOneDrive()
    forged = consent(world, onedrive.upload_url)
    forged["from"] = OLA
    forged["conversation"]["id"] = OLA_CHAT
    try:
        assert world.post(forged).is_success
    finally:
        onedrive.stop()
    assert onedrive.uploads == []
    assert world.connector.sent_to(OLA_CHAT)[-1].text == messages.NOT_AN_ADMIN


def test_a_declined_board_report_sends_nothing(world: TeamsWorld) -> None:
    onedrive = FakeOneDrive()
    try:
        assert world.post(consent(world, onedrive.upload_url, action="decline")).is_success
    finally:
        onedrive.stop()
    assert onedrive.uploads == []
    assert world.connector.sent_to(ANA_CHAT)[-1].text == messages.TEAMS_BOARD_DECLINED


def test_the_statistics_card_shows_staff_groups_and_pay_bands_with_small_ones_hidden(
    world: TeamsWorld, clock: FakeClock
) -> None:
    workspace = builders.workspace(world.services, "tenant-nhs", "teams")
    build_seniority_ward(world.services, workspace.id, prefix="aad-")
    clock.advance(timedelta(minutes=1))

    assert world.send("message_mention_nominate", **personal("stats", ANA, ANA_CHAT)).is_success
    (reply,) = world.connector.sent_to(ANA_CHAT)
    (card,) = reply.cards
    assert_valid_card(card)
    said = texts(card)
    # Seats and departments, then the seniority view: staff group, then pay band.
    headings = [messages.STATS_BY_TITLE, messages.STATS_BY_DEPARTMENT]
    headings += [messages.STATS_BY_STAFF_GROUP, messages.STATS_BY_PAY_BAND]
    assert [said.index(heading) for heading in headings] == sorted(
        said.index(heading) for heading in headings
    )
    staff = said.index(messages.STATS_BY_STAFF_GROUP)
    assert said[staff + 1 : staff + 4] == [
        f"• {hidden_line(QUIET_GROUP)}",
        f"• {LARGE_GROUP_LINE}",
        f"• {hidden_line(SMALL_GROUP)}",
    ]
    band = said.index(messages.STATS_BY_PAY_BAND)
    assert said[band + 1 : band + 4] == [
        f"• {hidden_line(QUIET_BAND)}",
        f"• {LARGE_BAND_LINE}",
        f"• {hidden_line(NO_BAND)}",
    ]

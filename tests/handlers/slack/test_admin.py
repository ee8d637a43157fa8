"""Wiring: /recognition stats|export|help and the App Home admin panel, through signed
requests and the fake Web API."""

from __future__ import annotations

import csv
import io
import logging
import re
import threading
from datetime import timedelta

import pytest

from bot import messages
from bot.errors import StorageUnavailableError
from bot.reporting.admin_reports import ExportFile, build_export
from handlers.slack import admin
from tests.handlers.slack.conftest import SlackWorld
from tests.support import builders
from tests.support.block_kit import assert_valid_message, assert_valid_view, section_texts
from tests.support.clock import FakeClock
from tests.support.datasets import build_dataset
from tests.support.seniority import (
    LARGE_BAND_LINE,
    LARGE_GROUP_LINE,
    NO_BAND,
    QUIET_GROUP,
    SMALL_GROUP,
    build_seniority_ward,
    hidden_line,
)
from tests.support.slack_requests import load_payload

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
QUIET_LINE = f"{QUIET_GROUP}: 0 of 8 people recognised (0%); 0 nominations"


@pytest.fixture
def world(slack_world: SlackWorld, clock: FakeClock) -> SlackWorld:
    """The hand-built dataset in the Slack workspace, with an owner and a plain member."""
    build_dataset(slack_world.services, clock)
    slack_world.slack.add_user("UBOSS", "Boss", is_owner=True)
    slack_world.slack.add_user("UPLAIN", "Plain")
    return slack_world


def ephemeral(world: SlackWorld) -> dict:
    (reply,) = world.slack.wait_for("response_url")
    assert reply.args["response_type"] == "ephemeral"
    return reply.args


def test_admin_export_uploads_the_csv_to_their_dm(world: SlackWorld) -> None:
    assert (
        world.sender.command("export csv 30d", user_id="UBOSS", command="/recognition").status_code
        == 200
    )
    reply = ephemeral(world)
    assert reply["text"] == messages.EXPORT_SENT.format(
        format="CSV",
        report="nominations",
        period="the last 30 days",
        name="everyseat-nominations.csv",
    )
    (complete,) = world.slack.calls_to("files.completeUploadExternal")
    assert complete.args["channel_id"] == "DBOSS"
    (uploaded,) = world.slack.uploads.values()
    rows = list(csv.DictReader(io.StringIO(uploaded.decode("utf-8"), newline="")))
    assert len(rows) == 8
    assert [row["nominee_id"] for row in rows[:2]] == ["UNIA", "UNIA"]
    assert rows[-1]["story"] == messages.PRIVATE_STORY_WITHHELD


def test_non_admin_is_refused_and_nothing_is_uploaded(
    world: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.people.admins"):
        world.sender.command("export csv", user_id="UPLAIN", command="/recognition")
        assert ephemeral(world)["text"] == messages.NOT_AN_ADMIN
    assert world.slack.calls_to("files.getUploadURLExternal") == []
    assert world.slack.uploads == {}
    assert "Refused admin action 'export' to UPLAIN" in caplog.text


def test_admin_stats_shows_coverage_and_spread_and_sends_the_chart(world: SlackWorld) -> None:
    world.sender.command("stats", user_id="UBOSS", command="/recognition")
    reply = ephemeral(world)
    assert_valid_message(reply)
    shown = section_texts(reply["blocks"])
    # The owner's own profile is now known too: 4 of 11 active members, shown as fewer than
    # 5 at the default EVERYSEAT_MIN_CELL; every breakdown of this small world is hidden.
    assert "Coverage: &lt;5 of 11 active members were recognised at least once." in shown
    assert "Spread: Gini 0.31 (0 = evenly spread" in shown
    assert "Seats never recognised: Cleaner (&lt;5 people), Pharmacist (&lt;5 people)." in shown
    assert "• Porter: figures hidden (fewer than 5 people or recognitions)" in shown
    assert "Porter: 4 nominations" not in shown
    assert messages.STATS_CHART_SENT in shown
    (png,) = world.slack.uploads.values()
    assert png.startswith(PNG_SIGNATURE)
    # Screen readers get the chart's alt text; the comment says it in words too.
    (start,) = world.slack.calls_to("files.getUploadURLExternal")
    assert start.args["alt_txt"].startswith(
        "Bar chart of nominations per week over the last 30 days: 5 weeks, 5 nominations in all."
    )
    (complete,) = world.slack.calls_to("files.completeUploadExternal")
    assert start.args["alt_txt"] in complete.args["initial_comment"]


def test_configured_admin_needs_no_platform_rights(
    fake_slack, make_settings, clock: FakeClock
) -> None:
    from bot.app.composition import build_services
    from bot.app.server import create_app
    from db.migrate import upgrade_database
    from tests.handlers.slack.conftest import SIGNING_SECRET
    from tests.support.server import running_server
    from tests.support.slack_requests import SlackSender

    fake_slack.add_user("UHR", "People team")
    settings = make_settings(
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake_slack.api_url,
        EVERYSEAT_ADMINS="UHR",
    )
    services = build_services(settings, clock=clock)
    upgrade_database(services.engine)
    try:
        ws = builders.workspace(services)
        ana = builders.member(services, ws.id, "UANA", "Ana")
        nia = builders.member(services, ws.id, "UNIA", "Nia")
        builders.nomination(services, ana, [nia])
        clock.advance(timedelta(minutes=1))
        with running_server(create_app(services)) as base_url:
            sender = SlackSender(base_url, SIGNING_SECRET, fake_slack.response_url)
            sender.command("export", user_id="UHR", command="/recognition")
            fake_slack.wait_for("response_url")
    finally:
        services.close()
    (uploaded,) = fake_slack.uploads.values()
    assert uploaded.decode().count("\n") == 2  # header and the one nomination
    assert fake_slack.calls_to("users.info") == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("stats last-month", messages.BAD_PERIOD.format(value="last-month")),
        ("export pdf", messages.EXPORT_BAD_FORMAT.format(value="pdf")),
        (
            "stats 2026-11-10..2026-11-01",
            messages.PERIOD_BACKWARDS.format(since="2026-11-10", until="2026-11-01"),
        ),
    ],
)
def test_bad_arguments_say_what_to_fix(world: SlackWorld, text: str, message: str) -> None:
    world.sender.command(text, user_id="UBOSS", command="/recognition")
    assert ephemeral(world)["text"] == message
    assert world.slack.uploads == {}


def test_help_shows_the_admin_part_only_to_admins(world: SlackWorld) -> None:
    world.sender.command("help", user_id="UPLAIN", command="/recognition")
    assert ephemeral(world)["text"] == messages.RECOGNITION_HELP
    world.slack.clear()
    world.sender.command("", user_id="UBOSS", command="/recognition")
    assert messages.RECOGNITION_HELP_ADMIN in ephemeral(world)["text"]


# --- App Home admin panel ---------------------------------------------------------------


def open_home(world: SlackWorld, user_id: str) -> dict:
    event = load_payload("app_home_opened.json")
    event["event"]["user"] = user_id
    world.sender.event(event)
    (published,) = world.slack.wait_for("views.publish")
    assert published.args["user_id"] == user_id
    view = published.args["view"]
    assert_valid_view(view)
    return view


def action_ids(view: dict) -> list[str]:
    return [
        element["action_id"]
        for block in view["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]


def home_export_click(user_id: str, fmt: str) -> dict:
    click = load_payload("block_action_home_export.json")
    click["user"] = {**click["user"], "id": user_id}
    click["actions"][0]["action_id"] = f"admin_home_export_{fmt}"
    return click


def test_admin_home_shows_the_statistics_panel_with_export_buttons(world: SlackWorld) -> None:
    view = open_home(world, "UBOSS")
    shown = section_texts(view["blocks"])
    assert messages.HOME_ADMIN_HEADER in shown
    assert "6 nominations" not in shown  # one nomination is older than 30 days
    # Small cells hidden at the default EVERYSEAT_MIN_CELL of 5 (escaped once for mrkdwn).
    assert "5 nominations from 5 people recognised &lt;5 people; &lt;5 “I saw this too”." in shown
    assert "Coverage: &lt;5 of 11 active members were recognised at least once." in shown
    assert "Spread: Gini 0.31 (0 = evenly spread" in shown
    assert "Seats never recognised: Cleaner (&lt;5 people), Pharmacist (&lt;5 people)." in shown
    assert action_ids(view)[-2:] == ["admin_home_export_csv", "admin_home_export_xlsx"]
    # The person's own lists are still there, above the panel.
    assert messages.HOME_RECEIVED in shown and messages.HOME_GIVEN in shown


def test_admin_home_export_uploads_the_csv_to_their_dm(world: SlackWorld) -> None:
    assert world.sender.interaction(home_export_click("UBOSS", "csv")).status_code == 200
    (complete,) = world.slack.wait_for("files.completeUploadExternal")
    assert complete.args["channel_id"] == "DBOSS"
    assert complete.args["initial_comment"] == messages.EXPORT_FILE_COMMENT.format(
        report="nominations", period="the last 30 days"
    )
    (uploaded,) = world.slack.uploads.values()
    rows = list(csv.DictReader(io.StringIO(uploaded.decode("utf-8"), newline="")))
    assert len(rows) == 8
    assert [row["nominee_id"] for row in rows[:2]] == ["UNIA", "UNIA"]
    assert rows[-1]["story"] == messages.PRIVATE_STORY_WITHHELD
    assert world.slack.calls_to("chat.postMessage") == []  # the file is the answer


def test_admin_home_export_xlsx_has_the_three_sheets(world: SlackWorld) -> None:
    import openpyxl

    world.sender.interaction(home_export_click("UBOSS", "xlsx"))
    (complete,) = world.slack.wait_for("files.completeUploadExternal")
    assert complete.args["files"][0]["title"] == "everyseat-report.xlsx"
    (uploaded,) = world.slack.uploads.values()
    workbook = openpyxl.load_workbook(io.BytesIO(uploaded), read_only=True)
    assert workbook.sheetnames == ["overview", "nominations", "people", "summary"]


def test_non_admin_home_has_no_panel(world: SlackWorld) -> None:
    view = open_home(world, "UPLAIN")
    shown = section_texts(view["blocks"])
    assert messages.HOME_ADMIN_HEADER not in shown
    assert "Coverage" not in shown
    assert action_ids(view) == ["open_nomination_form"]


def test_forged_home_export_by_a_non_admin_is_refused_and_logged(
    world: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.people.admins"):
        world.sender.interaction(home_export_click("UPLAIN", "csv"))
        (refusal,) = world.slack.wait_for("chat.postMessage")
    assert refusal.args["channel"] == "UPLAIN"
    assert refusal.args["text"] == messages.NOT_AN_ADMIN
    assert world.slack.calls_to("files.getUploadURLExternal") == []
    assert world.slack.uploads == {}
    assert "Refused admin action 'export' to UPLAIN" in caplog.text


def test_failed_home_export_upload_is_explained_in_a_dm(world: SlackWorld) -> None:
    world.slack.fail_next(
        "files.getUploadURLExternal", status=200, body={"ok": False, "error": "not_allowed"}
    )
    world.sender.interaction(home_export_click("UBOSS", "csv"))
    (message,) = world.slack.wait_for("chat.postMessage")
    assert message.args["channel"] == "UBOSS"
    assert message.args["text"] == messages.EXPORT_FAILED.format(reason="not_allowed")


# --- acknowledging within Slack's 3 seconds ---------------------------------------------


def test_export_is_acknowledged_before_the_file_is_built(
    world: SlackWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command is answered while the export is still being built, and the server keeps
    answering meanwhile: the build runs in a worker thread, not on the event loop."""
    started, release = threading.Event(), threading.Event()
    build = build_export

    def held_build(*args: object) -> ExportFile:
        started.set()
        assert release.wait(10), "the test never released the export"
        return build(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(admin, "build_export", held_build)
    try:
        response = world.sender.command("export csv", user_id="UBOSS", command="/recognition")
        assert response.status_code == 200  # acknowledged with the file not yet written
        assert started.wait(10)
        assert world.sender.http.get(f"{world.base_url}/healthz").status_code == 200
        world.sender.command("help", user_id="UPLAIN", command="/recognition")
        (help_reply,) = world.slack.wait_for("response_url")
        assert help_reply.args["text"] == messages.RECOGNITION_HELP
        assert world.slack.uploads == {}
    finally:
        release.set()
    world.slack.wait_for("response_url", count=2)
    (uploaded,) = world.slack.uploads.values()
    assert len(list(csv.DictReader(io.StringIO(uploaded.decode("utf-8"), newline="")))) == 8


# --- a database outage ------------------------------------------------------------------


def database_down(*args: object) -> ExportFile:
    raise StorageUnavailableError(messages.STORAGE_UNAVAILABLE)


def test_export_during_a_database_outage_asks_to_try_again(
    world: SlackWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(admin, "build_export", database_down)
    world.sender.command("export csv", user_id="UBOSS", command="/recognition")
    assert ephemeral(world)["text"] == messages.STORAGE_UNAVAILABLE
    assert world.slack.uploads == {}


def test_home_export_during_a_database_outage_asks_to_try_again_in_a_dm(
    world: SlackWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(admin, "build_export", database_down)
    world.sender.interaction(home_export_click("UBOSS", "xlsx"))
    (message,) = world.slack.wait_for("chat.postMessage")
    assert message.args["channel"] == "UBOSS"
    assert message.args["text"] == messages.STORAGE_UNAVAILABLE
    assert world.slack.uploads == {}


def test_admin_report_sends_the_board_report_as_an_html_file_to_their_dm(
    world: SlackWorld,
) -> None:
    world.sender.command("report 30d", user_id="UBOSS", command="/recognition")
    reply = ephemeral(world)
    assert reply["text"] == (
        "Your board report (the last 30 days) is in your direct messages with Everyseat: "
        "everyseat-board-report-2026-11-18.html."
    )
    (start,) = world.slack.calls_to("files.getUploadURLExternal")
    assert start.args["filename"] == "everyseat-board-report-2026-11-18.html"
    (complete,) = world.slack.calls_to("files.completeUploadExternal")
    assert complete.args["channel_id"] == "DBOSS"
    assert complete.args["initial_comment"].startswith("Everyseat board report, the last 30 days")
    (page,) = world.slack.uploads.values()
    html = page.decode("utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert html.count('<img src="data:image/png;base64,') == 3  # Lorenz hidden: <5 recognised
    # Small cells hidden at the default EVERYSEAT_MIN_CELL of 5: Pharmacist is one person.
    assert re.search(r'<th scope="row">Pharmacist</th>\s*<td class="hidden">&lt;5</td>', html)


def test_report_is_for_admins_only(world: SlackWorld) -> None:
    world.sender.command("report", user_id="UPLAIN", command="/recognition")
    assert ephemeral(world)["text"] == messages.NOT_AN_ADMIN
    assert world.slack.uploads == {}


def test_report_with_a_bad_period_says_what_to_type(world: SlackWorld) -> None:
    world.sender.command("report next-year", user_id="UBOSS", command="/recognition")
    assert ephemeral(world)["text"] == messages.BAD_PERIOD.format(value="next-year")
    assert world.slack.uploads == {}


# --- the seniority view -----------------------------------------------------------------


@pytest.fixture
def ward_world(slack_world: SlackWorld, clock: FakeClock) -> SlackWorld:
    """A ward whose staff groups and pay bands are known, with an owner to ask."""
    workspace = builders.workspace(slack_world.services)
    build_seniority_ward(slack_world.services, workspace.id)
    clock.advance(timedelta(minutes=1))
    slack_world.slack.add_user("UBOSS", "Boss", is_owner=True)
    return slack_world


def test_stats_shows_staff_groups_and_pay_bands_with_small_ones_hidden(
    ward_world: SlackWorld,
) -> None:
    ward_world.sender.command("stats", user_id="UBOSS", command="/recognition")
    reply = ephemeral(ward_world)
    assert_valid_message(reply)
    shown = section_texts(reply["blocks"])
    assert f"*{messages.STATS_BY_TITLE}*" in shown
    assert f"*{messages.STATS_BY_DEPARTMENT}*" in shown
    # The owner, known from their profile, has no staff group: a second small group, so no
    # complementary hiding is needed and the clerks' zero shows.
    assert (
        f"*{messages.STATS_BY_STAFF_GROUP}*\n• {QUIET_LINE}\n• {LARGE_GROUP_LINE}\n"
        f"• {hidden_line(SMALL_GROUP)}\n• {hidden_line(messages.NO_STAFF_GROUP)}\n"
    ) in shown
    assert f"*{messages.STATS_BY_PAY_BAND}*" in shown and f"• {LARGE_BAND_LINE}" in shown
    assert "1 of 2 people" not in shown  # the two students


def test_admin_home_shows_the_seniority_view_with_small_groups_hidden(
    ward_world: SlackWorld,
) -> None:
    view = open_home(ward_world, "UBOSS")
    headers = [block.get("text", {}).get("text") for block in view["blocks"]]
    shown = section_texts(view["blocks"][headers.index(messages.HOME_ADMIN_HEADER) :])
    assert f"*{messages.STATS_BY_STAFF_GROUP}*" in shown and f"• {LARGE_GROUP_LINE}" in shown
    assert f"*{messages.STATS_BY_PAY_BAND}*" in shown and f"• {LARGE_BAND_LINE}" in shown
    assert f"• {hidden_line(SMALL_GROUP)}" in shown and f"• {hidden_line(NO_BAND)}" in shown
    assert "1 of 2 people" not in shown
    assert action_ids(view)[-2:] == ["admin_home_export_csv", "admin_home_export_xlsx"]


def test_admin_home_without_staff_groups_has_no_seniority_view(world: SlackWorld) -> None:
    shown = section_texts(open_home(world, "UBOSS")["blocks"])
    assert messages.HOME_ADMIN_HEADER in shown
    assert messages.STATS_BY_STAFF_GROUP not in shown and messages.STATS_BY_PAY_BAND not in shown

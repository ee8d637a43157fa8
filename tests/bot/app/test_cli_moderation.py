"""An admin hides a nomination that is in this week's digest preview: the preview, the
statistics and every export (CSV, JSON reports, XLSX) no longer contain it and its Slack
post shows the neutral line; restoring brings all of it back. Driven through `everyseat
nomination hide|restore`, `digest --preview` and `export`, with the nominations posted
through the fake Slack Web API."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from bot import messages
from bot.app.cli import main
from bot.app.composition import build_services
from bot.audit import audit_entries
from bot.nominations.use_cases import NominationSubmission, record_nomination
from bot.people.resolution import PersonRef
from bot.reporting.periods import ReportingPeriod
from bot.reporting.stats import recognition_stats
from bot.services import Services
from bot.settings import load_settings
from db.migrate import upgrade_database
from db.models import Nomination
from handlers.slack.client import build_async_client
from handlers.slack.people import SlackProfiles
from handlers.slack.recognition import SlackRecognitionSender
from tests.fakes.slack_web_api import TEAM_ID, FakeSlack
from tests.support.clock import FakeClock

# Saturday 21 November 2026: the digest due next covers the week of Monday 16 November.
SATURDAY = datetime(2026, 11, 21, 14, 0, tzinfo=UTC)
PERIOD = ["--since", "2026-11-16", "--until", "2026-11-22"]
TO_HIDE = "Read a patient's NHS number aloud at the huddle so the whole bay could hear it."
STORIES = [
    "Kept the ward calm through a fire alarm at the night handover.",
    "Rebuilt the porter rota so theatre never waited for a trolley.",
]


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def services(
    monkeypatch: pytest.MonkeyPatch, database_url: str, fake_slack: FakeSlack, clock: FakeClock
) -> Iterator[Services]:
    for name, value in {
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": "test-signing-secret",
        "SLACK_API_URL": fake_slack.api_url,
        "EVERYSEAT_DIGEST_CHANNEL": "C0DIGEST",
        "EVERYSEAT_RECOGNITION_CHANNEL": "CWARD",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(Path(__file__).parent)  # no stray .env is read
    for user_id, name, title in [
        ("UANA", "Ana", "Ward sister"),
        ("UNIA", "Nia", "Porter"),
        ("USAM", "Sam", "Receptionist"),
        ("UOLA", "Ola", "Pharmacist"),
    ]:
        fake_slack.add_user(user_id, name, title=title)
    built = build_services(load_settings(env_file=None), clock=clock)
    upgrade_database(built.engine)
    try:
        yield built
    finally:
        built.close()


def nominate(services: Services, nominee: str, story: str) -> int:
    """Ana recognises `nominee`, posted in #ward and DMed, as Slack would."""
    client = build_async_client(services.settings)
    submission = NominationSubmission(
        platform="slack",
        workspace_external_id=TEAM_ID,
        nominator=PersonRef("UANA", "UANA"),
        nominees=(PersonRef(nominee, nominee),),
        behaviour_slugs=("speaking-up",),
        story=story,
    )
    sender = SlackRecognitionSender(client, services.settings)
    result = asyncio.run(record_nomination(services, submission, SlackProfiles(client), sender))
    return result.nomination_id


def everything(
    services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str], clock: FakeClock
) -> dict[str, str]:
    """What an admin can see: the digest preview, the statistics and every export."""
    capsys.readouterr()
    assert main(["digest", "--preview"], clock=clock) == 0
    seen = {"preview": capsys.readouterr().out}
    for report in ("nominations", "people", "summary"):
        out = tmp_path / f"{report}.csv"
        assert (
            main(
                ["export", "--format", "csv", "--report", report, "--out", str(out), *PERIOD],
                clock=clock,
            )
            == 0
        )
        seen[f"csv-{report}"] = out.read_text(encoding="utf-8")
        assert main(["export", "--format", "json", "--report", report, *PERIOD], clock=clock) == 0
        seen[f"json-{report}"] = capsys.readouterr().out
    xlsx = tmp_path / "all.xlsx"
    assert main(["export", "--format", "xlsx", "--out", str(xlsx), *PERIOD], clock=clock) == 0
    book = openpyxl.load_workbook(xlsx)
    seen["xlsx"] = json.dumps(
        [[list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book], default=str
    )
    with services.sessions() as session:
        workspace_id = session.scalar(select(Nomination.workspace_id).limit(1))
        assert workspace_id is not None
        period = ReportingPeriod(
            datetime(2026, 11, 16, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=UTC), "this week"
        )
        stats = recognition_stats(session, workspace_id, period, services.catalogue)
    seen["stats"] = f"{stats.nominations} nominations, {stats.distinct_nominees} recognised"
    capsys.readouterr()
    return seen


def test_hiding_a_nomination_in_this_weeks_preview_removes_it_everywhere_until_restored(
    services: Services,
    fake_slack: FakeSlack,
    clock: FakeClock,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    clock.set(SATURDAY)
    nominate(services, "UNIA", STORIES[0])
    nominate(services, "USAM", STORIES[1])
    hidden_id = nominate(services, "UOLA", TO_HIDE)
    with services.sessions() as session:
        post_ts = session.scalar(
            select(Nomination.posted_message_id).where(Nomination.id == hidden_id)
        )

    before = everything(services, tmp_path, capsys, clock)
    assert TO_HIDE in before["preview"] and "Ola" in before["preview"]
    for name in ("csv-nominations", "json-nominations", "xlsx"):
        assert TO_HIDE in before[name], name
    assert "UOLA" in before["csv-people"] and "UOLA" in before["json-people"]
    assert before["stats"] == "3 nominations, 3 recognised"

    assert (
        main(["nomination", "hide", str(hidden_id), "--reason", "Patient identifier"], clock=clock)
        == 0
    )
    assert capsys.readouterr().out.strip().splitlines()[-1] == messages.HIDDEN_DONE.format(
        nomination_id=hidden_id, notice=messages.HIDDEN_NOTICE
    )
    replaced = {c.args["channel"]: c.args for c in fake_slack.calls_to("chat.update")}
    assert replaced["CWARD"]["ts"] == post_ts
    assert replaced["CWARD"]["text"] == messages.HIDDEN_NOTICE and "DOLA" in replaced

    hidden = everything(services, tmp_path, capsys, clock)
    for name, text in hidden.items():
        assert TO_HIDE not in text, name
    assert "Ola" not in hidden["preview"]
    assert STORIES[0] in hidden["preview"] and STORIES[1] in hidden["csv-nominations"]
    assert hidden["stats"] == "2 nominations, 2 recognised"
    assert hidden["json-summary"] != before["json-summary"]
    assert hidden["csv-people"] != before["csv-people"]

    assert (
        main(["nomination", "restore", str(hidden_id), "--reason", "Wrong number"], clock=clock)
        == 0
    )
    restored_post = [
        c.args for c in fake_slack.calls_to("chat.update") if c.args["channel"] == "CWARD"
    ][-1]
    assert TO_HIDE in json.dumps(restored_post["blocks"], ensure_ascii=False)
    after = everything(services, tmp_path, capsys, clock)
    assert after == before
    with services.sessions() as session:
        trail = [
            (e.action, e.actor, e.platform, e.subject)
            for e in audit_entries(session)
            if e.action.startswith("nomination.")  # the exports above are audited too
        ]
    assert trail[:2] == [
        ("nomination.restored", "cli", "cli", f"nomination:{hidden_id}"),
        ("nomination.hidden", "cli", "cli", f"nomination:{hidden_id}"),
    ]

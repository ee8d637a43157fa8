"""Issue 11, done when: a trust with both platforms and an HR import counts a person
nominated in Slack and in Teams once (two nominations, one person recognised)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app.cli import main
from bot.nominations.use_cases import NominationSubmission, record_nomination
from bot.people.directory import MemberProfile, get_or_create_workspace, save_profiles
from bot.people.resolution import NoLookup, PersonRef
from bot.services import Services
from tests.bot.directory.test_hr_import import STAFF, write_csv
from tests.support.clock import FakeClock

STORY = "Stayed after her shift to walk a lost relative to the ward."


@pytest.fixture(autouse=True)
def _cli_environment(
    services: Services, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[None]:
    monkeypatch.setenv("DATABASE_URL", services.settings.DATABASE_URL)
    monkeypatch.chdir(tmp_path)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def nominate(services: Services, platform: str, workspace: str, by: str, to: str) -> None:
    submission = NominationSubmission(
        platform=platform,
        workspace_external_id=workspace,
        nominator=PersonRef(ref=by, platform_user_id=by),
        nominees=[PersonRef(ref=to, platform_user_id=to)],
        behaviour_slugs=["speaking-up"],
        story=STORY,
    )
    asyncio.run(record_nomination(services, submission, NoLookup()))


def summary(
    capsys: pytest.CaptureFixture[str], clock: FakeClock, *workspace: str
) -> dict[str, object]:
    arguments = ["export", "--report", "summary", "--format", "json", *workspace]
    assert main(arguments, clock=clock) == 0
    rows = json.loads(capsys.readouterr().out)
    return {f"{row['section']}.{row['measure']}": row["value"] for row in rows if not row["item"]}


def test_one_person_nominated_in_slack_and_in_teams_is_counted_once(
    services: Services, clock: FakeClock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with services.unit_of_work() as session:
        slack = get_or_create_workspace(session, "slack", "T1", clock())
        teams = get_or_create_workspace(session, "teams", "tenant-1", clock())
        save_profiles(
            session,
            slack.id,
            [
                MemberProfile("U_ANA", "Ana", email="ana@trust.nhs.uk"),
                MemberProfile("U_BEN", "Ben", email="ben@trust.nhs.uk"),
            ],
            clock(),
        )
        save_profiles(
            session,
            teams.id,
            [
                MemberProfile("29:ana", "Ana Silva", email="ANA@trust.nhs.uk"),
                MemberProfile("29:cat", "Cat", email="cat@trust.nhs.uk"),
            ],
            clock(),
        )
        session.commit()
    staff = write_csv(tmp_path / "staff.csv", STAFF)
    assert main(["directory", "import", str(staff)], clock=clock) == 0
    nominate(services, "slack", "T1", "U_BEN", "U_ANA")
    nominate(services, "teams", "tenant-1", "29:cat", "29:ana")
    clock.advance(timedelta(days=1))  # the default period runs up to the start of today
    capsys.readouterr()

    trust = summary(capsys, clock)
    assert trust["totals.nominations"] == 2
    assert trust["totals.distinct_nominees"] == 1
    assert trust["totals.distinct_nominators"] == 2
    assert trust["coverage.recognised_active_members"] == 1
    assert trust["coverage.active_members"] == 3  # Ana, Ben and Cat: four accounts

    slack_only = summary(capsys, clock, "--workspace", "T1")
    assert (slack_only["totals.nominations"], slack_only["coverage.active_members"]) == (1, 2)

    assert main(["export", "--report", "people", "--format", "json"], clock=clock) == 0
    people = json.loads(capsys.readouterr().out)
    assert [(row["name"], row["title"], row["received"]) for row in people] == [
        ("Ana", "Porter", 2),
        ("Ben", "Staff Nurse", 0),
        ("Cat", "Receptionist", 0),
    ]

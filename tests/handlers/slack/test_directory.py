"""`everyseat directory sync --slack` and one person across Slack and Teams."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app.cli import main
from bot.people.directory import MemberProfile, get_or_create_workspace, save_profiles
from bot.services import Services
from db.models import Member
from tests.fakes.slack_web_api import TEAM_ID, FakeSlack
from tests.support.clock import FakeClock


@pytest.fixture
def slack_env(
    services: Services, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[None]:
    for name, value in {
        "DATABASE_URL": services.settings.DATABASE_URL,
        "SLACK_BOT_TOKEN": "xoxb-directory-test",
        "SLACK_SIGNING_SECRET": "signing-secret",
        "SLACK_API_URL": fake_slack.api_url,
        "EVERYSEAT_SLACK_DEPARTMENT_FIELD": "department",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def workspace_of(fake_slack: FakeSlack) -> None:
    fake_slack.profile_fields = [
        {"id": "Xf01", "label": "Pronouns"},
        {"id": "Xf02", "label": "Department"},
    ]
    for number in range(450):
        fake_slack.add_user(
            f"U{number:05d}",
            f"Person {number}",
            title=["Porter", "Staff Nurse", "Receptionist"][number % 3],
            email=f"person{number}@trust.nhs.uk",
            custom_fields={"Xf02": ["Facilities", "Ward 7", "Outpatients"][number % 3]},
        )
    fake_slack.add_user("UBOT", "Rota bot", is_bot=True)
    fake_slack.add_user("UOTHER", "Shared channel guest", team_id="T0OTHER")


def test_a_full_slack_sync_pages_through_users_and_reads_the_department_field(
    services: Services, clock: FakeClock, fake_slack: FakeSlack, slack_env, capsys
) -> None:
    workspace_of(fake_slack)
    fake_slack.fail_next("users.list", status=429, headers={"Retry-After": "0"})

    assert main(["directory", "sync", "--slack"], clock=clock) == 0

    assert "Slack directory synced: 451 accounts, 451 new" in capsys.readouterr().out
    # 453 users at 200 a page is 3 pages, plus the rate-limited first try.
    assert len(fake_slack.calls_to("users.list")) == 4
    assert len(fake_slack.calls_to("users.profile.get")) == 450  # people only
    with services.unit_of_work() as session:
        members = {m.platform_user_id: m for m in session.scalars(select(Member))}
    assert "UOTHER" not in members  # another workspace's member
    nurse = members["U00001"]
    assert (nurse.title, nurse.department, nurse.email) == (
        "Staff Nurse",
        "Ward 7",
        "person1@trust.nhs.uk",
    )
    assert members["UBOT"].is_bot


def test_an_unknown_department_field_is_named_and_nothing_changes(
    services: Services, clock: FakeClock, fake_slack: FakeSlack, slack_env, capsys
) -> None:
    workspace_of(fake_slack)
    fake_slack.profile_fields = [{"id": "Xf01", "label": "Pronouns"}]
    assert main(["directory", "sync", "--slack"], clock=clock) == 1
    assert "No custom profile field is labelled 'department'" in capsys.readouterr().err
    with services.unit_of_work() as session:
        assert list(session.scalars(select(Member))) == []


def test_one_person_in_slack_and_teams_is_one_person(
    services: Services, clock: FakeClock, fake_slack: FakeSlack, slack_env, capsys
) -> None:
    fake_slack.profile_fields = [{"id": "Xf02", "label": "Department"}]
    fake_slack.add_user("U_ANA", "Ana", title="Porter", email="Ana.Silva@trust.nhs.uk")
    assert main(["directory", "sync", "--slack"], clock=clock) == 0
    with services.unit_of_work() as session:
        teams = get_or_create_workspace(session, "teams", "tenant-1", clock())
        save_profiles(
            session,
            teams.id,
            [MemberProfile("aad-ana", "Ana Silva", email="ana.silva@trust.nhs.uk")],
            clock(),
        )
        accounts = list(session.scalars(select(Member).order_by(Member.id)))
        assert len({account.person_id for account in accounts}) == 1
    capsys.readouterr()

    assert main(["member", "show", "ANA.SILVA@trust.nhs.uk"], clock=clock) == 0
    shown = capsys.readouterr().out
    assert "Person: ana.silva@trust.nhs.uk" in shown
    assert f"slack account U_ANA (Ana) in {TEAM_ID}" in shown
    assert "teams account aad-ana (Ana Silva) in tenant-1" in shown
    assert main(["member", "show", "aad-ana"], clock=clock) == 0
    assert "slack account U_ANA" in capsys.readouterr().out
    assert main(["member", "show", "nobody@trust.nhs.uk"], clock=clock) == 1
    assert "No account is stored under nobody@trust.nhs.uk" in capsys.readouterr().err

"""`everyseat directory sync --teams`: a Teams tenant's seats from Microsoft Graph, read
through the real msal and aiohttp clients from a fake identity platform and Graph on
loopback HTTPS."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.app.cli import main
from bot.services import Services
from db.models import DirectoryRecord, Member
from tests.fakes.graph import FakeGraph
from tests.support.clock import FakeClock

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
CLIENT_ID = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
SECRET = "graph-secret-value"
STAFF_GROUPS = [
    "Add Prof Scientific and Technic",
    "Additional Clinical Services",
    "Administrative and Clerical",
    "Allied Health Professionals",
    "Estates and Ancillary",
    "Healthcare Scientists",
    "Medical and Dental",
    "Nursing and Midwifery Registered",
    "Students",
]
TITLES = [f"Job title {number}" for number in range(20)]
DEPARTMENTS = [f"Department {number}" for number in range(8)]


@pytest.fixture
def graph(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGraph]:
    fake = FakeGraph(tenant_id=TENANT, client_id=CLIENT_ID, client_secret=SECRET).start()
    fake.trust_in(monkeypatch, tmp_path)
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def teams_env(
    services: Services, graph: FakeGraph, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[None]:
    for name, value in {
        "DATABASE_URL": services.settings.DATABASE_URL,
        "TEAMS_CLIENT_ID": CLIENT_ID,
        "TEAMS_CLIENT_SECRET": SECRET,
        "TEAMS_TENANT_ID": TENANT,
        "GRAPH_API_URL": graph.base_url,
        "GRAPH_AUTHORITY_URL": graph.base_url,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def trust_of_300(graph: FakeGraph) -> None:
    for number in range(300):
        graph.add_user(
            f"aad-{number:04d}",
            f"Person {number}",
            mail=f"person{number}@trust.nhs.uk",
            userPrincipalName=f"person{number}@trust.nhs.uk",
            jobTitle=TITLES[number % 20],
            department=DEPARTMENTS[number % 8],
            employeeType=STAFF_GROUPS[number % 9],
            officeLocation="General Hospital",
            accountEnabled=True,
        )
    graph.add_user("aad-guest", "Visiting Consultant", userType="Guest", mail="v@other.nhs.uk")


def test_a_teams_only_trust_gets_every_seat_from_graph(
    services: Services, clock: FakeClock, graph: FakeGraph, teams_env, capsys
) -> None:
    trust_of_300(graph)
    graph.page_size = 120  # three pages

    assert main(["directory", "sync", "--teams"], clock=clock) == 0

    assert "Teams directory synced: 300 accounts, 300 new; 0 no longer listed" in (
        capsys.readouterr().out
    )
    (token_call,) = graph.calls_to("token")
    assert token_call.form["grant_type"] == "client_credentials"
    assert token_call.form["scope"] == f"{graph.base_url}/.default"
    assert len(graph.calls_to("users")) == 3
    with services.unit_of_work() as session:
        members = list(session.scalars(select(Member)))
        assert len(members) == 300  # the guest is another organisation's
        assert len({member.title for member in members}) == 20
        assert len({member.department for member in members}) == 8
        assert len({member.staff_group for member in members}) == 9
        assert {member.site for member in members} == {"General Hospital"}
        assert all(member.person_id is not None for member in members)
        assert session.scalar(select(func.count()).select_from(DirectoryRecord)) == 300


def test_throttling_and_server_errors_are_retried_after_graphs_retry_after(
    services: Services, clock: FakeClock, graph: FakeGraph, teams_env, capsys
) -> None:
    trust_of_300(graph)
    graph.page_size = 999  # one page, as Graph gives it
    graph.fail_next(429, retry_after="0")
    graph.fail_next(503, retry_after="0")

    assert main(["directory", "sync", "--teams"], clock=clock) == 0
    assert len(graph.calls_to("users")) == 3  # two refusals, then the only page
    with services.unit_of_work() as session:
        assert session.scalar(select(func.count()).select_from(Member)) == 300


def test_a_failed_sync_keeps_the_last_good_data_and_says_what_failed(
    services: Services, clock: FakeClock, graph: FakeGraph, teams_env, capsys
) -> None:
    trust_of_300(graph)
    graph.page_size = 100
    assert main(["directory", "sync", "--teams"], clock=clock) == 0
    capsys.readouterr()

    graph.users[0]["jobTitle"] = "Changed on the way"
    graph.fail_next(503, times=10, retry_after="0")  # every attempt at a page fails
    assert main(["directory", "sync", "--teams"], clock=clock) == 1

    err = capsys.readouterr().err
    assert "The Microsoft Graph directory sync failed (HTTP 503" in err
    assert "the last good directory data is kept" in err
    with services.unit_of_work() as session:
        first = session.scalars(select(Member).where(Member.platform_user_id == "aad-0000")).one()
        assert first.title == "Job title 0"
        assert session.scalar(select(func.count()).select_from(Member)) == 300


def test_a_wrong_secret_is_reported_as_a_sign_in_refusal(
    services: Services, clock: FakeClock, graph: FakeGraph, teams_env, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("TEAMS_CLIENT_SECRET", "not-the-secret")
    assert main(["directory", "sync", "--teams"], clock=clock) == 1
    err = capsys.readouterr().err
    assert "sign-in refused: invalid_client" in err
    assert "not-the-secret" not in err
    assert graph.calls_to("users") == []


def test_leavers_drop_out_of_the_directory_and_their_seat_stops_counting(
    services: Services, clock: FakeClock, graph: FakeGraph, teams_env, capsys
) -> None:
    trust_of_300(graph)
    assert main(["directory", "sync", "--teams"], clock=clock) == 0
    del graph.users[5]  # person 5 left the organisation
    capsys.readouterr()
    assert main(["directory", "sync", "--teams"], clock=clock) == 0

    assert "300 accounts" not in (out := capsys.readouterr().out) and "1 no longer listed" in out
    with services.unit_of_work() as session:
        record = session.scalars(
            select(DirectoryRecord).where(DirectoryRecord.email == "person5@trust.nhs.uk")
        ).one()
        assert record.left_at == clock()
        member = session.scalars(select(Member).where(Member.platform_user_id == "aad-0005")).one()
        assert member.title is None and member.staff_group is None

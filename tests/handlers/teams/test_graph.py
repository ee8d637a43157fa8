"""`everyseat directory sync --teams`: a Teams tenant's seats from Microsoft Graph, read
through the real msal and aiohttp clients from a fake identity platform and Graph on
loopback HTTPS."""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest
from sqlalchemy import func, select

from bot import messages
from bot.app.cli import main
from bot.app.composition import build_services
from bot.app.server import create_app
from bot.people.directory import get_or_create_workspace
from bot.reporting.periods import ReportingPeriod
from bot.reporting.stats import recognition_stats
from bot.services import Services
from db.models import DirectoryRecord, Member, Nomination, Workspace
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.graph import FakeGraph
from tests.handlers.teams.conftest import WARD7, load_activity
from tests.support import builders
from tests.support.adaptive_cards import assert_valid_card, texts
from tests.support.clock import FakeClock
from tests.support.server import running_server

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


def test_the_synced_seats_show_in_the_statistics_with_no_demo_seeding(
    services: Services, clock: FakeClock, graph: FakeGraph, teams_env, capsys
) -> None:
    trust_of_300(graph)
    assert main(["directory", "sync", "--teams"], clock=clock) == 0
    with services.unit_of_work() as session:
        workspace = get_or_create_workspace(session, "teams", TENANT, clock())
        period = ReportingPeriod(clock() - timedelta(days=30), clock(), "the last 30 days")
        stats = recognition_stats(session, workspace.id, period, services.catalogue)
    assert stats.active_members == 300
    assert len(stats.by_title) == 20 and {g.members for g in stats.by_title} == {15}
    assert len(stats.by_department) == 8
    assert sorted(g.label for g in stats.by_staff_group) == sorted(STAFF_GROUPS)
    assert sum(g.members or 0 for g in stats.by_staff_group) == 300
    assert stats.by_pay_band == ()  # Graph has no pay band; only the HR import brings it


# --- done when: a Teams-only trust sees its seats everywhere --------------------------------

PAY_BANDS = [f"Band {band}" for band in range(2, 8)]
RECOGNISED = 100  # people 0–99, each recognised once by person 100–199


def pay_band_import(tmp_path: Path) -> list[str]:
    """An HR export with only email and pay band, and the mapping that reads it: the staff
    group still comes from Graph (HR first, field by field, docs/directory.md)."""
    staff = tmp_path / "pay_bands.csv"
    with staff.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["Email Address", "Pay Band"])
        for number in range(300):
            writer.writerow([f"person{number}@trust.nhs.uk", PAY_BANDS[number % 6]])
    mapping = tmp_path / "mapping.toml"
    mapping.write_text('[columns]\nemail = "Email Address"\npay_band = "Pay Band"\n')
    return ["directory", "import", str(staff), "--mapping", str(mapping)]


def in_the_trust(activity: dict[str, Any]) -> dict[str, Any]:
    activity["conversation"]["tenantId"] = TENANT
    activity["channelData"]["tenant"] = {"id": TENANT}
    return activity


def nominate_in_teams(base_url: str, connector: FakeBotConnector) -> None:
    """Person 100 recognises person 0 in the Ward 7 channel, through the Bot Connector."""
    connector.add_member(WARD7, "29:p100", "Person 100", "aad-0100")
    connector.add_member(WARD7, "29:p0", "Person 0", "aad-0000")
    activity = load_activity(
        "message_mention_nominate",
        connector.service_url,
        text="<at>Everyseat</at> nominate <at>Person 0</at> Covered shift 0 on the ward "
        "without being asked. #speaking-up",
        entities=[
            {
                "type": "mention",
                "mentioned": {"id": "28:everyseat-bot", "name": "Everyseat"},
                "text": "<at>Everyseat</at>",
            },
            {
                "type": "mention",
                "mentioned": {"id": "29:p0", "name": "Person 0"},
                "text": "<at>Person 0</at>",
            },
        ],
        **{"from": {"id": "29:p100", "name": "Person 100", "aadObjectId": "aad-0100"}},
    )
    response = httpx.post(f"{base_url}/api/messages", json=in_the_trust(activity), timeout=10)
    assert response.is_success


def recognise_the_rest_of_the_first_hundred(services: Services) -> None:
    """People 1–99, through the core use case, as the Teams handlers record them."""
    with services.unit_of_work() as session:
        members = {
            member.platform_user_id: member
            for member in session.scalars(
                select(Member).where(Member.platform_user_id.like("aad-%"))
            )
        }
    for number in range(1, RECOGNISED):
        builders.nomination(
            services,
            members[f"aad-{number + RECOGNISED:04d}"],
            [members[f"aad-{number:04d}"]],
            story=f"Covered shift {number} on the ward without being asked.",
        )


def staff_group_line(index: int) -> str:
    """What the card says of STAFF_GROUPS[index]: people numbered index mod 9."""
    members = len(range(index, 300, 9))
    recognised = len(range(index, RECOGNISED, 9))
    share = f"{recognised / members:.0%}"
    return (
        f"{STAFF_GROUPS[index]}: {recognised} of {members} people recognised ({share}); "
        f"{recognised} nominations"
    )


def summary_sections(rows: list[dict[str, Any]]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for row in rows:
        found.setdefault(row["section"], set()).add(row["item"])
    return found


def test_a_teams_only_trust_sees_seats_departments_and_staff_groups_in_the_card_and_exports(
    services: Services,
    clock: FakeClock,
    graph: FakeGraph,
    connector: FakeBotConnector,
    make_settings,
    teams_env,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys,
) -> None:
    trust_of_300(graph)
    assert main(["directory", "sync", "--teams"], clock=clock) == 0
    assert main(pay_band_import(tmp_path), clock=clock) == 0
    capsys.readouterr()

    # An admin of the trust, on a Teams server in local-test mode (the sync's app
    # credentials would sign in to Azure): one nomination in a channel, then the stats card
    # in a personal chat.
    for name in ("TEAMS_CLIENT_ID", "TEAMS_CLIENT_SECRET", "TEAMS_TENANT_ID"):
        monkeypatch.delenv(name)
    admin_settings = make_settings(TEAMS_ALLOW_UNAUTHENTICATED="true", EVERYSEAT_ADMINS="aad-0299")
    teams = build_services(admin_settings, clock=clock)
    try:
        with running_server(create_app(teams)) as base_url:
            nominate_in_teams(base_url, connector)
            recognise_the_rest_of_the_first_hundred(services)
            clock.advance(timedelta(hours=1))
            activity = load_activity(
                "message_personal_nominate",
                connector.service_url,
                text="stats",
                conversation={"conversationType": "personal", "tenantId": TENANT, "id": "a:p299"},
                **{"from": {"id": "29:p299", "name": "Person 299", "aadObjectId": "aad-0299"}},
            )
            response = httpx.post(
                f"{base_url}/api/messages", json=in_the_trust(activity), timeout=10
            )
            assert response.is_success
    finally:
        teams.close()
    with services.unit_of_work() as session:  # no demo data: the tenant is all there is
        workspaces = [(w.platform, w.external_id) for w in session.scalars(select(Workspace))]
        by_teams = session.scalars(select(Nomination).order_by(Nomination.id)).first()
        assert by_teams is not None and by_teams.source_channel_id is not None
    assert workspaces == [("teams", TENANT)]
    (reply,) = connector.sent_to("a:p299")
    (card,) = reply.cards
    assert_valid_card(card)
    said = texts(card)
    assert "100 nominations from 100 people recognised 100 people; 0 “I saw this too”." in said
    assert "Coverage: 33% of 300 active members were recognised at least once." in said
    titles = said.index(messages.STATS_BY_TITLE)
    assert said[titles + 1] == "• Job title 0: 5 nominations, 5 of 15 people"
    departments = said.index(messages.STATS_BY_DEPARTMENT)
    assert said[departments + 1].startswith("• Department 0: 13 nominations, 13 of 38 people")
    staff = said.index(messages.STATS_BY_STAFF_GROUP)
    assert said[staff + 1 : staff + 10] == [f"• {staff_group_line(i)}" for i in range(9)]
    bands = said.index(messages.STATS_BY_PAY_BAND)
    assert said[bands + 1] == "• Band 2: 17 of 50 people recognised (34%); 17 nominations"
    assert titles < departments < staff < bands

    # Every export format: the summary in CSV and JSON, and the XLSX workbook.
    wanted = {"title", "department", "staff_group", "pay_band"}
    assert main(["export", "--format", "csv", "--report", "summary"], clock=clock) == 0
    from_csv = list(csv.DictReader(io.StringIO(capsys.readouterr().out, newline="")))
    assert main(["export", "--format", "json", "--report", "summary"], clock=clock) == 0
    from_json = json.loads(capsys.readouterr().out)
    for rows in (from_csv, from_json):
        sections = summary_sections(rows)
        assert wanted <= set(sections)
        assert len(sections["title"]) == 20 and len(sections["department"]) == 8
        assert sections["staff_group"] == set(STAFF_GROUPS)
    values = {(r["section"], r["item"], r["measure"]): str(r["value"]) for r in from_csv}
    assert values[("staff_group", STAFF_GROUPS[0], "recognised_share")] == "0.3529"
    assert main(["export", "--format", "csv", "--report", "people"], clock=clock) == 0
    people = list(csv.DictReader(io.StringIO(capsys.readouterr().out, newline="")))
    assert {row["staff_group"] for row in people} == set(STAFF_GROUPS)
    workbook_path = tmp_path / "everyseat.xlsx"
    assert main(["export", "--format", "xlsx", "--out", str(workbook_path)], clock=clock) == 0
    workbook = openpyxl.load_workbook(workbook_path, read_only=True)
    overview_headings = {row[0] for row in workbook["overview"].iter_rows(values_only=True)}
    assert {
        messages.REPORT_BY_SEAT,
        messages.REPORT_BY_DEPARTMENT,
        messages.REPORT_BY_STAFF_GROUP,
        messages.REPORT_BY_PAY_BAND,
    } <= overview_headings
    assert set(STAFF_GROUPS) <= overview_headings
    summary_sheet = workbook["summary"].iter_rows(min_row=2, values_only=True)
    assert wanted <= {row[0] for row in summary_sheet}
    people_sheet = list(workbook["people"].iter_rows(values_only=True))
    staff_column = people_sheet[0].index("staff_group")
    assert {row[staff_column] for row in people_sheet[1:]} == set(STAFF_GROUPS)

    # The board report, as `report` in Teams or `everyseat report` writes it.
    page_path = tmp_path / "board.html"
    assert main(["report", "--period", "30d", "--out", str(page_path)], clock=clock) == 0
    page = page_path.read_text(encoding="utf-8")
    for key in ("title", "department", "staff_group", "pay_band"):
        assert f'data-breakdown="{key}"' in page
    assert all(f'<th scope="row">{group}</th>' in page for group in STAFF_GROUPS)

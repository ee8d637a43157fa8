"""Erasure and subject access, table by table: every table in db.models' metadata is read
back, so a table added later can't be forgotten by either."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Table, select
from sqlalchemy.engine import make_url

from bot import messages
from bot.deliveries import DeliveryKey, claim_delivery, mark_delivery_failed, mark_delivery_posted
from bot.errors import MemberNotFoundError
from bot.installs import Install, record_install
from bot.nominations.rules import endorse
from bot.people.data_protection import export_member_data, forget_member
from bot.services import Services
from db.models import AuditEvent, Base, DirectoryRecord, Member, Nomination, Spotlight
from tests.support import builders
from tests.support.clock import FakeClock

# Each story is distinctive, so finding it anywhere (a row, the file's bytes) means it stayed.
STORY_ABOUT_THEM = "Quillfeather alone kept the night shift calm through the outage."
STORY_SHARED = "Quillfeather and <@{zed}> shared the winter rota with {nia} and never missed."
STORY_THEY_WROTE = "Zeyquill wrote: Nia rebuilt the discharge lounge checklist from scratch."
STORY_THEY_WROTE_PRIVATELY = "Zeyquill wrote privately: Ana talked me through my first arrest."
STORY_OF_OTHERS = "Ana sorted the theatre trolleys so no list waited this week."
THEIR_NAME = "Zeynep Quillon"


@dataclass
class World:
    """One workspace where the person to erase (`zed`) is in every table that can hold
    them, beside colleagues who must keep what is theirs."""

    services: Services
    platform: str
    zed: str  # their platform user id
    members: dict[str, Member] = field(default_factory=dict)
    nominations: dict[str, int] = field(default_factory=dict)

    @property
    def erased_stories(self) -> list[str]:
        return [STORY_ABOUT_THEM, STORY_THEY_WROTE, STORY_THEY_WROTE_PRIVATELY]


def _ids(platform: str) -> dict[str, str]:
    if platform == "teams":
        return {
            "zed": "5d1c7a2e-zed0-4e8b-9f3a-000000000001",
            "ana": "5d1c7a2e-ana0-4e8b-9f3a-000000000002",
            "nia": "5d1c7a2e-nia0-4e8b-9f3a-000000000003",
        }
    return {"zed": "UZEDQUILL", "ana": "UANA", "nia": "UNIA"}


def build_world(services: Services, clock: FakeClock, platform: str) -> World:
    ids = _ids(platform)
    external = "tenant-0001" if platform == "teams" else "T0FAKE"
    ws = builders.workspace(services, external, platform)
    world = World(services, platform, ids["zed"])
    names = {"zed": THEIR_NAME, "ana": "Ana", "nia": "Nia"}
    for key, user_id in ids.items():
        world.members[key] = builders.member(services, ws.id, user_id, names[key], title="Nurse")
    zed, ana, nia = (world.members[key] for key in ("zed", "ana", "nia"))

    def nominate(key: str, nominator: Member, nominees: list[Member], story: str, **kw: Any) -> int:
        clock.advance(timedelta(minutes=10))
        outcome = builders.nomination(services, nominator, nominees, story=story, **kw)
        world.nominations[key] = outcome.nomination_id
        return outcome.nomination_id

    about = nominate("about", ana, [zed], STORY_ABOUT_THEM)
    shared = nominate("shared", ana, [zed, nia], STORY_SHARED.format(zed=ids["zed"], nia="Nia"))
    wrote = nominate("wrote", zed, [nia], STORY_THEY_WROTE)
    nominate("wrote_private", zed, [ana], STORY_THEY_WROTE_PRIVATELY, visibility="private")
    others = nominate("others", ana, [nia], STORY_OF_OTHERS)

    now = clock()
    with services.sessions() as session:
        endorse(session, others, zed, clock=clock)  # theirs
        endorse(session, about, nia, clock=clock)  # on a nomination that will be deleted
        endorse(session, wrote, ana, clock=clock)  # on one they wrote, which is kept

        # The outbox: a DM to them still queued, a public post of their story still queued,
        # a DM to Nia about the story they wrote, and a posted DM to them.
        def queued(channel: str, kind: str, nomination_id: int, posted: bool = False) -> None:
            key = DeliveryKey(ws.id, channel, kind, str(nomination_id))
            claim = claim_delivery(session, key, now)
            assert claim is not None
            if posted:
                mark_delivery_posted(session, claim, "1700000000.000100", now)
            else:
                mark_delivery_failed(session, claim, "fatal_error")

        queued(ids["zed"], "recognition-dm", shared)
        queued(ids["zed"], "recognition-dm", about, posted=True)
        queued("CWARD", "recognition", wrote)
        queued(ids["nia"], "recognition-dm", wrote)
        queued("CWARD", "recognition", about, posted=True)
        queued("CWARD", "recognition", others, posted=True)

        session.add_all(
            [
                Spotlight(
                    workspace_id=ws.id,
                    member_id=zed.id,
                    nomination_id=about,
                    period_key="2026-11-09",
                    spotlighted_at=now,
                ),
                Spotlight(
                    workspace_id=ws.id,
                    member_id=nia.id,
                    nomination_id=wrote,
                    period_key="2026-11-16",
                    spotlighted_at=now,
                ),
            ]
        )
        session.commit()
    if platform == "teams":
        service = "https://smba.trafficmanager.net/uk/"
        record_install(
            services,
            Install(
                "a:1personal-zed", "personal", service, external, installed_by=zed.platform_user_id
            ),
        )
        record_install(
            services,
            Install(
                "19:ward@thread.tacv2",
                "channel",
                service,
                external,
                team_id="19:ward@thread.tacv2",
                team_name="Ward 7",
                installed_by=zed.platform_user_id,
            ),
        )
    return world


def all_rows(services: Services) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table db.models declares, as dicts."""
    with services.engine.connect() as connection:
        return {
            table.name: [dict(row._mapping) for row in connection.execute(select(table))]
            for table in Base.metadata.sorted_tables
        }


def _member_columns(table: Table) -> list[str]:
    return [
        column.name
        for column in table.columns
        if any(key.column.table.name == "member" for key in column.foreign_keys)
    ]


def traces(world: World, member_ids: set[int]) -> dict[str, list[str]]:
    """Per table, each place the person is still found: their member ids in a column that
    points at members (or the member table's own id), their user id or name in any text,
    or a story that was theirs or about them alone."""
    found: dict[str, list[str]] = {}
    texts = [world.zed, THEIR_NAME, *world.erased_stories]
    for table in Base.metadata.sorted_tables:
        columns = _member_columns(table) + (["id"] if table.name == "member" else [])
        for row in all_rows(world.services)[table.name]:
            for name, value in row.items():
                if name in columns and value in member_ids:
                    found.setdefault(table.name, []).append(f"{name}={value}")
                if isinstance(value, str):
                    found.setdefault(table.name, []).extend(
                        f"{name} holds {text!r}" for text in texts if text in value
                    )
    return {table: places for table, places in found.items() if places}


@pytest.fixture(params=["slack", "teams"])
def world(request: pytest.FixtureRequest, services: Services, clock: FakeClock) -> World:
    return build_world(services, clock, request.param)


def test_erasure_leaves_nothing_of_the_person_in_any_table(world: World) -> None:
    member_ids = {world.members["zed"].id}
    before = traces(world, member_ids)
    # The world really does put them everywhere they can be, so "clean" below means something.
    expected = {
        "member",
        "nomination",
        "nomination_nominee",
        "endorsement",
        "delivery",
        "spotlight",
    }
    if world.platform == "teams":
        expected.add("teams_conversation")
    assert set(before) == expected

    done = forget_member(world.services, world.zed)

    assert (done.received_alone, done.received_shared, done.given, done.endorsements) == (
        1,
        1,
        2,
        1,
    )
    assert traces(world, member_ids) == {}


def test_erasure_keeps_what_belongs_to_colleagues(world: World) -> None:
    forget_member(world.services, world.zed)
    ids = world.nominations
    with world.services.sessions() as session:
        kept = {n.id: n for n in session.scalars(select(Nomination))}
        assert set(kept) == {ids["shared"], ids["wrote"], ids["wrote_private"], ids["others"]}
        shared = kept[ids["shared"]]
        assert [link.member.display_name for link in shared.nominees] == ["Nia"]
        assert shared.story == STORY_SHARED.format(zed="", nia="Nia").replace(
            "<@>", messages.ERASED_MENTION
        )
        wrote = kept[ids["wrote"]]
        assert (wrote.nominator_id, wrote.story) == (None, messages.ERASED_STORY)
        assert [link.member.display_name for link in wrote.nominees] == ["Nia"]
        assert len(wrote.endorsements) == 1  # Ana's endorsement of Nia's recognition stays
        assert kept[ids["others"]].story == STORY_OF_OTHERS
        nia_spotlight = session.scalars(select(Spotlight)).one()
        assert nia_spotlight.member_id == world.members["nia"].id
    rows = all_rows(world.services)
    # Nia's queued DM was about the story they wrote: it is gone, with its public post.
    assert [(row["channel_id"], row["kind"]) for row in rows["delivery"]] == [
        ("CWARD", "recognition")
    ]
    assert rows["delivery"][0]["period_key"] == str(ids["others"])
    if world.platform == "teams":
        (channel,) = rows["teams_conversation"]
        assert (channel["conversation_type"], channel["installed_by"]) == ("channel", None)


def _sqlite_path(services: Services) -> Path | None:
    url = make_url(services.settings.DATABASE_URL)
    return Path(url.database) if url.get_backend_name() == "sqlite" and url.database else None


def _file_bytes(path: Path) -> bytes:
    """The database file with its write-ahead log and shared-memory index."""
    parts = [path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")]
    return b"".join(part.read_bytes() for part in parts if part.exists())


def test_erased_text_is_gone_from_the_sqlite_file_bytes(world: World) -> None:
    path = _sqlite_path(world.services)
    if path is None:
        pytest.skip("PostgreSQL: rows are checked above; docs/admin.md covers VACUUM")
    secrets = [story.encode() for story in world.erased_stories]
    secrets += [world.zed.encode(), THEIR_NAME.encode()]
    before = _file_bytes(path)
    assert all(secret in before for secret in secrets)

    forget_member(world.services, world.zed)

    after = _file_bytes(path)
    assert [secret for secret in secrets if secret in after] == []
    assert STORY_OF_OTHERS.encode() in after  # the file still holds everyone else
    wal = Path(f"{path}-wal")
    assert not wal.exists() or wal.stat().st_size == 0  # the log was emptied, not just zeroed


# Where each table's rows about a person appear in their subject access export: the section
# and the column whose value the section's records carry as "id". A new table holding a
# person's data fails the export test until it is added here (and to the export).
EXPORT_SECTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "member": (("profile",), "platform_user_id"),
    "nomination": (("nominations_given", "nominations_received"), "id"),
    "nomination_nominee": (("nominations_received",), "nomination_id"),
    "endorsement": (("endorsements_given",), "id"),
    "delivery": (("messages_to_them",), "id"),
    "spotlight": (("spotlights",), "id"),
    "teams_conversation": (("teams_conversations",), "id"),
}


def _rows_about(world: World, member_ids: set[int]) -> dict[str, list[dict[str, Any]]]:
    """Per table, the rows that name the person: by member id or by their user id."""
    about: dict[str, list[dict[str, Any]]] = {}
    for table in Base.metadata.sorted_tables:
        columns = _member_columns(table) + (["id"] if table.name == "member" else [])
        for row in all_rows(world.services)[table.name]:
            by_id = any(row[name] in member_ids for name in columns)
            by_text = any(isinstance(v, str) and world.zed in v for v in row.values())
            if by_id or by_text:
                about.setdefault(table.name, []).append(row)
    return about


def test_subject_access_export_covers_every_row_about_the_person(world: World) -> None:
    data = export_member_data(world.services, world.zed)
    (record,) = data["members"]
    about = _rows_about(world, {world.members["zed"].id})
    assert set(about) - set(EXPORT_SECTIONS) == set(), (
        "a table's rows about a person aren't exported"
    )
    for table, rows in about.items():
        sections, column = EXPORT_SECTIONS[table]
        exported = set()
        for section in sections:
            items = record[section]
            items = [items] if isinstance(items, dict) else items
            exported |= {item.get("id", item.get("user_id")) for item in items}
        missing = [row[column] for row in rows if row[column] not in exported]
        assert missing == [], f"{table} rows missing from the export: {missing}"

    stories = {item["story"] for item in record["nominations_received"]}
    stories |= {item["story"] for item in record["nominations_given"]}
    assert STORY_THEY_WROTE_PRIVATELY in stories and STORY_ABOUT_THEM in stories
    (spotlight,) = record["spotlights"]
    assert spotlight["week"] == "2026-11-09"
    assert spotlight["nomination_id"] == world.nominations["about"]
    assert {item["status"] for item in record["messages_to_them"]} == {"failed", "posted"}


# --- one person, several accounts -------------------------------------------------------

THEIR_EMAIL = "zeynep.quillon@trust.nhs.uk"
NIA_EMAIL = "nia.okafor@trust.nhs.uk"
STORY_ABOUT_THEM_ON_TEAMS = "Quillfeather on Teams: calmed the relatives in the resus bay."
STORY_THEY_WROTE_ON_TEAMS = "Zeyquill on Teams wrote: Nia found the missing bleep rota."


@dataclass
class LinkedWorld:
    """The Slack world above, plus the same person's Teams account (one work email), their
    HR and directory records, and Nia, linked across both platforms too, who must keep
    everything of hers."""

    world: World
    zed_ids: set[int]
    nia_ids: set[int]
    nominations: dict[str, int] = field(default_factory=dict)


def build_linked_world(services: Services, clock: FakeClock) -> LinkedWorld:
    world = build_world(services, clock, "slack")
    slack_id = world.members["zed"].workspace_id
    # The Slack profiles now share their emails (as users:read.email gives them).
    zed = builders.member(
        services,
        slack_id,
        world.zed,
        THEIR_NAME,
        title="Nurse",
        email="Zeynep.Quillon@Trust.NHS.uk",
    )
    nia = builders.member(services, slack_id, "UNIA", "Nia", title="Nurse", email=NIA_EMAIL)
    teams = builders.workspace(services, "tenant-0001", "teams")
    zed_teams = builders.member(services, teams.id, "aad-zed", THEIR_NAME, email=THEIR_EMAIL)
    nia_teams = builders.member(services, teams.id, "aad-nia", "Nia", email=NIA_EMAIL)
    ana_teams = builders.member(services, teams.id, "aad-ana", "Ana")
    linked = LinkedWorld(world, {zed.id, zed_teams.id}, {nia.id, nia_teams.id})
    clock.advance(timedelta(minutes=10))
    linked.nominations["about_on_teams"] = builders.nomination(
        services, ana_teams, [zed_teams], story=STORY_ABOUT_THEM_ON_TEAMS
    ).nomination_id
    linked.nominations["wrote_on_teams"] = builders.nomination(
        services, zed_teams, [nia_teams], story=STORY_THEY_WROTE_ON_TEAMS
    ).nomination_id
    with services.sessions() as session:
        session.add_all(
            DirectoryRecord(source=source, email=email, display_name=name, updated_at=clock())
            for source, email, name in (
                ("hr", THEIR_EMAIL, THEIR_NAME),
                ("directory", THEIR_EMAIL, THEIR_NAME),
                ("hr", NIA_EMAIL, "Nia Okafor"),
            )
        )
        session.commit()
    return linked


def stored_values(services: Services) -> list[str]:
    return [
        value
        for rows in all_rows(services).values()
        for row in rows
        for value in row.values()
        if isinstance(value, str)
    ]


@pytest.mark.parametrize("named", ["Zeynep.Quillon@TRUST.nhs.uk", "aad-zed"])
def test_erasure_by_email_or_one_id_covers_every_linked_account_and_their_records(
    services: Services, clock: FakeClock, named: str
) -> None:
    linked = build_linked_world(services, clock)
    their_words = [
        THEIR_NAME,
        THEIR_EMAIL,
        "UZEDQUILL",
        "aad-zed",
        STORY_ABOUT_THEM_ON_TEAMS,
        STORY_THEY_WROTE_ON_TEAMS,
        *linked.world.erased_stories,
    ]
    before = stored_values(services)
    assert all(any(word.lower() in value.lower() for value in before) for word in their_words)

    done = forget_member(services, named)

    assert [(a.platform, a.user_id) for a in done.accounts] == [
        ("slack", "UZEDQUILL"),
        ("teams", "aad-zed"),
    ]
    assert (done.people, done.directory_records, len(done.member_ids)) == (1, 2, 2)
    assert (done.received_alone, done.received_shared, done.given) == (2, 1, 3)
    after = stored_values(services)
    assert [w for w in their_words if any(w.lower() in v.lower() for v in after)] == []
    rows = all_rows(services)
    assert not {row["id"] for row in rows["member"]} & linked.zed_ids
    assert [row["email"] for row in rows["person"]] == [NIA_EMAIL]
    assert [(row["source"], row["email"]) for row in rows["directory_record"]] == [
        ("hr", NIA_EMAIL)
    ]
    # Nia, on both platforms, keeps her accounts, her link and her recognition from them.
    with services.sessions() as session:
        nia_accounts = session.scalars(select(Member).where(Member.id.in_(linked.nia_ids))).all()
        assert {member.person_id for member in nia_accounts} == {rows["person"][0]["id"]}
        wrote = session.get(Nomination, linked.nominations["wrote_on_teams"])
        assert wrote is not None
        assert (wrote.nominator_id, wrote.story) == (None, messages.ERASED_STORY)
        assert [link.member.platform_user_id for link in wrote.nominees] == ["aad-nia"]
        assert session.get(Nomination, linked.nominations["about_on_teams"]) is None
        (erasure,) = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "member.erased")
        ).all()
        assert erasure.detail == {
            "member_rows": 2,
            "nominations_deleted": 2,
            "removed_from_shared": 1,
            "given_anonymised": 3,
            "endorsements_deleted": 1,
            "people_deleted": 1,
            "directory_records_deleted": 2,
        }


def test_subject_access_by_email_exports_every_linked_account_and_record(
    services: Services, clock: FakeClock
) -> None:
    linked = build_linked_world(services, clock)

    data = export_member_data(services, THEIR_EMAIL.upper())

    assert [record["profile"]["user_id"] for record in data["members"]] == [
        "UZEDQUILL",
        "aad-zed",
    ]
    assert {record["profile"]["email"] for record in data["members"]} == {THEIR_EMAIL}
    teams = data["members"][1]
    assert [item["story"] for item in teams["nominations_received"]] == [STORY_ABOUT_THEM_ON_TEAMS]
    assert [item["story"] for item in teams["nominations_given"]] == [STORY_THEY_WROTE_ON_TEAMS]
    assert [person["email"] for person in data["people"]] == [THEIR_EMAIL]
    assert sorted((record["source"], record["email"]) for record in data["directory_records"]) == [
        ("directory", THEIR_EMAIL),
        ("hr", THEIR_EMAIL),
    ]
    # Named by one account's id, the export is the same person's.
    by_id = export_member_data(services, "UZEDQUILL")
    assert [record["profile"]["user_id"] for record in by_id["members"]] == [
        "UZEDQUILL",
        "aad-zed",
    ]
    assert linked.nia_ids  # Nia is in the database, and in neither export:
    assert NIA_EMAIL not in str(by_id["people"]) + str(data["directory_records"])


def test_an_email_that_names_nothing_says_so(services: Services, clock: FakeClock) -> None:
    build_linked_world(services, clock)
    with pytest.raises(MemberNotFoundError) as raised:
        forget_member(services, "nobody@trust.nhs.uk")
    assert str(raised.value) == messages.PERSON_NOT_FOUND.format(user_id="nobody@trust.nhs.uk")

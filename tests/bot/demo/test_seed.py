"""The demo seeder writes rows the bot itself could have written, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.app.cli import main
from bot.demo.seed import SeedReport, seed_demo
from bot.nominations.rules import NominationRequest, fingerprint
from bot.services import Services
from db.models import (
    Endorsement,
    Member,
    Nomination,
    NominationBehaviour,
    NominationNominee,
    Workspace,
)
from tests.support import builders
from tests.support.clock import FakeClock

MEMBERS = 60
NOMINATIONS = 700
WEEKS = 4


@pytest.fixture
def seeded(services: Services, clock: FakeClock) -> SeedReport:
    return seed_demo(
        services.engine,
        services.catalogue,
        members=MEMBERS,
        nominations=NOMINATIONS,
        weeks=WEEKS,
        seed=7,
        now=clock(),
    )


def test_every_nomination_is_one_the_rules_would_accept(
    services: Services, seeded: SeedReport, clock: FakeClock
) -> None:
    with services.sessions() as session:
        members = {m.id: m for m in session.scalars(select(Member))}
        nominations = list(session.scalars(select(Nomination)))
        nominees = Counter(session.scalars(select(NominationNominee.nomination_id)).all())
        behaviours = list(session.execute(select(NominationBehaviour)).scalars())
        keys = session.scalars(select(Nomination.dedupe_key)).all()

    assert len(members) == MEMBERS and len(nominations) == NOMINATIONS
    assert seeded.nominees_added == sum(nominees.values())
    assert all(nominees[n.id] >= 1 for n in nominations)
    slugs_by_nomination = Counter(b.nomination_id for b in behaviours)
    assert all(slugs_by_nomination[n.id] >= 1 for n in nominations)
    assert {b.behaviour_slug for b in behaviours} <= {b.slug for b in services.catalogue}
    assert len(set(keys)) == len(keys)
    start = clock() - timedelta(weeks=WEEKS)
    for nomination in nominations:
        assert 20 <= len(nomination.story) <= 1500
        assert start <= nomination.created_at <= clock()
        assert nomination.visibility in {"public", "private"}
    assert {n.visibility for n in nominations} == {"public", "private"}

    with services.sessions() as session:
        for link in session.scalars(select(NominationNominee)):
            nomination = session.get(Nomination, link.nomination_id)
            assert nomination is not None
            assert link.member_id != nomination.nominator_id
            person = members[link.member_id]
            assert not person.is_bot and not person.is_deactivated


def test_members_have_seats_and_recognition_is_skewed_but_spread(
    services: Services, seeded: SeedReport
) -> None:
    with services.sessions() as session:
        people = list(session.scalars(select(Member).where(Member.is_bot.is_(False))))
        received = Counter(session.scalars(select(NominationNominee.member_id)).all())
    assert all(person.title and person.department for person in people)
    assert len({person.title for person in people}) >= 10
    counts = sorted(received.values(), reverse=True)
    assert len(counts) > MEMBERS // 2  # most people are recognised at least once
    assert counts[0] < 0.2 * sum(counts)  # but nobody takes a fifth of it all


def test_endorsements_come_from_uninvolved_people_once_each(
    services: Services, seeded: SeedReport
) -> None:
    with services.sessions() as session:
        endorsements = list(session.scalars(select(Endorsement)))
        assert len(endorsements) == seeded.endorsements_added > 0
        for endorsement in endorsements:
            nomination = session.get(Nomination, endorsement.nomination_id)
            assert nomination is not None and nomination.visibility == "public"
            involved = {n.member_id for n in nomination.nominees} | {nomination.nominator_id}
            assert endorsement.member_id not in involved
            assert endorsement.created_at >= nomination.created_at
    pairs = [(e.nomination_id, e.member_id) for e in endorsements]
    assert len(set(pairs)) == len(pairs)


def test_fingerprints_match_the_bots_so_duplicates_are_caught(
    services: Services, seeded: SeedReport
) -> None:
    with services.sessions() as session:
        nomination = session.scalars(select(Nomination).limit(1)).one()
        request = NominationRequest(
            workspace_id=nomination.workspace_id,
            nominator=session.get_one(Member, nomination.nominator_id),
            nominees=[link.member for link in nomination.nominees],
            behaviour_slugs=[b.behaviour_slug for b in nomination.behaviours],
            story=nomination.story,
            visibility=nomination.visibility,
        )
        assert fingerprint(request) == nomination.fingerprint


def test_the_bot_keeps_recording_after_a_seed_and_a_second_seed_adds_more(
    services: Services, seeded: SeedReport, clock: FakeClock
) -> None:
    with services.sessions() as session:
        workspace_id = session.scalars(select(Workspace.id)).one()
        nia, sam = session.scalars(
            select(Member).where(Member.is_bot.is_(False), Member.is_deactivated.is_(False))
        ).all()[:2]
    outcome = builders.nomination(services, nia, [sam])
    assert outcome.created and outcome.nomination_id > NOMINATIONS

    again = seed_demo(
        services.engine,
        services.catalogue,
        members=MEMBERS + 5,
        nominations=50,
        weeks=1,
        seed=8,
        now=clock(),
    )
    assert again.workspace_id == workspace_id and again.members_added == 5
    with services.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Member)) == MEMBERS + 5
        assert session.scalar(select(func.count()).select_from(Nomination)) == NOMINATIONS + 51


def test_demo_seed_command(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    code = main(
        ["demo", "seed", "--members", "20", "--nominations", "100", "--weeks", "2", "--seed", "3"]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "20 members, 100 nominations" in out

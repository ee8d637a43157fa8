"""The one-statement statistics equal a plain Python count (tests/support/reference_stats.py)
on random workspaces: seats shared, left blank or differing only in case, bots and leavers,
nominations with several nominees and behaviours, timestamps on the period's edges, and
people with accounts in both workspaces (a trust's Slack and Teams), linked or not, for the
scope of one workspace and of the whole organisation.

They are equal read from the raw tables, read from the weekly rollups of the period's whole
weeks, and again after random changes under those rollups (hiding, withdrawing, restoring,
deleting, erasing, relinking, retitling, new behaviours, nominees and endorsements), which
the database's triggers must notice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select, update

from bot.app.composition import build_services
from bot.reporting.periods import ReportingPeriod, between_dates, last_days
from bot.reporting.stats import ORGANISATION, recognition_stats
from bot.reporting.weekly_rollups import monday_of, span_of, whole_weeks
from bot.services import Services
from db.migrate import upgrade_database
from db.models import (
    Endorsement,
    Member,
    Nomination,
    NominationBehaviour,
    NominationNominee,
    Person,
    StatisticsSpan,
    StatisticsWeek,
    Workspace,
)
from tests.support.clock import FakeClock
from tests.support.reference_stats import reference_stats

NOW = datetime(2026, 11, 18, 10, 30, tzinfo=UTC)
# When the rollups are built: every week drawn is over by then.
LATER = NOW + timedelta(weeks=8)
TITLES = ("Porter", "porter", "Nurse", "Receptionist", None)
DEPARTMENTS = ("Surgery", "Facilities", None)
UNKNOWN_SLUG = "retired-behaviour"  # a behaviour since removed from the catalogue


@pytest.fixture(params=["sqlite", "postgres"])
def services(
    request: pytest.FixtureRequest, tmp_path: Path, make_settings, clock: FakeClock
) -> Iterator[Services]:
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_url")
    else:
        url = f"sqlite:///{tmp_path / 'stats-property.db'}"
    built = build_services(make_settings(DATABASE_URL=url), clock=clock)
    upgrade_database(built.engine)
    try:
        yield built
    finally:
        built.close()


# (title, department, kind, in Teams, person): kind 0 is a bot, 1 a leaver, anything else an
# active account; accounts drawn with the same person (0-3) are linked, across workspaces or
# (rarely in life, but the statistics must not care) within one; None is not linked.
people = st.tuples(
    st.sampled_from(TITLES),
    st.sampled_from(DEPARTMENTS),
    st.integers(0, 6),
    st.booleans(),
    st.none() | st.integers(0, 3),
)


@st.composite
def periods(draw: st.DrawFn) -> ReportingPeriod:
    if draw(st.booleans()):
        return last_days(draw(st.integers(1, 45)), NOW)
    first = (NOW - timedelta(days=draw(st.integers(0, 50)))).date()
    return between_dates(first, first + timedelta(days=draw(st.integers(0, 30))), UTC)


@st.composite
def workspaces(draw: st.DrawFn) -> dict[str, object]:
    """Members of two workspaces (Slack and Teams) and nominations among them, around a
    period."""
    period = draw(periods())
    members = draw(st.lists(people, min_size=2, max_size=12))
    outsiders = draw(st.integers(0, 2))
    moments = st.one_of(
        st.sampled_from([period.since, period.until, period.until - timedelta(microseconds=1)]),
        st.integers(-40 * 24 * 60, 40 * 24 * 60).map(
            lambda minutes: period.since + timedelta(minutes=minutes)
        ),
    )
    count = len(members)
    nominations = draw(
        st.lists(
            st.tuples(
                moments,
                st.integers(0, count - 1) | st.none(),  # nominator (None: erased)
                st.lists(st.integers(0, count - 1), min_size=0, max_size=3, unique=True),
                st.lists(
                    st.sampled_from(
                        [
                            "speaking-up",
                            "enabling-change",
                            "leading-from-every-seat",
                            UNKNOWN_SLUG,
                        ]
                    ),
                    min_size=1,
                    max_size=3,
                    unique=True,
                ),
                st.lists(st.integers(0, count - 1), max_size=3, unique=True),  # endorsers
                st.booleans(),  # in the other (Teams) workspace
            ),
            max_size=25,
        )
    )
    return {
        "period": period,
        "members": members,
        "outsiders": outsiders,
        "nominations": nominations,
    }


def _store(services: Services, world: dict[str, object]) -> int:
    """Replace the database's rows with `world`; returns the workspace reported on."""
    with services.sessions() as session:
        for model in (
            Endorsement,
            NominationBehaviour,
            NominationNominee,
            Nomination,
            Member,
            Person,
            Workspace,
        ):
            session.execute(delete(model))
        ours = Workspace(platform="slack", external_id="T0OURS", created_at=NOW)
        theirs = Workspace(platform="teams", external_id="tenant-theirs", created_at=NOW)
        persons = [Person(email=f"person{index}@nhs.example", created_at=NOW) for index in range(4)]
        session.add_all([ours, theirs, *persons])
        session.flush()
        members = []
        for index, (title, department, kind, in_teams, person) in enumerate(
            world["members"]  # type: ignore[arg-type]
        ):
            members.append(
                Member(
                    workspace_id=theirs.id if in_teams else ours.id,
                    person_id=None if person is None else persons[person].id,
                    platform_user_id=f"U{index}",
                    display_name=f"Person {index}",
                    title=title,
                    department=department,
                    # Staff groups and pay bands vary with the drawn seats and departments.
                    staff_group=department and f"Group of {department}",
                    pay_band=title and f"Band of {title}"[:64],
                    is_bot=kind == 0,
                    is_deactivated=kind == 1,
                    created_at=NOW,
                )
            )
        for index in range(world["outsiders"]):  # type: ignore[call-overload]
            members.append(
                Member(
                    workspace_id=theirs.id,
                    platform_user_id=f"UOUT{index}",
                    display_name=f"Outsider {index}",
                    title="Porter",
                    created_at=NOW,
                )
            )
        session.add_all(members)
        session.flush()
        for number, (when, nominator, nominees, slugs, endorsers, elsewhere) in enumerate(
            world["nominations"]  # type: ignore[arg-type]
        ):
            nomination = Nomination(
                workspace_id=theirs.id if elsewhere else ours.id,
                nominator_id=None if nominator is None else members[nominator].id,
                story=f"Story number {number} about leading from every seat",
                visibility="public",
                created_at=when,
                fingerprint=f"print-{number}",
                dedupe_key=f"key-{number}",
            )
            nomination.nominees = [
                NominationNominee(member_id=members[index].id, position=position)
                for position, index in enumerate(nominees)
            ]
            nomination.behaviours = [
                NominationBehaviour(behaviour_slug=slug, position=position)
                for position, slug in enumerate(slugs)
            ]
            nomination.endorsements = [
                Endorsement(member_id=members[index].id, created_at=when) for index in endorsers
            ]
            session.add(nomination)
        session.commit()
        return ours.id


# A change made after the rollups were built: (what, which row, by its position drawn).
changes = st.tuples(
    st.sampled_from(
        [
            "hide",
            "withdraw",
            "restore",
            "delete nomination",
            "drop a nominee",
            "add a nominee",
            "add a behaviour",
            "endorse",
            "erase a member",
            "link a member",
            "move a nomination",
            "retitle a member",
        ]
    ),
    st.integers(0, 1000),
    st.integers(0, 1000),
)


def _change(services: Services, what: str, pick: int, other: int) -> None:
    """Make one change the way the bot's own code paths do it: plain statements, in their
    own transaction; to a nomination of a week already built where there is one."""
    with services.sessions() as session:
        built_weeks = set(session.scalars(select(StatisticsWeek.week)))
        made = list(
            session.execute(select(Nomination.id, Nomination.created_at).order_by(Nomination.id))
        )
        under_rollups = [
            nomination_id for nomination_id, created in made if monday_of(created) in built_weeks
        ]
        nominations = under_rollups or [nomination_id for nomination_id, _ in made]
        members = list(session.scalars(select(Member.id).order_by(Member.id)))
        if not nominations or not members:
            return
        nomination = nominations[pick % len(nominations)]
        member = members[other % len(members)]
        at = Nomination.id == nomination
        if what == "hide":
            session.execute(update(Nomination).where(at).values(hidden_at=NOW))
        elif what == "withdraw":
            session.execute(update(Nomination).where(at).values(withdrawn_at=NOW))
        elif what == "restore":
            session.execute(update(Nomination).where(at).values(hidden_at=None, withdrawn_at=None))
        elif what == "delete nomination":
            session.execute(delete(Nomination).where(at))
        elif what == "drop a nominee":
            named = session.scalar(
                select(func.min(NominationNominee.member_id)).where(
                    NominationNominee.nomination_id == nomination
                )
            )
            session.execute(
                delete(NominationNominee).where(
                    NominationNominee.nomination_id == nomination,
                    NominationNominee.member_id == named,
                )
            )
        elif what == "add a nominee":
            if session.get(NominationNominee, (nomination, member)) is None:
                session.add(NominationNominee(nomination_id=nomination, member_id=member))
        elif what == "add a behaviour":
            if session.get(NominationBehaviour, (nomination, "coaching-others")) is None:
                session.add(
                    NominationBehaviour(nomination_id=nomination, behaviour_slug="coaching-others")
                )
        elif what == "endorse":
            endorsed = session.scalar(
                select(Endorsement.id).where(
                    Endorsement.nomination_id == nomination, Endorsement.member_id == member
                )
            )
            if endorsed is None:
                session.add(Endorsement(nomination_id=nomination, member_id=member, created_at=NOW))
        elif what == "erase a member":
            session.execute(delete(Member).where(Member.id == member))
        elif what == "link a member":
            person = session.scalar(select(func.min(Person.id)))
            session.execute(update(Member).where(Member.id == member).values(person_id=person))
        elif what == "retitle a member":  # as the HR import or a directory sync would
            session.execute(
                update(Member)
                .where(Member.id == member)
                .values(title=TITLES[other % len(TITLES)], department=DEPARTMENTS[pick % 3])
            )
        else:  # move a nomination to another week
            session.execute(
                update(Nomination)
                .where(at)
                .values(created_at=NOW - timedelta(days=other % 60, minutes=pick))
            )
        session.commit()


def _assert_equal_to_reference(
    services: Services, workspace_id: int, period: ReportingPeriod, now: datetime | None
) -> None:
    with services.sessions() as session:
        for scope in (workspace_id, ORGANISATION):
            fast = recognition_stats(session, scope, period, services.catalogue, now=now)
            expected = reference_stats(session, scope, period, services.catalogue)
            assert fast == expected, f"scope {scope}, rollups built up to {now}"


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=workspaces())
def test_fast_statistics_equal_the_reference_computation(
    services: Services, world: dict[str, object]
) -> None:
    workspace_id = _store(services, world)
    period: ReportingPeriod = world["period"]  # type: ignore[assignment]
    _assert_equal_to_reference(services, workspace_id, period, now=None)  # all raw
    _assert_equal_to_reference(services, workspace_id, period, now=LATER)  # rollups built
    whole = whole_weeks(period.since, period.until, LATER)
    if whole:
        with services.sessions() as session:
            assert session.scalar(select(func.count()).select_from(StatisticsWeek))
            if span_of(workspace_id, whole) is not None:
                assert session.scalar(select(func.count()).select_from(StatisticsSpan))


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=workspaces(), later=st.lists(changes, min_size=1, max_size=4))
def test_statistics_stay_equal_after_changes_under_built_rollups(
    services: Services, world: dict[str, object], later: list[tuple[str, int, int]]
) -> None:
    workspace_id = _store(services, world)
    period: ReportingPeriod = world["period"]  # type: ignore[assignment]
    _assert_equal_to_reference(services, workspace_id, period, now=LATER)  # rollups built
    for what, pick, other in later:
        _change(services, what, pick, other)
        _assert_equal_to_reference(services, workspace_id, period, now=None)  # what is left
        _assert_equal_to_reference(services, workspace_id, period, now=LATER)

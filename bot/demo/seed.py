"""Realistic demo data in bulk: a trust's staff and years of nominations, to try and benchmark.

`seed_demo` writes straight to the tables in large batches (PostgreSQL COPY, or SQLAlchemy
Core executemany elsewhere), so 100,000 members and 2,000,000 nominations take minutes, not
hours. Rows obey the same rules as `bot.nominations.rules.nominate`: at least one nominee and one
known behaviour, nobody nominates themselves, nominees are active people, stories are
20–1,500 characters, and every dedupe key is unique.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import accumulate
from typing import Any, cast

from sqlalchemy import Connection, Engine, Table, func, select, text

from bot.nominations.behaviours import BehaviourCatalogue
from bot.nominations.rules import Visibility
from bot.people.directory import get_or_create_workspace
from db.engine import create_session_factory
from db.models import Endorsement, Member, Nomination, NominationBehaviour, NominationNominee

DEMO_PLATFORM = "slack"
DEMO_USER_PREFIX = "UDEMO"
BATCH_SIZE = 20_000

MEMBER = cast(Table, Member.__table__)
NOMINATION = cast(Table, Nomination.__table__)
NOMINEE = cast(Table, NominationNominee.__table__)
BEHAVIOUR = cast(Table, NominationBehaviour.__table__)
ENDORSEMENT = cast(Table, Endorsement.__table__)

# (job title, how common it is, departments it is found in; None = any department).
# The title is the person's "seat": porters and receptionists lead too.
SEATS: tuple[tuple[str, int, tuple[str, ...] | None], ...] = (
    ("Staff Nurse", 220, None),
    ("Healthcare Assistant", 160, None),
    ("Ward Sister", 25, None),
    ("Charge Nurse", 20, None),
    ("Matron", 6, None),
    ("Clinical Nurse Specialist", 15, None),
    ("Foundation Year 1 Doctor", 25, None),
    ("Specialty Registrar", 30, None),
    ("Consultant", 40, None),
    ("Midwife", 35, ("Maternity",)),
    ("Maternity Support Worker", 12, ("Maternity",)),
    ("Paramedic", 15, ("Emergency Department",)),
    ("Physiotherapist", 25, ("Therapies", "Acute Medical Unit", "Critical Care")),
    ("Occupational Therapist", 18, ("Therapies", "Community Services", "Mental Health")),
    ("Speech and Language Therapist", 6, ("Therapies", "Community Services")),
    ("Pharmacist", 15, ("Pharmacy",)),
    ("Pharmacy Technician", 12, ("Pharmacy",)),
    ("Radiographer", 18, ("Radiology",)),
    ("Biomedical Scientist", 16, ("Pathology",)),
    ("Phlebotomist", 14, ("Pathology", "Outpatients")),
    ("Operating Department Practitioner", 14, ("Theatres",)),
    ("Mental Health Nurse", 25, ("Mental Health",)),
    ("District Nurse", 18, ("Community Services",)),
    ("Porter", 30, ("Estates and Facilities",)),
    ("Domestic Assistant", 35, ("Estates and Facilities",)),
    ("Catering Assistant", 18, ("Estates and Facilities",)),
    ("Estates Technician", 10, ("Estates and Facilities",)),
    ("Security Officer", 6, ("Estates and Facilities",)),
    ("Ward Clerk", 20, None),
    ("Receptionist", 25, ("Outpatients", "Emergency Department", "Community Services")),
    ("Medical Secretary", 20, None),
    ("Booking Coordinator", 10, ("Outpatients",)),
    ("IT Service Desk Analyst", 8, ("Digital Services",)),
    ("Finance Officer", 8, ("Corporate Services",)),
    ("HR Advisor", 6, ("Corporate Services",)),
    ("Freedom to Speak Up Guardian", 1, ("Corporate Services",)),
    ("Volunteer", 15, None),
    ("Chaplain", 2, None),
    ("Chief Executive", 1, ("Corporate Services",)),
    ("Director of Nursing", 1, ("Corporate Services",)),
)
CLINICAL_DEPARTMENTS = (
    "Emergency Department",
    "Acute Medical Unit",
    "Critical Care",
    "Theatres",
    "Maternity",
    "Paediatrics",
    "Cardiology",
    "Oncology",
    "Elderly Care",
    "Surgery",
    "Outpatients",
    "Community Services",
    "Mental Health",
)
# How likely a seat is to be noticed: support roles are recognised less often, which is
# exactly what the statistics are meant to reveal.
_NOTICED_LESS = {
    "Porter",
    "Domestic Assistant",
    "Catering Assistant",
    "Security Officer",
    "Estates Technician",
    "Ward Clerk",
    "Volunteer",
    "IT Service Desk Analyst",
    "Finance Officer",
}
_FIRST_NAMES = (
    "Aisha Amara Ana Ben Bilal Chloe Chidi Daniel Deepa Eilidh Emma Fatima Femi Gareth Grace "
    "Hannah Harpreet Ifeoma Imran Jack James Jasmine Joseph Kemi Kofi Laura Liam Lucy Mohammed "
    "Maria Megan Nia Nadia Oliver Olu Priya Rachel Rhys Rosa Ryan Sam Sara Siobhan Sofia "
    "Tariq Tom Uzma Wei Yusuf Zainab Zoe Agnieszka Marek Ioana Tendai Mei Kwame Ewa Niamh"
)
_SURNAMES = (
    "Ahmed Ali Baker Begum Bennett Brown Campbell Chen Clarke Davies Edwards Evans Fernandes "
    "Green Hall Hughes Hussain Jackson James Jones Kaur Khan Kowalski Lewis Mensah Mitchell "
    "Morgan Murphy Nowak Okafor Owusu Patel Phillips Price Rahman Roberts Robinson Scott Shah "
    "Singh Smith Taylor Thomas Thompson Walker Ward Watson White Williams Wilson Wood Wright "
    "Young Adeyemi Popescu Nguyen O'Brien MacLeod"
)
FIRST_NAMES = tuple(_FIRST_NAMES.split())
SURNAMES = tuple(_SURNAMES.split())
STORY_OPENINGS = (
    "When the ward was two nurses short on a night shift,",
    "During the Monday morning bed crisis,",
    "On a day when the emergency department was on black alert,",
    "While the lift to theatres was out of action,",
    "When a frightened relative arrived at the front desk,",
    "As the new electronic records system went live,",
    "During a long handover that kept being interrupted,",
    "When a patient with dementia became distressed in the corridor,",
    "While the pharmacy queue stretched out of the door,",
    "At the start of a heatwave with no spare fans,",
    "When a new starter was clearly overwhelmed,",
    "During the flu surge in January,",
    "After a near miss with a medication chart,",
    "When the discharge lounge filled up before ten,",
    "On a Sunday with no manager on site,",
    "While the team was still raw after a difficult death,",
    "When an interpreter could not be found,",
    "As the clinic ran two hours late,",
)
STORY_ACTIONS = (
    "they quietly reorganised the breaks so that everyone got one",
    "they spoke up about the staffing gap and escalated it to the site manager",
    "they walked the family to the right ward and stayed until someone could talk to them",
    "they rewrote the checklist on the spot and shared it with the next shift",
    "they set up a huddle so that every role, porters included, knew the plan",
    "they noticed the early signs of sepsis and raised the alarm straight away",
    "they coached a student through the task instead of simply taking over",
    "they brought pharmacy, the ward and transport together to unblock three discharges",
    "they challenged a decision politely and the plan changed for the better",
    "they sat with the patient, found out what music they liked and calmed the whole bay",
    "they took on the rota swaps nobody wanted and kept the team's goodwill",
    "they asked the patient's carer what mattered most and changed the plan with them",
    "they fixed the broken process instead of working around it again",
    "they shared what they had learnt at the safety briefing so others could use it",
    "they volunteered to pilot the new way of working and reported honestly on it",
    "they welcomed the new starter and showed them where everything was",
)
STORY_OUTCOMES = (
    "Nobody missed a meal break and the shift felt calmer.",
    "The patient went home on time and the bed was ready for the next admission.",
    "The family said it was the first time anyone had explained things properly.",
    "The next shift started on the right foot.",
    "It made a real difference to how safe everyone felt.",
    "The idea has since been adopted across the directorate.",
    "Everyone on the team felt heard.",
    "It saved at least an hour of waiting for several patients.",
    "The student said it was the best learning they had on placement.",
    "It showed what leadership from every seat looks like.",
    "Several colleagues have mentioned it since.",
    "It stopped a small problem becoming a serious incident.",
)
STORY_EXTRAS = (
    "They did all this without being asked and without making a fuss.",
    "It was not part of their job description, but they saw it needed doing.",
    "They then followed up the next day to check it had stuck.",
    "They made sure the credit went to the whole team.",
)
# How many nominees and behaviours a nomination names, and how often.
NOMINEE_COUNTS = ((1, 85), (2, 10), (3, 4), (4, 1))
BEHAVIOUR_COUNTS = ((1, 60), (2, 30), (3, 10))
PRIVATE_SHARE = 0.1
ENDORSED_SHARE = 0.3  # of public nominations
MAX_ENDORSEMENTS = 6
BOT_SHARE = 0.002
DEACTIVATED_SHARE = 0.03


@dataclass(frozen=True)
class SeedReport:
    workspace_id: int
    members_added: int
    nominations_added: int
    nominees_added: int
    behaviours_added: int
    endorsements_added: int
    seconds: float


@dataclass(frozen=True)
class _Person:
    id: int
    title: str


class _BulkWriter:
    """Reserves primary keys and writes rows to one table at a time, as fast as the backend can.

    PostgreSQL gets COPY and keys drawn from each table's own sequence, so the bot can keep
    running beside the seeder; other backends get Core executemany and keys after max(id).
    """

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.is_postgres = connection.dialect.name == "postgresql"
        self._next_id: dict[str, int] = {}

    def reserve_ids(self, table: Table, count: int) -> list[int]:
        if count == 0:
            return []
        if self.is_postgres:
            rows = self.connection.execute(
                text(
                    "SELECT nextval(pg_get_serial_sequence(:table, 'id'))"
                    " FROM generate_series(1, :n)"
                ),
                {"table": table.name, "n": count},
            )
            return [int(row[0]) for row in rows]
        if table.name not in self._next_id:
            highest = self.connection.scalar(select(func.max(table.c.id))) or 0
            self._next_id[table.name] = int(highest) + 1
        first = self._next_id[table.name]
        self._next_id[table.name] = first + count
        return list(range(first, first + count))

    def write(self, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if self.is_postgres:
            driver = self.connection.connection.driver_connection
            assert driver is not None
            statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
            with driver.cursor() as cursor, cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
            return
        self.connection.execute(
            table.insert(), [dict(zip(columns, row, strict=True)) for row in rows]
        )


def _weighted(pairs: Sequence[tuple[int, int]]) -> tuple[list[int], list[int]]:
    values = [value for value, _ in pairs]
    return values, list(accumulate(weight for _, weight in pairs))


def _story(rng: random.Random) -> str:
    parts = [
        rng.choice(STORY_OPENINGS),
        rng.choice(STORY_ACTIONS) + ".",
        rng.choice(STORY_OUTCOMES),
    ]
    if rng.random() < 0.25:
        parts.append(rng.choice(STORY_EXTRAS))
    return " ".join(parts)


def _fingerprint(
    workspace_id: int,
    nominator_id: int,
    nominee_ids: Sequence[int],
    slugs: Sequence[str],
    visibility: str,
    story: str,
) -> str:
    # The same recipe as bot.nominations.rules.fingerprint, so duplicate detection treats demo
    # rows exactly like real ones.
    normalised = " ".join(story.split()).casefold()
    parts = [
        str(workspace_id),
        str(nominator_id),
        ",".join(sorted(str(member_id) for member_id in nominee_ids)),
        ",".join(sorted(set(slugs))),
        visibility,
        normalised,
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _make_members(
    rng: random.Random, count: int, first_number: int, now: datetime, start: datetime
) -> Iterator[dict[str, Any]]:
    titles = [title for title, _, _ in SEATS]
    title_weights = list(accumulate(weight for _, weight, _ in SEATS))
    places = {title: departments for title, _, departments in SEATS}
    span = max((now - start).total_seconds(), 1.0)
    for number in range(first_number, first_number + count):
        title = rng.choices(titles, cum_weights=title_weights)[0]
        department = rng.choice(places[title] or CLINICAL_DEPARTMENTS)
        is_bot = rng.random() < BOT_SHARE
        yield {
            "platform_user_id": f"{DEMO_USER_PREFIX}{number:07d}",
            "display_name": "Rota bot"
            if is_bot
            else f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}",
            "title": None if is_bot else title,
            "department": None if is_bot else department,
            "profile_title": None if is_bot else title,
            "profile_department": None if is_bot else department,
            "is_bot": is_bot,
            "is_deactivated": (not is_bot) and rng.random() < DEACTIVATED_SHARE,
            "is_platform_admin": False,
            "profile_refreshed_at": now,
            # Most staff were here before the period starts; some join during it.
            "created_at": start - timedelta(days=rng.randint(1, 3000))
            if rng.random() < 0.8
            else start + timedelta(seconds=rng.random() * span),
        }


_MEMBER_COLUMNS = (
    "id",
    "workspace_id",
    "platform_user_id",
    "display_name",
    "title",
    "department",
    "profile_title",
    "profile_department",
    "is_bot",
    "is_deactivated",
    "is_platform_admin",
    "profile_refreshed_at",
    "created_at",
)
_NOMINATION_COLUMNS = (
    "id",
    "workspace_id",
    "nominator_id",
    "story",
    "visibility",
    "created_at",
    "source_channel_id",
    "source_message_url",
    "posted_channel_id",
    "posted_message_id",
    "fingerprint",
    "dedupe_key",
)


def _add_members(
    writer: _BulkWriter,
    rng: random.Random,
    workspace_id: int,
    wanted: int,
    now: datetime,
    start: datetime,
) -> int:
    """Top the workspace up to `wanted` demo members; returns how many were added."""
    connection = writer.connection
    member = MEMBER
    existing = (
        connection.scalar(
            select(func.count())
            .select_from(member)
            .where(
                member.c.workspace_id == workspace_id,
                member.c.platform_user_id.like(f"{DEMO_USER_PREFIX}%"),
            )
        )
        or 0
    )
    missing = max(wanted - int(existing), 0)
    added = 0
    people = _make_members(rng, missing, int(existing) + 1, now, start)
    while added < missing:
        batch = [next(people) for _ in range(min(BATCH_SIZE, missing - added))]
        ids = writer.reserve_ids(member, len(batch))
        rows = [
            (member_id, workspace_id, *(person[column] for column in _MEMBER_COLUMNS[2:]))
            for member_id, person in zip(ids, batch, strict=True)
        ]
        writer.write(member, _MEMBER_COLUMNS, rows)
        connection.commit()
        added += len(batch)
    return added


def _population(connection: Connection, workspace_id: int) -> list[tuple[int, str, bool]]:
    member = MEMBER
    rows = connection.execute(
        select(member.c.id, member.c.title, member.c.is_deactivated)
        .where(member.c.workspace_id == workspace_id, member.c.is_bot.is_(False))
        .order_by(member.c.id)
    )
    return [(int(row.id), row.title or "", bool(row.is_deactivated)) for row in rows]


def _lognormal_cumulative(
    rng: random.Random,
    people: Sequence[Any],
    sigma: float,
    factor: Callable[[Any], float] = lambda _person: 1.0,
) -> list[float]:
    # Lognormal weights give a long but gentle tail: a few people are recognised often,
    # most a handful of times, some never.
    return list(accumulate(rng.lognormvariate(0.0, sigma) * factor(person) for person in people))


def seed_demo(
    engine: Engine,
    catalogue: BehaviourCatalogue,
    *,
    members: int,
    nominations: int,
    weeks: int = 156,
    workspace_external_id: str = "T0DEMO",
    seed: int = 1,
    now: datetime,
    progress: Callable[[str], None] | None = None,
) -> SeedReport:
    """Add demo members (up to `members` in the workspace) and `nominations` spread over
    the `weeks` before `now`. The same seed on an empty database gives the same data."""
    if weeks < 1:
        raise ValueError("weeks must be 1 or more")
    started = time.perf_counter()
    rng = random.Random(seed)
    start = now - timedelta(weeks=weeks)
    with create_session_factory(engine)() as session:
        workspace_id = get_or_create_workspace(
            session, DEMO_PLATFORM, workspace_external_id, now, name="Demo NHS Trust"
        ).id

    counts = {"nominees": 0, "behaviours": 0, "endorsements": 0}
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            # A bigger page cache for this connection only: the random dedupe-key index
            # otherwise thrashes on millions of rows.
            connection.exec_driver_sql("PRAGMA cache_size=-262144")
        writer = _BulkWriter(connection)
        members_added = _add_members(writer, rng, workspace_id, members, now, start)
        if progress:
            progress(f"members: {members_added} added")
        population = _population(connection, workspace_id)
        active = [(pid, title) for pid, title, gone in population if not gone]
        if nominations and len(active) < 2:
            raise ValueError("nominations need at least two active members in the workspace")
        everyone = [_Person(pid, title) for pid, title, _ in population]
        receivers = [_Person(pid, title) for pid, title in active]
        receiver_weights = _lognormal_cumulative(
            rng, receivers, 0.8, lambda person: 0.5 if person.title in _NOTICED_LESS else 1.0
        )
        giver_weights = _lognormal_cumulative(rng, everyone, 1.0)
        slugs = [behaviour.slug for behaviour in catalogue]
        # The default behaviour is picked most, as one-line nominations fall back to it.
        slug_weights = list(accumulate([3.0] + [1.0] * (len(slugs) - 1)))
        nominee_counts, nominee_count_weights = _weighted(NOMINEE_COUNTS)
        behaviour_counts, behaviour_count_weights = _weighted(BEHAVIOUR_COUNTS)
        span = (now - start).total_seconds()
        window = 300  # the bot's default duplicate window, for realistic dedupe keys
        slot_keys: set[str] = set()
        current_slot = -1

        done = 0
        while done < nominations:
            size = min(BATCH_SIZE, nominations - done)
            ids = writer.reserve_ids(NOMINATION, size)
            nomination_rows: list[tuple[Any, ...]] = []
            nominee_rows: list[tuple[Any, ...]] = []
            behaviour_rows: list[tuple[Any, ...]] = []
            endorsement_drafts: list[tuple[int, int, datetime]] = []
            givers = rng.choices(everyone, cum_weights=giver_weights, k=size)
            for offset, (nomination_id, giver) in enumerate(zip(ids, givers, strict=True)):
                index = done + offset
                # Evenly spread and in time order, with jitter: ids grow with created_at,
                # as they do when the bot records nominations one by one.
                seconds = (index + rng.random()) * span / nominations
                created_at = start + timedelta(seconds=seconds)
                wanted = rng.choices(nominee_counts, cum_weights=nominee_count_weights)[0]
                chosen: dict[int, None] = {}
                while len(chosen) < min(wanted, len(receivers) - 1):
                    person = rng.choices(receivers, cum_weights=receiver_weights)[0]
                    if person.id != giver.id:
                        chosen[person.id] = None
                nominee_ids = list(chosen)
                picked = rng.choices(
                    slugs,
                    cum_weights=slug_weights,
                    k=rng.choices(behaviour_counts, cum_weights=behaviour_count_weights)[0],
                )
                behaviour_slugs = list(dict.fromkeys(picked))
                visibility = (
                    Visibility.PRIVATE if rng.random() < PRIVATE_SHARE else Visibility.PUBLIC
                ).value
                story = _story(rng)
                slot = int((start.timestamp() + seconds) // window)
                if slot != current_slot:
                    slot_keys.clear()
                    current_slot = slot
                while True:
                    print_ = _fingerprint(
                        workspace_id, giver.id, nominee_ids, behaviour_slugs, visibility, story
                    )
                    dedupe_key = f"{print_}:{slot}"
                    if dedupe_key not in slot_keys:
                        break
                    story += " " + rng.choice(STORY_EXTRAS)  # same words twice in 5 minutes
                slot_keys.add(dedupe_key)
                public = visibility == Visibility.PUBLIC.value
                nomination_rows.append(
                    (
                        nomination_id,
                        workspace_id,
                        giver.id,
                        story,
                        visibility,
                        created_at,
                        "CDEMO" if public else None,
                        None,
                        "CDEMO" if public else None,
                        f"{created_at.timestamp():.6f}" if public else None,
                        print_,
                        dedupe_key,
                    )
                )
                nominee_rows.extend(
                    (nomination_id, member_id, position)
                    for position, member_id in enumerate(nominee_ids)
                )
                behaviour_rows.extend(
                    (nomination_id, slug, position) for position, slug in enumerate(behaviour_slugs)
                )
                if public and rng.random() < ENDORSED_SHARE:
                    involved = {giver.id, *nominee_ids}
                    endorsers: set[int] = set()
                    for _ in range(rng.randint(1, MAX_ENDORSEMENTS)):
                        endorser = rng.choice(receivers).id
                        if endorser not in involved and endorser not in endorsers:
                            endorsers.add(endorser)
                            seen_at = min(created_at + timedelta(hours=rng.random() * 48), now)
                            endorsement_drafts.append((nomination_id, endorser, seen_at))

            endorsement_ids = writer.reserve_ids(ENDORSEMENT, len(endorsement_drafts))
            writer.write(NOMINATION, _NOMINATION_COLUMNS, nomination_rows)
            writer.write(NOMINEE, ("nomination_id", "member_id", "position"), nominee_rows)
            writer.write(BEHAVIOUR, ("nomination_id", "behaviour_slug", "position"), behaviour_rows)
            writer.write(
                ENDORSEMENT,
                ("id", "nomination_id", "member_id", "created_at"),
                [
                    (eid, *draft)
                    for eid, draft in zip(endorsement_ids, endorsement_drafts, strict=True)
                ],
            )
            connection.commit()
            done += size
            counts["nominees"] += len(nominee_rows)
            counts["behaviours"] += len(behaviour_rows)
            counts["endorsements"] += len(endorsement_drafts)
            if progress:
                progress(f"nominations: {done:,}/{nominations:,}")
        if connection.dialect.name == "postgresql":
            # Fresh statistics, so the planner knows the tables just grew by millions.
            connection.exec_driver_sql(
                "ANALYZE member, nomination, nomination_nominee, nomination_behaviour, endorsement"
            )
            connection.commit()
    return SeedReport(
        workspace_id=workspace_id,
        members_added=members_added,
        nominations_added=nominations,
        nominees_added=counts["nominees"],
        behaviours_added=counts["behaviours"],
        endorsements_added=counts["endorsements"],
        seconds=time.perf_counter() - started,
    )

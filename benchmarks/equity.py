"""Benchmark 6: does the weekly spotlight reach the people and seats the rest of the week misses?

Twelve simulated weeks in a seeded 800-person trust (40 job titles, 15 departments) whose
nominations are Pareto-skewed (the most-nominated 20% of people receive about 78%). Each
week's nominations are written to a real database, then the real selection path runs:
`build_digest_view` → `pick_spotlights` → `record_spotlights`, committed as a posted
digest would be. What was recorded is compared with a "5 most-nominated people" digest.

Two variants: endorsements independent of popularity, and endorsements following it (as
they do: popular people's posts collect more "I saw this too"). The targets hold in both.
`python -m benchmarks.equity` runs this benchmark alone and rewrites its own section of
RESULTS.md; tests/benchmarks/test_equity.py runs a small trust so CI guards the policy.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from enum import StrEnum
from itertools import accumulate
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, Table, func, select

from benchmarks.results import RESULTS_PATH, Context, Figure, Outcome
from bot.demo.seed import (
    CLINICAL_DEPARTMENTS,
    FIRST_NAMES,
    SEATS,
    STORY_ACTIONS,
    STORY_EXTRAS,
    STORY_OPENINGS,
    STORY_OUTCOMES,
    SURNAMES,
)
from bot.nominations.behaviours import load_catalogue
from bot.people.directory import get_or_create_workspace
from bot.weekly.periods import Period, PostKind, WeeklySchedule
from bot.weekly.reflections import load_reflections
from bot.weekly.spotlight import build_digest_view, record_spotlights
from db.engine import create_database_engine, create_session_factory
from db.migrate import upgrade_database
from db.models import (
    Endorsement,
    Member,
    Nomination,
    NominationBehaviour,
    NominationNominee,
    Spotlight,
)

NUMBER = 6
TITLE = "Spotlight equity over 12 simulated weeks"
TARGET = (
    "in the worse variant: ≥ 3× the distinct people of a top-5 digest, ≥ 80% of nominated "
    "job titles featured, ≤ 50% of slots to the most-nominated 20%, nobody featured more "
    "than twice"
)
MIN_PEOPLE_RATIO = 3.0
MIN_TITLE_COVERAGE = 0.80
MAX_TOP_SHARE = 0.50
MAX_TIMES_FEATURED = 2
BASELINE_SIZE = 5
TOP_FRACTION = 0.20

# The first digest of the simulation; fixed so every run measures the same weeks.
FIRST_DUE = datetime(2026, 9, 7, 8, 0, tzinfo=UTC)  # Monday 09:00 in London
SCHEDULE = WeeklySchedule(PostKind.DIGEST, 0, clock_time(9, 0), ZoneInfo("Europe/London"))
DEPARTMENTS = (*CLINICAL_DEPARTMENTS, "Estates and Facilities", "Corporate Services")
WORKSPACE = "T0EQUITY"

_MEMBER = cast(Table, Member.__table__)
_NOMINATION = cast(Table, Nomination.__table__)
_NOMINEE = cast(Table, NominationNominee.__table__)
_BEHAVIOUR = cast(Table, NominationBehaviour.__table__)
_ENDORSEMENT = cast(Table, Endorsement.__table__)


class Endorsements(StrEnum):
    """How many "I saw this too" a nomination collects."""

    INDEPENDENT = "independent of popularity"
    FOLLOW_POPULARITY = "following popularity"


@dataclass(frozen=True)
class TrustShape:
    """The simulated trust and its weeks."""

    people: int = 800
    titles: int = 40
    departments: int = 15
    weeks: int = 12
    nominations_per_week: int = 300
    # What the Pareto weights give the most-nominated TOP_FRACTION in expectation; sampling
    # makes the realised share a little higher (~78% for the full trust).
    top_share: float = 0.75
    private_share: float = 0.10
    seed: int = 13


FULL = TrustShape()


@dataclass(frozen=True)
class EquityFigures:
    """What one variant's twelve weeks came to, for the policy and the top-5 baseline."""

    variant: Endorsements
    weeks: int
    nominations: int  # public, over all weeks
    top_share_of_nominations: float
    people_featured: int
    baseline_people_featured: int
    nominated_titles: int
    titles_featured: int
    baseline_titles_featured: int
    slots: int
    top_slots: int
    baseline_top_slots: int
    baseline_slots: int
    most_times_featured: int
    seconds: float

    @property
    def people_ratio(self) -> float:
        return self.people_featured / max(1, self.baseline_people_featured)

    @property
    def title_coverage(self) -> float:
        return self.titles_featured / max(1, self.nominated_titles)

    @property
    def baseline_title_coverage(self) -> float:
        return self.baseline_titles_featured / max(1, self.nominated_titles)

    @property
    def top_share_of_slots(self) -> float:
        return self.top_slots / max(1, self.slots)

    @property
    def baseline_top_share_of_slots(self) -> float:
        return self.baseline_top_slots / max(1, self.baseline_slots)

    @property
    def meets_targets(self) -> bool:
        return (
            self.people_ratio >= MIN_PEOPLE_RATIO
            and self.title_coverage >= MIN_TITLE_COVERAGE
            and self.top_share_of_slots <= MAX_TOP_SHARE
            and self.most_times_featured <= MAX_TIMES_FEATURED
        )


# --- the simulated trust -------------------------------------------------------------------


@dataclass(frozen=True)
class _Person:
    member_id: int
    title: str
    popularity: float  # relative chance of being nominated
    percentile: float  # 1.0 for the most popular, near 0 for the least


def _pareto_exponent(people: int, top_share: float) -> float:
    """s such that weights rank**-s give the top TOP_FRACTION of `people` `top_share`."""
    top = max(1, round(people * TOP_FRACTION))
    low, high = 0.0, 5.0
    for _ in range(60):
        middle = (low + high) / 2
        weights = [rank**-middle for rank in range(1, people + 1)]
        if sum(weights[:top]) / sum(weights) < top_share:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def _seed_people(engine: Engine, rng: random.Random, shape: TrustShape) -> list[_Person]:
    titles = [title for title, _, _ in SEATS[: shape.titles]]
    weights = [weight for _, weight, _ in SEATS[: shape.titles]]
    departments = DEPARTMENTS[: shape.departments]
    # Everyone title at least once, then the rest as common as they are in a trust.
    assigned = titles + rng.choices(titles, weights=weights, k=shape.people - len(titles))
    rng.shuffle(assigned)
    with create_session_factory(engine)() as session:
        workspace_id = get_or_create_workspace(
            session, "slack", WORKSPACE, FIRST_DUE, name="Equity Trust"
        ).id
    rows = [
        {
            "workspace_id": workspace_id,
            "platform_user_id": f"UEQ{number:05d}",
            "display_name": f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}",
            "title": title,
            "department": rng.choice(departments),
            "is_bot": False,
            "is_deactivated": False,
            "is_platform_admin": False,
            "profile_refreshed_at": FIRST_DUE,
            "created_at": FIRST_DUE - timedelta(days=400),
        }
        for number, title in enumerate(assigned)
    ]
    with engine.begin() as connection:
        connection.execute(_MEMBER.insert(), rows)
        members = connection.execute(
            select(_MEMBER.c.id, _MEMBER.c.title)
            .where(_MEMBER.c.workspace_id == workspace_id)
            .order_by(_MEMBER.c.id)
        ).all()
    exponent = _pareto_exponent(shape.people, shape.top_share)
    ranks = list(range(1, len(members) + 1))
    rng.shuffle(ranks)
    return [
        _Person(int(member_id), str(title), rank**-exponent, 1 - (rank - 1) / len(members))
        for (member_id, title), rank in zip(members, ranks, strict=True)
    ]


def _story(rng: random.Random) -> str:
    """A one-liner for some, a fuller story for most."""
    if rng.random() < 0.35:
        return rng.choice(STORY_ACTIONS).capitalize() + "."
    parts = [
        rng.choice(STORY_OPENINGS),
        rng.choice(STORY_ACTIONS) + ".",
        rng.choice(STORY_OUTCOMES),
    ]
    parts += rng.sample(STORY_EXTRAS, k=rng.randint(0, 2))
    return " ".join(parts)


def _endorsement_count(rng: random.Random, nominee: _Person, model: Endorsements) -> int:
    if model is Endorsements.INDEPENDENT:
        return rng.choices(range(7), weights=(45, 20, 13, 9, 6, 4, 3))[0]
    # Following popularity: the most popular collect up to ~10, the rest hardly any.
    expected = 0.2 + 9.0 * nominee.percentile**4
    return sum(rng.random() < expected / 12 for _ in range(12))


@dataclass(frozen=True)
class _Week:
    period: Period
    public_received: Counter[int]  # member id → public nominations received this week


def _seed_week(
    engine: Engine,
    rng: random.Random,
    shape: TrustShape,
    people: Sequence[_Person],
    period: Period,
    model: Endorsements,
    slugs: Sequence[str],
) -> _Week:
    workspace_id = _workspace_id(engine)
    cumulative = list(accumulate(person.popularity for person in people))
    span = (period.due_at - period.starts_at).total_seconds()
    received: Counter[int] = Counter()
    nominations: list[dict[str, Any]] = []
    nominees: list[dict[str, Any]] = []
    behaviours: list[dict[str, Any]] = []
    endorsements: list[dict[str, Any]] = []
    with engine.begin() as connection:
        next_id = int(connection.scalar(select(func.max(_NOMINATION.c.id))) or 0) + 1
        next_endorsement = int(connection.scalar(select(func.max(_ENDORSEMENT.c.id))) or 0) + 1
        for index in range(shape.nominations_per_week):
            nomination_id = next_id + index
            wanted = 2 if rng.random() < 0.1 else 1
            chosen: dict[int, _Person] = {}
            while len(chosen) < wanted:
                person = rng.choices(people, cum_weights=cumulative)[0]
                chosen[person.member_id] = person
            nominator = rng.choice(people)
            while nominator.member_id in chosen:
                nominator = rng.choice(people)
            public = rng.random() >= shape.private_share
            created_at = period.starts_at + timedelta(
                seconds=(index + rng.random()) * span / shape.nominations_per_week
            )
            story = _story(rng)
            key = hashlib.sha256(f"{model}:{nomination_id}".encode()).hexdigest()
            nominations.append(
                {
                    "id": nomination_id,
                    "workspace_id": workspace_id,
                    "nominator_id": nominator.member_id,
                    "story": story,
                    "visibility": "public" if public else "private",
                    "created_at": created_at,
                    "fingerprint": key,
                    "dedupe_key": key,
                }
            )
            for position, person in enumerate(chosen.values()):
                nominees.append(
                    {
                        "nomination_id": nomination_id,
                        "member_id": person.member_id,
                        "position": position,
                    }
                )
                if public:
                    received[person.member_id] += 1
            for position, slug in enumerate(
                dict.fromkeys(rng.sample(list(slugs), k=rng.choice((1, 1, 2))))
            ):
                behaviours.append(
                    {"nomination_id": nomination_id, "behaviour_slug": slug, "position": position}
                )
            if not public:
                continue
            most_popular = max(chosen.values(), key=lambda person: person.popularity)
            count = _endorsement_count(rng, most_popular, model)
            excluded = {nominator.member_id, *chosen}
            endorsers = [
                p
                for p in rng.sample(list(people), k=count + len(excluded))
                if p.member_id not in excluded
            ]
            for endorser in endorsers[:count]:
                endorsements.append(
                    {
                        "id": next_endorsement,
                        "nomination_id": nomination_id,
                        "member_id": endorser.member_id,
                        "created_at": created_at + timedelta(minutes=30),
                    }
                )
                next_endorsement += 1
        connection.execute(_NOMINATION.insert(), nominations)
        connection.execute(_NOMINEE.insert(), nominees)
        connection.execute(_BEHAVIOUR.insert(), behaviours)
        if endorsements:
            connection.execute(_ENDORSEMENT.insert(), endorsements)
    return _Week(period, received)


def _workspace_id(engine: Engine) -> int:
    with create_session_factory(engine)() as session:
        return get_or_create_workspace(session, "slack", WORKSPACE, FIRST_DUE).id


def _periods(weeks: int) -> Iterator[Period]:
    fire = SCHEDULE.latest_fire_at_or_before(FIRST_DUE)
    for _ in range(weeks):
        yield SCHEDULE.period_due_at(fire)
        fire = SCHEDULE.next_fire_after(fire)


def _baseline(week: _Week) -> list[int]:
    """The "5 most-nominated people" digest: ties go to the lower member id."""
    ranked = sorted(week.public_received.items(), key=lambda item: (-item[1], item[0]))
    return [member_id for member_id, _ in ranked[:BASELINE_SIZE]]


def simulate(url: str, shape: TrustShape, model: Endorsements) -> EquityFigures:
    """Seed a fresh trust at `url` (an empty database) and run `shape.weeks` digests on it."""
    began = time.perf_counter()
    rng = random.Random(f"{shape.seed}:{model.name}")
    catalogue, reflections = load_catalogue(), load_reflections()
    slugs = [behaviour.slug for behaviour in catalogue]
    engine = create_database_engine(url)
    try:
        upgrade_database(engine)
        people = _seed_people(engine, rng, shape)
        workspace_id = _workspace_id(engine)
        sessions = create_session_factory(engine)
        received: Counter[int] = Counter()
        baseline: Counter[int] = Counter()
        for period in _periods(shape.weeks):
            week = _seed_week(engine, rng, shape, people, period, model, slugs)
            received.update(week.public_received)
            baseline.update(_baseline(week))
            # The real path, as WeeklyPoster runs it once the digest is sent.
            with sessions() as session:
                view = build_digest_view(
                    session, workspace_id, period, catalogue=catalogue, reflections=reflections
                )
                record_spotlights(session, view, period.due_at)
                session.commit()
        with sessions() as session:
            featured = Counter(
                {
                    int(member_id): int(times)
                    for member_id, times in session.execute(
                        select(Spotlight.member_id, func.count())
                        .where(Spotlight.workspace_id == workspace_id)
                        .group_by(Spotlight.member_id)
                    )
                }
            )
    finally:
        engine.dispose()
    title_of = {person.member_id: person.title for person in people}
    ranked = sorted(people, key=lambda person: (-received[person.member_id], person.member_id))
    top = {person.member_id for person in ranked[: round(len(people) * TOP_FRACTION)]}
    nominations = sum(received.values())
    return EquityFigures(
        variant=model,
        weeks=shape.weeks,
        nominations=nominations,
        top_share_of_nominations=sum(received[m] for m in top) / max(1, nominations),
        people_featured=len(featured),
        baseline_people_featured=len(baseline),
        nominated_titles=len({title_of[m] for m in received}),
        titles_featured=len({title_of[m] for m in featured}),
        baseline_titles_featured=len({title_of[m] for m in baseline}),
        slots=sum(featured.values()),
        top_slots=sum(times for m, times in featured.items() if m in top),
        baseline_top_slots=sum(times for m, times in baseline.items() if m in top),
        baseline_slots=sum(baseline.values()),
        most_times_featured=max(featured.values(), default=0),
        seconds=time.perf_counter() - began,
    )


# --- reporting -----------------------------------------------------------------------------


def _percent(share: float) -> str:
    return f"{share:.0%}"


def figures_for(result: EquityFigures, *, held_to_targets: bool) -> list[Figure]:
    """One variant's rows for RESULTS.md; only the worse variant's carry the targets."""
    name = result.variant.value

    def target(text: str) -> str:
        return text if held_to_targets else "—"

    def verdict(met: bool) -> bool | None:
        return met if held_to_targets else None

    return [
        Figure(
            f"Endorsements {name}: distinct people featured",
            f"{result.people_featured} against {result.baseline_people_featured} "
            f"(top-5 digest): {result.people_ratio:.1f}×",
            target(f"≥ {MIN_PEOPLE_RATIO:.0f}×"),
            verdict(result.people_ratio >= MIN_PEOPLE_RATIO),
        ),
        Figure(
            f"Endorsements {name}: nominated job titles featured at least once",
            f"{result.titles_featured} of {result.nominated_titles} "
            f"({_percent(result.title_coverage)}); top-5 digest "
            f"{_percent(result.baseline_title_coverage)}",
            target(f"≥ {_percent(MIN_TITLE_COVERAGE)}"),
            verdict(result.title_coverage >= MIN_TITLE_COVERAGE),
        ),
        Figure(
            f"Endorsements {name}: spotlight slots to the most-nominated 20%",
            f"{result.top_slots} of {result.slots} ({_percent(result.top_share_of_slots)}); "
            f"they received {_percent(result.top_share_of_nominations)} of "
            f"{result.nominations:,} public nominations; top-5 digest "
            f"{_percent(result.baseline_top_share_of_slots)}",
            target(f"≤ {_percent(MAX_TOP_SHARE)}"),
            verdict(result.top_share_of_slots <= MAX_TOP_SHARE),
        ),
        Figure(
            f"Endorsements {name}: most times one person was featured",
            str(result.most_times_featured),
            target(f"≤ {MAX_TIMES_FEATURED}"),
            verdict(result.most_times_featured <= MAX_TIMES_FEATURED),
        ),
    ]


def _worse(results: Sequence[EquityFigures]) -> EquityFigures:
    """The variant furthest from the targets: fewest targets met, then the larger top share."""

    def shortfall(result: EquityFigures) -> tuple[int, float]:
        met = (
            (result.people_ratio >= MIN_PEOPLE_RATIO)
            + (result.title_coverage >= MIN_TITLE_COVERAGE)
            + (result.top_share_of_slots <= MAX_TOP_SHARE)
            + (result.most_times_featured <= MAX_TIMES_FEATURED)
        )
        return (-met, result.top_share_of_slots - result.title_coverage)

    return max(results, key=shortfall)


def run(context: Context, shape: TrustShape = FULL) -> Outcome:
    """Both variants on SQLite files in the workdir; the worse one is held to the targets.
    Both are printed and recorded, so a reader sees how far apart they are."""
    outcome = Outcome(NUMBER, TITLE, TARGET)
    began = time.perf_counter()
    results = []
    for model in Endorsements:
        path = context.workdir / f"equity-{model.name.lower()}.db"
        path.unlink(missing_ok=True)
        results.append(simulate(f"sqlite:///{path}", shape, model))
    worse = _worse(results)
    for result in results:
        for figure in figures_for(result, held_to_targets=True):
            outcome.add(figure)
    realised = " and ".join(_percent(r.top_share_of_nominations) for r in results)
    outcome.note(
        f"{shape.people} people, {shape.titles} job titles, {shape.departments} departments; "
        f"{shape.nominations_per_week} nominations a week ({_percent(shape.private_share)} "
        f"private) for {shape.weeks} weeks, nominees drawn with Pareto weights (the "
        f"most-nominated {_percent(TOP_FRACTION)} received {realised} of public nominations "
        f"in the two variants); seed {shape.seed}. Each week: nominations written to SQLite, "
        "then build_digest_view → pick_spotlights → record_spotlights, committed; figures "
        "read back from the spotlight table."
    )
    outcome.note(
        "Baseline: each week's 5 most-nominated people (ties to the lower member id). "
        f"The worse variant here is endorsements {worse.variant.value}; both are held to "
        "the targets."
    )
    for result in results:
        outcome.note(f"Endorsements {result.variant.value}: simulated in {result.seconds:.1f} s.")
    outcome.seconds = time.perf_counter() - began
    return outcome


# --- running alone -------------------------------------------------------------------------


def _section(outcome: Outcome) -> list[str]:
    lines = [f"## {NUMBER}. {TITLE}", "", f"Target: {TARGET}.", ""]
    lines += ["| Figure | Value | Target | Verdict |", "|---|---|---|---|"]
    lines += [
        f"| {figure.name} | {figure.value} | {figure.target} | {figure.verdict} |"
        for figure in outcome.figures
    ]
    lines += ["", *(f"- {note}" for note in outcome.notes), "", f"_Took {outcome.seconds:.0f} s._"]
    return lines


def rewrite_section(results_text: str, outcome: Outcome) -> str:
    """RESULTS.md with this benchmark's section (and summary row, if the table has one)
    replaced or appended; every other benchmark's figures are left as they were."""
    verdict = {True: "met", False: "**missed**", None: "recorded"}[outcome.met]
    row = f"| {NUMBER} | {TITLE} | {TARGET} | {verdict} |"
    lines = results_text.rstrip("\n").split("\n")
    rows = [i for i, line in enumerate(lines) if re.match(rf"\| {NUMBER} \| ", line)]
    if rows:
        lines[rows[0]] = row
    else:
        summary = [i for i, line in enumerate(lines) if re.match(r"\| \d+ \| ", line)]
        if summary:
            lines.insert(summary[-1] + 1, row)
    heading = f"## {NUMBER}. "
    starts = [i for i, line in enumerate(lines) if line.startswith(heading)]
    section = _section(outcome)
    if starts:
        end = next(
            (i for i in range(starts[0] + 1, len(lines)) if lines[i].startswith("## ")),
            len(lines),
        )
        tail = lines[end:]
        lines = lines[: starts[0]] + section + (["", *tail] if tail else [])
    else:
        lines += ["", *section]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.equity", description=__doc__)
    parser.add_argument(
        "--no-write", action="store_true", help="print figures only; leave RESULTS.md alone"
    )
    args = parser.parse_args(argv)
    print(f"[{NUMBER}] {TITLE}", flush=True)
    with tempfile.TemporaryDirectory(prefix="everyseat-equity-") as scratch:
        outcome = run(Context(Path(scratch), None, "not used by this benchmark"))
    if not args.no_write:
        RESULTS_PATH.write_text(rewrite_section(RESULTS_PATH.read_text(), outcome))
        print(f"Rewrote the equity section of {RESULTS_PATH}")
    return 1 if outcome.met is False else 0


if __name__ == "__main__":
    sys.exit(main())

"""The weekly spotlight and the mid-week prompt, as neutral view models.

`build_digest_view` reads one workspace's public nominations for a period in a handful of
bounded queries; `pick_spotlights` chooses who to feature. Platform renderers turn the
views into Block Kit or text; `record_spotlights` remembers who was featured once posted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import BigInteger, and_, case, cast, delete, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from bot import messages
from bot.directory.linking import linked_account_keys
from bot.nominations.behaviours import Behaviour, BehaviourCatalogue
from bot.nominations.rules import Visibility
from bot.nominations.visibility import counted_nominations
from bot.recognition.views import PersonView
from bot.weekly.periods import Period
from bot.weekly.reflections import Reflection, ReflectionCatalogue
from db.models import (
    Endorsement,
    Member,
    Nomination,
    NominationBehaviour,
    NominationNominee,
    Spotlight,
)

SPOTLIGHT_MIN = 3
SPOTLIGHT_MAX = 5
# How far back "recognised least" and "featured lately" look.
TRAILING_WINDOW = timedelta(weeks=12)
# Someone (or a seat) featured this recently gives way to colleagues who haven't been.
FRESHNESS_WINDOW = timedelta(weeks=8)
# In a very busy week only this many nominations are scored: an even, seeded sample (never
# the best-endorsed, which would let popularity in by the back door).
CANDIDATE_LIMIT = 200
SAMPLE_MULTIPLIER = 7_919
SAMPLE_MODULUS = 1_000_003  # prime
# Beyond this many names the digest just says how many more there were.
ALSO_RECOGNISED_LIMIT = 1000
STORY_EXCERPT_LENGTH = 280

# pick_spotlights' weights. Merit (at most 1.0) is a fuller story and a little for
# endorsements, capped low because popular people's posts collect more of them. Being
# recognised rarely (UNSEEN_PERSON_WEIGHT / trailing nominations) and sitting in a seat
# the spotlight has rarely featured (UNSEEN_SEAT_WEIGHT / (1 + times featured)) outweigh
# any merit, so the spotlight reaches those the rest of the week's posts don't.
ENDORSEMENT_WEIGHT = 0.2
MAX_COUNTED_ENDORSEMENTS = 2
SUBSTANCE_WEIGHT = 0.6
SUBSTANCE_FULL_AT = 400  # characters
UNSEEN_PERSON_WEIGHT = 2.0
UNSEEN_SEAT_WEIGHT = 1.5
# Someone whose title isn't known counts as a seat featured once: neither favoured nor
# passed over for it.
UNKNOWN_SEAT_SPOTLIGHTS = 1
# A repeat seat, team or behaviour within one digest costs about as much as the merit a
# story can earn; featuring someone again costs more than anything a story can earn, so
# it only happens when no one fresher is left.
REPEAT_SEAT_PENALTY = 1.0
REPEAT_DEPARTMENT_PENALTY = 0.75
REPEAT_STAFF_GROUP_PENALTY = 0.5  # a staff group (HR import or directory), where known
REPEAT_BEHAVIOUR_PENALTY = 0.5
RECENT_SPOTLIGHT_PENALTY = 10.0
REPEAT_SPOTLIGHT_PENALTY = 5.0  # per earlier spotlight in the trailing window


@dataclass(frozen=True)
class NomineeProfile:
    member_id: int
    person: PersonView
    department: str | None = None
    # The same for every account of one person, in any workspace (the lowest of their
    # member ids: bot.directory.linking.linked_account_keys); None for an unlinked account.
    person_key: int | None = None
    staff_group: str | None = None  # from the HR import or directory; None when unknown

    @property
    def identity(self) -> int:
        """Who this is, for rotation: their person's key, or the account's own id."""
        return self.member_id if self.person_key is None else self.person_key


@dataclass(frozen=True)
class SpotlightCandidate:
    """A public nomination from the period, with what selection needs to know."""

    nomination_id: int
    nominees: tuple[NomineeProfile, ...]
    behaviour_slugs: tuple[str, ...]
    story: str
    endorsements: int
    nominator: PersonView | None = None


@dataclass(frozen=True)
class SpotlightHistory:
    """What the trailing weeks say about the people and seats in this week's candidates.

    People are keyed by `NomineeProfile.identity` (one key for all of a person's linked
    accounts, in every workspace), seats by `seat_key`. People or seats missing from a
    mapping count as never recognised / never featured; `seed` (the period's key) orders
    exact ties, so a week's choice is the same however often it is built.
    """

    # Public nominations each person received in the trailing window, this period's included.
    recognitions: Mapping[int, int] = field(default_factory=dict)
    # Times each person was featured in the trailing window, this period's digest excluded.
    spotlights: Mapping[int, int] = field(default_factory=dict)
    # People featured within FRESHNESS_WINDOW.
    recently_spotlighted: frozenset[int] = frozenset()
    # Times each seat was featured in the trailing window, and seats featured within
    # FRESHNESS_WINDOW.
    seat_spotlights: Mapping[str, int] = field(default_factory=dict)
    recent_seats: frozenset[str] = frozenset()
    seed: str = ""


def spotlight_count(candidates: int) -> int:
    """3 spotlights in an ordinary week, up to 5 in a busy one; fewer only if fewer exist."""
    return min(candidates, max(SPOTLIGHT_MIN, min(SPOTLIGHT_MAX, candidates // 4)))


def seat_key(text: str | None) -> str | None:
    """A seat (job title) as selection compares it: trimmed and case-folded."""
    return text.strip().casefold() or None if text else None


def _merit(candidate: SpotlightCandidate) -> float:
    endorsements = min(candidate.endorsements, MAX_COUNTED_ENDORSEMENTS)
    substance = min(len(candidate.story), SUBSTANCE_FULL_AT) / SUBSTANCE_FULL_AT
    return ENDORSEMENT_WEIGHT * endorsements + SUBSTANCE_WEIGHT * substance


def _tie_break(seed: str, nomination_id: int) -> int:
    digest = hashlib.sha256(f"{seed}:{nomination_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def pick_spotlights(
    candidates: Sequence[SpotlightCandidate],
    *,
    history: SpotlightHistory | None = None,
    recently_spotlighted: Iterable[int] = (),
    count: int | None = None,
) -> list[SpotlightCandidate]:
    """Choose the nominations to feature, favouring the people and seats seen least.

    Greedy: each round takes the candidate with the best score, the mean over its nominees
    of
      + UNSEEN_PERSON_WEIGHT / nominations they received in the trailing window,
      + UNSEEN_SEAT_WEIGHT / (1 + times their seat was featured, in the trailing window
        or earlier in this digest),
    plus its merit (a fuller story, a capped nod to endorsements), minus penalties for
      - each nominee featured before: RECENT_SPOTLIGHT_PENALTY within FRESHNESS_WINDOW
        (`history.recently_spotlighted` and `recently_spotlighted`), and
        REPEAT_SPOTLIGHT_PENALTY for every time in the trailing window;
      - a seat, department, staff group or behaviour already featured in this digest.
    One slot is reserved for a seat not featured within FRESHNESS_WINDOW: if the other
    picks include none, the last goes to the best candidate with such a nominee, when one
    exists. A nomination whose nominee is already featured is never picked, so nobody
    appears twice, not even through two accounts: people are compared by
    `NomineeProfile.identity`, as are `history` and `recently_spotlighted`. Exact ties
    are broken by a hash of `history.seed` and the nomination id: deterministic, but not
    always favouring the earliest. Pure: reads only its arguments.
    `count` defaults to `spotlight_count(len(candidates))`.
    """
    past = history or SpotlightHistory()
    recent = set(recently_spotlighted) | past.recently_spotlighted
    wanted = spotlight_count(len(candidates)) if count is None else count
    picked: list[SpotlightCandidate] = []
    people: set[int] = set()
    seats: dict[str, int] = {}
    departments: set[str] = set()
    staff_groups: set[str] = set()
    behaviours: set[str] = set()

    def seat_term(nominee: NomineeProfile) -> float:
        key = seat_key(nominee.person.title)
        featured = (
            past.seat_spotlights.get(key, 0) + seats.get(key, 0)
            if key is not None
            else UNKNOWN_SEAT_SPOTLIGHTS
        )
        return UNSEEN_SEAT_WEIGHT / (1 + featured)

    def score(candidate: SpotlightCandidate) -> float:
        nominees = candidate.nominees
        value = _merit(candidate)
        value += sum(
            UNSEEN_PERSON_WEIGHT / max(1, past.recognitions.get(n.identity, 1)) + seat_term(n)
            for n in nominees
        ) / len(nominees)
        value -= RECENT_SPOTLIGHT_PENALTY * sum(n.identity in recent for n in nominees)
        value -= REPEAT_SPOTLIGHT_PENALTY * sum(
            past.spotlights.get(n.identity, 0) for n in nominees
        )
        nominee_seats = {seat_key(n.person.title) for n in nominees} - {None}
        nominee_departments = {seat_key(n.department) for n in nominees} - {None}
        nominee_staff_groups = {seat_key(n.staff_group) for n in nominees} - {None}
        value -= REPEAT_SEAT_PENALTY * len(nominee_seats & seats.keys())
        value -= REPEAT_DEPARTMENT_PENALTY * len(nominee_departments & departments)
        value -= REPEAT_STAFF_GROUP_PENALTY * len(nominee_staff_groups & staff_groups)
        value -= REPEAT_BEHAVIOUR_PENALTY * len(set(candidate.behaviour_slugs) & behaviours)
        return value

    def fresh_seat(candidate: SpotlightCandidate) -> bool:
        keys = {seat_key(n.person.title) for n in candidate.nominees} - {None}
        return any(key not in past.recent_seats for key in keys)

    remaining = list(candidates)
    while len(picked) < wanted:
        eligible = [c for c in remaining if not any(n.identity in people for n in c.nominees)]
        if len(picked) == wanted - 1 and not any(fresh_seat(c) for c in picked):
            eligible = [c for c in eligible if fresh_seat(c)] or eligible
        if not eligible:
            break
        best = max(eligible, key=lambda c: (score(c), _tie_break(past.seed, c.nomination_id)))
        picked.append(best)
        remaining.remove(best)
        people.update(n.identity for n in best.nominees)
        for nominee in best.nominees:
            if (key := seat_key(nominee.person.title)) is not None:
                seats[key] = seats.get(key, 0) + 1
        departments.update(d for n in best.nominees if (d := seat_key(n.department)))
        staff_groups.update(g for n in best.nominees if (g := seat_key(n.staff_group)))
        behaviours.update(best.behaviour_slugs)
    return picked


# --- view models ----------------------------------------------------------------------


@dataclass(frozen=True)
class SpotlightItem:
    nomination_id: int
    nominees: tuple[PersonView, ...]
    behaviours: tuple[Behaviour, ...]
    story: str  # shortened for the digest
    endorsements: int
    nominator: PersonView | None


@dataclass(frozen=True)
class DigestSummary:
    nominations: int
    people: int
    behaviours: tuple[Behaviour, ...]  # in catalogue order: no ranking


@dataclass(frozen=True)
class DigestView:
    """One workspace's weekly spotlight, or the invitation sent after a quiet week."""

    workspace_id: int
    period: Period
    summary: DigestSummary
    reflection: Reflection
    spotlights: tuple[SpotlightItem, ...] = ()
    also_recognised: tuple[PersonView, ...] = ()
    also_recognised_more: int = 0  # recognised but not listed (a very busy week)
    # (member id, nomination id) of every spotlighted person, recorded once posted.
    spotlighted: tuple[tuple[int, int], ...] = field(default=(), repr=False)

    @property
    def is_quiet(self) -> bool:
        return self.summary.nominations == 0


@dataclass(frozen=True)
class PromptView:
    """The mid-week reflection: a quote, a question and the nominate button."""

    workspace_id: int
    period: Period
    reflection: Reflection


def summary_line(summary: DigestSummary) -> str:
    """'This week: 4 nominations, 5 people recognised, 3 behaviours seen: A, B and C.'"""
    return messages.DIGEST_SUMMARY.format(
        nominations=messages.count_of(summary.nominations, "nomination", "nominations"),
        people=messages.count_of(summary.people, "person", "people"),
        behaviours=messages.count_of(len(summary.behaviours), "behaviour", "behaviours"),
        behaviour_names=messages.join_names([b.name for b in summary.behaviours]),
    )


def shorten_story(story: str, limit: int = STORY_EXCERPT_LENGTH) -> str:
    """The story cut at a word boundary to at most `limit` characters, with an ellipsis."""
    story = " ".join(story.split())
    if len(story) <= limit:
        return story
    cut = story[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-") + "…"


def rotation_key(workspace_id: int) -> str:
    return f"workspace:{workspace_id}"


def reflection_for(
    reflections: ReflectionCatalogue, workspace_id: int, period: Period
) -> Reflection:
    return reflections.reflection_for(rotation_key(workspace_id), period.rotation_slot)


# --- queries --------------------------------------------------------------------------


def _public_in(
    workspace_id: int, starts_at: datetime, ends_at: datetime
) -> list[ColumnElement[bool]]:
    return [
        Nomination.workspace_id == workspace_id,
        Nomination.visibility == str(Visibility.PUBLIC),
        Nomination.created_at >= starts_at,
        Nomination.created_at < ends_at,
        counted_nominations(),
    ]


def _summary(
    session: Session, window: list[ColumnElement[bool]], catalogue: BehaviourCatalogue
) -> DigestSummary:
    in_window = select(Nomination.id).where(*window)
    nominations = session.scalar(select(func.count()).select_from(in_window.subquery())) or 0
    people = (
        session.scalar(
            select(func.count(func.distinct(NominationNominee.member_id))).where(
                NominationNominee.nomination_id.in_(in_window)
            )
        )
        or 0
    )
    slugs = set(
        session.scalars(
            select(NominationBehaviour.behaviour_slug)
            .where(NominationBehaviour.nomination_id.in_(in_window))
            .distinct()
        )
    )
    ordered = tuple(b for b in catalogue if b.slug in slugs) + tuple(
        Behaviour(slug, slug, "") for slug in sorted(slugs) if slug not in catalogue
    )
    return DigestSummary(nominations, people, ordered)


def _trailing_recognitions(
    session: Session, period: Period, accounts: Mapping[int, int]
) -> dict[int, int]:
    """Public nominations each person received in the TRAILING_WINDOW up to the period's
    due time (this week's included), through any of their `accounts` (account id -> person
    key, from `linked_account_keys`) in any workspace.

    Only the member index narrows the rows (the window is a CASE, not a WHERE), so every
    planner walks each candidate's own nominations rather than the whole window: the cost
    follows the few hundred people scored, not the size of the trust or its history."""
    in_window = and_(
        Nomination.visibility == str(Visibility.PUBLIC),
        Nomination.created_at >= period.due_at - TRAILING_WINDOW,
        Nomination.created_at < period.due_at,
        counted_nominations(),
    )
    counts: dict[int, int] = {}
    ids = sorted(accounts)
    for start in range(0, len(ids), 500):
        rows = session.execute(
            select(NominationNominee.member_id, func.sum(case((in_window, 1), else_=0)))
            .join(Nomination, Nomination.id == NominationNominee.nomination_id)
            .where(NominationNominee.member_id.in_(ids[start : start + 500]))
            .group_by(NominationNominee.member_id)
        )
        for member_id, count in rows:
            key = accounts[int(member_id)]
            counts[key] = counts.get(key, 0) + int(count or 0)
    return counts


def _sample_key(seed: str) -> ColumnElement[int]:
    """A deterministic shuffle of nomination ids for `seed`: (id × A + B) mod P, in SQL."""
    offset = int.from_bytes(hashlib.sha256(seed.encode()).digest()[:4], "big") % SAMPLE_MODULUS
    return (cast(Nomination.id, BigInteger) * SAMPLE_MULTIPLIER + offset) % SAMPLE_MODULUS


def _candidates(
    session: Session, workspace_id: int, period: Period, seed: str
) -> tuple[list[SpotlightCandidate], dict[int, int]]:
    """The period's public nominations worth scoring, and the trailing-window count of
    nominations received by each of their nominees' people (by `NomineeProfile.identity`).

    A week with more than CANDIDATE_LIMIT is sampled evenly (a shuffle seeded by `seed`),
    so every nomination has the same chance to be scored: neither endorsements nor
    popularity decide who reaches the policy, which then weighs the trailing 12 weeks.
    """
    window = _public_in(workspace_id, period.starts_at, period.due_at)
    endorsements = (
        select(func.count())
        .where(Endorsement.nomination_id == Nomination.id)
        .correlate(Nomination)
        .scalar_subquery()
    )
    rows = session.execute(
        select(Nomination.id, Nomination.story, Nomination.nominator_id, endorsements)
        .where(*window)
        .order_by(_sample_key(seed), Nomination.id)
        .limit(CANDIDATE_LIMIT)
    ).all()
    ids = [row[0] for row in rows]
    # Columns, not mapped objects: a busy week scores over a thousand nominees.
    links = session.execute(
        select(
            NominationNominee.nomination_id,
            Member.id,
            Member.platform_user_id,
            Member.display_name,
            Member.title,
            Member.department,
            Member.staff_group,
        )
        .join(Member, Member.id == NominationNominee.member_id)
        .where(NominationNominee.nomination_id.in_(ids))
        .order_by(NominationNominee.nomination_id, NominationNominee.position)
    ).all()
    accounts = linked_account_keys(session, (link.id for link in links))
    nominees: dict[int, list[NomineeProfile]] = {}
    for link in links:
        nominees.setdefault(link.nomination_id, []).append(
            NomineeProfile(
                link.id,
                PersonView(link.platform_user_id, link.display_name, link.title),
                link.department,
                accounts.get(link.id),
                link.staff_group,
            )
        )
    recognitions = _trailing_recognitions(session, period, accounts)
    behaviours: dict[int, list[str]] = {}
    for nomination_id, slug in session.execute(
        select(NominationBehaviour.nomination_id, NominationBehaviour.behaviour_slug)
        .where(NominationBehaviour.nomination_id.in_(ids))
        .order_by(NominationBehaviour.nomination_id, NominationBehaviour.position)
    ):
        behaviours.setdefault(nomination_id, []).append(slug)
    nominator_ids = {row[2] for row in rows if row[2] is not None}
    nominators = {
        member_id: PersonView(platform_user_id, display_name, title)
        for member_id, platform_user_id, display_name, title in session.execute(
            select(Member.id, Member.platform_user_id, Member.display_name, Member.title).where(
                Member.id.in_(nominator_ids)
            )
        )
    }
    candidates = [
        SpotlightCandidate(
            nomination_id=nomination_id,
            nominees=tuple(nominees.get(nomination_id, ())),
            behaviour_slugs=tuple(behaviours.get(nomination_id, ())),
            story=story,
            endorsements=int(count or 0),
            nominator=nominators.get(nominator_id) if nominator_id is not None else None,
        )
        for nomination_id, story, nominator_id, count in rows
        if nominees.get(nomination_id)
    ]
    return candidates, recognitions


def spotlight_history(
    session: Session, workspace_id: int, period: Period, recognitions: Mapping[int, int]
) -> SpotlightHistory:
    """Who and which seats digests featured in the TRAILING_WINDOW before `period` (its own
    earlier record excluded, so building it again chooses the same), with `recognitions`.

    People are counted per person: a spotlight of any account linked to one of this
    workspace's members counts, whichever workspace's digest featured it (the other
    platform's digest of the same week included). Seats are this workspace's own."""
    since = Spotlight.spotlighted_at >= period.due_at - TRAILING_WINDOW
    earlier = (
        Spotlight.workspace_id == workspace_id,
        since,
        Spotlight.period_key != period.key,
    )
    linked_here = select(Member.person_id).where(
        Member.workspace_id == workspace_id, Member.person_id.is_not(None)
    )
    elsewhere = select(Member.id).where(
        Member.workspace_id != workspace_id, Member.person_id.in_(linked_here)
    )
    fresh_since = period.due_at - FRESHNESS_WINDOW
    rows = session.execute(
        select(Spotlight.member_id, func.count(), func.max(Spotlight.spotlighted_at))
        .where(
            since,
            or_(
                and_(*earlier),
                and_(Spotlight.workspace_id != workspace_id, Spotlight.member_id.in_(elsewhere)),
            ),
        )
        .group_by(Spotlight.member_id)
    ).all()
    keys = linked_account_keys(session, (member_id for member_id, _times, _last in rows))
    people: dict[int, int] = {}
    recent_people: set[int] = set()
    for member_id, times, last in rows:
        person = keys.get(member_id, member_id)
        people[person] = people.get(person, 0) + int(times)
        if last >= fresh_since:
            recent_people.add(person)
    seats: dict[str, int] = {}
    recent_seats: set[str] = set()
    for title, times, last in session.execute(
        select(Member.title, func.count(), func.max(Spotlight.spotlighted_at))
        .join(Member, Member.id == Spotlight.member_id)
        .where(*earlier, Member.title.is_not(None))
        .group_by(Member.title)
    ):
        # Titles that differ only in case or spacing are one seat.
        if (key := seat_key(title)) is not None:
            seats[key] = seats.get(key, 0) + int(times)
            if last >= fresh_since:
                recent_seats.add(key)
    return SpotlightHistory(
        recognitions=dict(recognitions),
        spotlights=people,
        recently_spotlighted=frozenset(recent_people),
        seat_spotlights=seats,
        recent_seats=frozenset(recent_seats),
        seed=f"{workspace_id}:{period.key}",
    )


def _also_recognised(
    session: Session, window: list[ColumnElement[bool]], excluded: set[int], people: int
) -> tuple[tuple[PersonView, ...], int]:
    """The first ALSO_RECOGNISED_LIMIT people, by name, the window's nominations named
    besides the `excluded` (featured) ones, and how many more. `people` is how many the
    window named in all (DigestSummary.people; the featured are among them)."""
    in_window = select(Nomination.id).where(*window)
    listed = tuple(
        PersonView(platform_user_id, display_name, title)
        for platform_user_id, display_name, title in session.execute(
            select(Member.platform_user_id, Member.display_name, Member.title)
            .where(
                Member.id.in_(
                    select(NominationNominee.member_id).where(
                        NominationNominee.nomination_id.in_(in_window)
                    )
                ),
                Member.id.not_in(excluded),
            )
            .order_by(func.lower(Member.display_name), Member.id)
            .limit(ALSO_RECOGNISED_LIMIT)
        )
    )
    return listed, people - len(excluded) - len(listed)


def build_digest_view(
    session: Session,
    workspace_id: int,
    period: Period,
    *,
    catalogue: BehaviourCatalogue,
    reflections: ReflectionCatalogue,
) -> DigestView:
    """The digest for `period`: its public nominations up to its due time (so far, when
    it is previewed or posted early)."""
    window = _public_in(workspace_id, period.starts_at, period.due_at)
    summary = _summary(session, window, catalogue)
    reflection = reflection_for(reflections, workspace_id, period)
    if summary.nominations == 0:
        return DigestView(workspace_id, period, summary, reflection)
    seed = f"{workspace_id}:{period.key}"
    candidates, recognitions = _candidates(session, workspace_id, period, seed)
    picked = pick_spotlights(
        candidates, history=spotlight_history(session, workspace_id, period, recognitions)
    )
    featured = {nominee.member_id for item in picked for nominee in item.nominees}
    also, more = _also_recognised(session, window, featured, summary.people)
    spotlights = tuple(
        SpotlightItem(
            nomination_id=item.nomination_id,
            nominees=tuple(nominee.person for nominee in item.nominees),
            behaviours=tuple(
                catalogue.get(slug) or Behaviour(slug, slug, "") for slug in item.behaviour_slugs
            ),
            story=shorten_story(item.story),
            endorsements=item.endorsements,
            nominator=item.nominator,
        )
        for item in picked
    )
    return DigestView(
        workspace_id=workspace_id,
        period=period,
        summary=summary,
        reflection=reflection,
        spotlights=spotlights,
        also_recognised=also,
        also_recognised_more=more,
        spotlighted=tuple(
            (nominee.member_id, item.nomination_id) for item in picked for nominee in item.nominees
        ),
    )


def build_prompt_view(
    workspace_id: int, period: Period, *, reflections: ReflectionCatalogue
) -> PromptView:
    return PromptView(workspace_id, period, reflection_for(reflections, workspace_id, period))


def record_spotlights(session: Session, view: DigestView, now: datetime) -> None:
    """Stage who `view` featured (replacing any earlier record of its period); the caller
    commits, together with marking the delivery posted."""
    session.execute(
        delete(Spotlight).where(
            Spotlight.workspace_id == view.workspace_id, Spotlight.period_key == view.period.key
        )
    )
    session.add_all(
        Spotlight(
            workspace_id=view.workspace_id,
            member_id=member_id,
            nomination_id=nomination_id,
            period_key=view.period.key,
            spotlighted_at=now,
        )
        for member_id, nomination_id in view.spotlighted
    )

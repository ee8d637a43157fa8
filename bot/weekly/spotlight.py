"""The weekly spotlight and the mid-week prompt, as neutral view models.

`build_digest_view` reads one workspace's public nominations for a period in a handful of
bounded queries; `pick_spotlights` chooses who to feature. Platform renderers turn the
views into Block Kit or text; `record_spotlights` remembers who was featured once posted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from bot import messages
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
# Someone featured this recently gives way to colleagues who haven't been.
FRESHNESS_WINDOW = timedelta(weeks=8)
# The best-endorsed, fullest stories are the only ones worth scoring in a very busy week.
CANDIDATE_LIMIT = 200
# Beyond this many names the digest just says how many more there were.
ALSO_RECOGNISED_LIMIT = 1000
STORY_EXCERPT_LENGTH = 280

# pick_spotlights' weights: one endorsement outweighs a long story; a repeat seat, team or
# behaviour costs about as much as one or two endorsements; a recent spotlight costs more
# than any story can earn, so it only wins when no one fresher is left.
ENDORSEMENT_WEIGHT = 0.5
MAX_COUNTED_ENDORSEMENTS = 5
SUBSTANCE_WEIGHT = 1.0
SUBSTANCE_FULL_AT = 400  # characters
REPEAT_SEAT_PENALTY = 1.0
REPEAT_DEPARTMENT_PENALTY = 0.75
REPEAT_BEHAVIOUR_PENALTY = 0.5
RECENT_SPOTLIGHT_PENALTY = 10.0


@dataclass(frozen=True)
class NomineeProfile:
    member_id: int
    person: PersonView
    department: str | None = None


@dataclass(frozen=True)
class SpotlightCandidate:
    """A public nomination from the period, with what selection needs to know."""

    nomination_id: int
    nominees: tuple[NomineeProfile, ...]
    behaviour_slugs: tuple[str, ...]
    story: str
    endorsements: int
    nominator: PersonView | None = None


def spotlight_count(candidates: int) -> int:
    """3 spotlights in an ordinary week, up to 5 in a busy one; fewer only if fewer exist."""
    return min(candidates, max(SPOTLIGHT_MIN, min(SPOTLIGHT_MAX, candidates // 4)))


def _seat(text: str | None) -> str | None:
    return text.strip().casefold() or None if text else None


def _merit(candidate: SpotlightCandidate) -> float:
    endorsements = min(candidate.endorsements, MAX_COUNTED_ENDORSEMENTS)
    substance = min(len(candidate.story), SUBSTANCE_FULL_AT) / SUBSTANCE_FULL_AT
    return ENDORSEMENT_WEIGHT * endorsements + SUBSTANCE_WEIGHT * substance


def pick_spotlights(
    candidates: Sequence[SpotlightCandidate],
    *,
    recently_spotlighted: Iterable[int] = (),
    count: int | None = None,
) -> list[SpotlightCandidate]:
    """Choose the nominations to feature, seat-aware and anti-hero.

    Greedy: each round takes the candidate with the best score, where the score is its
    merit (endorsements, then a fuller story) minus penalties for
      - nominees spotlighted in the last weeks (`recently_spotlighted` member ids), large
        enough that they are featured only when no fresher story is left;
      - a job title (seat), department or behaviour already featured in this digest.
    A nomination whose nominee is already featured is never picked, so nobody appears
    twice. Ties go to the earlier nomination, so the result is deterministic.
    `count` defaults to `spotlight_count(len(candidates))`.
    """
    recent = set(recently_spotlighted)
    wanted = spotlight_count(len(candidates)) if count is None else count
    picked: list[SpotlightCandidate] = []
    people: set[int] = set()
    seats: set[str] = set()
    departments: set[str] = set()
    behaviours: set[str] = set()

    def score(candidate: SpotlightCandidate) -> float:
        value = _merit(candidate)
        value -= RECENT_SPOTLIGHT_PENALTY * sum(n.member_id in recent for n in candidate.nominees)
        nominee_seats = {_seat(n.person.title) for n in candidate.nominees} - {None}
        nominee_departments = {_seat(n.department) for n in candidate.nominees} - {None}
        value -= REPEAT_SEAT_PENALTY * len(nominee_seats & seats)
        value -= REPEAT_DEPARTMENT_PENALTY * len(nominee_departments & departments)
        value -= REPEAT_BEHAVIOUR_PENALTY * len(set(candidate.behaviour_slugs) & behaviours)
        return value

    remaining = sorted(candidates, key=lambda c: c.nomination_id)
    while len(picked) < wanted:
        eligible = [c for c in remaining if not any(n.member_id in people for n in c.nominees)]
        if not eligible:
            break
        best = max(eligible, key=lambda c: (score(c), -c.nomination_id))
        picked.append(best)
        remaining.remove(best)
        people.update(n.member_id for n in best.nominees)
        seats.update(s for n in best.nominees if (s := _seat(n.person.title)))
        departments.update(d for n in best.nominees if (d := _seat(n.department)))
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


def _candidates(session: Session, window: list[ColumnElement[bool]]) -> list[SpotlightCandidate]:
    endorsements = (
        select(func.count())
        .where(Endorsement.nomination_id == Nomination.id)
        .correlate(Nomination)
        .scalar_subquery()
    )
    rows = session.execute(
        select(Nomination.id, Nomination.story, Nomination.nominator_id, endorsements)
        .where(*window)
        .order_by(endorsements.desc(), func.length(Nomination.story).desc(), Nomination.id)
        .limit(CANDIDATE_LIMIT)
    ).all()
    ids = [row[0] for row in rows]
    nominees: dict[int, list[NomineeProfile]] = {}
    for link, member in session.execute(
        select(NominationNominee, Member)
        .join(Member, Member.id == NominationNominee.member_id)
        .where(NominationNominee.nomination_id.in_(ids))
        .order_by(NominationNominee.nomination_id, NominationNominee.position)
    ):
        nominees.setdefault(link.nomination_id, []).append(
            NomineeProfile(member.id, PersonView.of(member), member.department)
        )
    behaviours: dict[int, list[str]] = {}
    for nomination_id, slug in session.execute(
        select(NominationBehaviour.nomination_id, NominationBehaviour.behaviour_slug)
        .where(NominationBehaviour.nomination_id.in_(ids))
        .order_by(NominationBehaviour.nomination_id, NominationBehaviour.position)
    ):
        behaviours.setdefault(nomination_id, []).append(slug)
    nominator_ids = {row[2] for row in rows if row[2] is not None}
    nominators = {
        member.id: PersonView.of(member)
        for member in session.scalars(select(Member).where(Member.id.in_(nominator_ids)))
    }
    return [
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


def recently_spotlighted_members(session: Session, workspace_id: int, period: Period) -> set[int]:
    """Members a digest featured in the weeks before this period (not this one itself)."""
    return set(
        session.scalars(
            select(Spotlight.member_id)
            .where(
                Spotlight.workspace_id == workspace_id,
                Spotlight.spotlighted_at >= period.due_at - FRESHNESS_WINDOW,
                Spotlight.period_key != period.key,
            )
            .distinct()
        )
    )


def _also_recognised(
    session: Session, window: list[ColumnElement[bool]], excluded: set[int]
) -> tuple[tuple[PersonView, ...], int]:
    in_window = select(Nomination.id).where(*window)
    people = (
        select(Member)
        .where(
            Member.id.in_(
                select(NominationNominee.member_id).where(
                    NominationNominee.nomination_id.in_(in_window)
                )
            ),
            Member.id.not_in(excluded),
        )
        .order_by(func.lower(Member.display_name), Member.id)
    )
    total = session.scalar(select(func.count()).select_from(people.subquery())) or 0
    listed = tuple(
        PersonView.of(member) for member in session.scalars(people.limit(ALSO_RECOGNISED_LIMIT))
    )
    return listed, total - len(listed)


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
    picked = pick_spotlights(
        _candidates(session, window),
        recently_spotlighted=recently_spotlighted_members(session, workspace_id, period),
    )
    featured = {nominee.member_id for item in picked for nominee in item.nominees}
    also, more = _also_recognised(session, window, featured)
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

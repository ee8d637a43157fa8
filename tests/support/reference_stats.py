"""A deliberately plain statistics computation, to hold the fast SQL in bot/reporting/stats.py to.

It loads the period's rows through the ORM and counts them in Python, one definition at a
time, the way a person would by hand. Slow, and meant to be: it is only ever run on the
small random workspaces of the property test.

In one workspace an account is someone; in the organisation (workspace_id None) a person
is their linked Person, or an unlinked account alone, active when any account is, in the
seat of their first active account (else their first account).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from datetime import UTC, date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import messages
from bot.nominations.behaviours import BehaviourCatalogue
from bot.reporting.periods import ReportingPeriod
from bot.reporting.stats import (
    BehaviourWeek,
    GroupCount,
    RecognitionStats,
    WeekCount,
    counts_in_statistics,
    never_recognised_seats,
    weeks_in,
)
from db.models import Endorsement, Member, Nomination


def _monday(moment_date: date) -> date:
    return moment_date - timedelta(days=moment_date.weekday())


def reference_stats(
    session: Session,
    workspace_id: int | None,
    period: ReportingPeriod,
    catalogue: BehaviourCatalogue,
) -> RecognitionStats:
    """Every statistic of `recognition_stats`, computed row by row in Python."""
    organisation = workspace_id is None
    nominations = [
        nomination
        for nomination in session.scalars(select(Nomination))
        if (organisation or nomination.workspace_id == workspace_id)
        and period.since <= nomination.created_at < period.until
    ]
    # The same "nominations that count" rule the fast path uses (hidden, withdrawn…).
    counted_ids = set(session.scalars(select(Nomination.id).where(counts_in_statistics())).all())
    nominations = [nomination for nomination in nominations if nomination.id in counted_ids]
    members = {member.id: member for member in session.scalars(select(Member))}

    def person_of(member_id: int) -> int:
        member = members[member_id]
        if not organisation:
            return member.id
        return member.person_id if member.person_id is not None else -member.id

    def account_active(member: Member) -> bool:
        return not member.is_bot and not member.is_deactivated

    accounts: dict[int, list[Member]] = defaultdict(list)
    for member in sorted(members.values(), key=lambda m: m.id):
        if organisation or member.workspace_id == workspace_id:
            accounts[person_of(member.id)].append(member)
    # Each person's seat: their first active account's, else their first account's.
    seat_of = {
        person: next((m for m in owned if account_active(m)), owned[0])
        for person, owned in accounts.items()
    }

    def active(person: int) -> bool:
        if person in accounts:
            return any(account_active(m) for m in accounts[person])
        # A nominee from another workspace (workspace scope): their own account.
        return account_active(members[person])

    ids = {nomination.id for nomination in nominations}
    endorsements = sum(
        1
        for endorsement in session.scalars(select(Endorsement))
        if endorsement.nomination_id in ids
    )
    # One link per nominee (a person, in the organisation) per nomination.
    links: list[tuple[Nomination, int]] = []
    for nomination in nominations:
        named = {person_of(nominee.member_id) for nominee in nomination.nominees}
        links += [(nomination, person) for person in sorted(named)]
    received = Counter(person for _, person in links)
    counts = sorted(received.values())
    recipients, total = len(counts), sum(counts)
    top = math.ceil(recipients / 10) if recipients else 0
    if recipients and total:
        weighted = sum(rank * count for rank, count in enumerate(counts, start=1))
        gini: float | None = 2 * weighted / (recipients * total) - (recipients + 1) / recipients
    else:
        gini = None

    def by_field(field: str, none_label: str) -> tuple[GroupCount, ...]:
        shown = [person for person in accounts if active(person) or person in received]
        groups: dict[str | None, list[int]] = defaultdict(list)
        for person in shown:
            groups[getattr(seat_of[person], field)].append(person)
        result = []
        for value, people in groups.items():
            in_group = set(people)
            result.append(
                GroupCount(
                    key=value,
                    label=value if value is not None else none_label,
                    nominations=len({n.id for n, person in links if person in in_group}),
                    people_recognised=sum(1 for person in people if person in received),
                    members=sum(1 for person in people if active(person)),
                )
            )
        result.sort(key=lambda g: (-g.nominations, -(g.members or 0), g.label.casefold(), g.label))
        return tuple(result)

    with_nominees = [nomination for nomination in nominations if nomination.nominees]
    by_slug: dict[str, tuple[int, int]] = {}
    for nomination in with_nominees:
        for behaviour in nomination.behaviours:
            by_slug.setdefault(behaviour.behaviour_slug, (0, 0))
    for slug in by_slug:
        tagged = [n for n in with_nominees if slug in {b.behaviour_slug for b in n.behaviours}]
        people = {person_of(nominee.member_id) for n in tagged for nominee in n.nominees}
        by_slug[slug] = (len(tagged), len(people))
    listed = [behaviour.slug for behaviour in catalogue]
    slugs = listed + sorted(set(by_slug) - set(listed))
    by_behaviour = tuple(
        GroupCount(slug, catalogue.name_of(slug), *by_slug.get(slug, (0, 0))) for slug in slugs
    )

    def week_of(nomination: Nomination) -> date:
        return _monday(nomination.created_at.astimezone(UTC).date())

    weekly = tuple(
        WeekCount(
            monday,
            sum(1 for n in with_nominees if week_of(n) == monday),
            len({person for n, person in links if week_of(n) == monday}),
        )
        for monday in weeks_in(period)
    )
    behaviour_weeks = Counter(
        (week_of(n), behaviour.behaviour_slug) for n in with_nominees for behaviour in n.behaviours
    )
    weekly_by_behaviour = tuple(
        BehaviourWeek(week, slug, count) for (week, slug), count in sorted(behaviour_weeks.items())
    )
    by_title = by_field("title", messages.NO_TITLE)

    def known(groups: tuple[GroupCount, ...]) -> tuple[GroupCount, ...]:
        return groups if any(group.key is not None for group in groups) else ()

    return RecognitionStats(
        period=period,
        nominations=len(nominations),
        endorsements=endorsements,
        distinct_nominees=recipients,
        distinct_nominators=len(
            {person_of(n.nominator_id) for n in nominations if n.nominator_id is not None}
        ),
        active_members=sum(1 for person in accounts if active(person)),
        recognised_active_members=sum(1 for person in received if active(person)),
        recognitions_received=total,
        top_recipients=top,
        top_recipients_received=sum(sorted(counts, reverse=True)[:top]),
        gini=gini,
        by_behaviour=by_behaviour,
        by_title=by_title,
        by_department=by_field("department", messages.NO_DEPARTMENT),
        by_staff_group=known(by_field("staff_group", messages.NO_STAFF_GROUP)),
        by_pay_band=known(by_field("pay_band", messages.NO_PAY_BAND)),
        weekly=weekly,
        weekly_by_behaviour=weekly_by_behaviour,
        seats_never_recognised=never_recognised_seats(by_title),
    )

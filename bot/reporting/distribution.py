"""How evenly recognition is spread across everyone who could receive it: the Lorenz
curve of recognition received by active members (those never recognised included) and
its Gini coefficient.

The database groups people by how many recognitions they received, so what comes back is
one row per distinct count (a few dozen), whatever the size of the organisation.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.reporting.periods import ReportingPeriod
from bot.reporting.stats import in_period, is_active_person, person_of_account
from db.models import Member, Nomination, NominationNominee


@dataclass(frozen=True)
class Distribution:
    """`people_by_count[c]` active members received exactly `c` recognitions."""

    people_by_count: tuple[tuple[int, int], ...]  # (recognitions received, people), ascending

    @property
    def people(self) -> int:
        return sum(people for _count, people in self.people_by_count)

    @property
    def recognitions(self) -> int:
        return sum(count * people for count, people in self.people_by_count)

    @property
    def recognised(self) -> int:
        return sum(people for count, people in self.people_by_count if count > 0)

    def lorenz_points(self) -> tuple[tuple[float, float], ...]:
        """(share of people, share of recognitions they received), least recognised first,
        from (0, 0) to (1, 1): one point per distinct count, which is exact because the
        curve is straight between people who received the same."""
        total_people, total = self.people, self.recognitions
        if not total_people or not total:
            return ()
        points = [(0.0, 0.0)]
        people_so_far = received_so_far = 0
        for count, people in self.people_by_count:
            people_so_far += people
            received_so_far += count * people
            points.append((people_so_far / total_people, received_so_far / total))
        return tuple(points)

    @property
    def gini(self) -> float | None:
        """1 − 2 × the area under the Lorenz curve: 0 when everyone received the same,
        close to 1 when one person received everything."""
        points = self.lorenz_points()
        if not points:
            return None
        area = sum((x1 - x0) * (y0 + y1) / 2 for (x0, y0), (x1, y1) in pairwise(points))
        return max(0.0, 1 - 2 * area)


def recognition_distribution(
    session: Session, workspace_id: int | None, period: ReportingPeriod
) -> Distribution:
    """Active members grouped by the recognitions they received in the period; with
    ORGANISATION (None), active people, each counted once however many accounts they have."""
    if workspace_id is None:
        person = person_of_account()
        received = (
            select(
                person.label("person"),
                func.count(func.distinct(NominationNominee.nomination_id)).label("received"),
            )
            .join(Nomination, Nomination.id == NominationNominee.nomination_id)
            .join(Member, Member.id == NominationNominee.member_id)
            .where(in_period(workspace_id, period))
            .group_by(person)
            .subquery("received")
        )
        people = select(person.label("person")).where(is_active_person()).distinct().subquery()
        per_person = (
            select(func.coalesce(received.c.received, 0).label("received"))
            .select_from(people)
            .outerjoin(received, received.c.person == people.c.person)
            .subquery("per_person")
        )
    else:
        received = (
            select(NominationNominee.member_id, func.count().label("received"))
            .join(Nomination, Nomination.id == NominationNominee.nomination_id)
            .where(in_period(workspace_id, period))
            .group_by(NominationNominee.member_id)
            .subquery("received")
        )
        per_person = (
            select(func.coalesce(received.c.received, 0).label("received"))
            .select_from(Member)
            .outerjoin(received, received.c.member_id == Member.id)
            .where(Member.workspace_id == workspace_id, is_active_person())
            .subquery("per_person")
        )
    rows = session.execute(
        select(per_person.c.received, func.count())
        .group_by(per_person.c.received)
        .order_by(per_person.c.received)
    ).all()
    return Distribution(tuple((int(count), int(people)) for count, people in rows))

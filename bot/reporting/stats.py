"""Recognition statistics for admins: is leadership seen in every seat, or only in a few?

Every figure is an aggregate computed by the database over one period (bounded by the
nomination (workspace_id, created_at) index); Python only reshapes the small results.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Subquery,
    and_,
    case,
    cast,
    false,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.orm import Session

from bot import messages
from bot.errors import WorkspaceChoiceError
from bot.nominations.behaviours import BehaviourCatalogue
from bot.nominations.visibility import counted_nominations
from bot.reporting.periods import ReportingPeriod
from db.models import (
    Endorsement,
    Member,
    Nomination,
    NominationBehaviour,
    NominationNominee,
    Workspace,
)

TOP_SHARE_FRACTION_PERCENT = 10  # "the top 10% of recipients"


@dataclass(frozen=True)
class GroupCount:
    """Recognition for one behaviour, job title ("seat") or department."""

    key: str | None  # slug, title or department; None for "no title/department given"
    label: str
    nominations: int
    people_recognised: int
    members: int | None = None  # active members in this seat or department; None for behaviours


@dataclass(frozen=True)
class WeekCount:
    week_start: date  # the Monday (UTC) the week begins
    nominations: int
    people_recognised: int


@dataclass(frozen=True)
class BehaviourWeek:
    week_start: date
    behaviour: str  # slug
    nominations: int


@dataclass(frozen=True)
class Seat:
    title: str
    members: int


@dataclass(frozen=True)
class RecognitionStats:
    """The statistics of one workspace over one period, before any platform renders them."""

    period: ReportingPeriod
    nominations: int
    endorsements: int
    distinct_nominees: int
    distinct_nominators: int
    active_members: int  # known, not deactivated, not bots
    recognised_active_members: int
    recognitions_received: int  # one per nominee per nomination
    top_recipients: int  # how many recipients make up the top 10%
    top_recipients_received: int
    gini: float | None  # over recipients' counts; None when nobody was recognised
    by_behaviour: tuple[GroupCount, ...]
    by_title: tuple[GroupCount, ...]
    by_department: tuple[GroupCount, ...]
    weekly: tuple[WeekCount, ...]
    weekly_by_behaviour: tuple[BehaviourWeek, ...]
    seats_never_recognised: tuple[Seat, ...]

    @property
    def coverage(self) -> float | None:
        """Share of active members recognised at least once in the period."""
        if not self.active_members:
            return None
        return self.recognised_active_members / self.active_members

    @property
    def top_share(self) -> float | None:
        """Share of recognitions received that went to the top 10% of recipients."""
        if not self.recognitions_received:
            return None
        return self.top_recipients_received / self.recognitions_received


def choose_workspace(session: Session, external_id: str | None = None) -> Workspace:
    """The workspace to report on: the one named, or the only one there is."""
    workspaces = list(session.scalars(select(Workspace).order_by(Workspace.id)))
    if external_id is not None:
        for workspace in workspaces:
            if external_id in (workspace.external_id, str(workspace.id)):
                return workspace
        raise WorkspaceChoiceError(messages.UNKNOWN_WORKSPACE.format(workspace=external_id))
    if len(workspaces) == 1:
        return workspaces[0]
    if not workspaces:
        raise WorkspaceChoiceError(messages.NO_WORKSPACES)
    raise WorkspaceChoiceError(
        messages.CHOOSE_WORKSPACE.format(
            workspaces=", ".join(f"{ws.external_id} ({ws.platform})" for ws in workspaces)
        )
    )


def in_period(workspace_id: int, period: ReportingPeriod) -> ColumnElement[bool]:
    """The nominations of one workspace in one period that count (not withdrawn or
    hidden): an index range scan."""
    return and_(
        Nomination.workspace_id == workspace_id,
        Nomination.created_at >= period.since,
        Nomination.created_at < period.until,
        counted_nominations(),
    )


def is_active_person() -> ColumnElement[bool]:
    return and_(Member.is_bot == false(), Member.is_deactivated == false())


def week_start(column: Any, dialect: str) -> ColumnElement[Any]:
    """The Monday (UTC) of the week a timestamp falls in, as an expression for `dialect`."""
    if dialect == "postgresql":
        return cast(func.date_trunc("week", func.timezone("UTC", column)), Date)
    # SQLite stores UTC text; step back six days, then forward to the next Monday.
    return func.date(column, "-6 days", "weekday 1")


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def monday_of(moment: datetime) -> date:
    day = moment.astimezone(UTC).date()
    return day - timedelta(days=day.weekday())


def weeks_in(period: ReportingPeriod) -> list[date]:
    """Every week (by its Monday) that overlaps the period, oldest first."""
    first, last = monday_of(period.since), monday_of(period.until - timedelta(microseconds=1))
    return [first + timedelta(weeks=index) for index in range((last - first).days // 7 + 1)]


def _nominee_links(workspace_id: int, period: ReportingPeriod) -> Subquery:
    """One row per nominee per nomination in the period."""
    return (
        select(
            NominationNominee.nomination_id,
            NominationNominee.member_id,
            Nomination.created_at,
        )
        .join(Nomination, Nomination.id == NominationNominee.nomination_id)
        .where(in_period(workspace_id, period))
        .subquery("links")
    )


def _spread(session: Session, links: Subquery) -> tuple[int, int, int, int, int]:
    """(recipients, received, Σ rank×received ascending, top-10% count, top-10% received)."""
    per_recipient = (
        select(links.c.member_id, func.count().label("received"))
        .group_by(links.c.member_id)
        .subquery("per_recipient")
    )
    received = per_recipient.c.received
    ranked = select(
        received.label("received"),
        func.row_number().over(order_by=received).label("rank_up"),
        func.row_number().over(order_by=received.desc()).label("rank_down"),
        func.count().over().label("recipients"),
    ).subquery("ranked")
    # rank_down <= ceil(recipients / 10), in integers: 10·rank_down − 9 <= recipients.
    in_top = ranked.c.rank_down * 10 - 9 <= ranked.c.recipients
    row = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(ranked.c.received), 0),
            func.coalesce(func.sum(ranked.c.rank_up * ranked.c.received), 0),
            func.coalesce(func.sum(case((in_top, 1), else_=0)), 0),
            func.coalesce(func.sum(case((in_top, ranked.c.received), else_=0)), 0),
        )
    ).one()
    return int(row[0]), int(row[1]), int(row[2]), int(row[3]), int(row[4])


def gini_from_ranked_sums(recipients: int, received: int, rank_weighted: int) -> float | None:
    """Gini of counts sorted ascending: 2·Σ(i·xᵢ) / (n·Σxᵢ) − (n+1)/n; 0 is evenly spread."""
    if recipients == 0 or received == 0:
        return None
    return 2 * rank_weighted / (recipients * received) - (recipients + 1) / recipients


def _by_member_field(
    session: Session, workspace_id: int, links: Subquery, field: Any, none_label: str
) -> tuple[GroupCount, ...]:
    active = is_active_person()
    rows = session.execute(
        select(
            field,
            func.count(func.distinct(case((active, Member.id)))),
            func.count(func.distinct(links.c.member_id)),
            func.count(func.distinct(links.c.nomination_id)),
        )
        .select_from(Member)
        .outerjoin(links, links.c.member_id == Member.id)
        .where(Member.workspace_id == workspace_id, or_(active, links.c.member_id.is_not(None)))
        .group_by(field)
    ).all()
    groups = [
        GroupCount(
            key=value,
            label=value if value is not None else none_label,
            nominations=int(nominations),
            people_recognised=int(people),
            members=int(members),
        )
        for value, members, people, nominations in rows
    ]
    groups.sort(
        key=lambda group: (-group.nominations, -(group.members or 0), group.label.casefold())
    )
    return tuple(groups)


def _by_behaviour(
    session: Session, links: Subquery, catalogue: BehaviourCatalogue
) -> tuple[GroupCount, ...]:
    rows = session.execute(
        select(
            NominationBehaviour.behaviour_slug,
            func.count(func.distinct(links.c.nomination_id)),
            func.count(func.distinct(links.c.member_id)),
        )
        .join(links, links.c.nomination_id == NominationBehaviour.nomination_id)
        .group_by(NominationBehaviour.behaviour_slug)
    ).all()
    found = {slug: (int(nominations), int(people)) for slug, nominations, people in rows}
    # Every catalogue behaviour is listed, recognised or not: a zero is a finding too.
    listed = [behaviour.slug for behaviour in catalogue]
    slugs = listed + sorted(set(found) - set(listed))
    return tuple(
        GroupCount(
            key=slug,
            label=catalogue.name_of(slug),
            nominations=found.get(slug, (0, 0))[0],
            people_recognised=found.get(slug, (0, 0))[1],
        )
        for slug in slugs
    )


def _weekly(
    session: Session, links: Subquery, period: ReportingPeriod, dialect: str
) -> tuple[tuple[WeekCount, ...], tuple[BehaviourWeek, ...]]:
    week = week_start(links.c.created_at, dialect).label("week")
    rows = session.execute(
        select(
            week,
            func.count(func.distinct(links.c.nomination_id)),
            func.count(func.distinct(links.c.member_id)),
        ).group_by(literal_column("week"))
    ).all()
    found = {
        _as_date(value): (int(nominations), int(people)) for value, nominations, people in rows
    }
    weekly = tuple(WeekCount(monday, *found.get(monday, (0, 0))) for monday in weeks_in(period))
    nomination_week = week_start(Nomination.created_at, dialect).label("week")
    behaviour_rows = session.execute(
        select(nomination_week, NominationBehaviour.behaviour_slug, func.count())
        .join(Nomination, Nomination.id == NominationBehaviour.nomination_id)
        .where(Nomination.id.in_(select(links.c.nomination_id)))
        .group_by(literal_column("week"), NominationBehaviour.behaviour_slug)
    ).all()
    by_behaviour = tuple(
        sorted(
            (
                BehaviourWeek(_as_date(value), slug, int(count))
                for value, slug, count in behaviour_rows
            ),
            key=lambda item: (item.week_start, item.behaviour),
        )
    )
    return weekly, by_behaviour


def never_recognised_seats(by_title: Iterable[GroupCount]) -> tuple[Seat, ...]:
    """Titles held by active members in which nobody was recognised in the period."""
    seats = [
        Seat(group.key, group.members or 0)
        for group in by_title
        if group.key is not None and (group.members or 0) > 0 and group.people_recognised == 0
    ]
    return tuple(sorted(seats, key=lambda seat: (-seat.members, seat.title.casefold())))


def recognition_stats(
    session: Session, workspace_id: int, period: ReportingPeriod, catalogue: BehaviourCatalogue
) -> RecognitionStats:
    """Compute every statistic for one workspace and period, in a handful of queries."""
    dialect = session.get_bind().dialect.name
    links = _nominee_links(workspace_id, period)
    nominations, nominators = session.execute(
        select(func.count(Nomination.id), func.count(func.distinct(Nomination.nominator_id))).where(
            in_period(workspace_id, period)
        )
    ).one()
    endorsements = session.scalar(
        select(func.count(Endorsement.id))
        .join(Nomination, Nomination.id == Endorsement.nomination_id)
        .where(in_period(workspace_id, period))
    )
    active_members = session.scalar(
        select(func.count(Member.id)).where(Member.workspace_id == workspace_id, is_active_person())
    )
    recognised_active = session.scalar(
        select(func.count(func.distinct(links.c.member_id)))
        .join(Member, Member.id == links.c.member_id)
        .where(is_active_person())
    )
    recipients, received, rank_weighted, top_count, top_received = _spread(session, links)
    by_title = _by_member_field(session, workspace_id, links, Member.title, messages.NO_TITLE)
    weekly, weekly_by_behaviour = _weekly(session, links, period, dialect)
    return RecognitionStats(
        period=period,
        nominations=int(nominations),
        endorsements=int(endorsements or 0),
        distinct_nominees=recipients,
        distinct_nominators=int(nominators),
        active_members=int(active_members or 0),
        recognised_active_members=int(recognised_active or 0),
        recognitions_received=received,
        top_recipients=top_count,
        top_recipients_received=top_received,
        gini=gini_from_ranked_sums(recipients, received, rank_weighted),
        by_behaviour=_by_behaviour(session, links, catalogue),
        by_title=by_title,
        by_department=_by_member_field(
            session, workspace_id, links, Member.department, messages.NO_DEPARTMENT
        ),
        weekly=weekly,
        weekly_by_behaviour=weekly_by_behaviour,
        seats_never_recognised=never_recognised_seats(by_title),
    )

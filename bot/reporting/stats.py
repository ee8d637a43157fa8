"""Recognition statistics for admins: is leadership seen in every seat, or only in a few?

Every figure is an aggregate computed by the database over one period (bounded by the
nomination (workspace_id, created_at) index); Python only reshapes the small results.

The scope is one workspace (an account is someone) or the whole organisation, every
workspace at once (ORGANISATION): there a person with a Slack and a Teams account linked
by email (bot/directory/linking.py) is counted once, as a nominee, a nominator and a head.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any, Final

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    FromClause,
    Select,
    String,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    null,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session, aliased

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
# The scope "every workspace, each person once", where a workspace's id would go.
ORGANISATION: Final = None


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
    """The statistics of one workspace (or of the organisation) over one period, before any
    platform renders them."""

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
    # Staff group and pay band (from the HR import or directory, docs/directory.md): empty
    # when nobody's is known. With active members per group, they are the seniority view.
    by_staff_group: tuple[GroupCount, ...]
    by_pay_band: tuple[GroupCount, ...]
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


def choose_scope(session: Session, external_id: str | None = None) -> int | None:
    """What the command line reports on: the workspace named, else the only one there is,
    else (several, say a trust's Slack and Teams) the whole organisation, ORGANISATION."""
    if external_id is not None:
        return choose_workspace(session, external_id).id
    workspace_ids = list(session.scalars(select(Workspace.id).order_by(Workspace.id).limit(2)))
    if not workspace_ids:
        raise WorkspaceChoiceError(messages.NO_WORKSPACES)
    return workspace_ids[0] if len(workspace_ids) == 1 else ORGANISATION


def person_of_account(member: Any = Member) -> ColumnElement[int]:
    """Who an account is across the organisation: its linked person, else the account
    alone (negated, so it never meets a person's id). `member` may be an alias."""
    return func.coalesce(member.person_id, -member.id)


def counts_in_statistics() -> ColumnElement[bool]:
    """The nominations statistics count. Every query here filters through this one clause,
    so a rule such as "not hidden, not withdrawn" is added in this one place."""
    return counted_nominations()


def in_period(workspace_id: int | None, period: ReportingPeriod) -> ColumnElement[bool]:
    """The nominations of one workspace (or of every one: ORGANISATION) in one period that
    count (not withdrawn or hidden): an index range scan per workspace."""
    in_scope = (
        Nomination.workspace_id == workspace_id
        if workspace_id is not None
        # Every workspace, named so the (workspace_id, created_at) index still bounds it.
        else Nomination.workspace_id.in_(select(Workspace.id))
    )
    return and_(
        in_scope,
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
    # SQLite stores UTC text; from its day (the date part alone: SQLite rounds a time like
    # 23:59:59.999999 up into the next day), step back six days, then on to the next Monday.
    return func.date(func.substr(column, 1, 10), "-6 days", "weekday 1")


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def monday_of(moment: datetime) -> date:
    day = moment.astimezone(UTC).date()
    return day - timedelta(days=day.weekday())


def weeks_in(period: ReportingPeriod) -> list[date]:
    """Every week (by its Monday) that overlaps the period, oldest first."""
    first, last = monday_of(period.since), monday_of(period.until - timedelta(microseconds=1))
    return [first + timedelta(weeks=index) for index in range((last - first).days // 7 + 1)]


def gini_from_ranked_sums(recipients: int, received: int, rank_weighted: int) -> float | None:
    """Gini of counts sorted ascending: 2·Σ(i·xᵢ) / (n·Σxᵢ) − (n+1)/n; 0 is evenly spread."""
    if recipients == 0 or received == 0:
        return None
    return 2 * rank_weighted / (recipients * received) - (recipients + 1) / recipients


class _Section(StrEnum):
    """What a row of the one statistics query holds (its first column)."""

    TOTALS = "totals"  # a nominations, b nominators, c endorsements, d active members
    SPREAD = "spread"  # a recipients, b received, c Σ rank×received, d top count, e top received
    RECOGNISED_ACTIVE = "recognised"  # a recognised active members
    TITLE = "title"  # key title; one of: a nominations, b people recognised, c active members
    DEPARTMENT = "department"  # the same, by department
    STAFF_GROUP = "staff_group"  # the same, by staff group
    PAY_BAND = "pay_band"  # the same, by pay band
    BEHAVIOUR = "behaviour"  # key slug: a nominations, b people recognised
    WEEK = "week"  # week: a nominations, b people recognised
    BEHAVIOUR_WEEK = "behaviour_week"  # week, key slug: a nominations


def _row(
    section: _Section,
    key: Any = None,
    week: Any = None,
    *figures: Any,
) -> list[Any]:
    """One row of the union: section, key, week and five figures (NULL where unused)."""
    padded = [*figures, *([None] * (5 - len(figures)))]
    return [
        literal(section.value, String()).label("section"),
        cast(key, String()).label("key") if key is not None else null().label("key"),
        cast(week, String()).label("week") if week is not None else null().label("week"),
        *(
            (cast(value, BigInteger) if value is not None else null()).label(f"f{index}")
            for index, value in enumerate(padded)
        ),
    ]


@dataclass(frozen=True)
class _People:
    """Whom the statistics count as people, in the terms the queries need: in a workspace,
    its member rows; in the organisation, one row per person (a `people` CTE)."""

    source: FromClause
    key: ColumnElement[Any]  # what links.person and recipients.person hold
    active: ColumnElement[bool]
    in_scope: ColumnElement[bool]

    def field(self, name: str) -> ColumnElement[Any]:
        return self.source.c[name]


def _workspace_people(workspace_id: int) -> _People:
    table = Member.__table__
    return _People(table, table.c.id, is_active_person(), Member.workspace_id == workspace_id)


def _organisation_people() -> _People:
    """One row per person over every workspace: active when any of their accounts is, in
    the seat of one account chosen the same way every time (an active one, then the
    oldest; the HR import gives linked accounts the same seat anyway)."""
    person = person_of_account()
    active = is_active_person()
    accounts = select(
        person.label("person"),
        Member.title,
        Member.department,
        Member.staff_group,
        Member.pay_band,
        case((active, 1), else_=0).label("active"),
        func.row_number()
        .over(partition_by=person, order_by=(case((active, 0), else_=1), Member.id))
        .label("choice"),
    ).subquery("accounts")
    people = (
        select(
            accounts.c.person,
            accounts.c.title,
            accounts.c.department,
            accounts.c.staff_group,
            accounts.c.pay_band,
            accounts.c.active,
        )
        .where(accounts.c.choice == 1)
        .cte("people")
    )
    return _People(people, people.c.person, people.c.active == 1, true())


def _statistics_query(
    workspace_id: int | None, period: ReportingPeriod, dialect: str
) -> Select[Any]:
    """Every figure of the period in one statement: the period's nominations are read once
    (an index range), joined to their nominees once, and each figure is a grouped aggregate
    over those shared, materialised results. With ORGANISATION, nominees and nominators are
    people (accounts mapped by `person_of_account`) and so is every headcount."""
    if workspace_id is None:
        nominator = aliased(Member)
        counted = (
            select(
                Nomination.id.label("id"),
                person_of_account(nominator).label("nominator_id"),
                week_start(Nomination.created_at, dialect).label("week"),
            )
            .outerjoin(nominator, nominator.id == Nomination.nominator_id)
            .where(in_period(workspace_id, period), counts_in_statistics())
            .cte("counted")
        )
        # One row per person per nomination: two linked accounts named together are one.
        links = (
            select(
                NominationNominee.nomination_id.label("nomination_id"),
                person_of_account().label("person"),
                counted.c.week,
            )
            .join(counted, counted.c.id == NominationNominee.nomination_id)
            .join(Member, Member.id == NominationNominee.member_id)
            .distinct()
            .cte("links")
        )
        people = _organisation_people()
    else:
        counted = (
            select(
                Nomination.id.label("id"),
                Nomination.nominator_id.label("nominator_id"),
                week_start(Nomination.created_at, dialect).label("week"),
            )
            .where(in_period(workspace_id, period), counts_in_statistics())
            .cte("counted")
        )
        # One row per nominee per nomination.
        links = (
            select(
                NominationNominee.nomination_id.label("nomination_id"),
                NominationNominee.member_id.label("person"),
                counted.c.week,
            )
            .join(counted, counted.c.id == NominationNominee.nomination_id)
            .cte("links")
        )
        people = _workspace_people(workspace_id)
    recipients = (
        select(links.c.person, func.count().label("received"))
        .group_by(links.c.person)
        .cte("recipients")
    )
    ranked = select(
        recipients.c.received,
        func.row_number().over(order_by=recipients.c.received).label("rank_up"),
        func.row_number().over(order_by=recipients.c.received.desc()).label("rank_down"),
        func.count().over().label("recipients"),
    ).subquery("ranked")
    # rank_down <= ceil(recipients / 10), in integers: 10·rank_down − 9 <= recipients.
    in_top = ranked.c.rank_down * 10 - 9 <= ranked.c.recipients
    # A nomination with two nominees in one seat counts once for that seat.
    seat_links = (
        select(
            links.c.nomination_id,
            people.field("title"),
            people.field("department"),
            people.field("staff_group"),
            people.field("pay_band"),
        )
        .join(people.source, people.key == links.c.person)
        .where(people.in_scope)
        .cte("seat_links")
    )
    behaviour_links = (
        select(
            NominationBehaviour.behaviour_slug,
            links.c.nomination_id,
            links.c.person,
            links.c.week,
        )
        .join(links, links.c.nomination_id == NominationBehaviour.nomination_id)
        .cte("behaviour_links")
    )

    def by_member_field(section: _Section, field: str) -> list[Select[Any]]:
        """Three kinds of row per seat (or department), merged by key in Python: active
        members (an index-only scan of the workspace's members), people recognised (from
        the recipients) and nominations (a nomination counts once per seat)."""
        member_field = people.field(field)
        return [
            select(*_row(section, member_field, None, None, None, func.count()))
            .select_from(people.source)
            .where(people.in_scope, people.active)
            .group_by(member_field),
            select(*_row(section, member_field, None, None, func.count()))
            .select_from(recipients)
            .join(people.source, people.key == recipients.c.person)
            .where(people.in_scope)
            .group_by(member_field),
            select(
                *_row(
                    section,
                    seat_links.c[field],
                    None,
                    func.count(func.distinct(seat_links.c.nomination_id)),
                )
            ).group_by(seat_links.c[field]),
        ]

    endorsements = (
        select(func.count())
        .select_from(Endorsement)
        .join(counted, counted.c.id == Endorsement.nomination_id)
        .scalar_subquery()
    )
    active_members = (
        select(func.count())
        .select_from(people.source)
        .where(people.in_scope, people.active)
        .scalar_subquery()
    )
    parts = [
        select(
            *_row(
                _Section.TOTALS,
                None,
                None,
                func.count(counted.c.id),
                func.count(func.distinct(counted.c.nominator_id)),
                endorsements,
                active_members,
            )
        ),
        select(
            *_row(
                _Section.SPREAD,
                None,
                None,
                func.count(),
                func.coalesce(func.sum(ranked.c.received), 0),
                func.coalesce(func.sum(ranked.c.rank_up * ranked.c.received), 0),
                func.coalesce(func.sum(case((in_top, 1), else_=0)), 0),
                func.coalesce(func.sum(case((in_top, ranked.c.received), else_=0)), 0),
            )
        ),
        # Recognised active members wherever their account is (not only in the workspace).
        select(*_row(_Section.RECOGNISED_ACTIVE, None, None, func.count()))
        .select_from(recipients)
        .join(people.source, people.key == recipients.c.person)
        .where(people.active),
        *by_member_field(_Section.TITLE, "title"),
        *by_member_field(_Section.DEPARTMENT, "department"),
        *by_member_field(_Section.STAFF_GROUP, "staff_group"),
        *by_member_field(_Section.PAY_BAND, "pay_band"),
        select(
            *_row(
                _Section.BEHAVIOUR,
                behaviour_links.c.behaviour_slug,
                None,
                func.count(func.distinct(behaviour_links.c.nomination_id)),
                func.count(func.distinct(behaviour_links.c.person)),
            )
        ).group_by(behaviour_links.c.behaviour_slug),
        select(
            *_row(
                _Section.WEEK,
                None,
                links.c.week,
                func.count(func.distinct(links.c.nomination_id)),
                func.count(func.distinct(links.c.person)),
            )
        ).group_by(links.c.week),
        select(
            *_row(
                _Section.BEHAVIOUR_WEEK,
                behaviour_links.c.behaviour_slug,
                behaviour_links.c.week,
                func.count(func.distinct(behaviour_links.c.nomination_id)),
            )
        ).group_by(behaviour_links.c.week, behaviour_links.c.behaviour_slug),
    ]
    return union_all(*parts)  # type: ignore[return-value]


def _known_groups(rows: Iterable[Any], none_label: str) -> tuple[GroupCount, ...]:
    """Like `_member_groups`, but empty when no member has the field at all (an organisation
    without an HR import or directory sync), so reports leave the breakdown out."""
    groups = _member_groups(rows, none_label)
    return groups if any(group.key is not None for group in groups) else ()


def _member_groups(rows: Iterable[Any], none_label: str) -> tuple[GroupCount, ...]:
    """Seats (or departments) from their rows of nominations (f0), people recognised (f1)
    and active members (f2), each row holding one of the three."""
    figures: dict[str | None, list[int]] = {}
    for row in rows:
        totals = figures.setdefault(row.key, [0, 0, 0])
        for index, value in enumerate((row.f0, row.f1, row.f2)):
            totals[index] += int(value or 0)
    groups = [
        GroupCount(
            key=key,
            label=key if key is not None else none_label,
            nominations=nominations,
            people_recognised=people,
            members=members,
        )
        for key, (nominations, people, members) in figures.items()
    ]
    groups.sort(
        # The label itself last: "Porter" and "porter" are two seats, in a fixed order.
        key=lambda group: (
            -group.nominations,
            -(group.members or 0),
            group.label.casefold(),
            group.label,
        )
    )
    return tuple(groups)


def _behaviour_groups(rows: Iterable[Any], catalogue: BehaviourCatalogue) -> tuple[GroupCount, ...]:
    found = {row.key: (int(row.f0), int(row.f1)) for row in rows}
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


def never_recognised_seats(by_title: Iterable[GroupCount]) -> tuple[Seat, ...]:
    """Titles held by active members in which nobody was recognised in the period."""
    seats = [
        Seat(group.key, group.members or 0)
        for group in by_title
        if group.key is not None and (group.members or 0) > 0 and group.people_recognised == 0
    ]
    return tuple(sorted(seats, key=lambda seat: (-seat.members, seat.title.casefold(), seat.title)))


def recognition_stats(
    session: Session,
    workspace_id: int | None,
    period: ReportingPeriod,
    catalogue: BehaviourCatalogue,
) -> RecognitionStats:
    """Compute every statistic for one workspace (or ORGANISATION: every workspace, each
    person counted once) and period in one statement."""
    dialect = session.get_bind().dialect.name
    sections: dict[_Section, list[Any]] = {section: [] for section in _Section}
    for row in session.execute(_statistics_query(workspace_id, period, dialect)):
        sections[_Section(row.section)].append(row)
    (totals,) = sections[_Section.TOTALS]
    (spread,) = sections[_Section.SPREAD]
    (recognised,) = sections[_Section.RECOGNISED_ACTIVE]
    recipients, received = int(spread.f0), int(spread.f1)
    found = {_as_date(row.week): (int(row.f0), int(row.f1)) for row in sections[_Section.WEEK]}
    by_title = _member_groups(sections[_Section.TITLE], messages.NO_TITLE)
    return RecognitionStats(
        period=period,
        nominations=int(totals.f0),
        endorsements=int(totals.f2 or 0),
        distinct_nominees=recipients,
        distinct_nominators=int(totals.f1),
        active_members=int(totals.f3 or 0),
        recognised_active_members=int(recognised.f0),
        recognitions_received=received,
        top_recipients=int(spread.f3),
        top_recipients_received=int(spread.f4),
        gini=gini_from_ranked_sums(recipients, received, int(spread.f2)),
        by_behaviour=_behaviour_groups(sections[_Section.BEHAVIOUR], catalogue),
        by_title=by_title,
        by_department=_member_groups(sections[_Section.DEPARTMENT], messages.NO_DEPARTMENT),
        by_staff_group=_known_groups(sections[_Section.STAFF_GROUP], messages.NO_STAFF_GROUP),
        by_pay_band=_known_groups(sections[_Section.PAY_BAND], messages.NO_PAY_BAND),
        weekly=tuple(WeekCount(monday, *found.get(monday, (0, 0))) for monday in weeks_in(period)),
        weekly_by_behaviour=tuple(
            sorted(
                (
                    BehaviourWeek(_as_date(row.week), row.key, int(row.f0))
                    for row in sections[_Section.BEHAVIOUR_WEEK]
                ),
                key=lambda item: (item.week_start, item.behaviour),
            )
        ),
        seats_never_recognised=never_recognised_seats(by_title),
    )

"""Recognition statistics for admins: is leadership seen in every seat, or only in a few?

Every figure is an aggregate computed by the database over one period, in one statement
that reads whole weeks from their weekly rollups (most of them, for one workspace, from the
period's span: one row per person) and the rest of the period from the partial index of
nominations that count (bot/reporting/weekly_rollups.py); Python only reshapes the small
results.

The scope is one workspace (an account is someone) or the whole organisation, every
workspace at once (ORGANISATION): there a person with a Slack and a Teams account linked
by email (bot/directory/linking.py) is counted once, as a nominee, a nominator and a head.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Final

from sqlalchemy import (
    CTE,
    BigInteger,
    ColumnElement,
    Engine,
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
from bot.reporting.weekly_rollups import (
    SEAT_FIELDS,
    build_missing_span,
    build_missing_weeks,
    period_rows,
    union_of_flags,
    weeks_touched,
    whole_weeks,
)
from db.models import (
    Member,
    Nomination,
    StatisticsBehaviourFlag,
    StatisticsSpanSeatRepeat,
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


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def weeks_in(period: ReportingPeriod) -> list[date]:
    """Every week (by its Monday) that overlaps the period, oldest first."""
    return weeks_touched(period.since, period.until)


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
    WEEK = "week"  # week: a nominations, b people recognised (in separate rows, summed)
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


@dataclass(frozen=True)
class _Sources:
    """The period's rows (bot/reporting/weekly_rollups.py), with members turned into the
    people the scope counts: in a workspace a member is someone; in the organisation a
    person with linked accounts is one, and a nomination naming two of their accounts
    recognises them once."""

    totals: CTE  # workspace_id, week, nominations, named_nominations, endorsements
    recipients: CTE  # person, received, behaviours (the flags of every one they were seen in)
    recipient_weeks: Select[Any]  # week, people recognised
    nominators: Any  # a scalar subquery: how many people nominated
    behaviour_people: Select[Any]  # behaviour_slug, people recognised
    behaviour_weeks: CTE  # week, behaviour_slug, nominations
    shared: CTE  # nomination_id, person: nominees of nominations naming several people
    # field, value, repeats: the same for the weeks of a built span (then not in `shared`),
    # counted per seat when it was built; None in the organisation.
    seat_repeats: FromClause | None = None


def _people_per_behaviour(recipients: CTE, unflagged: FromClause) -> Select[Any]:
    """behaviour_slug, people: the recipients whose behaviours hold each flag, and for the
    behaviours without a flag (met only in weeks read raw) the people `unflagged` holds
    (behaviour_slug, person)."""
    flag = StatisticsBehaviourFlag.__table__
    return union_all(  # type: ignore[return-value]
        select(flag.c.behaviour_slug, func.count().label("people"))
        .select_from(recipients)
        .join(flag, recipients.c.behaviours.op("&")(flag.c.flag) != 0)
        .group_by(flag.c.behaviour_slug),
        select(
            unflagged.c.behaviour_slug,
            func.count(func.distinct(unflagged.c.person)).label("people"),
        )
        .select_from(unflagged)
        .group_by(unflagged.c.behaviour_slug),
    )


def _sources(
    workspace_id: int | None, workspace_ids: list[int], period: ReportingPeriod
) -> _Sources:
    """The period's rows for the scope: one workspace, or every one (ORGANISATION) of
    `workspace_ids`."""
    rows = period_rows(workspace_ids, period.since, period.until)
    weekly = rows.weekly
    totals = weekly.totals.cte("week_totals")
    # Materialized: grouped by behaviour in place, SQLite would read every nomination's
    # behaviours in the order of their index instead of the few in the period.
    unflagged = weekly.unflagged_behaviours.cte("unflagged_behaviours").prefix_with("MATERIALIZED")
    behaviour_weeks = weekly.behaviours.cte("behaviour_weeks")
    if workspace_id is not None:
        beside_span = rows.shared_beside_span.subquery("shared_beside_span")
        repeat = StatisticsSpanSeatRepeat.__table__
        # A member is someone: per person, the span's rows where one is built.
        person_rows = rows.recipients.subquery("person_rows")
        recipients = (
            select(
                person_rows.c.member_id.label("person"),
                func.sum(person_rows.c.received).label("received"),
                union_of_flags(person_rows.c.behaviours).label("behaviours"),
            )
            .group_by(person_rows.c.member_id)
            .cte("recipients")
        )
        nominators = rows.nominators.subquery("nominators")
        return _Sources(
            totals=totals,
            recipients=recipients,
            recipient_weeks=rows.members_per_week,
            nominators=select(
                func.count(func.distinct(nominators.c.nominator_id))
            ).scalar_subquery(),
            behaviour_people=_people_per_behaviour(
                recipients,
                select(unflagged.c.behaviour_slug, unflagged.c.member_id.label("person")).subquery(
                    "unflagged_people"
                ),
            ),
            behaviour_weeks=behaviour_weeks,
            shared=select(beside_span.c.nomination_id, beside_span.c.member_id.label("person")).cte(
                "shared"
            ),
            seat_repeats=(
                select(repeat.c.field, repeat.c.value, repeat.c.repeats)
                .where(*rows.span.keys(repeat))
                .subquery("seat_repeats")
                if rows.span is not None
                else None
            ),
        )
    recipient_rows = weekly.recipients.cte("recipient_rows")
    nominator_rows = weekly.nominators.cte("nominator_rows")
    shared_rows = weekly.shared.cte("shared_rows")
    person = person_of_account()
    by_person = (
        select(
            recipient_rows.c.week,
            person.label("person"),
            recipient_rows.c.received,
            recipient_rows.c.behaviours,
        )
        .join(Member, Member.id == recipient_rows.c.member_id)
        .cte("recipient_people")
    )
    shared_people = (
        select(shared_rows.c.nomination_id, person.label("person"), func.count().label("accounts"))
        .join(Member, Member.id == shared_rows.c.member_id)
        .group_by(shared_rows.c.nomination_id, person)
        .cte("shared")
    )
    # A nomination naming several accounts of one person recognised them once.
    received = union_all(
        select(by_person.c.person, by_person.c.received, by_person.c.behaviours),
        select(
            shared_people.c.person,
            1 - shared_people.c.accounts,
            literal(0, BigInteger),
        ).where(shared_people.c.accounts > 1),
    ).subquery("received")
    recipients = (
        select(
            received.c.person,
            func.sum(received.c.received).label("received"),
            union_of_flags(received.c.behaviours).label("behaviours"),
        )
        .group_by(received.c.person)
        .cte("recipients")
    )
    nominator = aliased(Member)
    behaviour_member = aliased(Member)
    return _Sources(
        totals=totals,
        recipients=recipients,
        recipient_weeks=select(
            by_person.c.week, func.count(func.distinct(by_person.c.person)).label("people")
        ).group_by(by_person.c.week),
        nominators=(
            select(func.count(func.distinct(person_of_account(nominator))))
            .select_from(nominator_rows)
            .join(nominator, nominator.id == nominator_rows.c.nominator_id)
            .scalar_subquery()
        ),
        behaviour_people=_people_per_behaviour(
            recipients,
            select(unflagged.c.behaviour_slug, person_of_account(behaviour_member).label("person"))
            .join(behaviour_member, behaviour_member.id == unflagged.c.member_id)
            .subquery("unflagged_people"),
        ),
        behaviour_weeks=behaviour_weeks,
        shared=shared_people,
    )


def statistics_query(
    workspace_id: int | None, workspace_ids: list[int], period: ReportingPeriod
) -> Select[Any]:
    """Every figure of the period in one statement, from its rows per person and week
    (`_sources`): everything about recipients comes from one row per recipient, joined once
    to their seat; the per-seat nomination counts are the recognitions received in the seat
    minus the duplicates of nominations naming two people in one seat (found only among
    nominations naming several). With ORGANISATION, nominees and nominators are people
    (accounts mapped by `person_of_account`) and so is every headcount."""
    source = _sources(workspace_id, workspace_ids, period)
    people = _organisation_people() if workspace_id is None else _workspace_people(workspace_id)
    recipients = source.recipients
    spread = _spread(recipients)
    seats = [people.field(field) for field in SEAT_FIELDS]
    # Active members per combination of seat, department, staff group and pay band: a few
    # hundred rows from one index-only scan, summed per field below.
    seated = (
        select(*seats, func.count().label("members"))
        .select_from(people.source)
        .where(people.in_scope, people.active)
        .group_by(*seats)
        .cte("seated")
    )
    in_scope_flag = case((people.in_scope, 1), else_=0).label("recipient_in_scope")
    active_flag = case((people.active, 1), else_=0).label("recipient_active")
    # Recipients by the same combination (and whether in scope, and active): people
    # recognised, and the recognitions they received (a nomination per person in the seat).
    recognised = (
        select(
            in_scope_flag,
            active_flag,
            *seats,
            func.count().label("people"),
            func.sum(recipients.c.received).label("links"),
        )
        .select_from(recipients)
        .join(people.source, people.key == recipients.c.person)
        .group_by(in_scope_flag, active_flag, *seats)
        .cte("recognised")
    )
    # A nomination naming two people in one seat counts once for it.
    shared = (
        select(source.shared.c.nomination_id, *seats)
        .select_from(source.shared)
        .join(people.source, people.key == source.shared.c.person)
        .where(people.in_scope)
        .cte("shared_seats")
    )

    repeats = source.seat_repeats

    def by_member_field(section: _Section, field: str) -> list[Select[Any]]:
        """Rows merged by key in Python: active members; people recognised and the
        recognitions they received (f0); minus (f0, negative) the duplicates within a
        nomination."""
        return [
            select(
                *_row(section, seated.c[field], None, None, None, func.sum(seated.c.members))
            ).group_by(seated.c[field]),
            select(
                *_row(
                    section,
                    recognised.c[field],
                    None,
                    func.sum(recognised.c.links),
                    func.sum(recognised.c.people),
                )
            )
            .where(recognised.c.recipient_in_scope == 1)
            .group_by(recognised.c[field]),
            select(
                *_row(
                    section,
                    shared.c[field],
                    None,
                    func.count(func.distinct(shared.c.nomination_id)) - func.count(),
                )
            ).group_by(shared.c[field]),
            *(
                [
                    select(*_row(section, repeats.c.value, None, -func.sum(repeats.c.repeats)))
                    .where(repeats.c.field == field)
                    .group_by(repeats.c.value)
                ]
                if repeats is not None
                else []
            ),
        ]

    totals = source.totals
    active_members = select(func.sum(seated.c.members)).correlate(None).scalar_subquery()
    behaviour_people = source.behaviour_people.subquery("behaviour_people")
    recipient_weeks = source.recipient_weeks.subquery("recipient_weeks")
    behaviour_weeks = source.behaviour_weeks
    parts = [
        select(
            *_row(
                _Section.TOTALS,
                None,
                None,
                func.coalesce(func.sum(totals.c.nominations), 0),
                source.nominators,
                func.coalesce(func.sum(totals.c.endorsements), 0),
                active_members,
            )
        ).select_from(totals),
        spread,
        # Recognised active members wherever their account is (not only in the workspace).
        select(
            *_row(
                _Section.RECOGNISED_ACTIVE,
                None,
                None,
                func.coalesce(func.sum(recognised.c.people), 0),
            )
        ).where(recognised.c.recipient_active == 1),
        *by_member_field(_Section.TITLE, "title"),
        *by_member_field(_Section.DEPARTMENT, "department"),
        *by_member_field(_Section.STAFF_GROUP, "staff_group"),
        *by_member_field(_Section.PAY_BAND, "pay_band"),
        # People recognised per behaviour; its nominations are summed from its weeks.
        select(
            *_row(
                _Section.BEHAVIOUR,
                behaviour_people.c.behaviour_slug,
                None,
                None,
                behaviour_people.c.people,
            )
        ),
        # A week's nominations and its people recognised, in rows merged in Python.
        select(
            *_row(_Section.WEEK, None, totals.c.week, func.sum(totals.c.named_nominations), 0)
        ).group_by(totals.c.week),
        select(*_row(_Section.WEEK, None, recipient_weeks.c.week, 0, recipient_weeks.c.people)),
        select(
            *_row(
                _Section.BEHAVIOUR_WEEK,
                behaviour_weeks.c.behaviour_slug,
                behaviour_weeks.c.week,
                func.sum(behaviour_weeks.c.nominations),
            )
        ).group_by(behaviour_weeks.c.week, behaviour_weeks.c.behaviour_slug),
    ]
    return union_all(*parts)  # type: ignore[return-value]


def _spread(recipients: CTE) -> Select[Any]:
    """The SPREAD row from how many recipients received each count (a few dozen rows):
    for the Gini, Σ rank×received over recipients sorted ascending, where the c people
    who received v, after P people who received less, hold ranks P+1…P+c, so add
    v·(c·P + c(c+1)/2); for the top 10% (the first ceil(n/10) ranks from the top), the
    people of each count that fall within it."""
    histogram = (
        select(recipients.c.received, func.count().label("people"))
        .group_by(recipients.c.received)
        .subquery("histogram")
    )
    up_to = cast(func.sum(histogram.c.people).over(order_by=histogram.c.received), BigInteger)
    counts = select(
        histogram.c.received,
        histogram.c.people,
        (up_to - histogram.c.people).label("below"),
        cast(func.sum(histogram.c.people).over(), BigInteger).label("total"),
        up_to.label("up_to"),
    ).subquery("counts")
    received, people = counts.c.received, counts.c.people
    top = (counts.c.total + 9) // 10  # ceil(n / 10), in integers
    above = counts.c.total - counts.c.up_to  # people who received more
    in_top = case(
        (top - above <= 0, 0),
        (top - above >= people, people),
        else_=top - above,
    )
    return select(
        *_row(
            _Section.SPREAD,
            None,
            None,
            func.coalesce(func.sum(people), 0),
            func.coalesce(func.sum(received * people), 0),
            func.coalesce(
                func.sum(received * (people * counts.c.below + people * (people + 1) // 2)), 0
            ),
            func.coalesce(func.sum(in_top), 0),
            func.coalesce(func.sum(received * in_top), 0),
        )
    )


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


def _behaviour_groups(
    rows: Iterable[Any], weeks: Iterable[BehaviourWeek], catalogue: BehaviourCatalogue
) -> tuple[GroupCount, ...]:
    """Behaviours from their rows of people recognised (f1) and their nominations, summed
    over the period's weeks (a nomination falls in one week)."""
    nominations: dict[str, int] = {}
    for week in weeks:
        nominations[week.behaviour] = nominations.get(week.behaviour, 0) + week.nominations
    people = {row.key: int(row.f1) for row in rows}
    found = {
        slug: (nominations.get(slug, 0), people.get(slug, 0)) for slug in {*nominations, *people}
    }
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


def _read_sections(
    session: Session, workspace_id: int | None, scope: list[int], period: ReportingPeriod
) -> dict[_Section, list[Any]]:
    """The rows of the one statistics statement, by section."""
    sections: dict[_Section, list[Any]] = {section: [] for section in _Section}
    for row in session.execute(statistics_query(workspace_id, scope, period)):
        sections[_Section(row.section)].append(row)
    return sections


def recognition_stats(
    session: Session,
    workspace_id: int | None,
    period: ReportingPeriod,
    catalogue: BehaviourCatalogue,
    *,
    now: datetime | None = None,
) -> RecognitionStats:
    """Compute every statistic for one workspace (or ORGANISATION: every workspace, each
    person counted once) and period in one statement. Given `now`, the period's whole weeks
    that are over get their rollups built first (weekly_rollups.py) where they are missing,
    each in a transaction of its own; the figures are the same either way."""
    scope = (
        list(session.scalars(select(Workspace.id).order_by(Workspace.id)))
        if workspace_id is None
        else [workspace_id]
    )
    bind = session.get_bind()
    if now is not None and isinstance(bind, Engine):
        whole = whole_weeks(period.since, period.until, now)
        build_missing_weeks(bind, scope, whole)
        if workspace_id is not None:
            build_missing_span(bind, workspace_id, whole)
    sections = _read_sections(session, workspace_id, scope, period)
    (totals,) = sections[_Section.TOTALS]
    (spread,) = sections[_Section.SPREAD]
    (recognised,) = sections[_Section.RECOGNISED_ACTIVE]
    recipients, received = int(spread.f0), int(spread.f1)
    found: dict[date, tuple[int, int]] = {}
    for row in sections[_Section.WEEK]:  # a week's nominations and its people, apart
        nominations, people = found.get(_as_date(row.week), (0, 0))
        found[_as_date(row.week)] = (nominations + int(row.f0), people + int(row.f1))
    by_title = _member_groups(sections[_Section.TITLE], messages.NO_TITLE)
    weekly_by_behaviour = tuple(
        sorted(
            (
                BehaviourWeek(_as_date(row.week), row.key, int(row.f0))
                for row in sections[_Section.BEHAVIOUR_WEEK]
            ),
            key=lambda item: (item.week_start, item.behaviour),
        )
    )
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
        by_behaviour=_behaviour_groups(
            sections[_Section.BEHAVIOUR], weekly_by_behaviour, catalogue
        ),
        by_title=by_title,
        by_department=_member_groups(sections[_Section.DEPARTMENT], messages.NO_DEPARTMENT),
        by_staff_group=_known_groups(sections[_Section.STAFF_GROUP], messages.NO_STAFF_GROUP),
        by_pay_band=_known_groups(sections[_Section.PAY_BAND], messages.NO_PAY_BAND),
        weekly=tuple(WeekCount(monday, *found.get(monday, (0, 0))) for monday in weeks_in(period)),
        weekly_by_behaviour=weekly_by_behaviour,
        seats_never_recognised=never_recognised_seats(by_title),
    )

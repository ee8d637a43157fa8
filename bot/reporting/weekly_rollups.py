"""Weekly rollups of the statistics: what bot/reporting/stats.py needs of one workspace's
counted nominations in one week (Monday to Monday, UTC), a few rows per person instead of
every nomination, nominee and behaviour, so a year is read in a fraction of the time.

A week is built from the raw tables in one transaction (`build_week`), when statistics first
need it (`build_missing_weeks`). From then on database triggers (migration 0007) delete its
`statistics_week` row the moment anything under it changes: a nomination made, moved,
withdrawn, hidden or restored, a nominee, behaviour or endorsement added or removed, an
erasure. The deletion cascades to the week's rows in the other tables, in the transaction
that made the change. Statistics read a week's rollup in the same statement that checks its
row is there, and read the raw tables for every other part of the period, so a rollup is
never stale and never needed: it only makes things faster.

Both halves come from one set of selects (`WeekRows`; recipients and nominators grouped
from `NominationRows`, which the raw half reads ungrouped), so a rollup row and its raw
equivalent cannot drift apart.

A member's behaviours in a week are one integer, the bitwise OR (`union_of_flags`) of their
behaviours' flags (a bit each, StatisticsBehaviourFlag, given out as weeks are built), so
people per behaviour over a
year are counted from one row per person rather than one per behaviour, person and week. A
behaviour met in a week that is read raw before any week with it was built has no flag yet:
its people are counted from its raw rows (`WeekRows.unflagged_behaviours`).

For one workspace, a period's whole weeks but the latest RECENT_WEEKS are also summed per
person into a span (StatisticsSpan, `build_span`): a year of weeks is 700,000 member-week
rows, its span 93,000, with how often its nominations named several people of one seat. A
trigger drops every span holding a week whose rollup is dropped, and a member's new seat
drops the workspace's spans, so a span is as honest as its weeks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Date,
    Engine,
    FromClause,
    Integer,
    Select,
    Table,
    case,
    cast,
    delete,
    distinct,
    exists,
    false,
    func,
    insert,
    literal,
    select,
    text,
    tuple_,
    union_all,
)
from sqlalchemy.exc import IntegrityError, OperationalError

from bot.nominations.visibility import counted_nominations
from db.models import (
    Endorsement,
    Member,
    Nomination,
    NominationBehaviour,
    NominationNominee,
    StatisticsBehaviourFlag,
    StatisticsBehaviourWeek,
    StatisticsNominatorWeek,
    StatisticsRecipientWeek,
    StatisticsSharedNomination,
    StatisticsSpan,
    StatisticsSpanNominator,
    StatisticsSpanRecipient,
    StatisticsSpanSeatRepeat,
    StatisticsWeek,
)

WEEK = timedelta(weeks=1)
# PostgreSQL's advisory lock on a week: (workspace id, days from this Monday to the week's),
# the key the triggers' statistics_drop_week() takes too.
_LOCK_EPOCH = date(2000, 1, 3)
# Flags are bits of a signed 64-bit integer: 63 behaviours can have one. A week showing a
# 64th is not built (it is read raw), which no catalogue comes near.
MOST_BEHAVIOUR_FLAGS = 63
# Spans: a period's whole weeks but its latest few, summed per person, once at least a couple.
RECENT_WEEKS = 2
SPAN_FEWEST_WEEKS = 2
# What a member's seat is made of, in the statistics' breakdowns.
SEAT_FIELDS = ("title", "department", "staff_group", "pay_band")
# PostgreSQL's advisory lock on a workspace's seats, (workspace id, -1), which the trigger
# on member seats (migration 0010) takes shared and build_span exclusively.
_SEATS_LOCK = -1


def monday_of(moment: datetime) -> date:
    day = moment.astimezone(UTC).date()
    return day - timedelta(days=day.weekday())


def week_start(monday: date) -> datetime:
    return datetime.combine(monday, time(), tzinfo=UTC)


@dataclass(frozen=True)
class WeekRows:
    """Selects shaped like the rollup tables, each as its table's columns in order."""

    totals: Select[Any]  # workspace_id, week, nominations, named_nominations, endorsements
    recipients: Select[Any]  # workspace_id, week, member_id, received, behaviours (flags)
    nominators: Select[Any]  # workspace_id, week, nominator_id, nominations
    behaviours: Select[Any]  # workspace_id, week, behaviour_slug, nominations
    shared: Select[Any]  # workspace_id, week, nomination_id, member_id
    # Not rolled up: behaviour_slug, member_id of behaviours without a flag (none, in a week
    # being built: it gives its behaviours their flags first).
    unflagged_behaviours: Select[Any]

    def by_table(self) -> dict[Table, Select[Any]]:
        return {
            _table(StatisticsWeek): self.totals,
            _table(StatisticsRecipientWeek): self.recipients,
            _table(StatisticsNominatorWeek): self.nominators,
            _table(StatisticsBehaviourWeek): self.behaviours,
            _table(StatisticsSharedNomination): self.shared,
        }


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


@dataclass(frozen=True)
class NominationRows:
    """WeekRows' recipients and nominators before they are grouped per member and week: a
    row per nomination (for a reader that groups them per person anyway)."""

    recipients: Select[Any]  # workspace_id, week, member_id, received (1), behaviours
    nominators: Select[Any]  # workspace_id, week, nominator_id, nominations (1)


def counted_in(monday: date) -> Select[Any]:
    """The columns rollups read of each counted nomination, for a select of nominations in
    the week of `monday` (the caller adds the WHERE): id, workspace_id, nominator_id, week,
    behaviours (the sum of its behaviours' flags: distinct, so the set of them) and
    unflagged (how many of its behaviours have no flag yet; almost always none)."""
    behaviour = NominationBehaviour.__table__
    flags = _table(StatisticsBehaviourFlag)
    of_this_nomination = behaviour.c.nomination_id == Nomination.id
    return select(
        Nomination.id,
        Nomination.workspace_id,
        Nomination.nominator_id,
        literal(monday, Date()).label("week"),
        cast(
            select(func.coalesce(func.sum(flags.c.flag), 0))
            .select_from(behaviour)
            .join(flags, flags.c.behaviour_slug == behaviour.c.behaviour_slug)
            .where(of_this_nomination)
            .scalar_subquery(),
            BigInteger,
        ).label("behaviours"),
        select(func.count())
        .select_from(behaviour)
        .where(of_this_nomination, ~_has_flag(behaviour.c.behaviour_slug))
        .scalar_subquery()
        .label("unflagged"),
    )


def nomination_rows(counted: FromClause) -> NominationRows:
    """NominationRows of some counted nominations (`counted_in`'s columns)."""
    nominee = NominationNominee.__table__
    workspace, week = counted.c.workspace_id, counted.c.week
    return NominationRows(
        recipients=select(
            workspace,
            week,
            nominee.c.member_id,
            literal(1, Integer).label("received"),
            counted.c.behaviours,
        ).join(nominee, nominee.c.nomination_id == counted.c.id),
        nominators=select(
            workspace, week, counted.c.nominator_id, literal(1, Integer).label("nominations")
        ).where(counted.c.nominator_id.is_not(None)),
    )


def rows_of(counted: FromClause) -> WeekRows:
    """The rollup rows of some counted nominations, selected with `counted_in`'s columns."""
    workspace, week = counted.c.workspace_id, counted.c.week
    nominee = NominationNominee.__table__
    behaviour = NominationBehaviour.__table__
    ungrouped = nomination_rows(counted)
    recipient = ungrouped.recipients.subquery("recipient")
    nominator = ungrouped.nominators.subquery("nominator")
    endorsements = (
        select(func.count())
        .where(Endorsement.nomination_id == counted.c.id)
        .scalar_subquery()
        .correlate(counted)
    )
    named = exists().where(NominationNominee.nomination_id == counted.c.id).correlate(counted)
    per_nomination = select(
        workspace,
        week,
        endorsements.label("endorsements"),
        case((named, 1), else_=0).label("named"),
    ).subquery()
    other = nominee.alias("other_nominee")
    another_nominee = exists().where(
        other.c.nomination_id == nominee.c.nomination_id,
        other.c.member_id != nominee.c.member_id,
    )
    return WeekRows(
        totals=select(
            per_nomination.c.workspace_id,
            per_nomination.c.week,
            func.count().label("nominations"),
            func.sum(per_nomination.c.named).label("named_nominations"),
            func.sum(per_nomination.c.endorsements).label("endorsements"),
        ).group_by(per_nomination.c.workspace_id, per_nomination.c.week),
        recipients=select(
            recipient.c.workspace_id,
            recipient.c.week,
            recipient.c.member_id,
            func.count().label("received"),
            union_of_flags(recipient.c.behaviours).label("behaviours"),
        ).group_by(recipient.c.workspace_id, recipient.c.week, recipient.c.member_id),
        nominators=select(
            nominator.c.workspace_id,
            nominator.c.week,
            nominator.c.nominator_id,
            func.count().label("nominations"),
        ).group_by(nominator.c.workspace_id, nominator.c.week, nominator.c.nominator_id),
        behaviours=select(
            workspace, week, behaviour.c.behaviour_slug, func.count().label("nominations")
        )
        .join(behaviour, behaviour.c.nomination_id == counted.c.id)
        .where(named)  # like every weekly figure, of nominations that named someone
        .group_by(workspace, week, behaviour.c.behaviour_slug),
        shared=select(workspace, week, counted.c.id.label("nomination_id"), nominee.c.member_id)
        .join(nominee, nominee.c.nomination_id == counted.c.id)
        .where(another_nominee),
        unflagged_behaviours=select(behaviour.c.behaviour_slug, nominee.c.member_id)
        .select_from(counted)
        .where(counted.c.unflagged > 0)
        .join(nominee, nominee.c.nomination_id == counted.c.id)
        .join(behaviour, behaviour.c.nomination_id == counted.c.id)
        .where(~_has_flag(behaviour.c.behaviour_slug)),
    )


def _has_flag(slug: Any) -> Any:
    return exists().where(StatisticsBehaviourFlag.behaviour_slug == slug)


def _flag_new_behaviours(connection: Connection, counted: FromClause) -> bool:
    """Give the behaviours of these nominations that have none a flag each; False, and none
    given, when the flags have run out."""
    behaviour = NominationBehaviour.__table__
    new = sorted(
        connection.scalars(
            select(behaviour.c.behaviour_slug)
            .join(counted, counted.c.id == behaviour.c.nomination_id)
            .where(~_has_flag(behaviour.c.behaviour_slug))
            .distinct()
        )
    )
    if not new:
        return True
    # Flags are never taken back, so the ones given are the powers of two below 2**given.
    given = connection.scalar(select(func.count()).select_from(StatisticsBehaviourFlag)) or 0
    if given + len(new) > MOST_BEHAVIOUR_FLAGS:
        return False
    connection.execute(
        insert(StatisticsBehaviourFlag),
        [{"behaviour_slug": slug, "flag": 1 << (given + index)} for index, slug in enumerate(new)],
    )
    return True


def _week_counted(workspace_id: int, monday: date) -> FromClause:
    start = week_start(monday)
    return (
        counted_in(monday)
        .where(
            Nomination.workspace_id == workspace_id,
            Nomination.created_at >= start,
            Nomination.created_at < start + WEEK,
            counted_nominations(),
        )
        .subquery("counted")
    )


def build_week(connection: Connection, workspace_id: int, monday: date) -> bool:
    """Build one week's rollups from the raw tables and commit. False, and nothing built,
    when a transaction that changed the week is still open (PostgreSQL; SQLite has one
    writer at a time), the database is busy or the behaviour flags have run out: the week is
    then read raw until next time."""
    try:
        with connection.begin():
            if connection.dialect.name == "postgresql":
                locked = connection.scalar(
                    text("SELECT pg_try_advisory_xact_lock(:workspace, :week)"),
                    {"workspace": workspace_id, "week": (monday - _LOCK_EPOCH).days},
                )
                if not locked:
                    return False
            # The first statement writes, so on SQLite the week is read after taking the
            # write lock: nothing can change it until this commits.
            connection.execute(
                delete(StatisticsWeek).where(
                    StatisticsWeek.workspace_id == workspace_id, StatisticsWeek.week == monday
                )
            )
            counted = _week_counted(workspace_id, monday)
            if not _flag_new_behaviours(connection, counted):
                return False
            for table, rows in rows_of(counted).by_table().items():
                connection.execute(insert(table).from_select(list(table.c.keys()), rows))
            # A week without counted nominations still gets its row: "nothing here" is
            # worth remembering too.
            connection.execute(
                insert(StatisticsWeek).from_select(
                    ["workspace_id", "week", "nominations", "named_nominations", "endorsements"],
                    select(
                        literal(workspace_id),
                        literal(monday, Date()),
                        literal(0),
                        literal(0),
                        literal(0),
                    ).where(~_is_built(workspace_id, monday)),
                )
            )
    except (OperationalError, IntegrityError):  # busy, or another builder took the flag
        return False
    return True


def _is_built(workspace_id: int, monday: date) -> Any:
    return exists().where(
        StatisticsWeek.workspace_id == workspace_id, StatisticsWeek.week == monday
    )


def union_of_flags(behaviours: Any) -> ColumnElement[int]:
    """Aggregate: every flag set in any of the rows' `behaviours`, a bitwise OR
    (PostgreSQL's bit_or; db/engine.py gives SQLite the same)."""
    return cast(func.bit_or(behaviours), BigInteger)


def build_span(connection: Connection, span: Span) -> bool:
    """Sum the span's weekly rollups per person and commit; drop the workspace's spans that
    end earlier (no report asks for them any more). False, and nothing built, when a week
    of it is not built, is being changed (PostgreSQL) or the database is busy."""
    recipient_week, nominator_week = (
        _table(StatisticsRecipientWeek),
        _table(StatisticsNominatorWeek),
    )
    try:
        with connection.begin():
            if connection.dialect.name == "postgresql":
                # Exclusive locks on every week, as build_week takes, and on the seats: no
                # week or seat of the span changes until it is committed (and then the span
                # goes with it).
                locks = [(monday - _LOCK_EPOCH).days for monday in span.mondays()]
                for lock in [*locks, _SEATS_LOCK]:
                    if not connection.scalar(
                        text("SELECT pg_try_advisory_xact_lock(:workspace, :lock)"),
                        {"workspace": span.workspace_id, "lock": lock},
                    ):
                        return False
            # The first statement writes: on SQLite the weeks are read under the write lock.
            connection.execute(delete(StatisticsSpan).where(*span.keys(_table(StatisticsSpan))))
            built = connection.scalar(
                select(func.count()).where(
                    StatisticsWeek.workspace_id == span.workspace_id,
                    StatisticsWeek.week.between(span.first_week, span.last_week),
                )
            )
            if built != span.weeks:
                return False
            connection.execute(
                insert(StatisticsSpan).values(
                    workspace_id=span.workspace_id, first_week=span.first_week, weeks=span.weeks
                )
            )

            key: list[Any] = [
                literal(span.workspace_id),
                literal(span.first_week, Date()),
                literal(span.weeks),
            ]

            def weeks_of(table: Table) -> list[ColumnElement[bool]]:
                return [
                    table.c.workspace_id == span.workspace_id,
                    table.c.week.between(span.first_week, span.last_week),
                ]

            connection.execute(
                insert(StatisticsSpanRecipient).from_select(
                    list(_table(StatisticsSpanRecipient).c.keys()),
                    select(
                        *key,
                        recipient_week.c.member_id,
                        func.sum(recipient_week.c.received),
                        union_of_flags(recipient_week.c.behaviours),
                    )
                    .where(*weeks_of(recipient_week))
                    .group_by(recipient_week.c.member_id),
                )
            )
            connection.execute(
                insert(StatisticsSpanNominator).from_select(
                    list(_table(StatisticsSpanNominator).c.keys()),
                    select(
                        *key,
                        nominator_week.c.nominator_id,
                        func.sum(nominator_week.c.nominations),
                    )
                    .where(*weeks_of(nominator_week))
                    .group_by(nominator_week.c.nominator_id),
                )
            )
            _insert_seat_repeats(connection, span)
            ended_earlier = [
                (first_week, weeks)
                for first_week, weeks in connection.execute(
                    select(StatisticsSpan.first_week, StatisticsSpan.weeks).where(
                        StatisticsSpan.workspace_id == span.workspace_id
                    )
                )
                if first_week + WEEK * weeks < span.last_week + WEEK
            ]
            for first_week, weeks in ended_earlier:
                connection.execute(
                    delete(StatisticsSpan).where(
                        StatisticsSpan.workspace_id == span.workspace_id,
                        StatisticsSpan.first_week == first_week,
                        StatisticsSpan.weeks == weeks,
                    )
                )
    except (OperationalError, IntegrityError):
        return False
    return True


def _insert_seat_repeats(connection: Connection, span: Span) -> None:
    """For each seat field, how many nominees of the span's nominations that named several
    people shared a seat with an earlier one of them."""
    shared = _table(StatisticsSharedNomination)
    for field in SEAT_FIELDS:
        seat = Member.__table__.c[field]
        in_one_nomination = (
            select(seat.label("value"), func.count().label("named"))
            .select_from(shared)
            .join(Member, Member.id == shared.c.member_id)
            .where(
                shared.c.workspace_id == span.workspace_id,
                shared.c.week.between(span.first_week, span.last_week),
                Member.workspace_id == span.workspace_id,
            )
            .group_by(shared.c.nomination_id, seat)
            .having(func.count() > 1)
            .subquery("in_one_nomination")
        )
        connection.execute(
            insert(StatisticsSpanSeatRepeat).from_select(
                ["workspace_id", "first_week", "weeks", "field", "value", "repeats"],
                select(
                    literal(span.workspace_id),
                    literal(span.first_week, Date()),
                    literal(span.weeks),
                    literal(field),
                    in_one_nomination.c.value,
                    func.sum(in_one_nomination.c.named - 1),
                ).group_by(in_one_nomination.c.value),
            )
        )


def build_missing_span(engine: Engine, workspace_id: int, whole: list[date]) -> bool:
    """Build the span of a period with these whole weeks (all built) unless it is built
    already, or there is none; whether it is there now."""
    span = span_of(workspace_id, whole)
    if span is None:
        return False
    with engine.connect() as connection:
        if connection.scalar(select(span.is_built())):
            return True
        connection.rollback()
        return build_span(connection, span)


def weeks_touched(since: datetime, until: datetime) -> list[date]:
    """Every week (by its Monday) that overlaps [since, until), oldest first."""
    first, last = monday_of(since), monday_of(until - timedelta(microseconds=1))
    return [first + timedelta(weeks=index) for index in range((last - first).days // 7 + 1)]


def whole_weeks(since: datetime, until: datetime, now: datetime) -> list[date]:
    """The Mondays of the weeks wholly inside [since, until) that are over by `now`: the
    weeks a period can read from rollups (a week still under way would be dropped again at
    the next nomination)."""
    first = monday_of(since)
    if week_start(first) < since:
        first += WEEK
    mondays = []
    monday = first
    while week_start(monday) + WEEK <= min(until, now):
        mondays.append(monday)
        monday += WEEK
    return mondays


def build_missing_weeks(engine: Engine, workspace_ids: Iterable[int], mondays: list[date]) -> int:
    """Build the rollups of those weeks not built yet, each in its own transaction; how many
    were built."""
    workspace_ids = list(workspace_ids)
    if not mondays or not workspace_ids:
        return 0
    with engine.connect() as connection:
        built = {
            (workspace_id, monday)
            for workspace_id, monday in connection.execute(
                select(StatisticsWeek.workspace_id, StatisticsWeek.week).where(
                    StatisticsWeek.workspace_id.in_(workspace_ids),
                    StatisticsWeek.week.between(mondays[0], mondays[-1]),
                )
            )
        }
        connection.rollback()  # end the read, so each build sees the latest rows
        made = 0
        for workspace_id in workspace_ids:
            for monday in mondays:
                if (workspace_id, monday) not in built:
                    made += build_week(connection, workspace_id, monday)
        return made


@dataclass(frozen=True)
class Span:
    """Consecutive whole weeks of one workspace, summed per person (StatisticsSpan)."""

    workspace_id: int
    first_week: date
    weeks: int

    @property
    def last_week(self) -> date:
        return self.first_week + WEEK * (self.weeks - 1)

    def mondays(self) -> list[date]:
        return [self.first_week + WEEK * index for index in range(self.weeks)]

    def keys(self, table: Any) -> list[ColumnElement[bool]]:
        return [
            table.c.workspace_id == self.workspace_id,
            table.c.first_week == self.first_week,
            table.c.weeks == self.weeks,
        ]

    def is_built(self) -> ColumnElement[bool]:
        return exists().where(*self.keys(_table(StatisticsSpan)))


def span_of(workspace_id: int, whole: list[date]) -> Span | None:
    """The span statistics of a period with these whole weeks read, or build: all but the
    latest RECENT_WEEKS of them (endorsements and moderation still change those, and each
    change drops every span holding its week), when that leaves SPAN_FEWEST_WEEKS."""
    weeks = len(whole) - RECENT_WEEKS
    return Span(workspace_id, whole[0], weeks) if weeks >= SPAN_FEWEST_WEEKS else None


@dataclass(frozen=True)
class PeriodRows:
    """A period's rows: per week, and per person (for figures that don't need the week)."""

    weekly: WeekRows
    recipients: Select[Any]  # workspace_id, member_id, received, behaviours
    nominators: Select[Any]  # workspace_id, nominator_id, nominations
    # week, people: the members each week's rows name (a week is in one part only), counted
    # in each part apart: a built week's as one count of its key range, not sorted.
    members_per_week: Select[Any]
    # workspace_id, nomination_id, member_id: nominees of nominations naming several people
    # outside the span (their repeats within a seat are in StatisticsSpanSeatRepeat).
    shared_beside_span: Select[Any]
    span: Span | None


def period_rows(workspace_ids: list[int], since: datetime, until: datetime) -> PeriodRows:
    """The rows of [since, until) for those workspaces: each whole week already built from
    its rollup, every other slice of the period (its partial first and last weeks, and weeks
    not built or since changed) from the raw tables, in one statement so both halves see
    the same rows. A slice is one index range of one workspace's nominations, skipped when
    its week is built. Per person, the weeks of a built span (one workspace) are read from
    it instead of week by week."""
    mondays = weeks_touched(since, until)
    whole = whole_weeks(since, until, now=until)

    def built_among(weeks: list[date]) -> Any:
        return select(StatisticsWeek.workspace_id, StatisticsWeek.week).where(
            StatisticsWeek.workspace_id.in_(workspace_ids), StatisticsWeek.week.in_(weeks)
        )

    built = built_among(whole)
    slices = []
    for workspace_id in workspace_ids:
        for monday in mondays:
            start = week_start(monday)
            # A whole week's slice names its workspace only while the week is not built:
            # once it is, NULL, so the index range is empty, decided once, not per row.
            workspace: Any = (
                select(literal(workspace_id))
                .where(~_is_built(workspace_id, monday))
                .scalar_subquery()
                if monday in whole
                else workspace_id
            )
            conditions = [
                Nomination.workspace_id == workspace,
                Nomination.created_at >= max(start, since),
                Nomination.created_at < min(start + WEEK, until),
                counted_nominations(),
            ]
            slices.append(counted_in(monday).where(*conditions))
    counted = (
        union_all(*slices).cte("counted")
        if slices
        else counted_in(since.date()).where(false()).cte("counted")
    )
    raw = rows_of(counted)
    # Raw rows a nomination each: every reader groups them per person anyway.
    per_nomination = nomination_rows(counted)
    raw_recipients = per_nomination.recipients.cte("raw_recipients")
    raw_nominators = per_nomination.nominators.cte("raw_nominators")

    def both(table: Table, from_raw: Any) -> Select[Any]:
        # A filter, not a join: each table is read in its own key order, looking its week
        # up among the built ones.
        from_rollup = select(*table.c).where(tuple_(table.c.workspace_id, table.c.week).in_(built))
        return union_all(from_rollup, from_raw)  # type: ignore[return-value]

    weekly = WeekRows(
        totals=both(_table(StatisticsWeek), raw.totals),
        recipients=both(_table(StatisticsRecipientWeek), select(*raw_recipients.c)),
        nominators=both(_table(StatisticsNominatorWeek), select(*raw_nominators.c)),
        behaviours=both(_table(StatisticsBehaviourWeek), raw.behaviours),
        shared=both(_table(StatisticsSharedNomination), raw.shared),
        unflagged_behaviours=raw.unflagged_behaviours,
    )
    span = span_of(workspace_ids[0], whole) if len(workspace_ids) == 1 else None
    recipient_week = _table(StatisticsRecipientWeek)
    built_week = built.subquery("built_week")
    return PeriodRows(
        weekly=weekly,
        members_per_week=union_all(  # type: ignore[arg-type]
            select(
                built_week.c.week,
                select(func.count())
                .where(
                    recipient_week.c.workspace_id == built_week.c.workspace_id,
                    recipient_week.c.week == built_week.c.week,
                )
                .scalar_subquery()
                .label("people"),
            ),
            select(
                raw_recipients.c.week,
                func.count(distinct(raw_recipients.c.member_id)).label("people"),
            ).group_by(raw_recipients.c.week),
        ),
        recipients=_per_person(
            StatisticsRecipientWeek,
            StatisticsSpanRecipient,
            ("member_id", "received", "behaviours"),
            built_among,
            whole,
            raw_recipients,
            span,
        ),
        nominators=_per_person(
            StatisticsNominatorWeek,
            StatisticsSpanNominator,
            ("nominator_id", "nominations"),
            built_among,
            whole,
            raw_nominators,
            span,
        ),
        shared_beside_span=union_all(  # type: ignore[arg-type]
            *_beside_span(
                StatisticsSharedNomination,
                ("nomination_id", "member_id"),
                built_among,
                whole,
                raw.shared.subquery("raw_shared"),
                span,
            )
        ),
        span=span,
    )


def _beside_span(
    weekly: Any,
    columns: tuple[str, ...],
    built_among: Callable[[list[date]], Any],
    whole: list[date],
    raw: FromClause,
    span: Span | None,
) -> list[Select[Any]]:
    """workspace_id and `columns` of a period's rows that are not in its span: the weekly
    rollups' of the built weeks among the period's `whole` ones (of the span's weeks only
    while it is not built), and the raw rows of the rest. `built_among(weeks)` selects the
    built ones of some weeks."""
    week_table = _table(weekly)

    def from_weeks(weeks: Any) -> Select[Any]:
        return select(*_pick(week_table, columns)).where(
            tuple_(week_table.c.workspace_id, week_table.c.week).in_(weeks)
        )

    from_raw = select(*_pick(raw, columns))
    if span is None:
        return [from_weeks(built_among(whole)), from_raw]
    spanned_weeks = [week for week in whole if span.first_week <= week <= span.last_week]
    # A list made once, empty when the span is built.
    unless_spanned = built_among(spanned_weeks).where(~span.is_built())
    return [
        from_weeks(unless_spanned),
        from_weeks(built_among([week for week in whole if week not in spanned_weeks])),
        from_raw,
    ]


def _pick(table: FromClause, columns: tuple[str, ...]) -> list[Any]:
    return [table.c.workspace_id, *(table.c[name] for name in columns)]


def _per_person(
    weekly: Any,
    spanned: Any,
    columns: tuple[str, ...],
    built_among: Callable[[list[date]], Any],
    whole: list[date],
    raw: FromClause,
    span: Span | None,
) -> Select[Any]:
    """workspace_id and `columns` of a period's rows: the span's, where it is built, and the
    rest (`_beside_span`)."""
    beside = _beside_span(weekly, columns, built_among, whole, raw, span)
    if span is None:
        return union_all(*beside)  # type: ignore[return-value]
    span_table = _table(spanned)
    from_span = select(*_pick(span_table, columns)).where(*span.keys(span_table))
    return union_all(from_span, *beside)  # type: ignore[return-value]

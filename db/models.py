"""The tables, as SQLAlchemy 2.0 typed models. Schema changes go through Alembic revisions."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from db.types import UTCDateTime

# Stable constraint names, so migrations can refer to them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Nominations that count (bot/nominations/visibility.py): the partial statistics index's rows.
_COUNTED = "withdrawn_at IS NULL AND hidden_at IS NULL"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Workspace(Base):
    """A Slack workspace, a Teams tenant, or the local console: where members live."""

    __tablename__ = "workspace"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))  # "slack", "teams" or "console"
    external_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Person(Base):
    """One human, however many accounts they have: matched across Slack, Teams and the HR
    file by verified email (lower-cased)."""

    __tablename__ = "person"
    __table_args__ = (UniqueConstraint("email"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DirectoryRecord(Base):
    """What one source of seats says about a person, by email: the HR import ("hr") or the
    organisation's directory ("directory", Microsoft Graph). Chat profiles live on Member.

    `left_at` is set when the person drops out of the source's latest full import or sync,
    so leavers can be reported and their seat stops counting.
    """

    __tablename__ = "directory_record"
    __table_args__ = (
        UniqueConstraint("source", "email"),
        Index("ix_directory_record_external", "source", "external_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(16))  # "hr" or "directory"
    email: Mapped[str] = mapped_column(String(320))
    external_id: Mapped[str | None] = mapped_column(String(128))  # ESR number, AAD object id
    display_name: Mapped[str | None] = mapped_column(String(255))
    job_title: Mapped[str | None] = mapped_column(String(255))
    department: Mapped[str | None] = mapped_column(String(255))
    staff_group: Mapped[str | None] = mapped_column(String(255))
    pay_band: Mapped[str | None] = mapped_column(String(64))
    site: Mapped[str | None] = mapped_column(String(255))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Member(Base):
    """A person (or bot) in a workspace, with the profile details cached from the platform."""

    __tablename__ = "member"
    __table_args__ = (
        UniqueConstraint("workspace_id", "platform_user_id"),
        Index("ix_member_workspace_title", "workspace_id", "title"),
        Index("ix_member_person", "person_id"),
        Index("ix_member_email", "email"),
        # Statistics count active members per seat, department, staff group and pay band
        # from the index alone.
        Index(
            "ix_member_workspace_seats",
            "workspace_id",
            "is_bot",
            "is_deactivated",
            "title",
            "department",
            "staff_group",
            "pay_band",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    platform_user_id: Mapped[str] = mapped_column(String(128))
    display_name: Mapped[str] = mapped_column(String(255))
    # The person's seat as Everyseat counts it: for each field, the HR import's value, else
    # the directory's (Microsoft Graph), else the chat profile's (bot/directory/seats.py).
    title: Mapped[str | None] = mapped_column(String(255))  # the person's "seat"
    department: Mapped[str | None] = mapped_column(String(255))
    staff_group: Mapped[str | None] = mapped_column(String(255))
    pay_band: Mapped[str | None] = mapped_column(String(64))
    site: Mapped[str | None] = mapped_column(String(255))
    # What the chat platform's own profile says, kept so a source above it can be removed.
    profile_title: Mapped[str | None] = mapped_column(String(255))
    profile_department: Mapped[str | None] = mapped_column(String(255))
    # Verified work email (Slack users:read.email, Graph mail/UPN): links accounts to a person.
    email: Mapped[str | None] = mapped_column(String(320))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    is_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    is_deactivated: Mapped[bool] = mapped_column(Boolean, default=False)
    # Workspace admin/owner as the platform reported it at `profile_refreshed_at`.
    is_platform_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    profile_refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Nomination(Base):
    """One recognition: a nominator, one or more nominees and behaviours, and the story."""

    __tablename__ = "nomination"
    __table_args__ = (
        Index("ix_nomination_workspace_created", "workspace_id", "created_at"),
        # Statistics (bot/reporting/stats.py) read a period's nominations that count, with
        # their nominators, from the index alone: it holds only those (visibility.py), and
        # the columns of its condition, which SQLite needs in it to read nothing else.
        Index(
            "ix_nomination_counted",
            "workspace_id",
            "created_at",
            "nominator_id",
            "withdrawn_at",
            "hidden_at",
            sqlite_where=text(_COUNTED),
            postgresql_where=text(_COUNTED),
        ),
        Index("ix_nomination_nominator_created", "nominator_id", "created_at"),
        Index("ix_nomination_fingerprint", "fingerprint", "created_at"),
        Index("ix_nomination_posted", "posted_channel_id", "posted_message_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    # NULL once the nominator has been erased (the nomination is kept, anonymised).
    nominator_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    story: Mapped[str] = mapped_column(Text)
    visibility: Mapped[str] = mapped_column(String(16))  # "public" or "private"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Where it was made: the channel the command came from, and a linked message if any.
    source_channel_id: Mapped[str | None] = mapped_column(String(128))
    source_message_url: Mapped[str | None] = mapped_column(String(1024))
    # Where the recognition was posted, once it has been.
    posted_channel_id: Mapped[str | None] = mapped_column(String(128))
    posted_message_id: Mapped[str | None] = mapped_column(String(128))
    # Same nominator, nominees, behaviours and story: the double-click detector.
    fingerprint: Mapped[str] = mapped_column(String(64))
    # fingerprint + time window; unique, so concurrent duplicates can't both be stored.
    dedupe_key: Mapped[str] = mapped_column(String(100), unique=True)
    # Moderation (bot/nominations/moderation.py). A withdrawn or hidden nomination is kept
    # but no longer counts anywhere (bot/nominations/visibility.py); hiding can be undone.
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    hidden_by: Mapped[str | None] = mapped_column(String(128))  # the admin's platform id
    hidden_reason: Mapped[str | None] = mapped_column(Text)

    nominees: Mapped[list[NominationNominee]] = relationship(
        back_populates="nomination",
        cascade="all, delete-orphan",
        order_by="NominationNominee.position",
    )
    behaviours: Mapped[list[NominationBehaviour]] = relationship(
        back_populates="nomination",
        cascade="all, delete-orphan",
        order_by="NominationBehaviour.position",
    )
    endorsements: Mapped[list[Endorsement]] = relationship(
        back_populates="nomination", cascade="all, delete-orphan"
    )
    nominator: Mapped[Member | None] = relationship(foreign_keys=[nominator_id])


class NominationNominee(Base):
    __tablename__ = "nomination_nominee"
    __table_args__ = (Index("ix_nomination_nominee_member", "member_id", "nomination_id"),)

    nomination_id: Mapped[int] = mapped_column(
        ForeignKey("nomination.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("member.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)

    nomination: Mapped[Nomination] = relationship(back_populates="nominees")
    member: Mapped[Member] = relationship()


class NominationBehaviour(Base):
    __tablename__ = "nomination_behaviour"
    __table_args__ = (Index("ix_nomination_behaviour_slug", "behaviour_slug", "nomination_id"),)

    nomination_id: Mapped[int] = mapped_column(
        ForeignKey("nomination.id", ondelete="CASCADE"), primary_key=True
    )
    behaviour_slug: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    nomination: Mapped[Nomination] = relationship(back_populates="behaviours")


class NominationFlag(Base):
    """Someone asked admins to look at a nomination, with a reason; an admin then hid it
    ("upheld") or left it up ("dismissed"). One open flag per person per nomination."""

    __tablename__ = "nomination_flag"
    __table_args__ = (
        UniqueConstraint("nomination_id", "flagged_by_id"),
        Index("ix_nomination_flag_workspace_status", "workspace_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nomination.id", ondelete="CASCADE"))
    # NULL once the person who flagged has been erased.
    flagged_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16))  # "open", "upheld" or "dismissed"
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(128))


class Endorsement(Base):
    """ "I saw this too": one per person per nomination."""

    __tablename__ = "endorsement"
    __table_args__ = (
        UniqueConstraint("nomination_id", "member_id"),
        Index("ix_endorsement_member", "member_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nomination.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    nomination: Mapped[Nomination] = relationship(back_populates="endorsements")


class Delivery(Base):
    """One scheduled or queued post, claimed before it is sent so it is sent exactly once.

    The unique key (workspace, channel, kind, period) is what stops a second scheduler,
    replica, restart or manual run from posting again. `kind` and `period_key` are free
    strings ("digest" + "2026-11-23", or an outbox's own kind and key).
    """

    __tablename__ = "delivery"
    __table_args__ = (
        UniqueConstraint("workspace_id", "channel_id", "kind", "period_key"),
        Index("ix_delivery_status_lease", "status", "lease_expires_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    channel_id: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(32))
    period_key: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # "claimed", "posted" or "failed"
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Identifies the current claim holder, so a sender whose lease ran out can't overwrite
    # the outcome of the one that took over.
    claim_token: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    message_ts: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Spotlight(Base):
    """Who a posted digest spotlighted, so the next weeks can favour someone else."""

    __tablename__ = "spotlight"
    __table_args__ = (
        UniqueConstraint("workspace_id", "period_key", "member_id"),
        Index("ix_spotlight_workspace_at", "workspace_id", "spotlighted_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    nomination_id: Mapped[int | None] = mapped_column(
        ForeignKey("nomination.id", ondelete="SET NULL")
    )
    period_key: Mapped[str] = mapped_column(String(64))
    spotlighted_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TeamsConversation(Base):
    """A Teams conversation the bot is installed in (team channel, group chat or personal chat).

    Kept so Everyseat can post there later without being spoken to first (proactive posts
    need the service URL Teams gave at install time). `removed_at` is set when the bot is
    uninstalled or removed, and cleared if it is added back.
    """

    __tablename__ = "teams_conversation"
    __table_args__ = (
        UniqueConstraint("conversation_id"),
        Index("ix_teams_conversation_workspace_type", "workspace_id", "conversation_type"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    conversation_id: Mapped[str] = mapped_column(String(512))
    conversation_type: Mapped[str] = mapped_column(String(16))  # "channel", "groupChat", "personal"
    service_url: Mapped[str] = mapped_column(String(512))
    tenant_id: Mapped[str] = mapped_column(String(64))
    team_id: Mapped[str | None] = mapped_column(String(512))
    team_name: Mapped[str | None] = mapped_column(String(255))
    channel_id: Mapped[str | None] = mapped_column(String(512))
    # Who installed it (or the person, for a personal chat): their AAD object id.
    installed_by: Mapped[str | None] = mapped_column(String(128))
    installed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AuditEvent(Base):
    """One fact for the audit trail: who did what, when, from which platform.

    Append-only: the migration adds triggers that refuse UPDATE and DELETE on both
    backends. `actor` is the acting account ("U123", an AAD object id, "cli" or
    "scheduler"); `subject` names what was acted on (a nomination id, an export kind) and
    never holds a story or, after an erasure, the erased person's identity.
    """

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(128))
    platform: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(255), default="")
    detail: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)


# Weekly rollups of the statistics (bot/reporting/weekly_rollups.py). A week's rows exist only
# while its StatisticsWeek row does: triggers (migration 0007) delete that row whenever a
# nomination of the week, or its nominees, behaviours or endorsements, change, and the
# deletion cascades to the week's rows in the other tables. WITHOUT ROWID on SQLite: the
# primary key is the order they are read in.
def _of_week(table: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["workspace_id", "week"],
        ["statistics_week.workspace_id", "statistics_week.week"],
        ondelete="CASCADE",
        name=f"fk_{table}_week",
    )


class StatisticsWeek(Base):
    """One built week of one workspace (its Monday, UTC): its counted nominations, those of
    them that name someone (what weekly figures count), and their endorsements."""

    __tablename__ = "statistics_week"
    __table_args__ = ({"sqlite_with_rowid": False},)

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), primary_key=True
    )
    week: Mapped[date] = mapped_column(Date, primary_key=True)
    nominations: Mapped[int] = mapped_column(Integer)
    named_nominations: Mapped[int] = mapped_column(Integer)
    endorsements: Mapped[int] = mapped_column(Integer)


class StatisticsRecipientWeek(Base):
    """How many of the week's counted nominations named each member, and the behaviours
    they were recognised for (the sum of their StatisticsBehaviourFlag flags)."""

    __tablename__ = "statistics_recipient_week"
    __table_args__ = (_of_week("statistics_recipient_week"), {"sqlite_with_rowid": False})

    workspace_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    week: Mapped[date] = mapped_column(Date, primary_key=True)
    member_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    received: Mapped[int] = mapped_column(Integer)
    behaviours: Mapped[int] = mapped_column(BigInteger)


class StatisticsNominatorWeek(Base):
    """How many of the week's counted nominations each member made (erased nominators left
    out: they are nobody to count)."""

    __tablename__ = "statistics_nominator_week"
    __table_args__ = (_of_week("statistics_nominator_week"), {"sqlite_with_rowid": False})

    workspace_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    week: Mapped[date] = mapped_column(Date, primary_key=True)
    nominator_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nominations: Mapped[int] = mapped_column(Integer)


class StatisticsBehaviourWeek(Base):
    """How many of the week's counted nominations showed each behaviour."""

    __tablename__ = "statistics_behaviour_week"
    __table_args__ = (_of_week("statistics_behaviour_week"), {"sqlite_with_rowid": False})

    workspace_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    week: Mapped[date] = mapped_column(Date, primary_key=True)
    behaviour_slug: Mapped[str] = mapped_column(String(64), primary_key=True)
    nominations: Mapped[int] = mapped_column(Integer)


class StatisticsBehaviourFlag(Base):
    """A bit of its own for each behaviour ever rolled up, so a member's behaviours in a week
    are one integer (StatisticsRecipientWeek.behaviours) and people per behaviour over many
    weeks are counted from one row per person. Rows are added as weeks are built, never
    changed."""

    __tablename__ = "statistics_behaviour_flag"

    behaviour_slug: Mapped[str] = mapped_column(String(64), primary_key=True)
    flag: Mapped[int] = mapped_column(BigInteger, unique=True)  # a power of two, up to 2**62


class StatisticsSharedNomination(Base):
    """The nominees of the week's counted nominations that named several people, so a
    nomination naming two people of one seat (or two accounts of one person) counts once."""

    __tablename__ = "statistics_shared_nomination"
    __table_args__ = (_of_week("statistics_shared_nomination"), {"sqlite_with_rowid": False})

    workspace_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    week: Mapped[date] = mapped_column(Date, primary_key=True)
    nomination_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(Integer, primary_key=True)


def _of_span(table: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["workspace_id", "first_week", "weeks"],
        ["statistics_span.workspace_id", "statistics_span.first_week", "statistics_span.weeks"],
        ondelete="CASCADE",
        name=f"fk_{table}_span",
    )


class StatisticsSpan(Base):
    """Consecutive built weeks of one workspace (`weeks` of them from `first_week`, a
    Monday), summed per person: the whole weeks of a period statistics were asked for. A
    database trigger drops it with any of its weeks."""

    __tablename__ = "statistics_span"
    __table_args__ = ({"sqlite_with_rowid": False},)

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), primary_key=True
    )
    first_week: Mapped[date] = mapped_column(Date, primary_key=True)
    weeks: Mapped[int] = mapped_column(Integer, primary_key=True)


class StatisticsSpanRecipient(Base):
    """StatisticsRecipientWeek summed over the span: nominations naming each member, and the
    flags of every behaviour they were recognised for."""

    __tablename__ = "statistics_span_recipient"
    __table_args__ = (_of_span("statistics_span_recipient"), {"sqlite_with_rowid": False})

    workspace_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    first_week: Mapped[date] = mapped_column(Date, primary_key=True)
    weeks: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    received: Mapped[int] = mapped_column(Integer)
    behaviours: Mapped[int] = mapped_column(BigInteger)


class StatisticsSpanNominator(Base):
    """StatisticsNominatorWeek summed over the span."""

    __tablename__ = "statistics_span_nominator"
    __table_args__ = (_of_span("statistics_span_nominator"), {"sqlite_with_rowid": False})

    workspace_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    first_week: Mapped[date] = mapped_column(Date, primary_key=True)
    weeks: Mapped[int] = mapped_column(Integer, primary_key=True)
    nominator_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nominations: Mapped[int] = mapped_column(Integer)


class StatisticsSpanSeatRepeat(Base):
    """How often the span's nominations named more than one person of one seat (a title,
    department, staff group or pay band, as members hold them now): all but the first of
    them, so a nomination counts once for its seat. A trigger drops a workspace's spans when
    a member's seat changes."""

    __tablename__ = "statistics_span_seat_repeat"
    __table_args__ = (
        _of_span("statistics_span_seat_repeat"),
        Index("ix_statistics_span_seat_repeat_span", "workspace_id", "first_week", "weeks"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(Integer)
    first_week: Mapped[date] = mapped_column(Date)
    weeks: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(16))  # title, department, staff_group, pay_band
    value: Mapped[str | None] = mapped_column(String(255))
    repeats: Mapped[int] = mapped_column(Integer)

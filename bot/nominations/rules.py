"""Recording nominations and endorsements: the rules every platform shares."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import Table, bindparam, func, insert, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from bot import messages
from bot.clock import Clock
from bot.errors import (
    AlreadyEndorsedError,
    DailyCapReachedError,
    InvalidNominationError,
    NominationField,
    NominationNotFoundError,
    OwnNominationError,
    Problem,
)
from bot.nominations.behaviours import BehaviourCatalogue
from bot.nominations.story_text import clean_story, has_visible_text, visible_length
from bot.nominations.visibility import counted_nominations, is_counted
from bot.people.directory import MemberDetails
from db.engine import connection_of
from db.models import Endorsement, Member, Nomination, NominationBehaviour, NominationNominee


class Visibility(StrEnum):
    PUBLIC = "public"
    PRIVATE = "private"


@dataclass(frozen=True)
class NominationRules:
    min_story: int = 20
    max_story: int = 1500
    max_nominees: int = 10
    daily_cap: int = 20
    duplicate_window: timedelta = timedelta(minutes=5)
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/London"))


@dataclass(frozen=True)
class NominationRequest:
    """A nomination as a person submitted it, with members already resolved."""

    workspace_id: int
    nominator: MemberDetails
    nominees: Sequence[MemberDetails]
    behaviour_slugs: Sequence[str]
    story: str
    visibility: Visibility | str = Visibility.PUBLIC
    source_channel_id: str | None = None
    source_message_url: str | None = None


@dataclass(frozen=True)
class WrittenNomination:
    """A nomination as just stored, from the values written: nothing is read back."""

    id: int
    nominator: MemberDetails
    nominees: tuple[MemberDetails, ...]
    behaviour_slugs: tuple[str, ...]
    story: str
    visibility: str
    source_message_url: str | None


@dataclass(frozen=True)
class NominationOutcome:
    nomination_id: int
    created: bool  # False when this was a repeat of one recorded moments ago
    written: WrittenNomination | None = None  # what was stored; None for a repeat


def _normalise_story(story: str) -> str:
    return clean_story(story)


def content_problems(
    story: str,
    behaviour_slugs: Sequence[str],
    catalogue: BehaviourCatalogue,
    rules: NominationRules,
) -> list[Problem]:
    """What is wrong with a nomination's behaviours and story: checked when it is made and
    again when its author edits it."""
    problems: list[Problem] = []
    slugs = list(dict.fromkeys(behaviour_slugs))
    unknown = [slug for slug in slugs if slug not in catalogue]
    if not slugs:
        problems.append(Problem(NominationField.BEHAVIOURS, messages.NO_BEHAVIOURS))
    elif unknown:
        problems.append(
            Problem(
                NominationField.BEHAVIOURS,
                messages.UNKNOWN_BEHAVIOURS.format(
                    tags=", ".join(f"#{slug}" for slug in unknown),
                    known=", ".join(behaviour.hashtag for behaviour in catalogue),
                ),
            )
        )

    typed, story = story, _normalise_story(story)
    if typed.strip() and not has_visible_text(typed):
        problems.append(Problem(NominationField.STORY, messages.STORY_INVISIBLE))
    elif visible_length(story) < rules.min_story:
        problems.append(
            Problem(
                NominationField.STORY,
                messages.STORY_TOO_SHORT.format(
                    minimum=rules.min_story, length=visible_length(story)
                ),
            )
        )
    elif len(story) > rules.max_story:
        problems.append(
            Problem(
                NominationField.STORY,
                messages.STORY_TOO_LONG.format(
                    maximum=rules.max_story,
                    length=len(story),
                    over=messages.count_of(len(story) - rules.max_story, "character", "characters"),
                ),
            )
        )
    return problems


def _problems(
    request: NominationRequest, catalogue: BehaviourCatalogue, rules: NominationRules
) -> list[Problem]:
    problems: list[Problem] = []
    nominees = list({member.id: member for member in request.nominees}.values())
    if not nominees:
        problems.append(Problem(NominationField.NOMINEES, messages.NO_NOMINEES))
    elif len(nominees) > rules.max_nominees:
        problems.append(
            Problem(
                NominationField.NOMINEES,
                messages.TOO_MANY_NOMINEES.format(
                    limit=messages.count_of(rules.max_nominees, "colleague", "colleagues"),
                    count=len(nominees),
                ),
            )
        )
    for member in nominees:
        if member.id == request.nominator.id:
            problems.append(Problem(NominationField.NOMINEES, messages.SELF_NOMINATION))
        elif member.is_bot:
            problems.append(
                Problem(
                    NominationField.NOMINEES, messages.BOT_NOMINEE.format(name=member.display_name)
                )
            )
        elif member.is_deactivated:
            problems.append(
                Problem(
                    NominationField.NOMINEES,
                    messages.DEACTIVATED_NOMINEE.format(name=member.display_name),
                )
            )

    problems += content_problems(request.story, request.behaviour_slugs, catalogue, rules)
    if request.visibility not in tuple(Visibility):
        problems.append(Problem(NominationField.VISIBILITY, messages.BAD_VISIBILITY))
    return problems


def find_problems(
    request: NominationRequest, catalogue: BehaviourCatalogue, rules: NominationRules
) -> list[Problem]:
    """Every rule `request` breaks, each tied to a form field (nothing is stored)."""
    return _problems(request, catalogue, rules)


def fingerprint(request: NominationRequest) -> str:
    """Identifies "the same submission": same people, behaviours, story and visibility."""
    story = re.sub(r"\s+", " ", _normalise_story(request.story)).casefold()
    parts = [
        str(request.workspace_id),
        str(request.nominator.id),
        ",".join(sorted(str(member.id) for member in request.nominees)),
        ",".join(sorted(set(request.behaviour_slugs))),
        str(request.visibility),
        story,
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


# The statements a nomination runs, built once with parameters: building a statement costs
# several times more CPU than running it.
_MEMBER: Table = Member.__table__  # type: ignore[assignment]
_NOMINATION: Table = Nomination.__table__  # type: ignore[assignment]
_NOMINEE: Table = NominationNominee.__table__  # type: ignore[assignment]
_BEHAVIOUR: Table = NominationBehaviour.__table__  # type: ignore[assignment]

# The ids of every account of the nominator's person (just theirs when unlinked).
_ACCOUNTS_OF_PERSON = select(_MEMBER.c.id).where(
    or_(
        _MEMBER.c.id == bindparam("nominator"),
        # `person_id = NULL` is never true, so an unlinked nominator matches only their row.
        _MEMBER.c.person_id
        == select(_MEMBER.c.person_id)
        .where(_MEMBER.c.id == bindparam("nominator"))
        .scalar_subquery(),
    )
)
_LOCK_LOWEST_ACCOUNT = (  # PostgreSQL
    select(_MEMBER.c.id)
    .where(
        _MEMBER.c.id
        == select(func.min(_MEMBER.c.id))
        .where(_MEMBER.c.id.in_(_ACCOUNTS_OF_PERSON))
        .scalar_subquery()
    )
    .with_for_update(key_share=True)
)
# Nominations since local midnight by any of the person's accounts.
_MADE_TODAY = (
    select(func.count())
    .select_from(_NOMINATION)
    .where(
        _NOMINATION.c.nominator_id.in_(_ACCOUNTS_OF_PERSON),
        _NOMINATION.c.created_at >= bindparam("midnight"),
    )
    .scalar_subquery()
)
# The newest nomination with this fingerprint (the same submission made again) since
# `repeats_since` (NULL, when repeats aren't looked for, matches none).
_REPEAT = (
    select(_NOMINATION.c.id)
    .where(
        _NOMINATION.c.fingerprint == bindparam("fingerprint"),
        _NOMINATION.c.created_at >= bindparam("repeats_since"),
    )
    .order_by(_NOMINATION.c.created_at.desc())
    .limit(1)
    .scalar_subquery()
)
_NOMINATION_VALUES = (
    "workspace_id",
    "nominator_id",
    "story",
    "visibility",
    "created_at",
    "source_channel_id",
    "source_message_url",
    "fingerprint",
    "dedupe_key",
)
# The nomination, only when the person is under the daily cap and it repeats none: the
# count and the look for a twin run inside the INSERT, after it holds the write lock
# (SQLite) or once the person is held (PostgreSQL), in one statement instead of three.
_INSERT_UNLESS_CAPPED_OR_REPEATED = (
    insert(_NOMINATION)
    .from_select(
        list(_NOMINATION_VALUES),
        select(
            *(bindparam(name, type_=_NOMINATION.c[name].type) for name in _NOMINATION_VALUES)
        ).where(
            bindparam("cap") > _MADE_TODAY,
            _REPEAT.is_(None),
        ),
    )
    .returning(_NOMINATION.c.id)
)
_INSERT_NOMINEE = insert(_NOMINEE)
_INSERT_BEHAVIOUR = insert(_BEHAVIOUR)
_RECORD_POSTING = (  # the table, not the mapped class: no ORM bookkeeping for one UPDATE
    update(_NOMINATION)
    .where(_NOMINATION.c.id == bindparam("nomination"))
    .values(posted_channel_id=bindparam("channel"), posted_message_id=bindparam("message"))
)


def _hold_nominator(connection: Connection, nominator_id: int) -> None:
    """Serialise one person's concurrent nominations, from any of their accounts, until
    this transaction ends, so the daily cap counted next can't be raced (two replicas, a
    double click, the Slack and the Teams app at once).

    PostgreSQL locks the row of the person's lowest-numbered account: one row every
    account of theirs agrees on, and only one lock per transaction, so nominations never
    wait on each other in a cycle. FOR NO KEY UPDATE, not FOR UPDATE: inserting a
    nomination that names that account takes a key-share lock on it, which must not wait
    (two people nominating each other at once would deadlock). SQLite has one writer at a
    time, and the INSERT that counts (`_INSERT_UNLESS_CAPPED_OR_REPEATED`) takes the
    database's write lock as it starts, before it reads: nothing to do first.
    """
    if connection.dialect.name != "sqlite":
        connection.execute(_LOCK_LOWEST_ACCOUNT, {"nominator": nominator_id})


def _insert_nomination(
    connection: Connection,
    row: dict[str, object],
    nominees: Sequence[MemberDetails],
    slugs: Sequence[str],
) -> int | None:
    """Insert a nomination with its nominees and behaviours; returns its id, or None (and
    nothing inserted) when `row` is over the daily cap or repeats one. Three INSERTs on the
    tables, not the mapped classes: no ORM flush for rows the caller already holds."""
    nomination_id = connection.execute(_INSERT_UNLESS_CAPPED_OR_REPEATED, row).scalar()
    if nomination_id is None:
        return None
    connection.execute(
        _INSERT_NOMINEE,
        [
            {"nomination_id": nomination_id, "member_id": member.id, "position": position}
            for position, member in enumerate(nominees)
        ],
    )
    if slugs:
        connection.execute(
            _INSERT_BEHAVIOUR,
            [
                {"nomination_id": nomination_id, "behaviour_slug": slug, "position": position}
                for position, slug in enumerate(slugs)
            ],
        )
    return int(nomination_id)


def nominate(
    session: Session | Connection,
    request: NominationRequest,
    *,
    catalogue: BehaviourCatalogue,
    rules: NominationRules,
    clock: Clock,
    commit: bool = True,
) -> NominationOutcome:
    """Validate and store a nomination; commits on success (unless `commit` is False: the
    caller adds to the transaction, then commits) and stores nothing on failure.

    Raises InvalidNominationError (with every problem found, each tied to a form field) or
    DailyCapReachedError. A repeat of the same submission within the duplicate window
    returns the nomination already stored, with `created=False`.
    """
    problems = _problems(request, catalogue, rules)
    if problems:
        raise InvalidNominationError(problems)

    now = clock()
    print_ = fingerprint(request)
    window = rules.duplicate_window
    # Core statements on the session's connection: none of the ORM's bookkeeping.
    connection = connection_of(session)
    _hold_nominator(connection, request.nominator.id)
    local_midnight = now.astimezone(rules.timezone).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    limits = {
        "nominator": request.nominator.id,
        "midnight": local_midnight,
        "fingerprint": print_,
        "repeats_since": now - window if window.total_seconds() > 0 else None,
        "cap": rules.daily_cap,
    }
    # The window bucket in the unique key stops two concurrent copies (two replicas, a
    # retried request) from both being stored; the INSERT's own look catches the rest.
    seconds = window.total_seconds()
    slot = str(int(now.timestamp() // seconds)) if seconds else now.isoformat()
    dedupe_key = f"{print_}:{slot}"
    nominees = list({member.id: member for member in request.nominees}.values())
    slugs = list(dict.fromkeys(request.behaviour_slugs))
    row = {
        "workspace_id": request.workspace_id,
        "nominator_id": request.nominator.id,
        "story": _normalise_story(request.story),
        "visibility": str(request.visibility),
        "created_at": now,
        "source_channel_id": request.source_channel_id,
        "source_message_url": request.source_message_url,
        "fingerprint": print_,
        "dedupe_key": dedupe_key,
    }
    try:
        nomination_id = _insert_nomination(connection, row | limits, nominees, slugs)
        if nomination_id is None:
            # Held since the INSERT looked: a repeat, or else the cap was reached.
            repeat_id = connection.scalar(select(_REPEAT), limits)
            if repeat_id is not None:
                return NominationOutcome(repeat_id, created=False)
            raise DailyCapReachedError(
                messages.DAILY_CAP_REACHED.format(
                    made=messages.count_of(rules.daily_cap, "nomination", "nominations")
                )
            )
        if commit:
            session.commit()
    except IntegrityError:
        session.rollback()
        existing = session.scalar(select(Nomination.id).where(Nomination.dedupe_key == dedupe_key))
        if existing is None:
            raise
        return NominationOutcome(existing, created=False)
    written = WrittenNomination(
        nomination_id,
        request.nominator,
        tuple(nominees),
        tuple(slugs),
        str(row["story"]),
        str(request.visibility),
        request.source_message_url,
    )
    return NominationOutcome(nomination_id, created=True, written=written)


def load_nomination(session: Session, nomination_id: int) -> Nomination | None:
    """A nomination with its nominees, behaviours and nominator loaded."""
    return session.scalars(
        select(Nomination)
        .where(Nomination.id == nomination_id)
        .options(
            selectinload(Nomination.nominees).selectinload(NominationNominee.member),
            selectinload(Nomination.behaviours),
            selectinload(Nomination.nominator),
        )
    ).one_or_none()


def count_endorsements(session: Session, nomination_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Endorsement)
            .where(Endorsement.nomination_id == nomination_id)
        )
        or 0
    )


def endorse(session: Session, nomination_id: int, member: Member, *, clock: Clock) -> int:
    """Record "I saw this too" from `member`; returns the new count. Commits.

    A private nomination was sent only to its nominees, so to anyone else it doesn't exist
    (whatever id a click carries). Raises NominationNotFoundError, OwnNominationError or
    AlreadyEndorsedError.
    """
    nomination = load_nomination(session, nomination_id)
    if (
        nomination is None
        or nomination.workspace_id != member.workspace_id
        or not is_counted(nomination)
    ):
        raise NominationNotFoundError(messages.NOMINATION_NOT_FOUND)
    involved = {link.member_id for link in nomination.nominees} | {nomination.nominator_id}
    if nomination.visibility != Visibility.PUBLIC and member.id not in involved:
        raise NominationNotFoundError(messages.NOMINATION_NOT_FOUND)
    if member.id in involved:
        raise OwnNominationError(messages.OWN_NOMINATION)
    session.add(Endorsement(nomination_id=nomination_id, member_id=member.id, created_at=clock()))
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise AlreadyEndorsedError(messages.ALREADY_ENDORSED) from None
    return count_endorsements(session, nomination_id)


def record_posting(
    connection: Connection, nomination_id: int, channel_id: str, message_id: str
) -> None:
    """Remember where the recognition was posted, so endorsements can update it (one UPDATE;
    the nomination isn't loaded, and an erased one is left erased). The caller commits it,
    with the delivery marked posted."""
    connection.execute(
        _RECORD_POSTING,
        {"nomination": nomination_id, "channel": channel_id, "message": message_id},
    )


def recent_nominations(
    session: Session,
    workspace_id: int,
    *,
    limit: int = 10,
    received_by: int | None = None,
    given_by: int | None = None,
) -> list[Nomination]:
    """The latest nominations that count in a workspace (none withdrawn or hidden),
    optionally those one member received or gave."""
    query = (
        select(Nomination)
        .where(Nomination.workspace_id == workspace_id, counted_nominations())
        .order_by(Nomination.created_at.desc(), Nomination.id.desc())
        .limit(limit)
        .options(
            selectinload(Nomination.nominees).selectinload(NominationNominee.member),
            selectinload(Nomination.behaviours),
            selectinload(Nomination.nominator),
        )
    )
    if received_by is not None:
        query = query.where(
            Nomination.id.in_(
                select(NominationNominee.nomination_id).where(
                    NominationNominee.member_id == received_by
                )
            )
        )
    if given_by is not None:
        query = query.where(Nomination.nominator_id == given_by)
    return list(session.scalars(query))

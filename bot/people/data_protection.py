"""Data protection: everything stored about one person (a subject access request), and
erasing them from every table, with the bytes of a SQLite database rewritten afterwards.

A person is named by their work email or by one of their platform user ids. Either way every
account linked to them (bot/directory/linking.py: one verified email, one person), in every
workspace, is covered, as is every workspace holding the id named. What erasure does to each
table (docs/admin.md says the same for admins):

- `member`: their rows are deleted (profile, title, department, email, flags).
- `person` and `directory_record`: the person row and the HR and directory records for
  their email(s) are deleted (a later HR import or directory sync that still lists the
  email brings a record back).
- `nomination` they received as the only nominee: deleted, with its behaviours and
  endorsements. Shared with others: only their nominee link goes, so the others keep their
  recognition, and mentions of them (`<@id>`) in the story are replaced.
- `nomination` they gave: kept for the nominees with the nominator removed and the story
  (their words) replaced by a placeholder; the source message link and the duplicate
  fingerprint (a hash of their id and story) are cleared too.
- `endorsement`: theirs, and every one on a deleted nomination, are deleted.
- `delivery`: messages addressed to them (keyed on their user id) are deleted, so the outbox
  sweep can never message them; deliveries of deleted nominations are deleted, and those
  not yet posted of nominations they gave, so the sweep never posts their story.
- `spotlight`: their rows are deleted; rows pointing at a deleted nomination lose the link.
- `teams_conversation`: their personal chat with the bot is deleted; installs they made
  keep the conversation without their id.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, String, cast, delete, func, literal, or_, select, text, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql import Select

from bot import messages
from bot.audit import CLI, Actor, AuditAction, record_by
from bot.deliveries import DeliveryStatus
from bot.directory.linking import normalise_email
from bot.errors import MemberNotFoundError
from bot.reporting.exports import iso_utc
from bot.services import Services
from db.models import (
    Delivery,
    DirectoryRecord,
    Endorsement,
    Member,
    Nomination,
    NominationBehaviour,
    NominationFlag,
    NominationNominee,
    Person,
    Spotlight,
    TeamsConversation,
    Workspace,
)

log = logging.getLogger(__name__)

# Teams' 1:1 chat with the bot (bot/installs.py keeps Teams' own conversation type names).
PERSONAL_CONVERSATION = "personal"
# What a given nomination's fingerprint becomes: it hashed the erased nominator and story.
ERASED_FINGERPRINT = "erased"


@dataclass(frozen=True)
class ErasedAccount:
    """One account an erasure covers, as the confirmation lists it."""

    platform: str  # "slack", "teams" or "console"
    workspace: str  # the workspace's name, or its platform id
    user_id: str
    display_name: str


@dataclass(frozen=True)
class ErasurePlan:
    """What `forget_member` does, counted before anything changes (for the prompt)."""

    user_id: str  # as the admin named them: a platform user id or an email
    display_name: str
    member_ids: tuple[int, ...]
    received_alone: int  # nominations deleted: they were the only nominee
    received_shared: int  # nominations kept for the other nominees, without them
    given: int  # nominations kept for their nominees, without the nominator or story
    endorsements: int
    accounts: tuple[ErasedAccount, ...] = ()  # every account covered, linked ones included
    people: int = 0  # person rows (the link between their accounts) deleted
    directory_records: int = 0  # HR and directory records for their email(s) deleted


@dataclass(frozen=True)
class _Subject:
    """Everything that identifies the person named: their accounts, person rows and
    emails (for their HR and directory records)."""

    named: str
    members: tuple[Member, ...]
    person_ids: tuple[int, ...]
    emails: tuple[str, ...]


def _subject(session: Session, named: str) -> _Subject:
    """The person named by an email or a platform user id, with every account linked to
    them. Raises MemberNotFoundError when nothing at all is stored about them."""
    email = normalise_email(named)
    person_ids: set[int] = set()
    if email is not None:
        person_ids |= set(session.scalars(select(Person.id).where(Person.email == email)))
        found = select(Member).where(or_(Member.email == email, Member.person_id.in_(person_ids)))
    else:  # every workspace holding the id, as before accounts were linked
        found = select(Member).where(Member.platform_user_id == named)
    direct = session.scalars(found).all()
    person_ids |= {member.person_id for member in direct if member.person_id is not None}
    members = session.scalars(
        select(Member)
        .where(
            or_(
                Member.id.in_([member.id for member in direct]),
                Member.person_id.in_(person_ids),
            )
        )
        .order_by(Member.id)
    ).all()
    emails = {email} if email is not None else set()
    emails |= {member.email for member in members if member.email}
    emails |= set(session.scalars(select(Person.email).where(Person.id.in_(person_ids))))
    if not members and not person_ids and not _directory_records(session, emails):
        wording = messages.PERSON_NOT_FOUND if email is not None else messages.MEMBER_NOT_FOUND
        raise MemberNotFoundError(wording.format(user_id=named))
    return _Subject(named, tuple(members), tuple(sorted(person_ids)), tuple(sorted(emails)))


def _directory_records(session: Session, emails: Collection[str]) -> list[DirectoryRecord]:
    if not emails:
        return []
    return list(
        session.scalars(
            select(DirectoryRecord)
            .where(DirectoryRecord.email.in_(sorted(emails)))
            .order_by(DirectoryRecord.source, DirectoryRecord.id)
        )
    )


def _optional_iso(moment: datetime | None) -> str | None:
    return iso_utc(moment) if moment is not None else None


def _person(member: Member | None) -> dict[str, str] | None:
    if member is None:
        return None
    return {"user_id": member.platform_user_id, "name": member.display_name}


def _nomination_record(nomination: Nomination, endorsements: int) -> dict[str, Any]:
    return {
        "id": nomination.id,
        "created_at": iso_utc(nomination.created_at),
        "nominator": _person(nomination.nominator),
        "nominees": [_person(link.member) for link in nomination.nominees],
        "behaviours": [link.behaviour_slug for link in nomination.behaviours],
        "story": nomination.story,
        "visibility": nomination.visibility,
        "endorsements": endorsements,
        "source_channel_id": nomination.source_channel_id,
        "source_message_url": nomination.source_message_url,
        "posted_channel_id": nomination.posted_channel_id,
        "posted_message_id": nomination.posted_message_id,
    }


def _member_record(session: Session, member: Member) -> dict[str, Any]:
    loaded = (
        selectinload(Nomination.nominees).selectinload(NominationNominee.member),
        selectinload(Nomination.behaviours),
        selectinload(Nomination.nominator),
    )
    received = session.scalars(
        select(Nomination)
        .join(NominationNominee, NominationNominee.nomination_id == Nomination.id)
        .where(NominationNominee.member_id == member.id)
        .order_by(Nomination.created_at, Nomination.id)
        .options(*loaded)
    ).all()
    given = session.scalars(
        select(Nomination)
        .where(Nomination.nominator_id == member.id)
        .order_by(Nomination.created_at, Nomination.id)
        .options(*loaded)
    ).all()
    ids = [nomination.id for nomination in (*received, *given)]
    counts = dict(
        session.execute(
            select(Endorsement.nomination_id, func.count())
            .where(Endorsement.nomination_id.in_(ids))
            .group_by(Endorsement.nomination_id)
        ).all()
    )
    endorsed = session.execute(
        select(Endorsement.id, Endorsement.nomination_id, Endorsement.created_at)
        .where(Endorsement.member_id == member.id)
        .order_by(Endorsement.created_at, Endorsement.id)
    ).all()
    spotlights = session.execute(
        select(
            Spotlight.id, Spotlight.period_key, Spotlight.nomination_id, Spotlight.spotlighted_at
        )
        .where(Spotlight.member_id == member.id)
        .order_by(Spotlight.spotlighted_at, Spotlight.id)
    ).all()
    deliveries = session.scalars(
        select(Delivery)
        .where(
            Delivery.workspace_id == member.workspace_id,
            Delivery.channel_id == member.platform_user_id,
        )
        .order_by(Delivery.created_at, Delivery.id)
    ).all()
    conversations = session.scalars(
        select(TeamsConversation)
        .where(
            TeamsConversation.workspace_id == member.workspace_id,
            TeamsConversation.installed_by == member.platform_user_id,
        )
        .order_by(TeamsConversation.installed_at, TeamsConversation.id)
    ).all()
    return {
        "workspace_id": member.workspace_id,
        "profile": {
            "user_id": member.platform_user_id,
            "display_name": member.display_name,
            "email": member.email,
            "title": member.title,
            "department": member.department,
            "staff_group": member.staff_group,
            "pay_band": member.pay_band,
            "site": member.site,
            "is_bot": member.is_bot,
            "is_deactivated": member.is_deactivated,
            "is_platform_admin": member.is_platform_admin,
            "profile_refreshed_at": _optional_iso(member.profile_refreshed_at),
            "first_seen_at": iso_utc(member.created_at),
        },
        "nominations_received": [
            _nomination_record(item, counts.get(item.id, 0)) for item in received
        ],
        "nominations_given": [_nomination_record(item, counts.get(item.id, 0)) for item in given],
        "endorsements_given": [
            {
                "id": row.id,
                "nomination_id": row.nomination_id,
                "created_at": iso_utc(row.created_at),
            }
            for row in endorsed
        ],
        "spotlights": [
            {
                "id": row.id,
                "week": row.period_key,
                "nomination_id": row.nomination_id,
                "spotlighted_at": iso_utc(row.spotlighted_at),
            }
            for row in spotlights
        ],
        "messages_to_them": [
            {
                "id": delivery.id,
                "kind": delivery.kind,
                "about": delivery.period_key,
                "status": delivery.status,
                "attempts": delivery.attempts,
                "posted_at": _optional_iso(delivery.posted_at),
                "last_error": delivery.last_error,
                "created_at": iso_utc(delivery.created_at),
            }
            for delivery in deliveries
        ],
        "teams_conversations": [
            {
                "id": conversation.id,
                "conversation_type": conversation.conversation_type,
                "team_name": conversation.team_name,
                "installed_at": iso_utc(conversation.installed_at),
                "removed_at": _optional_iso(conversation.removed_at),
            }
            for conversation in conversations
        ],
    }


def _directory_record(record: DirectoryRecord) -> dict[str, Any]:
    return {
        "source": record.source,
        "email": record.email,
        "external_id": record.external_id,
        "display_name": record.display_name,
        "job_title": record.job_title,
        "department": record.department,
        "staff_group": record.staff_group,
        "pay_band": record.pay_band,
        "site": record.site,
        "updated_at": iso_utc(record.updated_at),
        "left_at": _optional_iso(record.left_at),
    }


def member_data(session: Session, user_id: str, *, now: datetime) -> dict[str, Any]:
    """Everything stored about the person named by `user_id` (a platform user id or an
    email), every linked account included, as JSON-ready data. Raises MemberNotFoundError."""
    subject = _subject(session, user_id)
    people = session.scalars(
        select(Person).where(Person.id.in_(subject.person_ids)).order_by(Person.id)
    ).all()
    return {
        "user_id": user_id,
        "exported_at": iso_utc(now),
        "members": [_member_record(session, member) for member in subject.members],
        "people": [
            {"email": person.email, "first_seen_at": iso_utc(person.created_at)}
            for person in people
        ],
        "directory_records": [
            _directory_record(record) for record in _directory_records(session, subject.emails)
        ],
    }


def export_member_data(services: Services, user_id: str, actor: Actor = CLI) -> dict[str, Any]:
    """The subject access export of the person named by `user_id` (a platform user id or an
    email: every linked account), in a unit of work of its own, recorded in the audit trail
    without naming who was exported (a later erasure must leave nothing)."""
    with services.unit_of_work() as session:
        data = member_data(session, user_id, now=services.clock())
        record_by(
            session,
            actor,
            AuditAction.EXPORT,
            at=services.clock(),
            subject="subject access",
            detail={"format": "json", "workspaces": len(data["members"])},
        )
        session.commit()
        return data


def _received_alone_ids(member_ids: Sequence[int]) -> Select[int]:
    """Nominations whose only nominees are these member rows."""
    others = select(NominationNominee.nomination_id).where(
        NominationNominee.member_id.not_in(member_ids)
    )
    return select(NominationNominee.nomination_id).where(
        NominationNominee.member_id.in_(member_ids),
        NominationNominee.nomination_id.not_in(others),
    )


def _plan(session: Session, subject: _Subject) -> ErasurePlan:
    members = subject.members
    ids = [member.id for member in members]
    received = session.scalar(
        select(func.count(func.distinct(NominationNominee.nomination_id))).where(
            NominationNominee.member_id.in_(ids)
        )
    )
    alone = session.scalar(select(func.count()).select_from(_received_alone_ids(ids).subquery()))
    given = session.scalar(
        select(func.count()).select_from(Nomination).where(Nomination.nominator_id.in_(ids))
    )
    endorsements = session.scalar(
        select(func.count()).select_from(Endorsement).where(Endorsement.member_id.in_(ids))
    )
    workspaces = {
        workspace.id: workspace
        for workspace in session.scalars(
            select(Workspace).where(Workspace.id.in_({member.workspace_id for member in members}))
        )
    }
    return ErasurePlan(
        user_id=subject.named,
        display_name=members[0].display_name if members else subject.named,
        member_ids=tuple(ids),
        received_alone=int(alone or 0),
        received_shared=int(received or 0) - int(alone or 0),
        given=int(given or 0),
        endorsements=int(endorsements or 0),
        accounts=tuple(
            ErasedAccount(
                platform=workspaces[member.workspace_id].platform,
                workspace=workspaces[member.workspace_id].name
                or workspaces[member.workspace_id].external_id,
                user_id=member.platform_user_id,
                display_name=member.display_name,
            )
            for member in members
        ),
        people=len(subject.person_ids),
        directory_records=len(_directory_records(session, subject.emails)),
    )


def plan_erasure(services: Services, user_id: str) -> ErasurePlan:
    """Count what erasing the person named by `user_id` (a platform user id or an email:
    every linked account) would change. Raises MemberNotFoundError."""
    with services.unit_of_work() as session:
        return _plan(session, _subject(session, user_id))


def _as_key(column: Any) -> Any:
    """A nomination id as a delivery's period key (recognition deliveries use the id)."""
    return cast(column, String(64))


def _erase(session: Session, user_id: str) -> ErasurePlan:
    """Stage the whole erasure of the person named by `user_id` in `session` (the caller
    commits)."""
    subject = _subject(session, user_id)
    plan = _plan(session, subject)
    members = subject.members
    ids = list(plan.member_ids)
    alone = list(session.scalars(_received_alone_ids(ids)))
    given = list(
        session.scalars(
            select(Nomination.id).where(
                Nomination.nominator_id.in_(ids), Nomination.id.not_in(alone)
            )
        )
    )
    shared = list(
        session.scalars(
            select(NominationNominee.nomination_id).where(
                NominationNominee.member_id.in_(ids), NominationNominee.nomination_id.not_in(alone)
            )
        )
    )

    # The outbox first: nothing may be sent to them, or with their story, once this commits.
    # Recognition deliveries are keyed on the nomination id; digests use dated keys.
    session.execute(delete(Delivery).where(Delivery.period_key.in_([str(item) for item in alone])))
    session.execute(
        delete(Delivery).where(
            Delivery.period_key.in_([str(item) for item in given]),
            Delivery.status != DeliveryStatus.POSTED,
        )
    )
    for member in members:
        session.execute(
            delete(Delivery).where(
                Delivery.workspace_id == member.workspace_id,
                Delivery.channel_id == member.platform_user_id,
            )
        )
        session.execute(
            delete(TeamsConversation).where(
                TeamsConversation.workspace_id == member.workspace_id,
                TeamsConversation.installed_by == member.platform_user_id,
                TeamsConversation.conversation_type == PERSONAL_CONVERSATION,
            )
        )
        session.execute(
            update(TeamsConversation)
            .where(
                TeamsConversation.workspace_id == member.workspace_id,
                TeamsConversation.installed_by == member.platform_user_id,
            )
            .values(installed_by=None)
        )
        # Moderation: flags they raised hold their words; hides and flag decisions name
        # them by user id (the audit trail keeps the bare fact).
        session.execute(delete(NominationFlag).where(NominationFlag.flagged_by_id == member.id))
        session.execute(
            update(Nomination)
            .where(
                Nomination.workspace_id == member.workspace_id,
                Nomination.hidden_by == member.platform_user_id,
            )
            .values(hidden_by=None)
        )
        session.execute(
            update(NominationFlag)
            .where(
                NominationFlag.workspace_id == member.workspace_id,
                NominationFlag.decided_by == member.platform_user_id,
            )
            .values(decided_by=None)
        )
        mention = f"<@{member.platform_user_id}>"
        session.execute(
            update(Nomination)
            .where(Nomination.id.in_(shared), Nomination.story.contains(mention, autoescape=True))
            .values(story=func.replace(Nomination.story, mention, messages.ERASED_MENTION))
        )

    session.execute(
        update(Spotlight).where(Spotlight.nomination_id.in_(alone)).values(nomination_id=None)
    )
    session.execute(delete(Spotlight).where(Spotlight.member_id.in_(ids)))
    # Children first, explicitly, rather than trusting every backend's cascades.
    for child in (NominationBehaviour, NominationNominee, Endorsement):
        session.execute(delete(child).where(child.nomination_id.in_(alone)))
    session.execute(delete(Nomination).where(Nomination.id.in_(alone)))
    session.execute(delete(NominationNominee).where(NominationNominee.member_id.in_(ids)))
    session.execute(
        update(Nomination)
        .where(Nomination.id.in_(given))
        .values(
            nominator_id=None,
            story=messages.ERASED_STORY,
            source_message_url=None,
            fingerprint=ERASED_FINGERPRINT,
            dedupe_key=literal("erased:").concat(_as_key(Nomination.id)),
        )
    )
    session.execute(delete(Endorsement).where(Endorsement.member_id.in_(ids)))
    session.execute(delete(Member).where(Member.id.in_(ids)))
    if subject.emails:
        session.execute(delete(DirectoryRecord).where(DirectoryRecord.email.in_(subject.emails)))
    session.execute(delete(Person).where(Person.id.in_(subject.person_ids)))
    return plan


def _erasure_detail(plan: ErasurePlan) -> dict[str, int]:
    """The audit fact's counts. The person and directory counts appear only when there were
    any, so an unlinked account's erasure is recorded as it always was."""
    detail: dict[str, int] = {
        "member_rows": len(plan.member_ids),
        "nominations_deleted": plan.received_alone,
        "removed_from_shared": plan.received_shared,
        "given_anonymised": plan.given,
        "endorsements_deleted": plan.endorsements,
    }
    if plan.people:
        detail["people_deleted"] = plan.people
    if plan.directory_records:
        detail["directory_records_deleted"] = plan.directory_records
    return detail


def forget_member(services: Services, user_id: str, actor: Actor = CLI) -> ErasurePlan:
    """Erase the person named by `user_id` (a platform user id or an email) from every
    table: every account linked to them in every workspace, their person row and their HR
    and directory records, in one transaction (all of it happens, or none of it), then
    rewrite a SQLite file so the erased text is gone from its bytes. Returns what was done.
    Raises MemberNotFoundError.

    The audit trail records, in the same transaction, that an erasure happened, by whom and
    how much it removed, and nothing about who was erased: no id, no name, no email.
    """
    with services.unit_of_work() as session:
        try:
            plan = _erase(session, user_id)
            record_by(
                session,
                actor,
                AuditAction.MEMBER_ERASED,
                at=services.clock(),
                detail=_erasure_detail(plan),
            )
            session.commit()
        except BaseException:
            session.rollback()
            raise
    compact_after_erasure(services.engine)
    return plan


def compact_after_erasure(engine: Engine) -> None:
    """SQLite keeps deleted text in free pages and the write-ahead log until they are
    reused: rewrite the file (VACUUM, with secure_delete on so freed pages are zeroed) and
    empty the log. PostgreSQL leaves dead rows until its own VACUUM; docs/admin.md says
    what the operator does about that and about backups."""
    if engine.dialect.name != "sqlite":
        return
    try:
        with engine.connect() as connection:
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            connection.execute(text("PRAGMA secure_delete=ON"))
            connection.execute(text("VACUUM"))
            busy, _log_frames, _moved = connection.execute(
                text("PRAGMA wal_checkpoint(TRUNCATE)")
            ).one()
    except OperationalError as error:  # the erasure is committed; only the rewrite waits
        log.warning("erased, but the SQLite file could not be rewritten now: %s", error)
        return
    if busy:  # a reader held the log open; the next checkpoint empties it
        log.warning("erased, but the SQLite write-ahead log could not be emptied yet")

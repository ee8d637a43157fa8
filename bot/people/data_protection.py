"""Data protection: everything stored about one person (a subject access request), and
erasing them (profile removed, nominations they received deleted, ones they gave anonymised).

A person is named by their platform user id; every workspace holding that id is covered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, selectinload

from bot import messages
from bot.audit import CLI, Actor, AuditAction, record_by
from bot.errors import MemberNotFoundError
from bot.reporting.exports import iso_utc
from db.models import Endorsement, Member, Nomination, NominationBehaviour, NominationNominee


@dataclass(frozen=True)
class ErasurePlan:
    """What `forget_member` will do, counted before anything changes (for the prompt)."""

    user_id: str
    display_name: str
    member_ids: tuple[int, ...]
    received_alone: int  # nominations deleted: they were the only nominee
    received_shared: int  # nominations kept for the other nominees, without them
    given: int  # nominations kept, with the nominator removed
    endorsements: int


def _members(session: Session, user_id: str) -> Sequence[Member]:
    members = session.scalars(
        select(Member).where(Member.platform_user_id == user_id).order_by(Member.id)
    ).all()
    if not members:
        raise MemberNotFoundError(messages.MEMBER_NOT_FOUND.format(user_id=user_id))
    return members


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
    }


def member_data(session: Session, user_id: str, *, now: datetime) -> dict[str, Any]:
    """Everything stored about `user_id`, as JSON-ready data. Raises MemberNotFoundError."""
    records = []
    for member in _members(session, user_id):
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
            select(Endorsement.nomination_id, Endorsement.created_at)
            .where(Endorsement.member_id == member.id)
            .order_by(Endorsement.created_at)
        ).all()
        workspace = member.workspace_id
        records.append(
            {
                "workspace_id": workspace,
                "profile": {
                    "user_id": member.platform_user_id,
                    "display_name": member.display_name,
                    "title": member.title,
                    "department": member.department,
                    "is_bot": member.is_bot,
                    "is_deactivated": member.is_deactivated,
                    "is_platform_admin": member.is_platform_admin,
                    "profile_refreshed_at": _optional_iso(member.profile_refreshed_at),
                    "first_seen_at": iso_utc(member.created_at),
                },
                "nominations_received": [
                    _nomination_record(item, counts.get(item.id, 0)) for item in received
                ],
                "nominations_given": [
                    _nomination_record(item, counts.get(item.id, 0)) for item in given
                ],
                "endorsements_given": [
                    {"nomination_id": nomination_id, "created_at": iso_utc(created)}
                    for nomination_id, created in endorsed
                ],
            }
        )
    return {"user_id": user_id, "exported_at": iso_utc(now), "members": records}


def _received_alone_ids(member_ids: Sequence[int]) -> Any:
    """Nominations whose only nominees are these member rows."""
    others = select(NominationNominee.nomination_id).where(
        NominationNominee.member_id.not_in(member_ids)
    )
    return select(NominationNominee.nomination_id).where(
        NominationNominee.member_id.in_(member_ids),
        NominationNominee.nomination_id.not_in(others),
    )


def plan_erasure(session: Session, user_id: str) -> ErasurePlan:
    """Count what erasing `user_id` would change. Raises MemberNotFoundError."""
    members = _members(session, user_id)
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
    return ErasurePlan(
        user_id=user_id,
        display_name=members[0].display_name,
        member_ids=tuple(ids),
        received_alone=int(alone or 0),
        received_shared=int(received or 0) - int(alone or 0),
        given=int(given or 0),
        endorsements=int(endorsements or 0),
    )


def forget_member(session: Session, plan: ErasurePlan, *, at: datetime, actor: Actor = CLI) -> None:
    """Carry out `plan` in one transaction: all of it happens, or none of it. Commits.

    The audit trail records that an erasure happened, by whom and how much it removed, in
    the same transaction, and nothing about who was erased: no id, no name.
    """
    ids = list(plan.member_ids)
    try:
        record_by(
            session,
            actor,
            AuditAction.MEMBER_ERASED,
            at=at,
            detail={
                "member_rows": len(ids),
                "nominations_deleted": plan.received_alone,
                "removed_from_shared": plan.received_shared,
                "given_anonymised": plan.given,
                "endorsements_deleted": plan.endorsements,
            },
        )
        alone = list(session.scalars(_received_alone_ids(ids)))
        # Children first, explicitly, rather than trusting every backend's cascades.
        for child in (NominationBehaviour, NominationNominee, Endorsement):
            session.execute(delete(child).where(child.nomination_id.in_(alone)))
        session.execute(delete(Nomination).where(Nomination.id.in_(alone)))
        session.execute(delete(NominationNominee).where(NominationNominee.member_id.in_(ids)))
        session.execute(
            update(Nomination).where(Nomination.nominator_id.in_(ids)).values(nominator_id=None)
        )
        session.execute(delete(Endorsement).where(Endorsement.member_id.in_(ids)))
        session.execute(delete(Member).where(Member.id.in_(ids)))
        session.commit()
    except BaseException:
        session.rollback()
        raise

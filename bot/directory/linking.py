"""One person, several accounts: accounts are linked by verified work email.

Emails are compared lower-cased and trimmed. A Slack account and a Teams account with the
same email, and the HR record with it, are the same person: statistics, the spotlight's
rotation, the daily cap and erasure work on the person.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from db.models import Member, Person


def normalise_email(email: str | None) -> str | None:
    """The form emails are matched in, or None for something that isn't an address."""
    if not email:
        return None
    cleaned = email.strip().lower()
    local, at, domain = cleaned.partition("@")
    if not at or not local or "." not in domain or " " in cleaned or len(cleaned) > 320:
        return None
    return cleaned


def persons_by_email(session: Session, emails: Iterable[str], now: datetime) -> dict[str, Person]:
    """The person for each email, created on first sight (flushed, not committed)."""
    wanted = sorted(set(emails))
    known: dict[str, Person] = {}
    for chunk_start in range(0, len(wanted), 500):
        chunk = wanted[chunk_start : chunk_start + 500]
        known.update(
            (person.email, person)
            for person in session.scalars(select(Person).where(Person.email.in_(chunk)))
        )
    for email in wanted:
        if email not in known:
            known[email] = Person(email=email, created_at=now)
            session.add(known[email])
    session.flush()
    return known


def link_members(session: Session, members: Iterable[Member], now: datetime) -> None:
    """Point each member with an email at its person (flushed, not committed)."""
    members = [member for member in members if member.email]
    persons = persons_by_email(session, (member.email or "" for member in members), now)
    for member in members:
        member.person_id = persons[member.email or ""].id


def linked_accounts(session: Session, email_or_account: str) -> list[Member]:
    """Every account of the person named by an email or by one of their account ids."""
    email = normalise_email(email_or_account)
    if email is None:
        account = session.scalars(
            select(Member).where(Member.platform_user_id == email_or_account)
        ).first()
        if account is None:
            return []
        if account.person_id is None:
            return [account]
        return list(
            session.scalars(
                select(Member).where(Member.person_id == account.person_id).order_by(Member.id)
            )
        )
    return list(
        session.scalars(
            select(Member)
            .join(Person, Person.id == Member.person_id)
            .where(Person.email == email)
            .order_by(Member.id)
        )
    )


def linked_account_keys(session: Session, member_ids: Iterable[int]) -> dict[int, int]:
    """Every account of the people behind `member_ids` (those accounts included, in any
    workspace), each mapped to its person's key: the lowest id among the person's accounts,
    or the account's own id when it is linked to no one. Two accounts with one key are one
    person; keys are member ids, so an unlinked member is keyed as it always was."""
    ids = sorted(set(member_ids))
    keys: dict[int, int] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        people = select(Member.person_id).where(Member.id.in_(chunk), Member.person_id.is_not(None))
        lowest = (
            select(Member.person_id, func.min(Member.id).label("lowest"))
            .where(Member.person_id.in_(people))
            .group_by(Member.person_id)
            .subquery()
        )
        for account_id, key in session.execute(
            select(Member.id, func.coalesce(lowest.c.lowest, Member.id))
            .outerjoin(lowest, lowest.c.person_id == Member.person_id)
            .where(or_(Member.id.in_(chunk), Member.person_id.in_(people)))
        ):
            keys[int(account_id)] = int(key)
    return keys

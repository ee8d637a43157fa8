"""One person, several accounts: accounts are linked by verified work email.

Emails are compared lower-cased and trimmed. A Slack account and a Teams account with the
same email, and the HR record with it, are the same person: statistics, the spotlight's
rotation, the daily cap and erasure work on the person.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
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

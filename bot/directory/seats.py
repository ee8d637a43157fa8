"""A person's seat, field by field, from the best source that knows it.

Precedence: the HR import (ESR) > the organisation's directory (Microsoft Graph) > the chat
profile (Slack or Teams). Each field is taken from the highest source that has a value, so
an HR file without sites still lets the directory's office location through. A source whose
record has `left_at` set no longer counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import DirectoryRecord, Member

HR = "hr"
DIRECTORY = "directory"
PRECEDENCE = (HR, DIRECTORY)  # highest first; the chat profile comes after both


@dataclass(frozen=True)
class Seat:
    """The organisational facts Everyseat counts recognition by."""

    job_title: str | None = None
    department: str | None = None
    staff_group: str | None = None
    pay_band: str | None = None
    site: str | None = None


def combine(seats: Sequence[Seat]) -> Seat:
    """Field by field, the first non-empty value in `seats` (given highest source first)."""

    def first(name: str) -> str | None:
        for seat in seats:
            value = getattr(seat, name)
            if value:
                return str(value)
        return None

    return Seat(**{field.name: first(field.name) for field in fields(Seat)})


def seat_of_record(record: DirectoryRecord) -> Seat:
    return Seat(
        job_title=record.job_title,
        department=record.department,
        staff_group=record.staff_group,
        pay_band=record.pay_band,
        site=record.site,
    )


def profile_seat(member: Member) -> Seat:
    return Seat(job_title=member.profile_title, department=member.profile_department)


def current_records(session: Session, emails: Iterable[str]) -> dict[str, list[DirectoryRecord]]:
    """The live records for each email, highest source first."""
    wanted = sorted({email for email in emails if email})
    found: dict[str, list[DirectoryRecord]] = {email: [] for email in wanted}
    for chunk_start in range(0, len(wanted), 500):
        chunk = wanted[chunk_start : chunk_start + 500]
        rows = session.scalars(
            select(DirectoryRecord).where(
                DirectoryRecord.email.in_(chunk), DirectoryRecord.left_at.is_(None)
            )
        )
        for record in rows:
            found[record.email].append(record)
    for records in found.values():
        records.sort(key=lambda record: PRECEDENCE.index(record.source))
    return found


def apply_seat(member: Member, records: Sequence[DirectoryRecord]) -> None:
    """Set the member's counted seat from their records (highest first) and chat profile."""
    seat = combine([*(seat_of_record(record) for record in records), profile_seat(member)])
    member.title = seat.job_title
    member.department = seat.department
    member.staff_group = seat.staff_group
    member.pay_band = seat.pay_band
    member.site = seat.site


def refresh_seats(session: Session, members: Iterable[Member]) -> None:
    """Recompute the counted seat of `members` from what every source says now."""
    members = list(members)
    records = current_records(session, (member.email or "" for member in members))
    for member in members:
        apply_seat(member, records.get(member.email or "", []))


def refresh_seats_for_emails(session: Session, emails: Iterable[str]) -> int:
    """Recompute the seats of every account linked to `emails`; how many were updated."""
    wanted = sorted(set(emails))
    updated = 0
    for chunk_start in range(0, len(wanted), 500):
        chunk = wanted[chunk_start : chunk_start + 500]
        members = list(session.scalars(select(Member).where(Member.email.in_(chunk))))
        refresh_seats(session, members)
        updated += len(members)
    return updated


def seat_summary(seat: Seat | Mapping[str, str | None]) -> str:
    """ "Staff nurse, Ward 7 (Nursing and Midwifery Registered, Band 5)" for people to read."""
    values = seat if isinstance(seat, Mapping) else seat.__dict__
    main = ", ".join(str(values[name]) for name in ("job_title", "department") if values.get(name))
    extra = ", ".join(str(values[name]) for name in ("staff_group", "pay_band") if values.get(name))
    return f"{main} ({extra})" if main and extra else main or extra or "no seat known"

"""A ward whose staff groups and pay bands are known, for tests of the seniority view:
one large staff group and pay band whose figures every report shows, one small one whose
figures every report must hide at the default EVERYSEAT_MIN_CELL of 5.

- Nursing and Midwifery Registered, Band 5: 12 staff nurses, 6 recognised once each by
  6 nominations (6 of 12, 50%).
- Administrative and Clerical, Band 3: 8 ward clerks; 6 of them nominated the nurses and
  one nominated a student. None recognised.
- Students, no pay band: 2 student nurses, 1 recognised by 1 nomination (a small cell).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update

from bot.services import Services
from db.models import Member
from tests.support import builders

LARGE_GROUP = "Nursing and Midwifery Registered"
LARGE_BAND = "Band 5"
QUIET_GROUP = "Administrative and Clerical"
QUIET_BAND = "Band 3"
SMALL_GROUP = "Students"
NO_BAND = "(no pay band)"
LARGE_GROUP_LINE = f"{LARGE_GROUP}: 6 of 12 people recognised (50%); 6 nominations"
LARGE_BAND_LINE = f"{LARGE_BAND}: 6 of 12 people recognised (50%); 6 nominations"


def hidden_line(label: str, min_cell: int = 5) -> str:
    return f"{label}: figures hidden (fewer than {min_cell} people or recognitions)"


@dataclass(frozen=True)
class SeniorityWard:
    nurses: list[Member]
    clerks: list[Member]
    students: list[Member]


def _seat(services: Services, members: list[Member], staff_group: str, band: str | None) -> None:
    """Give `members` the staff group and pay band an HR import would have."""
    with services.sessions() as session:
        session.execute(
            update(Member)
            .where(Member.id.in_([member.id for member in members]))
            .values(staff_group=staff_group, pay_band=band)
        )
        session.commit()


def build_seniority_ward(services: Services, workspace_id: int, prefix: str = "U") -> SeniorityWard:
    """The ward above in `workspace_id`, accounts named `{prefix}NURSE0` and so on."""

    def staff(kind: str, count: int, title: str) -> list[Member]:
        return [
            builders.member(
                services,
                workspace_id,
                f"{prefix}{kind.upper()}{number}",
                f"{kind.title()} {number}",
                title=title,
                department="Ward 7",
            )
            for number in range(count)
        ]

    nurses = staff("nurse", 12, "Staff nurse")
    clerks = staff("clerk", 8, "Ward clerk")
    students = staff("student", 2, "Student nurse")
    _seat(services, nurses, LARGE_GROUP, LARGE_BAND)
    _seat(services, clerks, QUIET_GROUP, QUIET_BAND)
    _seat(services, students, SMALL_GROUP, None)
    for number in range(6):
        builders.nomination(
            services,
            clerks[number],
            [nurses[number]],
            story=f"Stayed on after shift {number} to settle a frightened patient.",
        )
    builders.nomination(
        services, clerks[6], [students[0]], story="Spotted the deteriorating patient first."
    )
    return SeniorityWard(nurses, clerks, students)

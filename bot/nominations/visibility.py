"""Which nominations count: the one clause every digest, statistic, export and history uses.

A nomination its author withdrew, or an admin hid, stays stored (it can be restored, and the
audit trail refers to it) but is left out of everything people see or count.
"""

from __future__ import annotations

from sqlalchemy import and_
from sqlalchemy.sql.elements import ColumnElement

from db.models import Nomination


def counted_nominations() -> ColumnElement[bool]:
    """True for nominations that count: not withdrawn and not hidden."""
    return and_(Nomination.withdrawn_at.is_(None), Nomination.hidden_at.is_(None))


def is_counted(nomination: Nomination) -> bool:
    """`counted_nominations` for one loaded row."""
    return nomination.withdrawn_at is None and nomination.hidden_at is None

"""The audit trail keeps facts in order and the database refuses to rewrite them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, update
from sqlalchemy.exc import DBAPIError

from bot.audit import AuditAction, audit_entries, record_audit
from bot.services import Services
from db.models import AuditEvent
from tests.support.clock import FakeClock


def test_entries_come_back_newest_first_with_their_detail(
    services: Services, clock: FakeClock
) -> None:
    with services.unit_of_work() as session:
        record_audit(
            session,
            at=clock(),
            actor="U_ADMIN",
            platform="slack",
            action=AuditAction.EXPORT,
            subject="summary",
            detail={"format": "csv", "rows": 12},
        )
        record_audit(
            session,
            at=clock() + timedelta(minutes=5),
            actor="cli",
            platform="cli",
            action=AuditAction.MEMBER_ERASED,
            detail={"nominations_removed": 3},
        )
        session.commit()

    with services.unit_of_work() as session:
        everything = audit_entries(session)
        last_one = audit_entries(session, limit=1)
        since = audit_entries(session, since=clock() + timedelta(minutes=1))

    assert [entry.action for entry in everything] == ["member.erased", "export"]
    assert everything[1].detail == {"format": "csv", "rows": 12}
    assert everything[1].at == clock()
    assert [entry.actor for entry in last_one] == ["cli"]
    assert [entry.action for entry in since] == ["member.erased"]


@pytest.mark.parametrize("change", ["update", "delete"])
def test_the_database_refuses_to_change_or_delete_an_entry(
    services: Services, clock: FakeClock, change: str
) -> None:
    with services.unit_of_work() as session:
        record_audit(session, at=clock(), actor="U1", platform="slack", action=AuditAction.EXPORT)
        session.commit()

    statement = (
        update(AuditEvent).values(actor="someone else")
        if change == "update"
        else delete(AuditEvent)
    )
    with services.unit_of_work() as session:
        with pytest.raises(DBAPIError, match="append-only"):
            session.execute(statement)
            session.flush()
        session.rollback()

    with services.unit_of_work() as session:
        assert [entry.actor for entry in audit_entries(session)] == ["U1"]

"""Units of work on a Core connection (`Services.transaction`): what the block wrote is
committed, a block that raises keeps nothing, and an outage asks the person to try again."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Insert, insert, select

from bot import messages
from bot.app.composition import build_services
from bot.errors import StorageUnavailableError
from bot.services import Services
from bot.settings import Settings
from db.models import Workspace
from tests.support.clock import FakeClock


def test_a_transaction_commits_its_block_and_keeps_nothing_of_a_failed_one(
    services: Services, clock: FakeClock
) -> None:
    def add(external_id: str) -> Insert:
        return insert(Workspace).values(
            platform="slack", external_id=external_id, created_at=clock()
        )

    with services.transaction() as connection:
        connection.execute(add("T1"))
    with pytest.raises(RuntimeError), services.transaction() as connection:
        connection.execute(add("T2"))
        raise RuntimeError("the step failed after writing")

    with services.sessions() as session:
        assert list(session.scalars(select(Workspace.external_id))) == ["T1"]


def test_a_database_that_cant_be_opened_is_storage_unavailable(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    missing = tmp_path / "no such directory" / "everyseat.db"
    services = build_services(make_settings(DATABASE_URL=f"sqlite:///{missing}"))
    try:
        with pytest.raises(StorageUnavailableError) as raised, services.transaction():
            pass
        assert raised.value.message == messages.STORAGE_UNAVAILABLE
    finally:
        services.close()

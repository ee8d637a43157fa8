"""Process-level scenarios: `everyseat` runs as a child process, on the real clock or a clock
file. Marked `scenario`, so CI's fixed-instant pass leaves them out."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.bot_connector import FakeBotConnector
from tests.handlers.teams.conftest import add_ward_members


@pytest.fixture
def connector() -> Iterator[FakeBotConnector]:
    fake = FakeBotConnector().start()
    add_ward_members(fake)
    try:
        yield fake
    finally:
        fake.stop()

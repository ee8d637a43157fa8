"""Time, passed in: every service takes a `Clock` so tests can fix or advance it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class FileClock:
    """Tests only (`everyseat serve --clock-file PATH`): the time is the ISO 8601 instant
    written in `path`, read afresh on every call, so a test can move a running server
    across weeks. Writers should replace the file atomically (write, then rename)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __call__(self) -> datetime:
        instant = datetime.fromisoformat(self.path.read_text(encoding="utf-8").strip())
        if instant.tzinfo is None:
            raise ValueError(f"{self.path}: the time needs a UTC offset, e.g. +00:00")
        return instant.astimezone(UTC)

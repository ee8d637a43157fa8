"""The test-only file clock behind `everyseat serve --clock-file`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import FileClock


def test_file_clock_reads_the_instant_afresh_each_time(tmp_path: Path) -> None:
    path = tmp_path / "now.txt"
    path.write_text("2026-11-09T09:00:30+00:00\n")
    clock = FileClock(path)
    assert clock() == datetime(2026, 11, 9, 9, 0, 30, tzinfo=UTC)
    path.write_text("2026-11-16T10:00:00+01:00")
    assert clock() == datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


def test_file_clock_refuses_a_time_without_an_offset(tmp_path: Path) -> None:
    path = tmp_path / "now.txt"
    path.write_text("2026-11-09T09:00:30")
    with pytest.raises(ValueError, match="UTC offset"):
        FileClock(path)()

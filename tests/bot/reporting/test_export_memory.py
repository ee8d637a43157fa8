"""Exporting a long history keeps memory flat: rows stream from the database to the file."""

from __future__ import annotations

import tracemalloc
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, text

from bot.reporting.exports import ExportFormat, ExportRequest, open_tables, write_export
from bot.reporting.periods import ReportingPeriod
from bot.services import Services
from db.models import Nomination, NominationBehaviour, NominationNominee
from tests.support import builders
from tests.support.clock import FakeClock

NOMINATIONS = 200_000
CHUNK = 20_000
# Holding 200k rows of twelve columns in memory would take well over 100 MB; streaming
# in batches of a thousand needs a few.
PEAK_LIMIT_BYTES = 16 * 1024 * 1024


def insert_history(services: Services, clock: FakeClock) -> tuple[int, ReportingPeriod]:
    ws = builders.workspace(services)
    people = [
        builders.member(services, ws.id, f"U{index:04d}", f"Person {index}", title="Porter")
        for index in range(50)
    ]
    start = clock() - timedelta(days=400)
    story = "Covered the night shift rota and trained two new starters on the new system. " * 3
    with services.engine.begin() as connection:
        for first in range(0, NOMINATIONS, CHUNK):
            ids = range(first + 1, first + CHUNK + 1)
            connection.execute(
                insert(Nomination),
                [
                    {
                        "id": ident,
                        "workspace_id": ws.id,
                        "nominator_id": people[ident % 50].id,
                        "story": story,
                        "visibility": "public",
                        "created_at": start + timedelta(minutes=2 * ident),
                        "fingerprint": f"{ident:064d}",
                        "dedupe_key": f"bulk:{ident}",
                    }
                    for ident in ids
                ],
            )
            connection.execute(
                insert(NominationNominee),
                [
                    {
                        "nomination_id": ident,
                        "member_id": people[(ident + 1) % 50].id,
                        "position": 0,
                    }
                    for ident in ids
                ],
            )
            connection.execute(
                insert(NominationBehaviour),
                [
                    {"nomination_id": ident, "behaviour_slug": "speaking-up", "position": 0}
                    for ident in ids
                ],
            )
        if connection.dialect.name == "postgresql":
            connection.execute(text("ANALYZE"))  # as autovacuum would after a bulk load
    period = ReportingPeriod(
        start, start + timedelta(minutes=2 * NOMINATIONS + 1), "the whole history"
    )
    return ws.id, period


@pytest.mark.slow
def test_exporting_200k_nominations_stays_under_a_fixed_memory_peak(
    services: Services, clock: FakeClock, tmp_path: Path
) -> None:
    workspace_id, period = insert_history(services, clock)
    out = tmp_path / "history.csv"
    request = ExportRequest(workspace_id=workspace_id, period=period)
    tracemalloc.start()
    try:
        with services.sessions() as session, out.open("w", encoding="utf-8", newline="") as handle:
            tables = open_tables(session, request, services.catalogue)
            rows = write_export(ExportFormat.CSV, tables, text_out=handle)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert rows == NOMINATIONS
    with out.open(encoding="utf-8") as handle:
        assert sum(1 for _ in handle) == NOMINATIONS + 1
    assert peak < PEAK_LIMIT_BYTES, f"peak {peak / 1e6:.1f} MB"

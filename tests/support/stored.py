"""What is stored anywhere: every row of every table, for asserting something never was."""

from __future__ import annotations

from sqlalchemy import select

from bot.services import Services
from db.models import Base


def every_stored_value(services: Services) -> list[str]:
    """Every value in every table, as text."""
    values: list[str] = []
    with services.sessions() as session:
        for table in Base.metadata.sorted_tables:
            for row in session.execute(select(table)):
                values += [str(value) for value in row]
    return values


def stored_rows(services: Services) -> dict[str, int]:
    """How many rows each table holds (tables with none left out)."""
    counts: dict[str, int] = {}
    with services.sessions() as session:
        for table in Base.metadata.sorted_tables:
            count = len(session.execute(select(table)).all())
            if count:
                counts[table.name] = count
    return counts

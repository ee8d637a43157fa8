"""The engine gives SQLite the `bit_or` aggregate PostgreSQL has, with the same answers."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import BigInteger, Column, Integer, MetaData, Table, func, insert, select

from db.engine import create_database_engine


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgres":
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite:///{tmp_path / 'engine.db'}"


def test_bit_or_is_the_or_of_the_values_and_null_for_none(url: str) -> None:
    metadata = MetaData()
    flags = Table("flags", metadata, Column("grp", Integer), Column("flag", BigInteger))
    rows = {1: [1, 2, 8], 2: [3, 6, None], 3: [1 << 62, 1], 4: [None, None]}
    engine = create_database_engine(url)
    try:
        with engine.begin() as connection:
            metadata.create_all(connection)
            connection.execute(
                insert(flags), [{"grp": g, "flag": f} for g, values in rows.items() for f in values]
            )
            per_group = select(flags.c.grp, func.bit_or(flags.c.flag)).group_by(flags.c.grp)
            assert dict(connection.execute(per_group).all()) == {
                1: 11,
                2: 7,
                3: (1 << 62) | 1,
                4: None,
            }
            assert connection.scalar(select(func.bit_or(flags.c.flag))) == (1 << 62) | 15
            nothing = select(func.bit_or(flags.c.flag)).where(flags.c.grp > 4)
            assert connection.scalar(nothing) is None
            metadata.drop_all(connection)
    finally:
        engine.dispose()

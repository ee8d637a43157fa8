"""The engine gives SQLite the `bit_or` aggregate PostgreSQL has, with the same answers."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import BigInteger, Integer, func, literal, null, select, union_all

from db.engine import create_database_engine


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgres":
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite:///{tmp_path / 'engine.db'}"


def test_bit_or_is_the_or_of_the_values_and_null_for_none(url: str) -> None:
    groups = {1: [1, 2, 8], 2: [3, 6, None], 3: [1 << 62, 1], 4: [None, None]}
    rows = union_all(
        *(
            select(
                literal(group, Integer).label("grp"),
                (null() if flag is None else literal(flag, BigInteger))
                .cast(BigInteger)
                .label("flag"),
            )
            for group, flags in groups.items()
            for flag in flags
        )
    ).subquery("flags")
    engine = create_database_engine(url)
    try:
        with engine.connect() as connection:
            per_group = select(rows.c.grp, func.bit_or(rows.c.flag)).group_by(rows.c.grp)
            assert dict(connection.execute(per_group).all()) == {
                1: 11,
                2: 7,
                3: (1 << 62) | 1,
                4: None,
            }
            assert connection.scalar(select(func.bit_or(rows.c.flag))) == (1 << 62) | 15
            nothing = select(func.bit_or(rows.c.flag)).where(rows.c.grp > 4)
            assert connection.scalar(nothing) is None
    finally:
        engine.dispose()

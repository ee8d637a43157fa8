"""Engine and session factory for any SQLAlchemy URL, with SQLite tuned for a small server."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 5000
# How long opening a PostgreSQL connection, or waiting for one from the pool, may take
# before the work fails as "the database is unavailable" instead of hanging (libpq's
# connect_timeout counts whole seconds, 2 at least).
CONNECT_TIMEOUT_SECONDS = 2
POOL_CHECKOUT_TIMEOUT_SECONDS = 2


class _BitOr:
    """SQLite's missing `bit_or` aggregate, as PostgreSQL's: the bitwise OR of the non-NULL
    values, NULL when there are none (the statistics OR the behaviour flags of a person's
    rows: bot/reporting/weekly_rollups.py)."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value: int | None = None

    def step(self, value: int | None) -> None:
        if value is not None:
            self.value = value if self.value is None else self.value | value

    def finalize(self) -> int | None:
        return self.value


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.create_aggregate("bit_or", 1, _BitOr)
    cursor = dbapi_connection.cursor()
    # WAL lets readers run beside the one writer; the busy timeout makes a writer wait for
    # another instead of failing at once; SQLite leaves foreign keys off unless asked.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Sorts and DISTINCTs (the statistics' GROUP BYs) in memory, not in temporary files.
    cursor.execute("PRAGMA temp_store=MEMORY")
    # Deleted rows are overwritten with zeros, so erased text doesn't linger in free pages.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def create_database_engine(
    url: str, *, statement_timeout_seconds: int | None = None, **engine_options: Any
) -> Engine:
    """Build an engine for `url`; SQLite gets WAL, a busy timeout and foreign keys on.

    PostgreSQL gets a connect timeout, a pool checkout timeout and, when asked for, a
    server-side statement timeout (the server; bulk commands leave it off).
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            parsed,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            **engine_options,
        )
        event.listen(engine, "connect", _tune_sqlite)
        return engine
    engine_options.setdefault("pool_pre_ping", True)
    if parsed.get_backend_name() == "postgresql":
        engine_options.setdefault("pool_timeout", POOL_CHECKOUT_TIMEOUT_SECONDS)
        connect_args: dict[str, Any] = {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
        if statement_timeout_seconds is not None:
            connect_args["options"] = f"-c statement_timeout={statement_timeout_seconds * 1000}"
        engine_options["connect_args"] = {**connect_args, **engine_options.get("connect_args", {})}
    return create_engine(parsed, **engine_options)


def create_session_factory(
    engine: Engine, info: dict[str, Any] | None = None
) -> sessionmaker[Session]:
    """Sessions on `engine`; `info` is copied into every session's `Session.info`."""
    # expire_on_commit=False: services return ORM objects that adapters read after commit.
    return sessionmaker(engine, expire_on_commit=False, info=info)


def connection_of(session: Session | Connection) -> Connection:
    """The connection Core statements run on: a session's (in its transaction), or the
    connection itself."""
    return session if isinstance(session, Connection) else session.connection()

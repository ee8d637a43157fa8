"""Test databases: a fresh SQLite file per test, or a fresh PostgreSQL database per test.

PostgreSQL databases are cloned from a migrated template made once per test run, named
after the run so concurrent runs never collide, and dropped at the end.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from db.engine import create_database_engine
from db.migrate import upgrade_database

POSTGRES_URL_VARIABLE = "EVERYSEAT_TEST_POSTGRES_URL"
BACKEND_VARIABLE = "EVERYSEAT_TEST_BACKEND"  # "sqlite" (default) or "postgres"


def postgres_admin_url() -> str | None:
    return os.environ.get(POSTGRES_URL_VARIABLE) or None


def postgres_unreachable_reason() -> str | None:
    """None when the configured server answers, otherwise why the PostgreSQL tests skip."""
    url = postgres_admin_url()
    if url is None:
        return f"PostgreSQL tests skipped: set {POSTGRES_URL_VARIABLE} to a server URL"
    engine = create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:
        return f"PostgreSQL tests skipped: no server reachable at {make_url(url).host}: {exc}"
    finally:
        engine.dispose()
    return None


class PostgresDatabases:
    """Creates per-test databases from one migrated template."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = make_url(admin_url)
        self.run_id = uuid.uuid4().hex[:10]
        self.template = f"everyseat_tpl_{self.run_id}"
        self._admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        self._created: list[str] = []

    def url_for(self, name: str) -> str:
        return self.admin_url.set(database=name).render_as_string(hide_password=False)

    def create_template(self) -> None:
        with self._admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{self.template}"'))
        self._created.append(self.template)
        engine = create_database_engine(self.url_for(self.template))
        try:
            upgrade_database(engine)
        finally:
            engine.dispose()

    def create_empty(self) -> str:
        name = f"everyseat_test_{self.run_id}_{uuid.uuid4().hex[:8]}"
        with self._admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        self._created.append(name)
        return self.url_for(name)

    @contextmanager
    def fresh(self) -> Iterator[str]:
        name = f"everyseat_test_{self.run_id}_{uuid.uuid4().hex[:8]}"
        with self._admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"'))
        try:
            yield self.url_for(name)
        finally:
            self.drop(name)

    def drop(self, name: str) -> None:
        with self._admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if name in self._created:
            self._created.remove(name)

    def drop_all(self) -> None:
        for name in list(reversed(self._created)):
            self.drop(name)
        self._admin.dispose()

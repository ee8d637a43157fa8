"""Shared fixtures: settings, a database per test, services with a fake clock, fake Slack."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine

from bot.app.composition import build_services
from bot.services import Services
from bot.settings import Settings, load_settings
from db.migrate import upgrade_database
from tests.fakes.slack_web_api import FakeSlack
from tests.support.clock import FakeClock
from tests.support.databases import (
    BACKEND_VARIABLE,
    PostgresDatabases,
    postgres_admin_url,
    postgres_unreachable_reason,
)

# CI's fixed-instant pass (.ci/run) sets this to an ISO 8601 instant with a UTC offset: the
# wall clock then starts there, so any code that reads the real time instead of the injected
# clock sees a Monday morning, a Sunday in summer time or the October clock change.
FROZEN_INSTANT_VARIABLE = "EVERYSEAT_TEST_INSTANT"


@pytest.fixture(autouse=True, scope="session")
def _wall_clock_at_the_chosen_instant() -> Iterator[None]:
    text = os.environ.get(FROZEN_INSTANT_VARIABLE)
    if not text:
        yield
        return
    instant = datetime.fromisoformat(text)
    if instant.tzinfo is None:
        raise pytest.UsageError(f"{FROZEN_INSTANT_VARIABLE} needs a UTC offset: {text}")
    # tick=True: time moves on from the instant, so timeouts and retries behave as usual.
    with time_machine.travel(instant, tick=True):
        yield


SCENARIOS = Path(__file__).resolve().parent / "scenarios"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/scenarios/ runs `everyseat` as a child process: mark it."""
    for item in items:
        if SCENARIOS in item.path.parents:
            item.add_marker(pytest.mark.scenario)


@pytest.fixture(autouse=True)
def _no_ambient_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see only the settings they pass, never the developer's environment."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name, raising=False)
    for name in list(os.environ):
        if name.startswith(("TEAMS_", "EVERYSEAT_")) and not name.startswith("EVERYSEAT_TEST_"):
            monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[PostgresDatabases]:
    reason = postgres_unreachable_reason()
    if reason is not None:
        pytest.skip(reason)
    databases = PostgresDatabases(postgres_admin_url() or "")
    databases.create_template()
    try:
        yield databases
    finally:
        databases.drop_all()


@pytest.fixture
def postgres_url(postgres_databases: PostgresDatabases) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for one test (skips without a server)."""
    with postgres_databases.fresh() as url:
        yield url


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The database under test: SQLite, or PostgreSQL with EVERYSEAT_TEST_BACKEND=postgres."""
    if os.environ.get(BACKEND_VARIABLE, "sqlite") == "postgres":
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite:///{tmp_path / 'everyseat.db'}"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_settings(database_url: str) -> Callable[..., Settings]:
    def make(**overrides: Any) -> Settings:
        overrides.setdefault("DATABASE_URL", database_url)
        return load_settings(env_file=None, **overrides)

    return make


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings()


@pytest.fixture
def services(settings: Settings, clock: FakeClock) -> Iterator[Services]:
    built = build_services(settings, clock=clock)
    upgrade_database(built.engine)
    try:
        yield built
    finally:
        built.close()


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    try:
        yield fake
    finally:
        fake.stop()

"""The collaborators every use case needs (database, clock, settings, catalogues), and the
one way a use case opens its unit of work.

`bot/app/composition.py` builds a `Services` from the settings; tests build one with a fixed
clock. Use cases call `services.unit_of_work()` for a session; a database that can't be
reached surfaces as the domain's `StorageUnavailableError`, never as SQLAlchemy's errors.
Async callers run a use case's database work with `services.in_worker`, so the event loop
never waits on the database.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import ParamSpec, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot import messages
from bot.clock import Clock, utc_now
from bot.errors import StorageUnavailableError
from bot.nominations.behaviours import BehaviourCatalogue
from bot.nominations.rules import NominationRules
from bot.platform_status import PlatformStatus
from bot.settings import Settings
from bot.weekly.reflections import ReflectionCatalogue, load_reflections

P = ParamSpec("P")
T = TypeVar("T")


def is_outage(error: BaseException) -> bool:
    """A database that is down, restarting or cut off, as opposed to a bug in a query."""
    return isinstance(error, OperationalError) or (
        isinstance(error, DBAPIError) and error.connection_invalidated
    )


@dataclass
class Services:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    catalogue: BehaviourCatalogue
    rules: NominationRules
    clock: Clock = field(default=utc_now)
    reflections: ReflectionCatalogue = field(default_factory=load_reflections)
    # This process's connection to each chat platform, shown by /healthz.
    platform_status: PlatformStatus = field(default_factory=PlatformStatus)

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """A session for one use case; it commits what it means to keep. A database outage
        raises StorageUnavailableError, whose message asks the person to try again."""
        try:
            with self.sessions() as session:
                yield session
        except (OperationalError, DBAPIError) as error:
            if not is_outage(error):
                raise
            raise StorageUnavailableError(messages.STORAGE_UNAVAILABLE) from error

    async def in_worker(self, work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run blocking (database) work in a worker thread, off the event loop."""
        return await asyncio.to_thread(work, *args, **kwargs)

    def close(self) -> None:
        self.engine.dispose()

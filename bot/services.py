"""The collaborators every use case needs (database, clock, settings, catalogues), and the
one way a use case opens its unit of work.

`bot/app/composition.py` builds a `Services` from the settings; tests build one with a fixed
clock. Use cases call `services.unit_of_work()` for a session; a database that can't be
reached surfaces as the domain's `StorageUnavailableError`, never as SQLAlchemy's errors.
Async callers run a use case's database work with `services.in_worker`, so the event loop
never waits on the database: on a thread pool of its own, as large as the engine's connection
pool, so database steps never queue behind other blocking work in asyncio's default executor
and no worker thread ever waits for a connection. What must happen before a platform is
acknowledged is bounded with `services.before_acknowledging`.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import threading
import time
import weakref
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import ParamSpec, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot import messages
from bot.clock import Clock, utc_now
from bot.errors import StorageUnavailableError
from bot.nominations.behaviours import BehaviourCatalogue
from bot.nominations.governance import IdentifierGuard, load_identifier_guard
from bot.nominations.rules import NominationRules
from bot.platform_status import PlatformStatus
from bot.settings import Settings
from bot.weekly.reflections import ReflectionCatalogue, load_reflections

P = ParamSpec("P")
T = TypeVar("T")

# Slack shows the person an error when a request isn't acknowledged within 3 seconds; what
# runs before the acknowledgement (storing a nomination) gets this much of them.
ACK_BUDGET_SECONDS = 2.5
# Of that budget, what asking the chat platform about people (before storing) must leave for
# the database: a platform that is slow or unreachable then costs a profile, not the nomination.
STORAGE_RESERVE_SECONDS = 0.8
# When the platform's request arrived (time.monotonic()), set by the server as it takes the
# request in, so time spent queueing before a handler runs counts against the budget too.
REQUEST_ARRIVED_AT: ContextVar[float | None] = ContextVar(
    "everyseat_request_arrived_at", default=None
)

# Workers when the engine's pool doesn't say how many connections it holds.
DEFAULT_DATABASE_WORKERS = 8


def database_workers(engine: Engine) -> int:
    """How many threads may use the database at once: the connections the pool keeps open
    (its size). More would only queue for a connection, or, on SQLite, for its one writer."""
    size = getattr(engine.pool, "size", None)
    if not callable(size):
        return DEFAULT_DATABASE_WORKERS
    return max(int(size()), 1)


def is_outage(error: BaseException) -> bool:
    """A database that is down, restarting or cut off, as opposed to a bug in a query."""
    return isinstance(error, OperationalError) or (
        isinstance(error, DBAPIError) and error.connection_invalidated
    )


@contextmanager
def _outage_is_unavailable_storage() -> Iterator[None]:
    try:
        yield
    except (OperationalError, DBAPIError) as error:
        if not is_outage(error):
            raise
        raise StorageUnavailableError(messages.STORAGE_UNAVAILABLE) from error


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
    ack_budget: float = ACK_BUDGET_SECONDS

    _executor: ThreadPoolExecutor | None = field(
        default=None, init=False, repr=False, compare=False
    )
    _executor_lock: threading.Lock = field(
        default_factory=threading.Lock, init=False, repr=False, compare=False
    )
    # One per event loop (a semaphore belongs to the loop it first waits in).
    _admission: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = field(
        default_factory=weakref.WeakKeyDictionary, init=False, repr=False, compare=False
    )

    # What the information-governance guard refuses (NHS numbers and the trust's patterns).
    guard: IdentifierGuard = field(default_factory=load_identifier_guard)
    # Workspace ids by (platform, external id), filled as they are looked up: a workspace
    # row, once created, is never deleted or renumbered, so every request needn't ask.
    workspace_ids: dict[tuple[str, str], int] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """A session for one use case; it commits what it means to keep. A database outage
        raises StorageUnavailableError, whose message asks the person to try again."""
        with _outage_is_unavailable_storage(), self.sessions() as session:
            yield session

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """`unit_of_work` for a step made only of Core statements: a connection whose
        transaction begins with its first statement; the caller commits what it means to
        keep (rolled back otherwise). No ORM session to set up and tear down, on steps
        every nomination takes."""
        with _outage_is_unavailable_storage(), self.engine.connect() as connection:
            yield connection

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """`connection`, committed when the block ends (rolled back if it raises)."""
        with _outage_is_unavailable_storage(), self.engine.begin() as connection:
            yield connection

    @property
    def database_executor(self) -> ThreadPoolExecutor:
        """The bounded pool `in_worker` runs on, started on first use."""
        with self._executor_lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(
                    max_workers=database_workers(self.engine), thread_name_prefix="everyseat-db"
                )
            return self._executor

    @property
    def admission(self) -> asyncio.Semaphore:
        """Admits nominations into their database and sending steps a few at a time, in
        arrival order (asyncio's semaphore is first come, first served). After a burst,
        the first ones then finish (and are confirmed) first, instead of every nomination's
        next step queueing behind every other's first step in the worker pool. Twice the
        workers, so sends to the platform overlap the next nominations' database work."""
        loop = asyncio.get_running_loop()
        semaphore = self._admission.get(loop)
        if semaphore is None:
            semaphore = self._admission[loop] = asyncio.Semaphore(2 * database_workers(self.engine))
        return semaphore

    async def in_worker(self, work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run blocking (database) work in a worker thread, off the event loop."""
        call = functools.partial(contextvars.copy_context().run, work, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self.database_executor, call)

    def seconds_to_acknowledge(self) -> float | None:
        """What is left of the acknowledgement budget for the request being served, or None
        outside a platform's request (the console, jobs)."""
        arrived = REQUEST_ARRIVED_AT.get()
        if arrived is None:
            return None
        return self.ack_budget - (time.monotonic() - arrived)

    async def before_acknowledging(self, work: Awaitable[T]) -> T:
        """`work` (storing what a person sent), given until the platform's acknowledgement
        is due. Past that, StorageUnavailableError asks the person to send it again: a hung
        database can't be interrupted from here, so the message says it may have been saved
        (a resend is then recognised as a repeat, not stored twice)."""
        left = self.seconds_to_acknowledge()
        try:
            # In this task (asyncio.wait_for would start one more for every nomination).
            async with asyncio.timeout(max(self.ack_budget if left is None else left, 0.1)):
                return await work
        except TimeoutError:
            raise StorageUnavailableError(messages.STORAGE_TOO_SLOW) from None

    def close(self) -> None:
        with self._executor_lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True)
        self.engine.dispose()

"""Graceful shutdown: on SIGTERM stop taking new work, let the work in flight finish within
a bounded time, then exit.

Slack and Teams are answered before all the work of a request is done (Bolt acknowledges
Slack and carries on in a task of its own), so waiting for open HTTP requests is not
enough. Every asyncio task started while a platform request is being handled is tracked,
whoever starts it (Bolt, the Teams SDK, our handlers), and the drain waits for those too.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import signal
import time
from collections.abc import Coroutine, Generator
from types import FrameType
from typing import Any

import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

from bot import messages
from bot.services import REQUEST_ARRIVED_AT

log = logging.getLogger(__name__)

# Requests that start work a person waits for; health checks and the like are not work.
WORK_PATHS = frozenset({"/slack/events", "/api/messages"})
_HANDLING: contextvars.ContextVar[Drain | None] = contextvars.ContextVar(
    "everyseat_handling_request", default=None
)


class Drain:
    """What is in flight, and whether the process has stopped taking new work."""

    def __init__(self) -> None:
        self.draining = False
        self.requests = 0
        self.tasks: set[asyncio.Task[Any]] = set()

    @property
    def in_flight(self) -> int:
        return self.requests + len(self.tasks)

    def describe(self) -> str:
        """What is still running, for the log line when the drain time runs out."""
        names = sorted(
            getattr(task.get_coro(), "__qualname__", task.get_name()) for task in self.tasks
        )
        return f"{self.requests} request(s); tasks: {', '.join(names) or 'none'}"

    def track_tasks(self, loop: asyncio.AbstractEventLoop) -> None:
        """Remember every task started, directly or not, by a request `WORK_PATHS` reached."""
        previous = loop.get_task_factory()

        def factory(
            loop: asyncio.AbstractEventLoop,
            coro: Coroutine[Any, Any, Any] | Generator[Any, None, Any],
            context: contextvars.Context | None = None,
        ) -> asyncio.Future[Any]:
            extra = {} if context is None else {"context": context}
            if previous is not None:
                task = previous(loop, coro, **extra)
            else:
                task = asyncio.Task(coro, loop=loop, **extra)  # type: ignore[arg-type]
            owner = context.get(_HANDLING) if context is not None else _HANDLING.get()
            if owner is self and isinstance(task, asyncio.Task):
                self.tasks.add(task)
                task.add_done_callback(self.tasks.discard)
            return task

        loop.set_task_factory(factory)

    async def wait_until_idle(self, seconds: float) -> bool:
        """Wait up to `seconds` for the work in flight; False if some was still running."""
        deadline = time.monotonic() + seconds
        while self.in_flight and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        return not self.in_flight


class RefuseWhileDraining:
    """ASGI middleware: counts platform requests in flight and, once draining, answers new
    ones 503 (so a load balancer or Slack's retry goes to another replica)."""

    def __init__(self, app: ASGIApp, drain: Drain) -> None:
        self.app = app
        self.drain = drain

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in WORK_PATHS:
            await self.app(scope, receive, send)
            return
        if self.drain.draining:
            body = messages.DRAINING.encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 503,
                    "headers": [
                        (b"content-type", b"text/plain; charset=utf-8"),
                        (b"content-length", str(len(body)).encode()),
                        (b"retry-after", b"1"),
                        (b"connection", b"close"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        self.drain.requests += 1
        token = _HANDLING.set(self.drain)
        arrived = REQUEST_ARRIVED_AT.set(time.monotonic())
        try:
            await self.app(scope, receive, send)
        finally:
            REQUEST_ARRIVED_AT.reset(arrived)
            _HANDLING.reset(token)
            self.drain.requests -= 1


class DrainingServer(uvicorn.Server):
    """uvicorn, but the first SIGTERM (or Ctrl-C) drains before uvicorn's own shutdown; a
    second one stops at once."""

    def __init__(self, config: uvicorn.Config, drain: Drain, drain_seconds: float) -> None:
        super().__init__(config)
        self.drain = drain
        self.drain_seconds = drain_seconds
        self._loop: asyncio.AbstractEventLoop | None = None

    async def startup(self, sockets: Any = None) -> None:
        self._loop = asyncio.get_running_loop()
        self.drain.track_tasks(self._loop)
        await super().startup(sockets)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        # Not recorded as a captured signal: uvicorn would raise it again on the way out,
        # killing the process before the scheduler and the database are closed.
        if self.drain.draining or self._loop is None or self.should_exit:
            self.should_exit = True
            self.force_exit = self.drain.draining
            return
        log.info(
            "%s: not taking new work; waiting up to %ss for %d request(s) and task(s) in flight",
            signal.Signals(sig).name,
            self.drain_seconds,
            self.drain.in_flight,
        )
        self.drain.draining = True
        # A fresh context: the signal may have arrived while a request's task was running,
        # and the drain must not count itself as that request's work.
        self._loop.call_soon_threadsafe(self._start_draining, context=contextvars.Context())

    def _start_draining(self) -> None:
        assert self._loop is not None
        self._loop.create_task(self._drain_then_exit(), context=contextvars.Context())

    async def _drain_then_exit(self) -> None:
        if await self.drain.wait_until_idle(self.drain_seconds):
            log.info("drained: all work in flight finished")
        else:
            log.error(
                "drain time (%ss) is up with work still running (%s); exiting",
                self.drain_seconds,
                self.drain.describe(),
            )
        self.should_exit = True

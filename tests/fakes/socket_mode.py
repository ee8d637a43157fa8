"""A local stand-in for Slack's Socket Mode WebSocket: says hello to each connection, sends
the envelopes a test gives it and records the acknowledgements the app sends back.

Point the fake Web API's `socket_mode_url` at `url`, so `apps.connections.open` hands it out.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve


@dataclass
class FakeSocketMode:
    host: str = "127.0.0.1"
    received: list[dict[str, Any]] = field(default_factory=list)
    connected: int = 0  # connections said hello to so far
    _loop: asyncio.AbstractEventLoop | None = None
    _server: Server | None = None
    _connections: list[ServerConnection] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> FakeSocketMode:
        ready = threading.Event()

        async def listen() -> Server:
            return await serve(self._session, self.host, 0)

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            self._server = self._loop.run_until_complete(listen())
            ready.set()
            self._loop.run_forever()

        threading.Thread(target=run, daemon=True).start()
        if not ready.wait(10):
            raise RuntimeError("the fake Socket Mode server did not start")
        return self

    def stop(self) -> None:
        if self._loop is None or self._server is None:
            return
        server, loop = self._server, self._loop

        async def shut() -> None:
            server.close()
            await server.wait_closed()

        asyncio.run_coroutine_threadsafe(shut(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)

    @property
    def url(self) -> str:
        assert self._server is not None
        port = next(iter(self._server.sockets)).getsockname()[1]
        return f"ws://{self.host}:{port}/link"

    async def _session(self, connection: ServerConnection) -> None:
        with self._lock:
            self._connections.append(connection)
            self.connected += 1
        hello = {"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0"}}
        await connection.send(json.dumps(hello))
        async for message in connection:
            with self._lock:
                self.received.append(json.loads(message))

    def send(self, envelope: dict[str, Any]) -> None:
        """Send an envelope on the newest connection."""
        assert self._loop is not None
        with self._lock:
            connection = self._connections[-1]
        asyncio.run_coroutine_threadsafe(connection.send(json.dumps(envelope)), self._loop).result(
            10
        )

    def wait_for_connection(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.connected:
                return
            time.sleep(0.02)
        raise AssertionError("nothing connected to the fake Socket Mode server")

    def wait_for_ack(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                for message in self.received:
                    if message.get("envelope_id") == envelope_id:
                        return message
            time.sleep(0.02)
        raise AssertionError(f"no acknowledgement of {envelope_id} within {timeout}s")

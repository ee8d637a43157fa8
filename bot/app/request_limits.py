"""A limit on request bodies for the chat platforms' endpoints, applied before a body is read
whole: a declared Content-Length over the limit is refused at once, and a body sent without
one is refused as soon as it passes the limit. Either way the answer is 413 and one log line.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)


class BodyTooLarge(Exception):
    pass


class BodySizeLimit:
    """ASGI middleware: POST bodies to `paths` may be at most `max_bytes` long.

    The body is read here (bounded) and replayed to the app, so the app never holds more
    than `max_bytes` of one request."""

    def __init__(self, app: ASGIApp, *, paths: Iterable[str], max_bytes: int) -> None:
        self.app = app
        self.paths = frozenset(paths)
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in self.paths:
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, send, f"Content-Length {declared}")
            return
        try:
            body = await self._read(receive)
        except BodyTooLarge:
            await self._refuse(scope, send, "body without Content-Length")
            return
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: wait for the disconnect, as usual

        await self.app(scope, replay, send)

    async def _read(self, receive: Receive) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break  # the client went away; the app sees an empty body
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                raise BodyTooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    async def _refuse(self, scope: Scope, send: Send, what: str) -> None:
        log.warning(
            "refused a request to %s: %s is over the %s-byte limit (413)",
            scope["path"],
            what,
            self.max_bytes,
        )
        body = json.dumps({"error": "request body too large"}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None

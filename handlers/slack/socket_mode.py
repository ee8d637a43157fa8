"""Connecting to Slack over Socket Mode in the background, while the HTTP server serves.

Before handing the connection to Bolt's Socket Mode client, the runner checks the bot token
(`auth.test`) and the app token (`apps.connections.open`) itself, because the SDK would
retry a refused token forever with a traceback each time:

- Slack refusing a token (invalid_auth, token_revoked, …) is permanent: one clear line, and
  the process is asked to stop with a non-zero status (`on_fatal`).
- A network failure or a Slack hiccup is not: the runner backs off (1 s, doubling, capped)
  and tries again, and `/healthz` shows the state meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.platform_status import ConnectionState, PlatformStatus
from handlers.slack.recognition import REVOKED_ERRORS

log = logging.getLogger(__name__)

PLATFORM = "Slack"
FIRST_BACKOFF_SECONDS = 1.0
MAX_BACKOFF_SECONDS = 30.0
# How often a live connection is checked, so /healthz follows reconnections.
WATCH_SECONDS = 2.0


class TokenRefused(Exception):
    """Slack refused one of Everyseat's tokens; retrying can't help."""

    def __init__(self, which: str, code: str) -> None:
        super().__init__(
            f"Configuration error: Slack refused {which} ({code}) while connecting over Socket "
            "Mode: check the token in your Slack app's settings (reinstall the app for a new "
            "bot token, or create a new app-level token with connections:write), then start "
            "Everyseat again."
        )
        self.code = code


def backoff_delays(
    first: float = FIRST_BACKOFF_SECONDS, cap: float = MAX_BACKOFF_SECONDS
) -> Callable[[], float]:
    """Successive waits between attempts: doubling from `first`, never above `cap`."""
    delay = first / 2

    def next_delay() -> float:
        nonlocal delay
        delay = min(delay * 2, cap)
        return delay

    return next_delay


class SocketModeRunner:
    """Owns the Socket Mode connection of one Bolt app for the life of the server."""

    def __init__(
        self,
        app: AsyncApp,
        app_token: str,
        status: PlatformStatus,
        on_fatal: Callable[[str], None],
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        max_backoff: float = MAX_BACKOFF_SECONDS,
    ) -> None:
        self.app = app
        self.app_token = app_token
        self.status = status
        self.on_fatal = on_fatal
        self.sleep = sleep
        self.max_backoff = max_backoff
        self.handler: AsyncSocketModeHandler | None = None

    async def _open_connection_url(self) -> str:
        """Check both tokens; the WebSocket URL to connect to. Raises TokenRefused."""
        client = self.app.client
        try:
            await client.auth_test()
        except SlackApiError as error:
            code = str(error.response.get("error") or "")
            if code in REVOKED_ERRORS:
                raise TokenRefused("the bot token (SLACK_BOT_TOKEN)", code) from None
            raise
        try:
            opened = await client.apps_connections_open(app_token=self.app_token)
        except SlackApiError as error:
            code = str(error.response.get("error") or "")
            if code in REVOKED_ERRORS:
                raise TokenRefused("the app-level token (SLACK_APP_TOKEN)", code) from None
            raise
        return str(opened["url"])

    async def connect_once(self) -> None:
        """One attempt: check the tokens, then hand the URL to Bolt's Socket Mode client."""
        url = await self._open_connection_url()
        handler = AsyncSocketModeHandler(self.app, self.app_token)
        handler.client.wss_uri = url
        self.handler = handler
        await handler.connect_async()  # type: ignore[no-untyped-call]

    async def run(self) -> None:
        """Connect, backing off on failures, until connected, refused or cancelled; then
        keep /healthz up to date while the SDK looks after the live connection."""
        next_delay = backoff_delays(cap=self.max_backoff)
        while True:
            self.status.set(PLATFORM, ConnectionState.CONNECTING)
            try:
                await self.connect_once()
                break
            except TokenRefused as refused:
                self.status.set(PLATFORM, ConnectionState.CREDENTIALS_REVOKED, refused.code)
                self.on_fatal(str(refused))
                return
            except (SlackApiError, OSError, TimeoutError, ValueError, KeyError) as error:
                delay = next_delay()
                reason = _describe(error)
                self.status.set(PLATFORM, ConnectionState.RETRYING, reason)
                log.warning(
                    "could not connect to Slack over Socket Mode (%s); retrying in %.0f s",
                    reason,
                    delay,
                )
                await self.sleep(delay)
        log.info("connected to Slack over Socket Mode")
        await self._watch()

    async def _watch(self) -> None:
        assert self.handler is not None
        while True:
            connected = await self.handler.client.is_connected()
            if connected:
                self.status.set(PLATFORM, ConnectionState.OK)
            else:
                self.status.set(PLATFORM, ConnectionState.RETRYING, "reconnecting")
            await self.sleep(WATCH_SECONDS)

    async def close(self) -> None:
        if self.handler is not None:
            await self.handler.close_async()  # type: ignore[no-untyped-call]


def _describe(error: BaseException) -> str:
    if isinstance(error, SlackApiError):
        return str(error.response.get("error") or error.response.status_code)
    return f"{type(error).__name__}: {error}"[:200]

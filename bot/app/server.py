"""The ASGI server: Slack at POST /slack/events, Teams at POST /api/messages, health at
GET /healthz, run by uvicorn; SIGTERM drains it first (bot/app/drain.py)."""

from __future__ import annotations

import asyncio
import gc
import ipaddress
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING

import aiohttp
import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import text

from bot.app.drain import Drain, DrainingServer, RefuseWhileDraining
from bot.app.request_limits import BodySizeLimit
from bot.services import Services
from bot.settings import Settings

if TYPE_CHECKING:
    from microsoft_teams.apps import App as TeamsApp
    from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)

SLACK_ENDPOINT = "/slack/events"
TEAMS_ENDPOINT = "/api/messages"  # handlers/teams/app.py registers it under this path


# /healthz answers within a second whatever the database does: a probe still running after
# this long counts as "not answering", and is left to finish on its own.
HEALTH_PROBE_SECONDS = 0.5


def database_answers(services: Services) -> bool:
    try:
        with services.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:
        log.warning("health check: database did not answer: %s", type(error).__name__)
        return False
    return True


class DatabaseProbe:
    """Asks the database for `SELECT 1` in a worker thread, one probe at a time: a hung
    database holds at most one thread, however often the load balancer asks."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._running: asyncio.Future[bool] | None = None

    async def answers(self) -> bool:
        if self._running is None or self._running.done():
            self._running = asyncio.ensure_future(
                asyncio.to_thread(database_answers, self.services)
            )
        try:
            return await asyncio.wait_for(asyncio.shield(self._running), HEALTH_PROBE_SECONDS)
        except TimeoutError:
            log.warning("health check: database did not answer within %ss", HEALTH_PROBE_SECONDS)
            return False


def open_web_api_session(client: AsyncWebClient) -> aiohttp.ClientSession:
    """A connection-pooling session for `client` (call inside the running event loop), with
    the same timeout slack_sdk gives the sessions it would otherwise open per call."""
    session = aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=client.timeout),
        trust_env=client.trust_env_in_session,
    )
    client.session = session
    return session


def create_app(
    services: Services,
    *,
    socket_mode: bool = False,
    on_fatal: Callable[[str], None] | None = None,
    drain: Drain | None = None,
) -> FastAPI:
    """Build the server. Slack is mounted when a bot token is configured, Teams when its
    credentials are (or local-test mode is on). With `socket_mode`, Slack is reached over a
    WebSocket connected in the background; `on_fatal` is told (one line) if Slack refuses
    the tokens, so the caller can stop the process. With a `drain`, platform requests are
    counted and refused once it has begun, and /healthz reports it."""
    drain = drain or Drain()
    probe = DatabaseProbe(services)
    slack_app = None
    if services.settings.slack_configured:
        from handlers.slack.app import create_slack_app

        slack_app = create_slack_app(services)

    teams_app: TeamsApp | None = None

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if teams_app is not None:
            # Registers POST /api/messages, with the SDK's token validation in front of it.
            await teams_app.initialize()
        web_api_session = None
        if slack_app is not None:
            # Bolt hands `app.client.session` to the client it builds for each request, so
            # one session here lets every Web API call reuse open connections. Without it
            # slack_sdk opens a session, and a TCP (and TLS) connection, per call.
            web_api_session = open_web_api_session(slack_app.client)
        socket_runner, socket_task = None, None
        if socket_mode and slack_app is not None and services.settings.SLACK_APP_TOKEN:
            from handlers.slack.socket_mode import SocketModeRunner

            # In the background: the HTTP server and /healthz are up while it connects, and
            # a shutdown isn't held up by a connection that keeps failing.
            socket_runner = SocketModeRunner(
                slack_app,
                services.settings.SLACK_APP_TOKEN.get_secret_value(),
                services.platform_status,
                on_fatal or _log_fatal,
            )
            socket_task = asyncio.create_task(socket_runner.run())
        try:
            yield
        finally:
            if socket_task is not None:
                socket_task.cancel()
                await asyncio.gather(socket_task, return_exceptions=True)
            if socket_runner is not None:
                await socket_runner.close()
            if web_api_session is not None:
                await web_api_session.close()

    api = FastAPI(title="Everyseat", lifespan=lifespan, docs_url=None, redoc_url=None)

    api.add_middleware(RefuseWhileDraining, drain=drain)

    @api.get("/healthz")
    async def healthz() -> JSONResponse:
        """Readiness: 503 while draining (send no new work here) or when the database
        doesn't answer within a second."""
        healthy = await probe.answers()
        status = "draining" if drain.draining else "ok" if healthy else "unhealthy"
        return JSONResponse(
            {
                "status": status,
                "database": "ok" if healthy else "unreachable",
                # Each platform's connection as this process last saw it (Socket Mode,
                # revoked credentials); reported, not part of readiness.
                "platforms": services.platform_status.snapshot(),
            },
            status_code=200 if status == "ok" else 503,
        )

    signing_secret = services.settings.SLACK_SIGNING_SECRET
    if slack_app is not None and signing_secret is not None:
        from slack_bolt.adapter.starlette.async_handler import to_starlette_response

        from handlers.slack.edge import RejectedRequest, bolt_request, check_slack_request

        bolt = slack_app  # known not to be None here, which the closure below can't see

        async def slack_events(request: Request) -> Response:
            # Signature first, then the body's shape; Bolt gets the payload read here.
            body = await request.body()
            try:
                payload = check_slack_request(
                    request.headers, body, signing_secret.get_secret_value()
                )
            except RejectedRequest as rejected:
                log.warning("refused a Slack request: %s", rejected.reason)
                return JSONResponse({"error": rejected.reason}, status_code=rejected.status)
            answer = await bolt.async_dispatch(
                bolt_request(request.headers, request.query_params, body, payload)
            )
            return to_starlette_response(answer)

        # A plain Starlette route: it reads the raw request itself, so FastAPI's per-request
        # dependency and validation machinery would only cost CPU on the busiest path.
        api.add_route(SLACK_ENDPOINT, slack_events, methods=["POST"], include_in_schema=False)

    if services.settings.teams_configured:
        from handlers.teams.app import create_teams_app

        teams_app = create_teams_app(services, api)

    # Bodies are bounded before anything reads them whole (413).
    api.add_middleware(
        BodySizeLimit,
        paths=(SLACK_ENDPOINT, TEAMS_ENDPOINT),
        max_bytes=services.settings.EVERYSEAT_MAX_REQUEST_BYTES,
    )
    return api


def freeze_startup_objects() -> None:
    """Leave what start-up built (modules, the app, the clients: some 200,000 objects that
    live as long as the process) out of the garbage collector's full collections, which
    would otherwise walk all of them every time, in the middle of serving requests."""
    gc.collect()
    gc.freeze()


def _log_fatal(message: str) -> None:
    log.error("%s", message)


class UnsafeBindError(Exception):
    """Refusing to listen beyond this machine while unauthenticated Teams requests are accepted."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_bind_address(settings: Settings) -> None:
    """Local-test mode must never be reachable from the network: refuse, and warn loudly."""
    if not settings.TEAMS_ALLOW_UNAUTHENTICATED:
        return
    if not is_loopback(settings.HOST):
        raise UnsafeBindError(
            f"Configuration error: HOST is {settings.HOST!r} but TEAMS_ALLOW_UNAUTHENTICATED is "
            "true: unauthenticated Teams activities are only accepted on a loopback address. "
            "Set HOST=127.0.0.1, or turn TEAMS_ALLOW_UNAUTHENTICATED off and set the Teams "
            "credentials."
        )


def serve(
    services: Services,
    *,
    socket_mode: bool = False,
    scheduler: bool = True,
    sweep_interval: timedelta | None = None,
) -> str | None:
    """Run the server in the foreground until interrupted. `sweep_interval` overrides how
    often the scheduler looks for due or failed weekly posts (tests). Returns None after a
    normal shutdown, or the one line saying why the server had to stop (Slack refused a
    token over Socket Mode)."""
    settings = services.settings
    check_bind_address(settings)
    if settings.TEAMS_ALLOW_UNAUTHENTICATED:
        log.warning(
            "TEAMS_ALLOW_UNAUTHENTICATED is on: POST /api/messages accepts activities without "
            "a token. Use this only for local testing."
        )
    fatal: list[str] = []
    server: uvicorn.Server | None = None

    def stop_with(message: str) -> None:
        fatal.append(message)
        if server is not None:
            server.should_exit = True

    drain = Drain()
    app = create_app(services, socket_mode=socket_mode, on_fatal=stop_with, drain=drain)
    # One access-log line per request costs about as much CPU as acknowledging it; it is
    # kept for LOG_LEVEL=DEBUG, where the cost is wanted.
    config = uvicorn.Config(
        app,
        host=settings.HOST,
        port=settings.PORT,
        log_config=None,
        proxy_headers=True,
        # The drain has waited for the work already; uvicorn's own wait is for stragglers.
        timeout_graceful_shutdown=5,
        access_log=settings.LOG_LEVEL == "DEBUG",
    )
    server = DrainingServer(config, drain, settings.EVERYSEAT_DRAIN_SECONDS)
    # Scheduled posts run in this process unless --no-scheduler; the delivery claims make
    # it safe for every replica to run one.
    from bot.app.platforms import nightly_directory_sync, outbox_sweeps, weekly_senders
    from schedules import start_scheduler, stop_scheduler

    jobs = (
        start_scheduler(
            services,
            weekly_senders=weekly_senders(services),
            outbox_sweeps=outbox_sweeps(services),
            directory_sync=partial(nightly_directory_sync, services),
            sweep_interval=sweep_interval,
        )
        if scheduler
        else None
    )
    freeze_startup_objects()
    log.info("Everyseat listening on http://%s:%s", settings.HOST, settings.PORT)
    try:
        server.run()
    finally:
        stop_scheduler(jobs)
    return fatal[0] if fatal else None

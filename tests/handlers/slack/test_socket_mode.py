"""Socket Mode against a local WebSocket stand-in: connected in the background while the HTTP
server serves, refused tokens stop it with one line, network failures back off with a cap."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from bot.app.composition import build_services
from bot.app.server import create_app
from bot.platform_status import ConnectionState, PlatformStatus
from db.migrate import upgrade_database
from handlers.slack.app import create_slack_app
from handlers.slack.socket_mode import SocketModeRunner, backoff_delays
from tests.fakes.slack_web_api import FakeSlack
from tests.fakes.socket_mode import FakeSocketMode
from tests.support.server import free_port, running_server
from tests.support.slack_requests import load_payload

APP_TOKEN = "xapp-1-A0-test"


@pytest.fixture
def socket_server() -> Iterator[FakeSocketMode]:
    fake = FakeSocketMode().start()
    try:
        yield fake
    finally:
        fake.stop()


def socket_settings(make_settings, api_url: str) -> Any:
    return make_settings(
        SLACK_BOT_TOKEN="xoxb-test-token", SLACK_APP_TOKEN=APP_TOKEN, SLACK_API_URL=api_url
    )


def slack_state(base_url: str) -> dict[str, str]:
    return httpx.get(f"{base_url}/healthz", timeout=5).json()["platforms"].get("slack", {})


def wait_for_state(base_url: str, state: str, timeout: float = 10.0) -> dict[str, str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        shown = slack_state(base_url)
        if shown.get("state") == state:
            return shown
        time.sleep(0.05)
    raise AssertionError(f"/healthz never showed slack {state}: {slack_state(base_url)}")


def test_a_slash_command_arrives_over_the_socket_and_is_acknowledged(
    fake_slack: FakeSlack, socket_server: FakeSocketMode, make_settings, clock
) -> None:
    fake_slack.add_user("UANA", "Ana")
    fake_slack.socket_mode_url = socket_server.url
    services = build_services(socket_settings(make_settings, fake_slack.api_url), clock=clock)
    upgrade_database(services.engine)
    try:
        with running_server(create_app(services, socket_mode=True)) as base_url:
            socket_server.wait_for_connection()
            wait_for_state(base_url, "ok")
            command = load_payload("slash_command.json", response_url=fake_slack.response_url)
            socket_server.send(
                {
                    "envelope_id": "env-1",
                    "type": "slash_commands",
                    "accepts_response_payload": True,
                    "payload": command,
                }
            )
            assert socket_server.wait_for_ack("env-1")["envelope_id"] == "env-1"
            (opened,) = fake_slack.wait_for("views.open")
            assert opened.args["view"]["callback_id"] == "nomination_form"
            (connect,) = fake_slack.calls_to("apps.connections.open")
            assert connect.headers["Authorization"] == f"Bearer {APP_TOKEN}"
    finally:
        services.close()


def test_while_slack_is_unreachable_the_server_and_healthz_are_up(make_settings, clock) -> None:
    unreachable = f"http://127.0.0.1:{free_port()}/api/"
    services = build_services(socket_settings(make_settings, unreachable), clock=clock)
    upgrade_database(services.engine)
    try:
        with running_server(create_app(services, socket_mode=True)) as base_url:
            shown = wait_for_state(base_url, "retrying")
            assert "Error" in shown["detail"]
            assert httpx.get(f"{base_url}/healthz", timeout=5).status_code == 200
    finally:
        services.close()


@pytest.mark.parametrize(
    ("method", "which"),
    [("auth.test", "SLACK_BOT_TOKEN"), ("apps.connections.open", "SLACK_APP_TOKEN")],
)
def test_a_refused_token_stops_with_one_line(
    fake_slack: FakeSlack, make_settings, clock, method: str, which: str
) -> None:
    fake_slack.fail_next(method, status=200, body={"ok": False, "error": "invalid_auth"})
    settings = socket_settings(make_settings, fake_slack.api_url)
    services = build_services(settings, clock=clock)
    status = PlatformStatus()
    fatal: list[str] = []
    runner = SocketModeRunner(create_slack_app(services), APP_TOKEN, status, fatal.append)
    try:
        asyncio.run(asyncio.wait_for(runner.run(), 10))
    finally:
        services.close()
    (line,) = fatal
    assert "\n" not in line and which in line and "invalid_auth" in line
    assert status.state("Slack") is ConnectionState.CREDENTIALS_REVOKED


def test_network_failures_back_off_doubling_up_to_the_cap(make_settings, clock) -> None:
    unreachable = f"http://127.0.0.1:{free_port()}/api/"
    services = build_services(socket_settings(make_settings, unreachable), clock=clock)
    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 7:
            raise asyncio.CancelledError

    runner = SocketModeRunner(
        create_slack_app(services),
        APP_TOKEN,
        PlatformStatus(),
        pytest.fail,
        sleep=record,
        max_backoff=8,
    )
    try:
        with pytest.raises(asyncio.CancelledError):
            asyncio.run(runner.run())
    finally:
        services.close()
    assert waits == [1, 2, 4, 8, 8, 8, 8]


def test_default_backoff_is_capped_at_thirty_seconds() -> None:
    delays = backoff_delays()
    assert [delays() for _ in range(8)] == [1, 2, 4, 8, 16, 30, 30, 30]

"""`everyseat serve --socket-mode` as a process: a refused token ends it with one clear line
and a non-zero status; an unreachable Slack leaves the HTTP server and /healthz up, and
SIGTERM ends it cleanly while it is still retrying."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.fakes.slack_web_api import FakeSlack
from tests.support.processes import serve_environment, serve_replica
from tests.support.server import free_port

APP_TOKEN = "xapp-1-A0-process"


def test_a_refused_app_token_exits_with_one_clear_line(
    fake_slack: FakeSlack, database_url: str, tmp_path: Path
) -> None:
    fake_slack.fail_next(
        "apps.connections.open", status=200, body={"ok": False, "error": "invalid_auth"}
    )
    env = serve_environment(
        HOST="127.0.0.1",
        PORT=str(free_port()),
        SLACK_BOT_TOKEN="xoxb-process-test",
        SLACK_APP_TOKEN=APP_TOKEN,
        SLACK_API_URL=fake_slack.api_url,
        DATABASE_URL=database_url,
    )
    result = subprocess.run(
        [sys.executable, "-m", "bot", "serve", "--socket-mode", "--no-scheduler"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    refusals = [line for line in result.stderr.splitlines() if "refused" in line]
    assert refusals == [
        "Configuration error: Slack refused the app-level token (SLACK_APP_TOKEN) "
        "(invalid_auth) while connecting over Socket Mode: check the token in your Slack "
        "app's settings (reinstall the app for a new bot token, or create a new app-level "
        "token with connections:write), then start Everyseat again."
    ]


def test_unreachable_slack_keeps_healthz_up_and_sigterm_ends_it_while_retrying(
    database_url: str, tmp_path: Path
) -> None:
    with serve_replica(
        tmp_path,
        "--socket-mode",
        "--no-scheduler",
        SLACK_BOT_TOKEN="xoxb-process-test",
        SLACK_APP_TOKEN=APP_TOKEN,
        SLACK_API_URL=f"http://127.0.0.1:{free_port()}/api/",
        DATABASE_URL=database_url,
    ) as replica:
        deadline = time.monotonic() + 15
        while True:
            health = httpx.get(f"{replica.base_url}/healthz", timeout=5)
            if health.json()["platforms"].get("slack", {}).get("state") == "retrying":
                break
            assert time.monotonic() < deadline, health.text
            time.sleep(0.1)
        assert health.status_code == 200
        replica.process.send_signal(signal.SIGTERM)
        # uvicorn shuts down cleanly, then re-raises the signal it caught; the wait's timeout
        # only keeps a hung process from hanging the suite.
        assert replica.process.wait(timeout=30) in (0, -signal.SIGTERM)
        assert "Traceback" not in replica.log()

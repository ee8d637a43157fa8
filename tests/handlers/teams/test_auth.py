"""Authentication: with credentials configured, only activities with a valid Bot Framework
token get through. Tokens here fail before any signing key would be fetched, so no network."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from bot.app.composition import build_services
from bot.app.server import UnsafeBindError, check_bind_address, create_app
from db.migrate import upgrade_database
from db.models import Member, Nomination, TeamsConversation, Workspace
from tests.fakes.bot_connector import FakeBotConnector
from tests.handlers.teams.conftest import load_activity
from tests.support.processes import serve_environment
from tests.support.server import running_server

CLIENT_ID = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
TENANT_ID = "9b2a1c1e-2d8e-4c4b-9f59-3c9d2f7a1b11"


def test_activities_without_a_valid_token_are_refused_and_nothing_is_stored(
    connector: FakeBotConnector, make_settings
) -> None:
    settings = make_settings(
        TEAMS_CLIENT_ID=CLIENT_ID,
        TEAMS_CLIENT_SECRET="not-a-real-secret",
        TEAMS_TENANT_ID=TENANT_ID,
    )
    services = build_services(settings)
    upgrade_database(services.engine)
    try:
        with running_server(create_app(services)) as base_url:
            url = f"{base_url}/api/messages"
            for name in ("message_mention_nominate", "installation_update_add_team"):
                activity = load_activity(name, connector.service_url)
                assert httpx.post(url, json=activity).status_code == 401
                # Malformed tokens fail while being decoded, before the SDK would fetch
                # Microsoft's signing keys, so the test stays offline.
                for token in ("not-a-jwt", "a.b.c"):
                    response = httpx.post(
                        url, json=activity, headers={"Authorization": f"Bearer {token}"}
                    )
                    assert response.status_code == 401
        with services.sessions() as session:
            for table in (Nomination, Member, Workspace, TeamsConversation):
                assert session.scalar(select(func.count()).select_from(table)) == 0
        assert connector.calls == []
    finally:
        services.close()


def test_local_test_mode_only_binds_to_loopback(make_settings) -> None:
    check_bind_address(make_settings(TEAMS_ALLOW_UNAUTHENTICATED="true", HOST="127.0.0.1"))
    check_bind_address(make_settings(TEAMS_ALLOW_UNAUTHENTICATED="true", HOST="::1"))
    check_bind_address(make_settings(HOST="0.0.0.0"))  # authenticated: any address
    with pytest.raises(UnsafeBindError, match="TEAMS_ALLOW_UNAUTHENTICATED"):
        check_bind_address(make_settings(TEAMS_ALLOW_UNAUTHENTICATED="true", HOST="0.0.0.0"))


def test_serve_refuses_a_public_address_in_local_test_mode(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "serve", "--no-scheduler"],
        cwd=tmp_path,
        env=serve_environment(
            HOST="0.0.0.0",
            PORT="3999",
            TEAMS_ALLOW_UNAUTHENTICATED="true",
            DATABASE_URL=f"sqlite:///{tmp_path / 'never.db'}",
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "HOST is '0.0.0.0' but TEAMS_ALLOW_UNAUTHENTICATED is true" in result.stderr
    assert not (tmp_path / "never.db").exists()

"""Configuration: defaults, and one clear line per bad variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import ConfigError, load_settings


def test_defaults() -> None:
    settings = load_settings(env_file=None)
    assert settings.DATABASE_URL == "sqlite:///everyseat.db"
    assert (settings.HOST, settings.PORT) == ("127.0.0.1", 3000)
    assert settings.EVERYSEAT_TIMEZONE == "Europe/London"
    assert settings.EVERYSEAT_ADMINS == ()


def test_env_file_and_comma_lists(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        "EVERYSEAT_ADMINS=U1, U2 ,\nPORT=8080\nSLACK_API_URL=http://127.0.0.1:9/api\n"
    )
    settings = load_settings(env_file=env_file)
    assert settings.EVERYSEAT_ADMINS == ("U1", "U2")
    assert settings.PORT == 8080
    assert settings.SLACK_API_URL == "http://127.0.0.1:9/api/"


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"PORT": "abc"}, "Configuration error: PORT Input should be a valid integer"),
        ({"EVERYSEAT_TIMEZONE": "Mars/Olympus"}, "EVERYSEAT_TIMEZONE is not a known time zone"),
        ({"SLACK_BOT_TOKEN": "xoxp-user"}, "SLACK_BOT_TOKEN must start with xoxb-"),
        ({"TEAMS_CLIENT_ID": "everyseat-bot"}, "TEAMS_CLIENT_ID is not a GUID"),
        (
            {"TEAMS_CLIENT_ID": "3f2504e0-4f89-11d3-9a0c-0305e82c3301"},
            "TEAMS_CLIENT_SECRET is missing (needed with TEAMS_CLIENT_ID)",
        ),
        ({"TEAMS_CLIENT_SECRET": "s3cret"}, "TEAMS_CLIENT_ID is missing"),
        ({"TEAMS_ALLOW_UNAUTHENTICATED": "perhaps"}, "TEAMS_ALLOW_UNAUTHENTICATED Input should"),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1"},
            "SLACK_SIGNING_SECRET is missing (needed with SLACK_BOT_TOKEN)",
        ),
        (
            {"EVERYSEAT_RECOGNITION_CHANNEL": "#general"},
            "EVERYSEAT_RECOGNITION_CHANNEL is not a Slack channel id",
        ),
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL is not a SQLAlchemy database URL"),
    ],
)
def test_bad_values_name_the_variable_and_the_fix(overrides: dict[str, str], expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(env_file=None, **overrides)
    assert expected in str(caught.value)
    assert ": " in str(caught.value).split(expected, 1)[1]  # followed by how to fix it


def test_malformed_token_is_never_echoed() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(env_file=None, SLACK_BOT_TOKEN="xoxp-very-secret-value")
    assert "very-secret" not in str(caught.value)


def test_cli_stops_with_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "EVERYSEAT_"))}
    env["PORT"] = "not-a-port"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "db", "upgrade"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "Configuration error: PORT Input should be a valid integer, unable to parse string as an "
        "integer (got 'not-a-port'): use a port number between 1 and 65535, such as 3000."
    ]

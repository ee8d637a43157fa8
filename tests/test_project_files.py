"""The files a person sets Everyseat up with agree with the code."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.settings import Settings
from handlers.slack import moderation, nominate
from tests.support.contracts import SLACK_MANIFEST, assert_matches_schema, schema_problems

REPO = Path(__file__).resolve().parents[1]


def test_env_example_lists_every_setting() -> None:
    listed = set(re.findall(r"^([A-Z_]+)=", (REPO / ".env.example").read_text(), re.MULTILINE))
    assert listed == set(Settings.model_fields)


def test_readme_documents_every_setting() -> None:
    readme = (REPO / "README.md").read_text()
    missing = [name for name in Settings.model_fields if f"`{name}`" not in readme]
    assert missing == []


def test_manifest_is_valid_against_slacks_official_schema() -> None:
    manifest = yaml.safe_load((REPO / "manifest.yml").read_text())
    assert_matches_schema(SLACK_MANIFEST, manifest)


def test_the_slack_schema_check_rejects_what_slack_would() -> None:
    manifest = yaml.safe_load((REPO / "manifest.yml").read_text())
    manifest["features"]["slash_commands"][0]["command"] = "nominate"  # no leading slash
    del manifest["display_information"]
    problems = schema_problems(SLACK_MANIFEST, manifest)
    assert any("display_information" in problem for problem in problems)
    assert any(problem.startswith("features/slash_commands/0/command") for problem in problems)


def test_manifest_declares_commands_shortcuts_and_home() -> None:
    manifest = yaml.safe_load((REPO / "manifest.yml").read_text())
    features = manifest["features"]
    assert {c["command"] for c in features["slash_commands"]} == {"/nominate", "/recognition"}
    assert all(c["should_escape"] for c in features["slash_commands"])
    assert {s["callback_id"] for s in features["shortcuts"]} == {
        nominate.MESSAGE_SHORTCUT,
        nominate.GLOBAL_SHORTCUT,
        moderation.HIDE_SHORTCUT,
    }
    assert features["app_home"]["home_tab_enabled"] is True
    settings = manifest["settings"]
    assert settings["interactivity"]["is_enabled"] is True
    assert "app_home_opened" in settings["event_subscriptions"]["bot_events"]
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write", "im:write", "users:read"} <= scopes

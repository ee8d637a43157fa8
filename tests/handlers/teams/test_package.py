"""`everyseat teams package`: a zip Teams accepts, built from settings."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

from handlers.teams.commands import EXTENSION_COMMAND
from tests.support.contracts import TEAMS_MANIFEST, assert_matches_schema
from tests.support.processes import serve_environment

CLIENT_ID = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def run_package(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "teams", "package", *args],
        cwd=tmp_path,
        env=serve_environment(**env),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_package_has_manifest_bot_commands_extension_and_icons(tmp_path: Path) -> None:
    out = tmp_path / "dist" / "everyseat.zip"
    result = run_package(
        tmp_path,
        "--out",
        str(out),
        "--website",
        "https://recognition.example.nhs.uk",
        TEAMS_CLIENT_ID=CLIENT_ID,
        TEAMS_CLIENT_SECRET="secret",
    )
    assert result.returncode == 0, result.stderr
    assert str(out) in result.stdout
    with zipfile.ZipFile(out) as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(package.read("manifest.json"))
        assert png_size(package.read("color.png")) == (192, 192)
        assert png_size(package.read("outline.png")) == (32, 32)
    assert_matches_schema(TEAMS_MANIFEST, manifest)
    assert manifest["manifestVersion"] == "1.17"
    assert manifest["id"] == CLIENT_ID
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    assert manifest["developer"]["privacyUrl"] == "https://recognition.example.nhs.uk/privacy"
    assert manifest["validDomains"] == ["recognition.example.nhs.uk"]
    (bot,) = manifest["bots"]
    assert bot["botId"] == CLIENT_ID
    assert set(bot["scopes"]) == {"personal", "team", "groupChat"}
    (command_list,) = bot["commandLists"]
    assert [c["title"] for c in command_list["commands"]] == ["nominate", "help"]
    (extension,) = manifest["composeExtensions"]
    (action,) = extension["commands"]
    assert action["id"] == EXTENSION_COMMAND and action["title"] == "Nominate"
    assert action["type"] == "action" and action["fetchTask"] is True
    assert set(action["context"]) == {"compose", "message"}


def test_package_needs_the_bot_id(tmp_path: Path) -> None:
    result = run_package(tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().startswith("Configuration error: TEAMS_CLIENT_ID is missing")
    assert not (tmp_path / "everyseat-teams.zip").exists()

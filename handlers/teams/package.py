"""The Teams app package: manifest.json and the two icons, zipped ready to upload.

Built from settings (the bot's app id) by `everyseat teams package`. Icons are drawn here
rather than shipped, so the package needs nothing but the standard library.
"""

from __future__ import annotations

import json
import math
import struct
import zipfile
import zlib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from bot import messages
from bot.settings import Settings
from handlers.teams.commands import EXTENSION_COMMAND, HELP_COMMAND, NOMINATE_COMMAND

MANIFEST_VERSION = "1.17"
MANIFEST_SCHEMA = (
    "https://developer.microsoft.com/en-us/json-schemas/teams/v1.17/MicrosoftTeams.schema.json"
)
ACCENT = (0x00, 0x5E, 0xB8)  # NHS blue
COLOR_ICON = "color.png"
OUTLINE_ICON = "outline.png"
BOT_SCOPES = ["personal", "team", "groupChat"]


class PackageError(Exception):
    """The package can't be built from these settings; the message says what to set."""


def _app_version() -> str:
    try:
        return version("everyseat")
    except PackageNotFoundError:
        return "0.1.0"


def build_manifest(settings: Settings, website: str) -> dict[str, Any]:
    """manifest.json for the bot, its command list and the "Nominate" message extension."""
    if settings.TEAMS_CLIENT_ID is None:
        raise PackageError(
            "Configuration error: TEAMS_CLIENT_ID is missing: the package names the bot by its "
            "Microsoft App ID. Set it (see docs/teams.md) and run this again."
        )
    website = website.rstrip("/")
    bot_id = settings.TEAMS_CLIENT_ID
    commands = [
        {"title": NOMINATE_COMMAND, "description": messages.TEAMS_COMMAND_NOMINATE},
        {"title": HELP_COMMAND, "description": messages.TEAMS_COMMAND_HELP},
    ]
    return {
        "$schema": MANIFEST_SCHEMA,
        "manifestVersion": MANIFEST_VERSION,
        "version": _app_version(),
        "id": bot_id,
        "developer": {
            "name": "Everyseat",
            "websiteUrl": website,
            "privacyUrl": f"{website}/privacy",
            "termsOfUseUrl": f"{website}/terms",
        },
        "name": {"short": "Everyseat", "full": "Everyseat: leadership from every seat"},
        "description": {
            "short": messages.TEAMS_SHORT_DESCRIPTION,
            "full": messages.TEAMS_FULL_DESCRIPTION,
        },
        "icons": {"color": COLOR_ICON, "outline": OUTLINE_ICON},
        "accentColor": "#{:02X}{:02X}{:02X}".format(*ACCENT),
        "bots": [
            {
                "botId": bot_id,
                "scopes": BOT_SCOPES,
                "isNotificationOnly": False,
                "supportsFiles": True,  # the board report arrives as a file (file consent)
                "commandLists": [{"scopes": BOT_SCOPES, "commands": commands}],
            }
        ],
        "composeExtensions": [
            {
                "botId": bot_id,
                "commands": [
                    {
                        "id": EXTENSION_COMMAND,
                        "type": "action",
                        "title": "Nominate",
                        "description": messages.TEAMS_EXTENSION_NOMINATE,
                        "context": ["compose", "message"],
                        "fetchTask": True,
                    }
                ],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [website.split("://", 1)[-1].split("/", 1)[0]],
    }


def _png(width: int, height: int, pixel: Any) -> bytes:
    """An RGBA PNG; `pixel(x, y)` returns (r, g, b, a)."""
    rows = b"".join(
        b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def _in_mark(x: int, y: int, size: int) -> bool:
    """The mark: a ring (the team) around a dot (the seat), centred."""
    centre = (size - 1) / 2
    distance = math.hypot(x - centre, y - centre)
    return distance <= size * 0.12 or size * 0.28 <= distance <= size * 0.38


def color_icon(size: int = 192) -> bytes:
    """Full-colour icon: a white mark on NHS blue (Teams wants 192x192)."""
    return _png(
        size,
        size,
        lambda x, y: (255, 255, 255, 255) if _in_mark(x, y, size) else (*ACCENT, 255),
    )


def outline_icon(size: int = 32) -> bytes:
    """Outline icon: the white mark on transparent (Teams wants 32x32)."""
    return _png(
        size,
        size,
        lambda x, y: (255, 255, 255, 255) if _in_mark(x, y, size) else (0, 0, 0, 0),
    )


def build_package(settings: Settings, out: Path, website: str) -> Path:
    """Write the zip Teams accepts for upload (manifest and icons at its root)."""
    manifest = build_manifest(settings, website)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("manifest.json", json.dumps(manifest, indent=2) + "\n")
        package.writestr(COLOR_ICON, color_icon())
        package.writestr(OUTLINE_ICON, outline_icon())
    return out

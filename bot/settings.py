"""Everyseat's configuration: read from the environment and a `.env` file, validated once.

`load_settings()` is the only place the environment is read. A missing or malformed value
raises `ConfigError`, whose message is one line per variable naming it and how to fix it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# How to fix each setting, shown next to its name when it is wrong.
FIX_HINTS: dict[str, str] = {
    "SLACK_BOT_TOKEN": "copy the Bot User OAuth Token (xoxb-…) from your Slack app's "
    "OAuth & Permissions page",
    "SLACK_SIGNING_SECRET": "copy the Signing Secret from your Slack app's Basic Information page",
    "SLACK_APP_TOKEN": "create an app-level token (xapp-…) with connections:write under "
    "Basic Information → App-Level Tokens",
    "SLACK_API_URL": "use an http(s) URL such as https://slack.com/api/ or leave it unset",
    "DATABASE_URL": "use a SQLAlchemy URL such as sqlite:///everyseat.db or "
    "postgresql+psycopg://user@host/dbname",
    "HOST": "use an address to listen on, such as 127.0.0.1 or 0.0.0.0",
    "PORT": "use a port number between 1 and 65535, such as 3000",
    "EVERYSEAT_ADMINS": "list user ids separated by commas, such as U012ABC,U034DEF",
    "EVERYSEAT_RECOGNITION_CHANNEL": "use a channel id such as C012ABC, or leave it unset",
    "EVERYSEAT_DIGEST_CHANNEL": "use a channel id such as C012ABC, or leave it unset",
    "EVERYSEAT_TIMEZONE": "use an IANA time zone name such as Europe/London",
    "EVERYSEAT_DIGEST_DAY": "use a day of the week such as monday (or mon)",
    "EVERYSEAT_DIGEST_TIME": "use a 24-hour local time such as 09:00",
    "EVERYSEAT_PROMPT_DAY": "use a day of the week such as wednesday (or wed)",
    "EVERYSEAT_PROMPT_TIME": "use a 24-hour local time such as 12:00",
    "EVERYSEAT_CATCH_UP_HOURS": "use a whole number of hours from 0 to 167, such as 72",
    "EVERYSEAT_DAILY_NOMINATION_CAP": "use a whole number of nominations per person per day "
    "(1 or more), such as 20",
    "EVERYSEAT_DUPLICATE_WINDOW_SECONDS": "use a number of seconds (0 or more), such as 300",
    "EVERYSEAT_EDIT_WINDOW_HOURS": "use a whole number of hours from 0 to 8760, such as 24 "
    "(0: only admins can take a nomination down)",
    "EVERYSEAT_DELIVERY_LEASE_SECONDS": "use a whole number of seconds from 5 to 86400, "
    "such as 600",
    "EVERYSEAT_MIN_CELL": "use a whole number of people (1 or more; 1 hides nothing), such as 5",
    "EVERYSEAT_MAX_REQUEST_BYTES": "use a whole number of bytes from 1024 to 52428800, "
    "such as 1048576 (1 MiB)",
    "EVERYSEAT_DRAIN_SECONDS": "use a whole number of seconds from 0 to 600, such as 20",
    "EVERYSEAT_DB_STATEMENT_TIMEOUT_SECONDS": "use a whole number of seconds from 1 to 3600, "
    "such as 10",
    "EVERYSEAT_BEHAVIOURS_FILE": "point it at a TOML file shaped like bot/data/behaviours.toml, "
    "or leave it unset",
    "EVERYSEAT_PATIENT_IDENTIFIERS_FILE": "point it at a TOML file shaped like "
    "bot/data/patient_identifiers.toml, or leave it unset",
    "EVERYSEAT_RETENTION_MONTHS": "use a whole number of months (1 or more), such as 36, or "
    "leave it unset to keep nominations",
    "EVERYSEAT_RETENTION_MODE": "use delete or anonymise",
    "LOG_LEVEL": "use one of DEBUG, INFO, WARNING, ERROR",
    "TEAMS_CLIENT_ID": "copy the Microsoft App ID (a GUID) from your Azure Bot's Configuration "
    "page, or from the Teams Developer Portal's Bot management page",
    "TEAMS_CLIENT_SECRET": "create a client secret for the bot's app registration (Azure portal → "
    "App registrations → Certificates & secrets) and copy its Value",
    "TEAMS_TENANT_ID": "copy the Directory (tenant) ID from the app registration's Overview page, "
    "or leave it unset for a multi-tenant bot",
    "EVERYSEAT_SLACK_DEPARTMENT_FIELD": "use the label of a custom profile field in your Slack "
    "workspace, such as Department, or leave it unset",
    "EVERYSEAT_DIRECTORY_SYNC_TIME": "use a 24-hour local time such as 02:30, or off",
    "GRAPH_API_URL": "use an https URL such as https://graph.microsoft.com or leave it unset",
    "GRAPH_AUTHORITY_URL": "use an https URL such as https://login.microsoftonline.com or "
    "leave it unset",
    "TEAMS_ALLOW_UNAUTHENTICATED": "use true only for local testing with a fake connector or "
    "emulator on this machine, otherwise false",
}

_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,}$")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_LOCAL_TIME = re.compile(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])$")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


# Slack ids (U012ABC), Teams ids (29:1a2b…) and AAD object ids (GUIDs): no spaces,
# semicolons or other separators, so "U1;U2" is caught instead of naming nobody.
_USER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9:._@-]*$")
# Heroku-style and bare PostgreSQL URLs, which SQLAlchemy would hand to a driver (psycopg2)
# Everyseat doesn't install; psycopg 3 is the one installed.
_BARE_POSTGRES = re.compile(r"^(postgres|postgresql)://", re.IGNORECASE)
POSTGRES_DRIVER_SCHEME = "postgresql+psycopg://"


def with_installed_postgres_driver(url: str) -> str:
    """`postgres://…` and `postgresql://…` as `postgresql+psycopg://…`; other URLs unchanged."""
    return _BARE_POSTGRES.sub(POSTGRES_DRIVER_SCHEME, url, count=1)


class ConfigError(Exception):
    """The configuration cannot be used; the message says which variable and how to fix it."""


def _split_commas(value: Any) -> Any:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return value


class Settings(BaseSettings):
    """Every setting Everyseat reads. Field names are the environment variable names."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        case_sensitive=True,
        extra="ignore",
        frozen=True,
    )

    SLACK_BOT_TOKEN: SecretStr | None = None
    SLACK_SIGNING_SECRET: SecretStr | None = None
    SLACK_APP_TOKEN: SecretStr | None = None
    SLACK_API_URL: str | None = None

    DATABASE_URL: str = "sqlite:///everyseat.db"
    HOST: str = "127.0.0.1"
    PORT: int = Field(default=3000, ge=1, le=65535)

    EVERYSEAT_ADMINS: Annotated[tuple[str, ...], NoDecode] = ()
    EVERYSEAT_RECOGNITION_CHANNEL: str | None = None
    EVERYSEAT_DIGEST_CHANNEL: str | None = None
    EVERYSEAT_TIMEZONE: str = "Europe/London"
    EVERYSEAT_DIGEST_DAY: str = "monday"
    EVERYSEAT_DIGEST_TIME: str = "09:00"
    EVERYSEAT_PROMPT_DAY: str = "wednesday"
    EVERYSEAT_PROMPT_TIME: str = "12:00"
    # A post missed while the bot was down is still sent if it starts within this long.
    EVERYSEAT_CATCH_UP_HOURS: int = Field(default=72, ge=0, le=167)
    EVERYSEAT_DAILY_NOMINATION_CAP: int = Field(default=20, ge=1)
    EVERYSEAT_DUPLICATE_WINDOW_SECONDS: int = Field(default=300, ge=0)
    # How long after posting a nominator may still edit or withdraw their nomination.
    EVERYSEAT_EDIT_WINDOW_HOURS: int = Field(default=24, ge=0, le=8760)
    # How long a claimed post is held by its sender before another may take it over.
    EVERYSEAT_DELIVERY_LEASE_SECONDS: int = Field(default=600, ge=5, le=86400)
    EVERYSEAT_BEHAVIOURS_FILE: Path | None = None
    # Shared reports (chat statistics, the board report) hide groups smaller than this.
    EVERYSEAT_MIN_CELL: int = Field(default=5, ge=1)
    # The largest request body Slack or Teams may send (bigger ones get 413 unread).
    EVERYSEAT_MAX_REQUEST_BYTES: int = Field(default=1024 * 1024, ge=1024, le=50 * 1024 * 1024)
    # On SIGTERM: how long in-flight work may take to finish before the process exits.
    EVERYSEAT_DRAIN_SECONDS: int = Field(default=20, ge=0, le=600)
    # The longest one database statement may run on the server (PostgreSQL statement_timeout).
    EVERYSEAT_DB_STATEMENT_TIMEOUT_SECONDS: int = Field(default=10, ge=1, le=3600)
    # The trust's patient-identifier patterns (bot/nominations/governance.py).
    EVERYSEAT_PATIENT_IDENTIFIERS_FILE: Path | None = None
    # Nominations older than this many months are deleted or anonymised nightly (unset: kept).
    EVERYSEAT_RETENTION_MONTHS: int | None = Field(default=None, ge=1, le=1200)
    EVERYSEAT_RETENTION_MODE: str = "delete"
    LOG_LEVEL: str = "INFO"

    TEAMS_CLIENT_ID: str | None = None
    TEAMS_CLIENT_SECRET: SecretStr | None = None
    TEAMS_TENANT_ID: str | None = None
    TEAMS_ALLOW_UNAUTHENTICATED: bool = False

    # Where seats come from (docs/directory.md): Slack's custom profile field holding the
    # department, Microsoft Graph for a Teams tenant, and when the nightly sync runs.
    EVERYSEAT_SLACK_DEPARTMENT_FIELD: str | None = None
    EVERYSEAT_DIRECTORY_SYNC_TIME: str = "02:30"
    GRAPH_API_URL: str = "https://graph.microsoft.com"
    GRAPH_AUTHORITY_URL: str = "https://login.microsoftonline.com"

    @field_validator("EVERYSEAT_ADMINS", mode="before")
    @classmethod
    def _admins_from_commas(cls, value: Any) -> Any:
        return _split_commas(value)

    @field_validator(
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "SLACK_API_URL",
        "EVERYSEAT_RECOGNITION_CHANNEL",
        "EVERYSEAT_DIGEST_CHANNEL",
        "EVERYSEAT_BEHAVIOURS_FILE",
        "EVERYSEAT_PATIENT_IDENTIFIERS_FILE",
        "EVERYSEAT_RETENTION_MONTHS",
        "TEAMS_CLIENT_ID",
        "TEAMS_CLIENT_SECRET",
        "TEAMS_TENANT_ID",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value.strip() if isinstance(value, str) else value

    @field_validator("SLACK_BOT_TOKEN")
    @classmethod
    def _bot_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xoxb-"):
            raise ValueError("must start with xoxb-")
        return value

    @field_validator("SLACK_APP_TOKEN")
    @classmethod
    def _app_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("must start with xapp-")
        return value

    @field_validator("SLACK_API_URL")
    @classmethod
    def _api_url_shape(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not re.match(r"^https?://[^/\s]+", value):
            raise ValueError("is not an http(s) URL")
        return value if value.endswith("/") else value + "/"

    @field_validator("TEAMS_CLIENT_ID", "TEAMS_TENANT_ID")
    @classmethod
    def _guid_shape(cls, value: str | None) -> str | None:
        if value is not None and not _GUID.match(value):
            raise ValueError("is not a GUID (8-4-4-4-12 hexadecimal digits)")
        return value

    @field_validator("DATABASE_URL")
    @classmethod
    def _database_url_shape(cls, value: str) -> str:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        value = with_installed_postgres_driver(value.strip())
        try:
            make_url(value)
        except ArgumentError as exc:
            raise ValueError("is not a SQLAlchemy database URL") from exc
        return value

    @field_validator("EVERYSEAT_ADMINS")
    @classmethod
    def _admin_ids_shape(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for user_id in value:
            if not _USER_ID.match(user_id):
                raise ValueError("is not a comma-separated list of user ids")
        return value

    @field_validator("EVERYSEAT_RECOGNITION_CHANNEL", "EVERYSEAT_DIGEST_CHANNEL")
    @classmethod
    def _channel_shape(cls, value: str | None) -> str | None:
        # Channel ids only: names can be renamed and Slack's API wants ids anyway.
        if value is not None and not _CHANNEL_ID.match(value):
            raise ValueError("is not a Slack channel id")
        return value

    @field_validator("EVERYSEAT_TIMEZONE")
    @classmethod
    def _timezone_exists(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("is not a known time zone") from exc
        return value

    @field_validator("EVERYSEAT_DIGEST_DAY", "EVERYSEAT_PROMPT_DAY")
    @classmethod
    def _weekday_name(cls, value: str) -> str:
        day = value.strip().lower()
        matches = [name for name in WEEKDAYS if len(day) >= 3 and name.startswith(day)]
        if len(matches) != 1:
            raise ValueError("is not a day of the week")
        return matches[0]

    @field_validator("GRAPH_API_URL", "GRAPH_AUTHORITY_URL")
    @classmethod
    def _https_url_shape(cls, value: str) -> str:
        if not re.match(r"^https://[^/\s]+", value):
            raise ValueError("is not an https URL")
        return value.rstrip("/")

    @field_validator("EVERYSEAT_DIRECTORY_SYNC_TIME")
    @classmethod
    def _sync_time_shape(cls, value: str) -> str:
        if value.strip().lower() == "off":
            return "off"
        return cls._local_time_shape(value)

    @field_validator("EVERYSEAT_DIGEST_TIME", "EVERYSEAT_PROMPT_TIME")
    @classmethod
    def _local_time_shape(cls, value: str) -> str:
        match = _LOCAL_TIME.match(value.strip())
        if match is None:
            raise ValueError("is not a time of day (HH:MM)")
        return f"{int(match.group(1)):02d}:{match.group(2)}"

    @field_validator("EVERYSEAT_RETENTION_MODE")
    @classmethod
    def _retention_mode_known(cls, value: str) -> str:
        mode = value.strip().lower().replace("anonymize", "anonymise")
        if mode not in {"delete", "anonymise"}:
            raise ValueError("is not a retention mode")
        return mode

    @field_validator("EVERYSEAT_BEHAVIOURS_FILE", "EVERYSEAT_PATIENT_IDENTIFIERS_FILE")
    @classmethod
    def _behaviours_file_exists(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError("does not name an existing file")
        return value

    @field_validator("LOG_LEVEL")
    @classmethod
    def _log_level_known(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("is not a log level")
        return level

    @model_validator(mode="after")
    def _slack_settings_complete(self) -> Settings:
        # A bot token alone can't receive anything: HTTP mode needs the signing secret
        # to verify requests, Socket Mode needs the app token.
        if self.SLACK_BOT_TOKEN is not None and (
            self.SLACK_SIGNING_SECRET is None and self.SLACK_APP_TOKEN is None
        ):
            raise ValueError("SLACK_SIGNING_SECRET: is missing (needed with SLACK_BOT_TOKEN)")
        if self.SLACK_BOT_TOKEN is None and (
            self.SLACK_SIGNING_SECRET is not None or self.SLACK_APP_TOKEN is not None
        ):
            raise ValueError("SLACK_BOT_TOKEN: is missing (the other Slack settings need it)")
        if self.TEAMS_CLIENT_ID is not None and self.TEAMS_CLIENT_SECRET is None:
            raise ValueError("TEAMS_CLIENT_SECRET: is missing (needed with TEAMS_CLIENT_ID)")
        if self.TEAMS_CLIENT_ID is None and (
            self.TEAMS_CLIENT_SECRET is not None or self.TEAMS_TENANT_ID is not None
        ):
            raise ValueError("TEAMS_CLIENT_ID: is missing (the other Teams settings need it)")
        return self

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.EVERYSEAT_TIMEZONE)

    @property
    def digest_channel(self) -> str | None:
        """Where spotlights and prompts go: the digest channel, else the recognition channel."""
        return self.EVERYSEAT_DIGEST_CHANNEL or self.EVERYSEAT_RECOGNITION_CHANNEL

    @property
    def slack_configured(self) -> bool:
        return self.SLACK_BOT_TOKEN is not None

    @property
    def teams_configured(self) -> bool:
        """Teams is served with credentials, or unauthenticated for local testing."""
        return self.TEAMS_CLIENT_ID is not None or self.TEAMS_ALLOW_UNAUTHENTICATED

    def missing_platform_credentials(self) -> list[str]:
        """Names of the credentials a chat platform needs that are not set.

        Empty when at least one platform (Slack or Teams) can be served.
        """
        if self.teams_configured and not self.slack_configured:
            return []
        missing = []
        if self.SLACK_BOT_TOKEN is None:
            missing.append("SLACK_BOT_TOKEN")
        if self.SLACK_SIGNING_SECRET is None and self.SLACK_APP_TOKEN is None:
            missing.append("SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN for Socket Mode)")
        return missing


def _describe(error: dict[str, Any]) -> str:
    if error["loc"]:
        name = str(error["loc"][0])
        problem = error["msg"].removeprefix("Value error, ")
        shown = error.get("input")
        if isinstance(shown, SecretStr) or "TOKEN" in name or "SECRET" in name:
            shown = None  # never echo a secret, even a malformed one
    else:  # a whole-model check: its message starts with the variable's name
        name, _, problem = error["msg"].removeprefix("Value error, ").partition(": ")
        shown = None
    got = f" (got {shown!r})" if isinstance(shown, str | int) else ""
    hint = FIX_HINTS.get(name, "check its value")
    return f"{name} {problem}{got}: {hint}."


def load_settings(env_file: str | Path | None = ".env", **overrides: Any) -> Settings:
    """Read and validate the settings; raise ConfigError with one line per bad variable."""
    try:
        return Settings(_env_file=env_file, **overrides)
    except ValidationError as exc:
        lines = [_describe(dict(error)) for error in exc.errors()]
        raise ConfigError("\n".join(f"Configuration error: {line}" for line in lines)) from None

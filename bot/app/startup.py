"""What every command needs first: logging that hides secrets, services, an up-to-date schema."""

from __future__ import annotations

from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import NoSuchModuleError, OperationalError

from bot import messages
from bot.app.composition import build_services
from bot.app.logs import configure_logging
from bot.audit import record_admin_list
from bot.clock import Clock
from bot.services import Services
from bot.settings import ConfigError, Settings
from db.engine import create_database_engine
from db.migrate import upgrade_database


def secrets_of(settings: Settings) -> list[str]:
    """Every secret value in the settings, so the logs can mask them."""
    values = [
        settings.SLACK_BOT_TOKEN,
        settings.SLACK_SIGNING_SECRET,
        settings.SLACK_APP_TOKEN,
        settings.TEAMS_CLIENT_SECRET,
    ]
    return [value.get_secret_value() for value in values if value is not None]


def _unusable(settings: Settings, error: OperationalError) -> ConfigError:
    """One line saying why the database can't be used, and what to check."""
    url = make_url(settings.DATABASE_URL)
    shown = url.render_as_string(hide_password=True)
    reason = str(error.orig or error).strip().splitlines()[0].removeprefix("connection failed: ")
    hint = (
        messages.DATABASE_HINT_FILE
        if url.get_backend_name() == "sqlite"
        else messages.DATABASE_HINT_SERVER.format(database=url.database or "everyseat")
    )
    return ConfigError(
        messages.DATABASE_UNUSABLE.format(url=shown, reason=reason.rstrip("."), hint=hint)
    )


def _driver_missing(settings: Settings) -> ConfigError:
    shown = make_url(settings.DATABASE_URL).render_as_string(hide_password=True)
    return ConfigError(messages.DATABASE_DRIVER_MISSING.format(url=shown))


def start_services(settings: Settings, clock: Clock, *, serving: bool = False) -> Services:
    """The server's database work is held to a statement timeout; migrations and bulk
    commands are not, so they run on an engine without one. A database that can't be used
    stops here with one line (ConfigError), not a traceback."""
    configure_logging(settings.LOG_LEVEL, secrets_of(settings))
    if not serving:
        try:
            services = build_services(settings, clock=clock)
        except (NoSuchModuleError, ModuleNotFoundError):
            raise _driver_missing(settings) from None
        try:
            upgrade_database(services.engine)
        except OperationalError as error:
            services.close()
            raise _unusable(settings, error) from None
    else:
        try:
            migrations: Engine = create_database_engine(settings.DATABASE_URL)
        except (NoSuchModuleError, ModuleNotFoundError):
            raise _driver_missing(settings) from None
        try:
            upgrade_database(migrations)
        except OperationalError as error:
            raise _unusable(settings, error) from None
        finally:
            migrations.dispose()
        try:
            services = build_services(settings, clock=clock, serving=True)
        except (NoSuchModuleError, ModuleNotFoundError):
            raise _driver_missing(settings) from None
    record_admin_list(services)  # an admin added or removed since the last start is recorded
    return services

"""What every command needs first: logging that hides secrets, services, an up-to-date schema."""

from __future__ import annotations

from bot.app.composition import build_services
from bot.app.logs import configure_logging
from bot.audit import record_admin_list
from bot.clock import Clock
from bot.services import Services
from bot.settings import Settings
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


def start_services(settings: Settings, clock: Clock, *, serving: bool = False) -> Services:
    """The server's database work is held to a statement timeout; migrations and bulk
    commands are not, so they run on an engine without one."""
    configure_logging(settings.LOG_LEVEL, secrets_of(settings))
    if not serving:
        services = build_services(settings, clock=clock)
        upgrade_database(services.engine)
    else:
        migrations = create_database_engine(settings.DATABASE_URL)
        try:
            upgrade_database(migrations)
        finally:
            migrations.dispose()
        services = build_services(settings, clock=clock, serving=True)
    record_admin_list(services)  # an admin added or removed since the last start is recorded
    return services

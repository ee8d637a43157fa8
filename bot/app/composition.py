"""The composition root: builds the services every adapter and job is handed, once, from
the settings."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import Clock, utc_now
from bot.deliveries import LEASE_INFO_KEY
from bot.nominations.behaviours import load_catalogue
from bot.nominations.governance import load_identifier_guard
from bot.nominations.rules import NominationRules
from bot.services import Services
from bot.settings import Settings
from db.engine import create_database_engine, create_session_factory


def build_services(
    settings: Settings, clock: Clock = utc_now, *, serving: bool = False
) -> Services:
    """Open the database engine and load the catalogue; migrations are run by the caller.
    `serving`: the server's engine, whose statements are held to the statement timeout."""
    engine = create_database_engine(
        settings.DATABASE_URL,
        statement_timeout_seconds=settings.EVERYSEAT_DB_STATEMENT_TIMEOUT_SECONDS
        if serving
        else None,
    )
    return Services(
        settings=settings,
        engine=engine,
        # Every delivery claimed through these sessions (digests, prompts, recognition
        # posts) is held for the configured lease (bot/deliveries.py).
        sessions=create_session_factory(
            engine,
            info={LEASE_INFO_KEY: timedelta(seconds=settings.EVERYSEAT_DELIVERY_LEASE_SECONDS)},
        ),
        catalogue=load_catalogue(settings.EVERYSEAT_BEHAVIOURS_FILE),
        rules=NominationRules(
            daily_cap=settings.EVERYSEAT_DAILY_NOMINATION_CAP,
            duplicate_window=timedelta(seconds=settings.EVERYSEAT_DUPLICATE_WINDOW_SECONDS),
            timezone=settings.timezone,
        ),
        clock=clock,
        guard=load_identifier_guard(settings.EVERYSEAT_PATIENT_IDENTIFIERS_FILE),
    )

"""The collaborators every adapter needs, built once from the settings and passed in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock, utc_now
from bot.deliveries import LEASE_INFO_KEY
from bot.nominations.behaviours import BehaviourCatalogue, load_catalogue
from bot.nominations.rules import NominationOutcome, NominationRequest, NominationRules, nominate
from bot.recognition.views import RecognitionView, load_recognition_view
from bot.settings import Settings
from bot.weekly.reflections import ReflectionCatalogue, load_reflections
from db.engine import create_database_engine, create_session_factory


@dataclass
class Services:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    catalogue: BehaviourCatalogue
    rules: NominationRules
    clock: Clock = field(default=utc_now)
    reflections: ReflectionCatalogue = field(default_factory=load_reflections)

    def nominate(self, request: NominationRequest) -> NominationOutcome:
        """Record a nomination in a session of its own, with this deployment's catalogue,
        rules and clock (raises the domain's nomination errors)."""
        with self.sessions() as session:
            return nominate(
                session, request, catalogue=self.catalogue, rules=self.rules, clock=self.clock
            )

    def recognition_view(self, nomination_id: int) -> RecognitionView | None:
        """A stored nomination as people see it (None once erased), in a session of its own."""
        with self.sessions() as session:
            return load_recognition_view(session, nomination_id, self.catalogue)

    def close(self) -> None:
        self.engine.dispose()


def build_services(settings: Settings, clock: Clock = utc_now) -> Services:
    """Open the database engine and load the catalogue; migrations are run by the caller."""
    engine = create_database_engine(settings.DATABASE_URL)
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
    )

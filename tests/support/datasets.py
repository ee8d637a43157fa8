"""A small hand-built workspace whose statistics were worked out by hand (see test_stats)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.nominations.rules import endorse
from bot.services import Services
from db.models import Member
from tests.support import builders
from tests.support.clock import FakeClock

NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)


@dataclass
class Dataset:
    services: Services
    workspace_id: int
    people: dict[str, Member] = field(default_factory=dict)


def at(day: int, month: int = 11, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


def build_dataset(services: Services, clock: FakeClock) -> Dataset:
    """Ten active people, a bot and a leaver; five nominations in the period, one before it.

    Recognitions received in the period: Nia 4, Lee 2, Sam 1, Ana 1 (8 in all, 4 people).
    """
    clock.set(at(1, month=9))
    ws = builders.workspace(services)
    people = {
        key: builders.member(
            services, ws.id, f"U{key.upper()}", key.title(), title=title, department=dept
        )
        for key, title, dept in [
            ("ana", "Ward sister", "Surgery"),
            ("nia", "Porter", "Facilities"),
            ("sam", "Receptionist", "Outpatients"),
            ("kit", "Porter", "Facilities"),
            ("lee", "Nurse", "Surgery"),
            ("mo", "Nurse", "Surgery"),
            ("raj", "Receptionist", "Outpatients"),
            ("zoe", "Pharmacist", "Pharmacy"),
            ("ida", "Cleaner", "Facilities"),
            ("bo", "Nurse", None),
        ]
    }
    builders.member(services, ws.id, "UBOT", "Rota bot", is_bot=True)
    builders.member(services, ws.id, "UGONE", "Gone", title="Porter", is_deactivated=True)
    other = builders.workspace(services, "T0OTHER")
    outsider_a = builders.member(services, other.id, "UOUT1", title="Porter")
    outsider_b = builders.member(services, other.id, "UOUT2", title="Porter")

    def nominate(
        when: datetime, nominator: str, nominees: list[str], behaviours: list[str], **kw: str
    ) -> int:
        clock.set(when)
        outcome = builders.nomination(
            services, people[nominator], [people[n] for n in nominees], behaviours=behaviours, **kw
        )
        return outcome.nomination_id

    before = nominate(at(1, month=10), "zoe", ["kit"], ["speaking-up"])
    first = nominate(at(2), "ana", ["nia"], ["speaking-up"])
    nominate(at(4), "sam", ["nia", "lee"], ["enabling-change", "speaking-up"])
    nominate(at(10), "lee", ["nia"], ["coaching-and-developing"])
    fourth = nominate(at(16), "mo", ["nia", "lee", "sam"], ["speaking-up"])
    nominate(at(17), "nia", ["ana"], ["leading-from-every-seat"], visibility="private")
    clock.set(at(1, month=10))
    builders.nomination(services, outsider_a, [outsider_b])
    with services.sessions() as session:
        clock.set(at(17, hour=12))
        endorse(session, first, people["raj"], clock=clock)
        endorse(session, fourth, people["zoe"], clock=clock)
        endorse(session, before, people["raj"], clock=clock)
    clock.set(NOW)
    return Dataset(services, ws.id, people)

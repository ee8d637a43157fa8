"""Retention with an injected clock: old nominations deleted or anonymised in SQL, recorded
in the audit trail, once per night across replicas (two schedulers racing make one run)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot import messages
from bot.app.composition import build_services
from bot.audit import CLI, SCHEDULER, audit_entries
from bot.deliveries import DeliveryKey, claim_delivery, mark_delivery_posted
from bot.nominations.retention import (
    RetentionMode,
    RetentionPolicy,
    months_before,
    retention_cutoff,
    run_nightly_retention,
    run_retention,
)
from bot.nominations.rules import endorse
from bot.services import Services
from bot.settings import ConfigError, Settings
from db.models import (
    Delivery,
    Endorsement,
    Nomination,
    NominationBehaviour,
    NominationNominee,
    Spotlight,
)
from tests.support import builders
from tests.support.clock import FakeClock

OLD = datetime(2023, 3, 1, 12, 0, tzinfo=UTC)
RECENT = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 18, 1, 30, tzinfo=UTC)  # the night of Wednesday 18 November


def _count(services: Services, model: object) -> int:
    with services.sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0  # type: ignore[arg-type]


def _history(services: Services, clock: FakeClock) -> tuple[int, int]:
    """An old nomination (with an endorsement, its post, a DM and a spotlight) and a recent
    one; returns their ids."""
    workspace = builders.workspace(services)
    ana = builders.member(services, workspace.id, "UANA", "Ana", title="Nurse")
    nia = builders.member(services, workspace.id, "UNIA", "Nia", title="Porter")
    sam = builders.member(services, workspace.id, "USAM", "Sam")
    clock.set(OLD)
    old = builders.nomination(services, ana, [nia], behaviours=("speaking-up",)).nomination_id
    with services.sessions() as session:
        endorse(session, old, sam, clock=clock)
        for channel, kind in (("CWARD", "recognition"), ("UNIA", "recognition-dm")):
            claim = claim_delivery(session, DeliveryKey(workspace.id, channel, kind, str(old)), OLD)
            assert claim is not None
            mark_delivery_posted(session, claim, "1.1", OLD)
        session.add(
            Spotlight(
                workspace_id=workspace.id,
                member_id=nia.id,
                nomination_id=old,
                period_key="2023-03-06",
                spotlighted_at=OLD,
            )
        )
        session.commit()
    clock.set(RECENT)
    recent = builders.nomination(services, nia, [ana]).nomination_id
    clock.set(NOW)
    return old, recent


@pytest.fixture
def retention_services(
    make_settings: Callable[..., Settings], clock: FakeClock
) -> Callable[..., Services]:
    built: list[Services] = []

    def make(**overrides: object) -> Services:
        from db.migrate import upgrade_database

        services = build_services(make_settings(**overrides), clock=clock)
        upgrade_database(services.engine)
        built.append(services)
        return services

    yield make  # type: ignore[misc]
    for services in built:
        services.close()


def test_months_are_calendar_months_and_the_cutoff_is_local_midnight(settings: Settings) -> None:
    assert months_before(date(2026, 11, 18), 36) == date(2023, 11, 18)
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2026, 1, 15), 13) == date(2024, 12, 15)
    # London is on GMT in November, on BST in June.
    assert retention_cutoff(NOW, 36, settings) == datetime(2023, 11, 18, 0, 0, tzinfo=UTC)
    june = datetime(2026, 6, 10, 12, tzinfo=UTC)
    assert retention_cutoff(june, 12, settings) == datetime(2025, 6, 9, 23, 0, tzinfo=UTC)


def test_delete_removes_old_nominations_with_everything_attached(
    services: Services, clock: FakeClock
) -> None:
    _old, recent = _history(services, clock)

    (outcome,) = run_retention(services, RetentionPolicy(36, RetentionMode.DELETE), CLI)

    assert (outcome.nominations, outcome.nominees, outcome.endorsements, outcome.deliveries) == (
        1,
        1,
        1,
        2,
    )
    assert outcome.describe() == (
        "T0FAKE: 1 nomination from before 2023-11-18 deleted (1 nominee link, "
        "1 endorsement, 2 deliveries removed)."
    )
    with services.sessions() as session:
        assert session.scalars(select(Nomination.id)).all() == [recent]
        assert session.scalars(select(NominationBehaviour.nomination_id)).all() == [recent]
        assert session.scalars(select(NominationNominee.nomination_id)).all() == [recent]
        assert session.scalar(select(func.count()).select_from(Endorsement)) == 0
        assert session.scalar(select(func.count()).select_from(Delivery)) == 0
        assert session.scalars(select(Spotlight.nomination_id)).all() == [None]
        (entry,) = audit_entries(session)
    assert (entry.actor, entry.platform, entry.action, entry.subject) == (
        "cli",
        "cli",
        "retention.applied",
        "workspace T0FAKE",
    )
    assert entry.detail == {
        "mode": "delete",
        "months": 36,
        "cutoff": "2023-11-18T00:00:00+00:00",
        "nominations": 1,
        "nominee_links": 1,
        "endorsements": 1,
        "deliveries": 2,
    }


def test_anonymise_keeps_the_nomination_counted_without_story_or_people(
    services: Services, clock: FakeClock
) -> None:
    old, recent = _history(services, clock)
    policy = RetentionPolicy(36, RetentionMode.ANONYMISE)

    (outcome,) = run_retention(services, policy, CLI)
    (again,) = run_retention(services, policy, CLI)  # nothing left to anonymise

    assert (outcome.nominations, again.nominations) == (1, 0)
    with services.sessions() as session:
        kept = session.get(Nomination, old)
        assert kept is not None
        assert kept.story == messages.RETENTION_ANONYMISED_STORY
        assert kept.nominator_id is None and kept.posted_message_id is None
        assert kept.fingerprint == "" and kept.dedupe_key == f"anonymised:{old}"
        assert [link.behaviour_slug for link in kept.behaviours] == ["speaking-up"]
        assert kept.nominees == [] and kept.endorsements == []
        assert session.scalar(select(func.count()).select_from(Delivery)) == 0
        recent_row = session.get(Nomination, recent)
        assert recent_row is not None and recent_row.story == builders.STORY
        assert [entry.detail["nominations"] for entry in audit_entries(session)] == [0, 1]
    assert _count(services, Nomination) == 2


def test_a_dry_run_counts_and_changes_nothing(services: Services, clock: FakeClock) -> None:
    _history(services, clock)

    (outcome,) = run_retention(
        services, RetentionPolicy(36, RetentionMode.DELETE), CLI, dry_run=True
    )

    assert outcome.describe().startswith("T0FAKE (dry run, nothing changed): 1 nomination")
    assert _count(services, Nomination) == 2
    assert _count(services, Delivery) == 2
    with services.sessions() as session:
        assert audit_entries(session) == []


def test_the_nightly_run_applies_once_a_night(
    retention_services: Callable[..., Services], clock: FakeClock
) -> None:
    services = retention_services(EVERYSEAT_RETENTION_MONTHS="36")
    _history(services, clock)

    first = run_nightly_retention(services, SCHEDULER)
    clock.advance(timedelta(minutes=20))
    second = run_nightly_retention(services, SCHEDULER)  # same night: already done
    clock.advance(timedelta(days=1))
    third = run_nightly_retention(services, SCHEDULER)  # the next night runs again

    assert [len(first), len(second), len(third)] == [1, 0, 1]
    assert first[0].nominations == 1 and third[0].nominations == 0
    with services.sessions() as session:
        assert [(e.actor, e.detail["nominations"]) for e in audit_entries(session)] == [
            ("scheduler", 0),
            ("scheduler", 1),
        ]
        retention_claims = session.scalars(
            select(Delivery.period_key).where(Delivery.kind == "retention")
        ).all()
    assert sorted(retention_claims) == ["2026-11-18", "2026-11-19"]


def test_two_schedulers_racing_make_one_run(
    retention_services: Callable[..., Services], clock: FakeClock
) -> None:
    replicas = [retention_services(EVERYSEAT_RETENTION_MONTHS="36") for _ in range(2)]
    _history(replicas[0], clock)
    start = threading.Barrier(2)
    results: list[int] = []

    def replica(services: Services) -> None:
        start.wait()
        results.append(len(run_nightly_retention(services, SCHEDULER)))

    threads = [threading.Thread(target=replica, args=(services,)) for services in replicas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sorted(results) == [0, 1]
    with replicas[0].sessions() as session:
        (entry,) = audit_entries(session)
    assert entry.detail["nominations"] == 1
    assert _count(replicas[0], Nomination) == 1


def test_retention_is_off_by_default_and_the_mode_is_checked(
    make_settings: Callable[..., Settings], services: Services, clock: FakeClock
) -> None:
    _history(services, clock)
    assert RetentionPolicy.from_settings(services.settings) is None
    assert run_nightly_retention(services, SCHEDULER) == []
    assert _count(services, Nomination) == 2
    assert make_settings(EVERYSEAT_RETENTION_MODE="Anonymize").EVERYSEAT_RETENTION_MODE == (
        "anonymise"
    )
    with pytest.raises(ConfigError, match="EVERYSEAT_RETENTION_MODE is not a retention mode"):
        make_settings(EVERYSEAT_RETENTION_MODE="shred")
    with pytest.raises(ConfigError, match="EVERYSEAT_RETENTION_MONTHS"):
        make_settings(EVERYSEAT_RETENTION_MONTHS="0")

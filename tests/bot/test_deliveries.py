"""Delivery claims hold for the deployment's lease (EVERYSEAT_DELIVERY_LEASE_SECONDS)."""

from __future__ import annotations

from datetime import timedelta

from bot.app.composition import build_services
from bot.deliveries import DEFAULT_LEASE, DeliveryKey, claim_delivery
from bot.people.directory import get_or_create_workspace
from db.migrate import upgrade_database
from tests.support.clock import FakeClock


def test_claims_use_the_configured_lease_and_can_be_taken_over_after_it(
    make_settings, clock: FakeClock
) -> None:
    services = build_services(make_settings(EVERYSEAT_DELIVERY_LEASE_SECONDS=45), clock=clock)
    upgrade_database(services.engine)
    try:
        with services.sessions() as session:
            workspace = get_or_create_workspace(session, "slack", "T1", clock())
            key = DeliveryKey(workspace.id, "C1", "digest", "2026-11-16")
            claim = claim_delivery(session, key, clock())
            assert claim is not None
            assert claim.lease_expires_at - clock() == timedelta(seconds=45)
            clock.advance(timedelta(seconds=44))
            assert claim_delivery(session, key, clock()) is None  # still held
            clock.advance(timedelta(seconds=2))
            taken = claim_delivery(session, key, clock())
            assert taken is not None and taken.attempt == 2
    finally:
        services.close()


def test_the_default_lease_is_ten_minutes(make_settings) -> None:
    assert DEFAULT_LEASE.total_seconds() == make_settings().EVERYSEAT_DELIVERY_LEASE_SECONDS

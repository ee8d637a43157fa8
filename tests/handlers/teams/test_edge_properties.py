"""Property tests of the Teams edge: generated mutations of real activities, sent as real
HTTP requests to the real app, never get a 500 nor leave a row that shouldn't exist. In
local-test mode every activity is accepted unauthenticated (the "signed" case); with
credentials configured and no valid token, nothing may be stored at all."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from bot.app.composition import build_services
from bot.app.server import create_app
from db.migrate import upgrade_database
from db.models import Member, Nomination, NominationNominee, TeamsConversation, Workspace
from tests.fakes.bot_connector import FakeBotConnector
from tests.handlers.teams.conftest import PAYLOADS, TeamsWorld, load_activity
from tests.support.mutations import mutated_json
from tests.support.server import running_server

PROPERTY_SETTINGS = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ACTIVITIES = sorted(path.stem for path in Path(PAYLOADS).glob("*.json"))
CLIENT_ID = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"


def row_counts(services: Any) -> tuple[int, ...]:
    with services.sessions() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(table)) or 0
            for table in (Nomination, Member, Workspace, TeamsConversation)
        )


def assert_every_stored_nomination_keeps_the_rules(world: TeamsWorld) -> None:
    rules = world.services.rules
    with world.services.sessions() as session:
        for nomination in session.scalars(
            select(Nomination).options(
                selectinload(Nomination.nominees).selectinload(NominationNominee.member),
                selectinload(Nomination.behaviours),
            )
        ):
            assert rules.min_story <= len(nomination.story) <= rules.max_story
            assert nomination.behaviours
            assert all(b.behaviour_slug in world.services.catalogue for b in nomination.behaviours)
            for link in nomination.nominees:
                assert link.member_id != nomination.nominator_id
                assert not link.member.is_bot


@PROPERTY_SETTINGS
@given(data=st.data())
def test_mutated_activities_never_500(
    world: TeamsWorld, caplog: pytest.LogCaptureFixture, data: st.DataObject
) -> None:
    caplog.set_level(logging.WARNING)
    original = load_activity(data.draw(st.sampled_from(ACTIVITIES)), world.connector.service_url)
    # One change at a time: most activities then still parse, and reach the handlers.
    activity = data.draw(mutated_json(original, max_changes=1))
    if isinstance(activity, dict) and data.draw(st.booleans()):
        activity["serviceUrl"] = world.connector.service_url  # keep replies on loopback
    response = world.post(activity)
    event(f"→ {response.status_code}")
    assert response.status_code < 500, f"{response.status_code} for {str(activity)[:300]}"
    assert_every_stored_nomination_keeps_the_rules(world)


@pytest.fixture
def authenticated_app(connector: FakeBotConnector, make_settings) -> Iterator[tuple[Any, str]]:
    settings_ = make_settings(TEAMS_CLIENT_ID=CLIENT_ID, TEAMS_CLIENT_SECRET="not-a-real-secret")
    services = build_services(settings_)
    upgrade_database(services.engine)
    try:
        with running_server(create_app(services)) as base_url:
            yield services, base_url
    finally:
        services.close()


@PROPERTY_SETTINGS
@given(data=st.data())
def test_mutated_activities_without_a_token_store_nothing(
    authenticated_app: tuple[Any, str], connector: FakeBotConnector, data: st.DataObject
) -> None:
    services, base_url = authenticated_app
    original = load_activity(data.draw(st.sampled_from(ACTIVITIES)), connector.service_url)
    activity = data.draw(mutated_json(original))
    token = data.draw(st.sampled_from([None, "not-a-jwt", "a.b.c"]))
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx.post(f"{base_url}/api/messages", json=activity, headers=headers, timeout=30)
    event(f"→ {response.status_code}")
    assert response.status_code in (400, 401)
    assert row_counts(services) == (0, 0, 0, 0)
    assert connector.calls == []

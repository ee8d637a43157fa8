"""A running Everyseat server in Teams local-test mode, wired to a fake Bot Connector."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.app.composition import build_services
from bot.app.server import create_app
from bot.services import Services
from db.migrate import upgrade_database
from tests.fakes.bot_connector import FakeBotConnector
from tests.support.clock import FakeClock
from tests.support.server import running_server

PAYLOADS = Path(__file__).resolve().parents[2] / "payloads" / "teams"
WARD7 = "19:ward7-general@thread.tacv2"


def load_activity(name: str, service_url: str, **changes: Any) -> dict[str, Any]:
    """A stored activity, pointed at the fake connector, with top-level keys replaced."""
    activity = json.loads((PAYLOADS / f"{name}.json").read_text())
    activity["serviceUrl"] = service_url
    activity.update(copy.deepcopy(changes))
    return activity


@dataclass
class TeamsWorld:
    services: Services
    connector: FakeBotConnector
    base_url: str

    def post(self, activity: dict[str, Any], **headers: str) -> httpx.Response:
        url = f"{self.base_url}/api/messages"
        return httpx.post(url, json=activity, headers=headers, timeout=10)

    def send(self, name: str, **changes: Any) -> httpx.Response:
        return self.post(load_activity(name, self.connector.service_url, **changes))


@pytest.fixture
def connector() -> Iterator[FakeBotConnector]:
    fake = FakeBotConnector().start()
    fake.add_member(WARD7, "29:ana-teams-id", "Ana Lopes", "aad-ana")
    fake.add_member(WARD7, "29:nia-teams-id", "Nia Okafor", "aad-nia")
    fake.add_member(WARD7, "29:sam-teams-id", "Sam Reid", "aad-sam")
    fake.add_member(WARD7, "29:ola-teams-id", "Ola Mensah", "aad-ola")
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def world(connector: FakeBotConnector, make_settings, clock: FakeClock) -> Iterator[TeamsWorld]:
    settings = make_settings(TEAMS_ALLOW_UNAUTHENTICATED="true")
    services = build_services(settings, clock=clock)
    upgrade_database(services.engine)
    try:
        with running_server(create_app(services)) as base_url:
            yield TeamsWorld(services, connector, base_url)
    finally:
        services.close()

"""`everyseat serve` as a process in Teams local-test mode: activities in, replies out."""

from __future__ import annotations

from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, select

from db.models import Nomination, TeamsConversation
from tests.fakes.bot_connector import FakeBotConnector
from tests.handlers.teams.conftest import WARD7, load_activity
from tests.support.adaptive_cards import texts
from tests.support.processes import serve_process


def test_serve_answers_teams_on_api_messages(
    connector: FakeBotConnector, database_url: str, tmp_path: Path
) -> None:
    with serve_process(
        tmp_path,
        "--no-scheduler",
        TEAMS_ALLOW_UNAUTHENTICATED="true",
        DATABASE_URL=database_url,
    ) as base_url:
        url = f"{base_url}/api/messages"
        install = load_activity("installation_update_add_team", connector.service_url)
        assert httpx.post(url, json=install, timeout=10).status_code == 200
        nomination = load_activity("message_mention_nominate", connector.service_url)
        assert httpx.post(url, json=nomination, timeout=10).status_code == 200
        card_post = connector.sent_to(f"{WARD7};messageid=1700000000001")[0]
        assert texts(card_post.cards[0])[1].startswith("Ana Lopes recognised Nia Okafor")
    log = next(tmp_path.glob("serve-*.log")).read_text()
    assert "TEAMS_ALLOW_UNAUTHENTICATED is on" in log

    engine = create_engine(database_url)
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Nomination)) == 1
        assert connection.scalar(select(func.count()).select_from(TeamsConversation)) == 1
    engine.dispose()

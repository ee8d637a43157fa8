"""A database outage: the user is told to try again, health turns red, nothing half-written."""

from __future__ import annotations

import logging
import time

import httpx
import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import make_url

from bot import messages
from bot.app.composition import build_services
from bot.app.server import create_app
from db.models import Nomination
from tests.fakes.slack_web_api import FakeSlack
from tests.fakes.tcp_proxy import TcpProxy
from tests.handlers.slack.conftest import SIGNING_SECRET
from tests.support.server import running_server
from tests.support.slack_requests import SlackSender

STORY = "Kept the discharge lounge running calmly through the fire alarm."


def test_outage_says_try_again_and_recovers(
    postgres_url: str, fake_slack: FakeSlack, make_settings
) -> None:
    url = make_url(postgres_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    fake_slack.add_user("UANA", "Ana")
    fake_slack.add_user("UNIA", "Nia")
    settings = make_settings(
        DATABASE_URL=proxied,
        SLACK_BOT_TOKEN="xoxb-outage",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake_slack.api_url,
    )
    services = build_services(settings)
    try:
        with running_server(create_app(services)) as base_url:
            sender = SlackSender(base_url, SIGNING_SECRET, fake_slack.response_url)
            assert httpx.get(f"{base_url}/healthz").status_code == 200

            proxy.cut()
            health = httpx.get(f"{base_url}/healthz", timeout=10)
            assert health.status_code == 503 and health.json()["database"] == "unreachable"
            typed = f"<@UNIA> {STORY} #speaking-up"
            answer = sender.command(typed)
            assert answer.status_code == 200
            assert answer.json()["text"] == messages.STORAGE_TRY_AGAIN_WITH_TEXT.format(
                problem=messages.STORAGE_UNAVAILABLE, text=typed
            )

            proxy.restore()
            deadline = time.monotonic() + 10
            while httpx.get(f"{base_url}/healthz", timeout=10).status_code != 200:
                assert time.monotonic() < deadline, "health did not recover"
            sender.command(f"<@UNIA> {STORY} #speaking-up")
            (reply,) = fake_slack.wait_for("response_url")
            assert reply.args["text"].startswith("Recorded")
    finally:
        services.close()
        proxy.close()

    engine = create_engine(postgres_url)
    with engine.connect() as connection:
        stories = connection.scalars(select(Nomination.story)).all()
        assert stories == [STORY]
        assert connection.scalar(select(func.count()).select_from(Nomination)) == 1
    engine.dispose()


def test_a_hung_database_gets_a_try_again_and_health_from_our_own_deadlines(
    postgres_url: str, fake_slack: FakeSlack, make_settings, caplog: pytest.LogCaptureFixture
) -> None:
    """The proxy keeps every connection open but forwards nothing: no error ever comes back
    from the database, so only our own deadlines can answer (how long they are is
    set in bot/app/server.py and bot/services.py; no test times them)."""
    caplog.set_level(logging.WARNING, logger="bot.app.server")
    url = make_url(postgres_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    fake_slack.add_user("UANA", "Ana")
    fake_slack.add_user("UNIA", "Nia")
    settings = make_settings(
        DATABASE_URL=proxied,
        SLACK_BOT_TOKEN="xoxb-hung",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake_slack.api_url,
    )
    services = build_services(settings, serving=True)
    try:
        with running_server(create_app(services)) as base_url:
            sender = SlackSender(base_url, SIGNING_SECRET, fake_slack.response_url)
            assert httpx.get(f"{base_url}/healthz").status_code == 200

            proxy.hold()
            for _ in range(3):  # the load balancer keeps asking; every answer comes
                health = httpx.get(f"{base_url}/healthz", timeout=10)
                assert health.status_code == 503 and health.json()["database"] == "unreachable"
            # The database never answers: only the probe's own deadline can have said so.
            assert "database did not answer within" in caplog.text

            typed = f"<@UNIA> {STORY} #speaking-up"
            answer = sender.command(typed)
            # A new connection gives up (connect timeout), or the ack deadline passes first:
            # the database never answers, so either way it is our own deadline speaking.
            assert answer.json()["text"] in {
                messages.STORAGE_TRY_AGAIN_WITH_TEXT.format(problem=problem, text=typed)
                for problem in (messages.STORAGE_UNAVAILABLE, messages.STORAGE_TOO_SLOW)
            }

            proxy.cut()  # the hang ends as an outage, then the database comes back
            proxy.release()
            proxy.restore()
            deadline = time.monotonic() + 15
            while httpx.get(f"{base_url}/healthz", timeout=10).status_code != 200:
                assert time.monotonic() < deadline, "health did not recover"
            sender.command(f"<@UNIA> {STORY} Again, the next night. #speaking-up")
            replies = fake_slack.wait_for("response_url")
            assert replies[-1].args["text"].startswith("Recorded")
    finally:
        services.close()
        proxy.close()

    engine = create_engine(postgres_url)
    with engine.connect() as connection:
        stories = connection.scalars(select(Nomination.story)).all()
    engine.dispose()
    assert f"{STORY} Again, the next night." in stories

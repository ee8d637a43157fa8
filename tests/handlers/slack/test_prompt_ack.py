"""The prompt runner answers Slack with a listener's acknowledgement as soon as it is given,
while the listener goes on working, and handles a listener's errors as Bolt does."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlencode

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.app.composition import build_services
from handlers.slack.app import create_slack_app
from handlers.slack.prompt_ack import PromptListenerRunner, answer_promptly


async def _authorize(**_kwargs: Any) -> AuthorizeResult:
    return AuthorizeResult(enterprise_id=None, team_id="T1", bot_token="xoxb-test", bot_id="B1")


def _app() -> tuple[AsyncApp, list[Exception]]:
    app = AsyncApp(
        signing_secret="unused", authorize=_authorize, request_verification_enabled=False
    )
    answer_promptly(app)
    errors: list[Exception] = []

    @app.error
    async def remember(error: Exception) -> None:
        errors.append(error)

    return app, errors


async def _reported(errors: list[Exception]) -> None:
    while not errors:
        await asyncio.sleep(0.01)


def _command(text: str = "") -> AsyncBoltRequest:
    body = urlencode(
        {
            "command": "/nominate",
            "text": text,
            "team_id": "T1",
            "user_id": "U1",
            "channel_id": "C1",
            "trigger_id": "1.2.3",
            "response_url": "https://hooks.slack.invalid/1",
        }
    )
    return AsyncBoltRequest(
        body=body, headers={"content-type": ["application/x-www-form-urlencoded"]}
    )


def test_everyseats_slack_app_answers_promptly(make_settings, clock) -> None:
    settings = make_settings(SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET="secret")
    services = build_services(settings, clock=clock)
    try:
        assert isinstance(create_slack_app(services).listener_runner, PromptListenerRunner)
    finally:
        services.close()


def test_answered_with_the_acknowledgement_while_the_listener_still_works() -> None:
    async def scenario() -> None:
        app, errors = _app()
        release, finished = asyncio.Event(), asyncio.Event()

        @app.command("/nominate")
        async def listener(ack: AsyncAck) -> None:
            await ack(text="stored")
            await release.wait()  # sending, after Slack has its answer
            finished.set()

        response = await app.async_dispatch(_command())
        assert response.status == 200
        assert response.body == "stored"
        assert not finished.is_set()  # answered before the listener's work ended
        release.set()
        await asyncio.wait_for(finished.wait(), 5)
        assert errors == []

    asyncio.run(scenario())


def test_an_error_before_acknowledging_is_a_500_for_the_error_handler() -> None:
    async def scenario() -> None:
        app, errors = _app()

        @app.command("/nominate")
        async def listener(ack: AsyncAck) -> None:
            raise RuntimeError("broken before ack")

        response = await app.async_dispatch(_command())
        assert response.status == 500
        assert [str(error) for error in errors] == ["broken before ack"]

    asyncio.run(scenario())


def test_an_error_after_acknowledging_keeps_the_answer_and_is_reported() -> None:
    async def scenario() -> None:
        app, errors = _app()

        @app.command("/nominate")
        async def listener(ack: AsyncAck) -> None:
            await ack(text="stored")
            await asyncio.sleep(0)
            raise RuntimeError("broken after ack")

        response = await app.async_dispatch(_command())
        assert (response.status, response.body) == (200, "stored")
        await asyncio.wait_for(_reported(errors), 5)  # it fails after Slack has its answer
        assert [str(error) for error in errors] == ["broken after ack"]

    asyncio.run(scenario())


def test_a_listener_that_never_acknowledges_leaves_the_request_unhandled() -> None:
    async def scenario() -> None:
        app, _errors = _app()
        ran: list[str] = []

        @app.command("/nominate")
        async def listener(ack: AsyncAck, body: dict[str, Any]) -> None:
            ran.append(body["text"])

        response = await app.async_dispatch(_command("hello"))
        assert ran == ["hello"]
        assert response.status == 404  # Bolt's answer for a request no listener handled

    asyncio.run(scenario())

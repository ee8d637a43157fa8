"""The yardstick for acknowledgement latency: a Bolt app that only calls ack().

It runs on the same stack as `everyseat serve` (uvicorn, FastAPI, AsyncSlackRequestHandler,
a signed-request check, an AsyncWebClient pointed at the same fake Slack), so the difference
between the two is what Everyseat adds.
"""

from __future__ import annotations

import os

import uvicorn
from fastapi import FastAPI, Request, Response
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient


def create_bare_app(token: str, signing_secret: str, api_url: str) -> FastAPI:
    slack_app = AsyncApp(
        client=AsyncWebClient(token=token, base_url=api_url), signing_secret=signing_secret
    )

    @slack_app.command("/nominate")
    async def acknowledge(ack: AsyncAck) -> None:
        await ack()

    handler = AsyncSlackRequestHandler(slack_app)
    api = FastAPI(docs_url=None, redoc_url=None)

    @api.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @api.post("/slack/events")
    async def slack_events(request: Request) -> Response:
        return await handler.handle(request)

    return api


def main() -> None:
    app = create_bare_app(
        os.environ["SLACK_BOT_TOKEN"],
        os.environ["SLACK_SIGNING_SECRET"],
        os.environ["SLACK_API_URL"],
    )
    # The same server settings as bot.app.server.serve.
    config = uvicorn.Config(
        app,
        host=os.environ["HOST"],
        port=int(os.environ["PORT"]),
        log_config=None,
        log_level="warning",
        proxy_headers=True,
    )
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()

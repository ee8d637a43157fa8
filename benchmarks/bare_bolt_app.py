"""The yardsticks: Bolt apps on Everyseat's stack that make only the platform calls a path
must make, so the difference between them and Everyseat is what Everyseat adds.

`REFERENCE_MODE` picks the path:
- `ack`: `/nominate` is acknowledged, nothing else (the floor of any acknowledgement);
- `modal`: acknowledged, then `views.open` with the same blank form Everyseat opens;
- `nominate`: a one-line nomination's floor: acknowledged, one INSERT, the nominee's DM and
  the public post (chat.postMessage twice) and the confirmation through `respond`.

Same stack as `everyseat serve`: uvicorn, FastAPI, AsyncSlackRequestHandler, a signed-request
check, an AsyncWebClient with one pooled aiohttp session, the same logging levels.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import uvicorn
from fastapi import FastAPI, Request, Response
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text, insert

from bot.app.logs import configure_logging
from bot.app.server import open_web_api_session
from bot.nominations.behaviours import load_catalogue
from bot.nominations.rules import NominationRules
from db.engine import create_database_engine
from handlers.slack.render import FormPrefill, nomination_form

MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
metadata = MetaData()
REFERENCE_NOMINATION = Table(
    "reference_nomination",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("nominator", String(64)),
    Column("nominee", String(64)),
    Column("story", Text),
    Column("created_at", DateTime(timezone=True)),
)


def create_bare_app(
    token: str, signing_secret: str, api_url: str, mode: str = "ack", database_url: str = ""
) -> FastAPI:
    client = AsyncWebClient(token=token, base_url=api_url)
    slack_app = AsyncApp(client=client, signing_secret=signing_secret)
    # Built once: the reference pays for sending the form, not for building it.
    form = nomination_form(load_catalogue(), NominationRules(), FormPrefill(channel_id="CWARD"))
    engine = create_database_engine(database_url) if mode == "nominate" else None
    if engine is not None:
        metadata.create_all(engine)
    executor = ThreadPoolExecutor(max_workers=8)
    recognition_channel = os.environ.get("EVERYSEAT_RECOGNITION_CHANNEL", "CRECOGNITION")

    def store(nominator: str, nominee: str, story: str) -> None:
        assert engine is not None
        with engine.begin() as connection:
            connection.execute(
                insert(REFERENCE_NOMINATION).values(
                    nominator=nominator, nominee=nominee, story=story, created_at=datetime.now(UTC)
                )
            )

    @slack_app.command("/nominate")
    async def on_command(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        if mode == "modal":
            await client.views_open(trigger_id=body["trigger_id"], view=form)
        elif mode == "nominate":
            text = body.get("text") or ""
            nominee = (MENTION.findall(text) or ["UNOBODY"])[0]
            await asyncio.get_running_loop().run_in_executor(
                executor, store, body["user_id"], nominee, text
            )
            await client.chat_postMessage(channel=nominee, text=text, unfurl_links=False)
            await client.chat_postMessage(
                channel=recognition_channel, text=text, unfurl_links=False
            )
            await respond(text=f"Recorded: {text}", response_type="ephemeral")

    handler = AsyncSlackRequestHandler(slack_app)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        session = open_web_api_session(client)
        try:
            yield
        finally:
            await session.close()

    api = FastAPI(docs_url=None, redoc_url=None, lifespan=lifespan)

    @api.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @api.post("/slack/events")
    async def slack_events(request: Request) -> Response:
        return await handler.handle(request)

    return api


def main() -> None:
    configure_logging(os.environ.get("LOG_LEVEL", "WARNING"))
    logging.getLogger("uvicorn.access").disabled = True
    app = create_bare_app(
        os.environ["SLACK_BOT_TOKEN"],
        os.environ["SLACK_SIGNING_SECRET"],
        os.environ["SLACK_API_URL"],
        os.environ.get("REFERENCE_MODE", "ack"),
        os.environ.get("DATABASE_URL", ""),
    )
    # The same server settings as bot.app.server.serve.
    config = uvicorn.Config(
        app,
        host=os.environ["HOST"],
        port=int(os.environ["PORT"]),
        log_config=None,
        proxy_headers=True,
        access_log=False,
    )
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()

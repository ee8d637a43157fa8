"""Slack Web API clients built from the settings, retrying rate limits and server errors;
and Bolt's `respond` over the same pooled connections."""

from __future__ import annotations

from collections.abc import Sequence
from ssl import SSLContext
from typing import Any

import aiohttp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.context.respond.internals import _build_message
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.models.attachments import Attachment
from slack_sdk.models.blocks import Block
from slack_sdk.web import WebClient
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook import WebhookResponse
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.settings import Settings

DEFAULT_API_URL = "https://slack.com/api/"
# Rate limits honour Retry-After; 5xx responses back off exponentially.
MAX_RETRIES = 3


def _token_and_url(settings: Settings) -> tuple[str | None, str]:
    token = settings.SLACK_BOT_TOKEN.get_secret_value() if settings.SLACK_BOT_TOKEN else None
    return token, settings.SLACK_API_URL or DEFAULT_API_URL


def build_async_client(settings: Settings) -> AsyncWebClient:
    """For Bolt's listeners (the server's event loop)."""
    token, base_url = _token_and_url(settings)
    client = AsyncWebClient(token=token, base_url=base_url)
    client.retry_handlers.extend(
        [
            AsyncRateLimitErrorRetryHandler(max_retry_count=MAX_RETRIES),
            AsyncServerErrorRetryHandler(max_retry_count=MAX_RETRIES),
        ]
    )
    return client


def build_sync_client(settings: Settings) -> WebClient:
    """For jobs and the command line, which run outside the event loop."""
    token, base_url = _token_and_url(settings)
    client = WebClient(token=token, base_url=base_url)
    client.retry_handlers.extend(
        [
            RateLimitErrorRetryHandler(max_retry_count=MAX_RETRIES),
            ServerErrorRetryHandler(max_retry_count=MAX_RETRIES),
        ]
    )
    return client


class PooledRespond(AsyncRespond):
    """Bolt's `respond` (replies to a request's response_url) over the server's pooled
    aiohttp session. Bolt's own opens a session, and a new TLS connection, for every reply:
    after a one-line nomination that was the costliest step of the whole request."""

    def __init__(
        self,
        *,
        response_url: str | None,
        session: aiohttp.ClientSession,
        proxy: str | None = None,
        ssl: SSLContext | None = None,
    ) -> None:
        super().__init__(response_url=response_url, proxy=proxy, ssl=ssl)
        self.session = session

    async def __call__(
        self,
        text: str | dict[str, Any] = "",
        blocks: Sequence[dict[str, Any] | Block] | None = None,
        attachments: Sequence[dict[str, Any] | Attachment] | None = None,
        response_type: str | None = None,
        replace_original: bool | None = None,
        delete_original: bool | None = None,
        unfurl_links: bool | None = None,
        unfurl_media: bool | None = None,
        thread_ts: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> WebhookResponse:
        if self.response_url is None or self.session.closed:  # Bolt's says what's wrong
            return await super().__call__(
                text,
                blocks,
                attachments,
                response_type,
                replace_original,
                delete_original,
                unfurl_links,
                unfurl_media,
                thread_ts,
                metadata,
            )
        if isinstance(text, dict):
            message = _build_message(**text)
        else:
            message = _build_message(
                text=text,
                blocks=blocks,
                attachments=attachments,
                response_type=response_type,
                replace_original=replace_original,
                delete_original=delete_original,
                unfurl_links=unfurl_links,
                unfurl_media=unfurl_media,
                thread_ts=thread_ts,
                metadata=metadata,
            )
        client = AsyncWebhookClient(
            url=self.response_url, proxy=self.proxy, ssl=self.ssl, session=self.session
        )
        return await client.send_dict(message)

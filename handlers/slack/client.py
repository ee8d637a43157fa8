"""Slack Web API clients built from the settings, retrying rate limits and server errors."""

from __future__ import annotations

from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.web import WebClient
from slack_sdk.web.async_client import AsyncWebClient

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

"""Logging set-up, with a filter that keeps tokens and secrets out of every log line."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

# Slack tokens (xoxb-, xoxp-, xapp-, …) wherever they appear, even in a library's message.
_TOKEN = re.compile(r"\b(xox[abposr]|xapp)-[A-Za-z0-9-]+")


class RedactSecrets(logging.Filter):
    """Replaces known secret values and anything token-shaped with a placeholder."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets = [secret for secret in secrets if secret and len(secret) >= 6]

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "[redacted]")
        return _TOKEN.sub(r"\1-[redacted]", text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.redact(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


# slack_sdk decides whether to build its debug strings (the whole request, view and all)
# from its own logger's `level`, not the effective one: left unset (0) it builds them on
# every call, even when nothing below WARNING is printed. Each gets the configured level.
LIBRARY_LOGGERS = (
    "slack_sdk",
    "slack_sdk.web.async_base_client",
    "slack_sdk.web.base_client",
    "slack_sdk.web.legacy_base_client",
    "slack_sdk.web.async_internal_utils",
    # Replies to a response_url (`respond`): the whole message, on every reply.
    "slack_sdk.webhook.async_client",
    "slack_sdk.webhook.client",
    "slack_bolt",
    # Bolt's framework logger (handlers/slack/app.py): "Applying <middleware>" per request,
    # and the level its middlewares' loggers copy when the app is built.
    "everyseat.slack",
)


def configure_logging(level: str, secrets: Iterable[str] = ()) -> None:
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(level)
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)

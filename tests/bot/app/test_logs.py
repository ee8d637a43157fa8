"""Secrets never reach the logs."""

from __future__ import annotations

import logging

from bot.app.logs import LIBRARY_LOGGERS, RedactSecrets, configure_logging


def test_tokens_and_known_secrets_are_redacted(caplog) -> None:
    logger = logging.getLogger("everyseat.test")
    redactor = RedactSecrets(["signing-secret-value"])
    logger.addFilter(redactor)
    try:
        with caplog.at_level(logging.INFO, logger="everyseat.test"):
            logger.info("token %s and secret %s", "xoxb-123-456-abc", "signing-secret-value")
    finally:
        logger.removeFilter(redactor)
    (record,) = caplog.records
    assert record.getMessage() == "token xoxb-[redacted] and secret [redacted]"


def test_slack_libraries_build_no_debug_lines_unless_debugging() -> None:
    # slack_sdk and Bolt build their debug strings (whole requests and replies) whenever their
    # logger's own level is unset, whatever the root's: each must get the configured level.
    from slack_sdk.web.async_client import AsyncWebClient
    from slack_sdk.webhook.async_client import AsyncWebhookClient

    from handlers.slack.app import BOLT_LOGGER

    root = logging.getLogger()
    saved = {name: logging.getLogger(name).level for name in LIBRARY_LOGGERS}
    saved_root = (root.level, root.handlers[:])
    try:
        configure_logging("INFO")
        consulted = [
            AsyncWebhookClient(url="http://127.0.0.1/response").logger,  # respond()
            AsyncWebClient()._logger,  # every Web API call
            logging.getLogger(BOLT_LOGGER),  # Bolt's dispatch, and its middlewares' copies
        ]
        assert [logger.level for logger in consulted] == [logging.INFO] * len(consulted)
    finally:
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)
        root.setLevel(saved_root[0])
        root.handlers[:] = saved_root[1]

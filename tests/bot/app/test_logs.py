"""Secrets never reach the logs."""

from __future__ import annotations

import logging

from bot.app.logs import RedactSecrets


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

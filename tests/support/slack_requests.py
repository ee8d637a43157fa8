"""Builds and sends Slack's signed requests: slash commands and interactivity payloads."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from slack_sdk.signature import SignatureVerifier

PAYLOADS = Path(__file__).parent.parent / "payloads"


def load_payload(name: str, **replacements: Any) -> dict[str, Any]:
    """A payload from tests/payloads/, with top-level keys replaced."""
    payload: dict[str, Any] = json.loads((PAYLOADS / name).read_text())
    payload.update(replacements)
    return payload


class SlackSender:
    """Signs requests the way Slack does and posts them to the running app."""

    def __init__(self, base_url: str, signing_secret: str, response_url: str) -> None:
        self.url = f"{base_url}/slack/events"
        self.signing_secret = signing_secret
        self.response_url = response_url
        self.http = httpx.Client(timeout=10)

    def headers(
        self, body: str, timestamp: int | None = None, secret: str | None = None
    ) -> dict[str, str]:
        stamp = str(timestamp if timestamp is not None else int(time.time()))
        signature = SignatureVerifier(secret or self.signing_secret).generate_signature(
            timestamp=stamp, body=body
        )
        return {
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": signature or "",
            "Content-Type": "application/x-www-form-urlencoded",
        }

    def post(self, body: str, **header_options: Any) -> httpx.Response:
        return self.http.post(self.url, content=body, headers=self.headers(body, **header_options))

    def command_body(
        self,
        text: str,
        user_id: str = "UANA",
        channel_id: str = "CWARD",
        command: str = "/nominate",
    ) -> str:
        form = load_payload(
            "slash_command.json",
            command=command,
            text=text,
            user_id=user_id,
            channel_id=channel_id,
            response_url=self.response_url,
        )
        return urlencode(form)

    def command(self, text: str, **options: Any) -> httpx.Response:
        return self.post(self.command_body(text, **options))

    def interaction(self, payload: dict[str, Any]) -> httpx.Response:
        payload = {**payload}
        if "response_url" in payload:
            payload["response_url"] = self.response_url
        return self.post(urlencode({"payload": json.dumps(payload)}))

    def event(self, payload: dict[str, Any]) -> httpx.Response:
        body = json.dumps(payload)
        headers = self.headers(body)
        headers["Content-Type"] = "application/json"
        return self.http.post(self.url, content=body, headers=headers)

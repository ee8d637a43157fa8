"""Checks that what Everyseat sends Slack is valid Block Kit within Slack's limits."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MESSAGE_BLOCK_LIMIT = 50
VIEW_BLOCK_LIMIT = 100
TEXT_LIMIT = 3000


def _check_text_lengths(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("type") in {"mrkdwn", "plain_text"}:
            assert len(node["text"]) <= TEXT_LIMIT, f"text of {len(node['text'])} characters"
        for value in node.values():
            _check_text_lengths(value)
    elif isinstance(node, list):
        for value in node:
            _check_text_lengths(value)


def assert_valid_message(args: dict[str, Any]) -> None:
    """A chat.postMessage/update/postEphemeral call: fallback text, valid blocks, limits."""
    assert args.get("text"), "every message needs a plain-text fallback"
    blocks = args.get("blocks") or []
    assert len(blocks) <= MESSAGE_BLOCK_LIMIT
    for block in Block.parse_all(blocks):
        assert block is not None
        block.to_dict()  # slack_sdk validates lengths and required fields here
    _check_text_lengths(blocks)


def assert_valid_view(view: dict[str, Any]) -> None:
    assert len(view.get("blocks", [])) <= VIEW_BLOCK_LIMIT
    View(**view).to_dict()
    _check_text_lengths(view.get("blocks", []))


def section_texts(blocks: list[dict[str, Any]]) -> str:
    """All text in the blocks, joined: what a reader would see."""
    texts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in {"mrkdwn", "plain_text"} and "text" in node:
                texts.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(blocks)
    return "\n".join(texts)

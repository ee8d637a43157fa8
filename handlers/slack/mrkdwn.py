"""Making user text safe inside Slack mrkdwn.

Slack only turns `<!channel>`, `<!here>`, `<!everyone>`, `<@U…>` and links into special
markup when they arrive wrapped in angle brackets, so escaping `&`, `<` and `>` (Slack's own
rule) makes any typed text inert. A word joiner after a bare "@channel" also keeps it from
pinging should a message ever be sent with `link_names` on.
"""

from __future__ import annotations

import re

_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
WORD_JOINER = "\u2060"


_ENTITY = re.compile(r"&(amp|lt|gt);")
_DECODED = {"amp": "&", "lt": "<", "gt": ">"}


def decode_entities(text: str) -> str:
    """What the person typed, from text Slack sent escaped (`&amp; &lt; &gt;`), decoded in one
    pass so `&amp;lt;` becomes the `&lt;` they typed, not `<`. Only one-line command text
    arrives escaped; modal inputs arrive as typed."""
    return _ENTITY.sub(lambda match: _DECODED[match.group(1)], text)


def escape_mrkdwn(text: str) -> str:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub(lambda match: f"@{WORD_JOINER}{match.group(1)}", escaped)


def mention(user_id: str) -> str:
    """A real mention of a user id Everyseat resolved itself (never of typed text)."""
    if not re.fullmatch(r"[UW][A-Z0-9]+", user_id):
        return escape_mrkdwn(user_id)
    return f"<@{user_id}>"


def shorten(text: str, limit: int) -> str:
    """Cut at a word boundary to at most `limit` characters, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
    return cut.rstrip() + "…"

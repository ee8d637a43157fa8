"""No user text can make the bot ping a channel or mention someone the user did not pick."""

from __future__ import annotations

import json
import re

from hypothesis import given
from hypothesis import strategies as st

from bot.nominations.behaviours import Behaviour
from bot.recognition.views import PersonView, RecognitionView
from handlers.slack.mrkdwn import escape_mrkdwn, shorten
from handlers.slack.render import home_view, nominee_message, recognition_message

SPECIAL = re.compile(r"<!(channel|here|everyone)[^>]*>|<@[^>]*>", re.IGNORECASE)
PICKED = {"<@UANA>", "<@UNIA>"}

hostile_text = st.one_of(
    st.text(min_size=0, max_size=400),
    st.lists(
        st.sampled_from(
            [
                "<!channel>",
                "<!here>",
                "<!everyone>",
                "<@U999>",
                "<@W1|boss>",
                "@channel",
                "@here",
                "&lt;!channel&gt;",
                "<",
                ">",
                "&",
                "!",
                "@",
                "<#C1|x>",
                "<https://x|y>",
                " ",
                "story",
            ]
        ),
        max_size=40,
    ).map("".join),
)


def _mentions_in(payload: object) -> set[str]:
    return {match.group(0) for match in SPECIAL.finditer(json.dumps(payload, ensure_ascii=False))}


@given(hostile_text)
def test_escaped_text_never_contains_markup(text: str) -> None:
    escaped = escape_mrkdwn(text)
    assert "<" not in escaped and ">" not in escaped
    assert not re.search(r"@(channel|here|everyone)\b", escaped, re.IGNORECASE)


@given(story=hostile_text, name=hostile_text, behaviour_name=hostile_text)
def test_rendered_messages_only_mention_picked_people(
    story: str, name: str, behaviour_name: str
) -> None:
    view = RecognitionView(
        nomination_id=1,
        nominator=PersonView("UANA", name or "Ana"),
        nominees=(PersonView("UNIA", name or "Nia"),),
        behaviours=(Behaviour("speaking-up", behaviour_name or "Speaking up", ""),),
        story=story or "x",
        is_private=False,
        endorsements=0,
    )
    for text, blocks in (recognition_message(view), nominee_message(view)):
        assert _mentions_in({"text": text, "blocks": blocks}) <= PICKED
    assert _mentions_in(home_view([view], [view])) <= PICKED


@given(st.text(max_size=300), st.integers(min_value=2, max_value=200))
def test_shorten_respects_the_limit(text: str, limit: int) -> None:
    short = shorten(text, limit)
    assert len(short) <= limit
    assert short == text or short.endswith("…")

"""Block Kit for the weekly spotlight and the mid-week reflection prompt.

Renders the neutral views from bot/weekly/spotlight.py. User text (names, titles, stories) is
escaped for mrkdwn. Only the spotlighted people are @-mentioned (a mention notifies): the
nominators and everyone "also recognised" are named in plain text, with a pointer to App
Home, so a busy week's digest notifies five people rather than hundreds. However busy the
week, the message stays within Slack's limits: long lists are split into whole sections and
then summarised ("and 212 more colleagues"), never cut mid-block.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot import messages
from bot.recognition.views import PersonView
from bot.weekly.reflections import Reflection
from bot.weekly.spotlight import DigestView, PromptView, SpotlightItem, summary_line
from handlers.slack.mrkdwn import escape_mrkdwn, mention
from handlers.slack.render import OPEN_FORM_ACTION

Block = dict[str, Any]

MESSAGE_BLOCK_LIMIT = 50
SECTION_TEXT_LIMIT = 3000
HEADER_TEXT_LIMIT = 150
# "Also recognised" gets at most this many sections; the rest are counted, not named.
ALSO_RECOGNISED_SECTIONS = 8


@dataclass(frozen=True)
class SlackMessage:
    """What chat.postMessage needs: fallback text for notifications, and the blocks."""

    text: str
    blocks: list[Block]


def _mention(person: PersonView) -> str:
    """A mention that notifies: for the spotlighted people only."""
    return mention(person.platform_user_id)


def _name(person: PersonView) -> str:
    """A person named without a notification."""
    return escape_mrkdwn(person.display_name)


def _with_seat(person: PersonView) -> str:
    if not person.title:
        return _mention(person)
    return messages.DIGEST_SPOTLIGHT_SEAT.format(
        name=_mention(person), seat=escape_mrkdwn(person.title)
    )


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def _header(text: str) -> Block:
    return {"type": "header", "text": _plain(text[:HEADER_TEXT_LIMIT])}


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def _nominate_button() -> Block:
    return {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "action_id": OPEN_FORM_ACTION,
                "text": _plain(messages.NOMINATE_BUTTON),
                "style": "primary",
                "value": "spotlight",
            }
        ],
    }


def _quote_lines(text: str) -> str:
    return "\n".join(f">{line}" for line in text.splitlines() or [""])


def _reflection_blocks(reflection: Reflection, heading: str) -> list[Block]:
    quote = reflection.quote
    return [
        _section(
            f"*{escape_mrkdwn(heading)}*\n"
            f"{_quote_lines(escape_mrkdwn(f'“{quote.text}”'))}\n"
            f"— {escape_mrkdwn(quote.attribution)}"
        ),
        _section(f"*{escape_mrkdwn(reflection.question.text)}*"),
    ]


def _spotlight_blocks(item: SpotlightItem) -> list[Block]:
    line = messages.DIGEST_SPOTLIGHT_LINE.format(
        nominees=messages.join_names([_with_seat(person) for person in item.nominees]),
        behaviours=escape_mrkdwn(messages.join_names([b.name for b in item.behaviours])),
    )
    details = [messages.endorsement_count(item.endorsements)]
    if item.nominator is not None:
        details.insert(0, messages.DIGEST_NOMINATED_BY.format(nominator=_name(item.nominator)))
    return [
        _section(f":star: *{line}*\n{_quote_lines(escape_mrkdwn(item.story))}"),
        _context(" · ".join(details)),
    ]


def _name_sections(
    heading: str, names: Sequence[str], unnamed: int, max_sections: int
) -> list[Block]:
    """Names packed into whole sections under the text limit; what doesn't fit is counted."""
    sections: list[list[str]] = [[f"*{escape_mrkdwn(heading)}*"]]
    length = len(sections[0][0])
    # Room for the longest "and N more colleagues" so the count always fits.
    reserve = len(messages.DIGEST_AND_MORE.format(count=len(names) + unnamed)) + 4
    for index, name in enumerate(names):
        if length + len(name) + 2 + reserve > SECTION_TEXT_LIMIT:
            if len(sections) == max_sections:
                unnamed += len(names) - index
                break
            sections.append([])
            length = 0
        sections[-1].append(name)
        length += len(name) + 2
    if unnamed:
        sections[-1].append(messages.DIGEST_AND_MORE.format(count=unnamed))
    heading_line, *first = sections[0]
    texts = [heading_line + "\n" + ", ".join(first)] + [", ".join(part) for part in sections[1:]]
    return [_section(text) for text in texts]


def render_digest_message(view: DigestView) -> SlackMessage:
    """The weekly spotlight, or the invitation after a quiet week."""
    if view.is_quiet:
        blocks = [
            _header(messages.DIGEST_QUIET_HEADER),
            _section(escape_mrkdwn(messages.DIGEST_QUIET_INTRO)),
            *_reflection_blocks(view.reflection, messages.DIGEST_REFLECTION),
            _nominate_button(),
        ]
        text = messages.DIGEST_QUIET_FALLBACK.format(question=view.reflection.question.text)
        return SlackMessage(escape_mrkdwn(text), blocks)

    summary = summary_line(view.summary)
    blocks = [
        _header(messages.DIGEST_HEADER),
        _context(escape_mrkdwn(summary)),
        {"type": "divider"},
    ]
    for item in view.spotlights:
        blocks.extend(_spotlight_blocks(item))
    if view.also_recognised or view.also_recognised_more:
        blocks.extend(
            _name_sections(
                messages.DIGEST_ALSO_RECOGNISED,
                [_name(person) for person in view.also_recognised],
                view.also_recognised_more,
                ALSO_RECOGNISED_SECTIONS,
            )
        )
        blocks.append(_context(escape_mrkdwn(messages.DIGEST_SEE_HOME)))
    blocks.append({"type": "divider"})
    blocks.extend(_reflection_blocks(view.reflection, messages.DIGEST_REFLECTION))
    blocks.append(_nominate_button())
    return SlackMessage(escape_mrkdwn(messages.DIGEST_FALLBACK.format(summary=summary)), blocks)


def render_prompt_message(view: PromptView) -> SlackMessage:
    """The mid-week reflection: the quote, the question and the nominate button."""
    blocks = [
        _header(messages.PROMPT_HEADER),
        *_reflection_blocks(view.reflection, messages.PROMPT_INTRO),
        _nominate_button(),
    ]
    text = messages.PROMPT_FALLBACK.format(question=view.reflection.question.text)
    return SlackMessage(escape_mrkdwn(text), blocks)

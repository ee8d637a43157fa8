"""Splitting a one-line nomination ("@nia Led the huddle #speaking-up") into its parts.

Platforms mark mentions differently (Slack sends `<@U123|nia>`, Teams sends mention
entities, the console types `@nia`), so each adapter extracts nominees itself and this
module handles what they share: hashtags and the story left over.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# "#slug" as typed, or "<#C123|slug>" when Slack turned a hashtag into a channel link.
_HASHTAG = re.compile(r"<#[A-Z0-9]+\|([^>]*)>|(?<![\w&])#([A-Za-z0-9][A-Za-z0-9-]*)")


@dataclass(frozen=True)
class OneLine:
    nominee_refs: tuple[str, ...]
    behaviour_slugs: tuple[str, ...]
    story: str


def extract_hashtags(text: str) -> tuple[str, list[str]]:
    """The text without its hashtags, and the hashtags (lowercased, in order, no repeats)."""
    slugs: list[str] = []

    def take(match: re.Match[str]) -> str:
        slug = (match.group(1) or match.group(2) or "").strip().lower()
        if slug and slug not in slugs:
            slugs.append(slug)
        return " "

    return _HASHTAG.sub(take, text), slugs


def tidy_story(text: str) -> str:
    """Collapse the gaps left by removed mentions and tags; keep line breaks."""
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines()]
    story = "\n".join(line for line in lines if line)
    return story.strip(" ,;:-–—")


def parse_one_line(text: str, mention: re.Pattern[str]) -> OneLine:
    """Split `text` with `mention` (whose group 1 is the user reference) into its parts."""
    refs: list[str] = []

    def take(match: re.Match[str]) -> str:
        ref = match.group(1)
        if ref not in refs:
            refs.append(ref)
        return " "

    without_mentions = mention.sub(take, text)
    without_tags, slugs = extract_hashtags(without_mentions)
    return OneLine(tuple(refs), tuple(slugs), tidy_story(without_tags))

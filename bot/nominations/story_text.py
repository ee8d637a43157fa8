"""What a story's text is once typed: the same rules for every platform.

Platforms decode their own markup at the edge (Slack's `&amp; &lt; &gt;`, Teams' HTML) and
hand over what the person meant; this module cleans it once before it is checked and stored,
and renderers escape it once when it is shown.

- Bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) are removed: they
  can make a story read differently from what is stored (and reorder whatever follows it).
  Left-to-right and right-to-left marks stay; they only help RTL text read correctly.
- Zero-width spaces, word joiners, byte order marks and the Mongolian vowel separator are
  removed. Zero-width joiners and non-joiners stay (emoji such as 👩‍⚕️ and several scripts
  need them) but, like every other invisible character, don't count towards the length.
"""

from __future__ import annotations

import unicodedata

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
ZERO_WIDTH = frozenset("\u200b\u2060\ufeff\u180e")
_REMOVED = {ord(char): None for char in BIDI_CONTROLS | ZERO_WIDTH}


def clean_story(text: str) -> str:
    """The story as stored: controls that hide or reorder text removed, ends trimmed."""
    return text.translate(_REMOVED).strip()


def visible_length(text: str) -> int:
    """Characters a reader sees: everything but invisible format characters (Unicode Cf)."""
    if text.isascii():  # no ASCII character is a format character: most stories, at C speed
        return len(text)
    return sum(1 for char in text if unicodedata.category(char) != "Cf")


def has_visible_text(text: str) -> bool:
    """Whether anything but whitespace and invisible characters is left."""
    return any(not char.isspace() and unicodedata.category(char) != "Cf" for char in text)

"""Wording: every count in a sentence reads correctly for one and for many."""

from __future__ import annotations

from datetime import UTC, datetime

from bot import messages
from bot.reporting.periods import last_days


def test_count_of_says_one_and_many_and_hidden_counts() -> None:
    assert messages.count_of(1, "nomination", "nominations") == "1 nomination"
    assert messages.count_of(0, "nomination", "nominations") == "0 nominations"
    assert messages.count_of(3, "person", "people") == "3 people"
    assert messages.count_of("<5", "person", "people") == "<5 people"


def test_sentences_with_counts_agree_with_them() -> None:
    assert messages.and_more_colleagues(1) == "and 1 more colleague"
    assert messages.and_more_colleagues(4) == "and 4 more colleagues"
    now = datetime(2026, 11, 18, 10, tzinfo=UTC)
    assert last_days(1, now).label == "the last 1 day"
    assert last_days(30, now).label == "the last 30 days"
    assert messages.endorsement_count(1) == "1 person saw this too"
    assert messages.endorsement_count(2) == "2 people saw this too"


def test_no_count_is_glued_to_a_fixed_plural() -> None:
    # A placeholder followed by a plural noun reads "1 nominations" when the count is one;
    # such counts are filled in with count_of instead. Limits fixed by the rules are exempt.
    import re

    fixed = {"minimum", "maximum", "min_cell", "hidden"}
    plural_only = {"ENDORSEMENT_COUNT_MANY"}  # endorsement_count() words 0 and 1 itself
    nouns = r"(nominations|people|members|rows|colleagues|behaviours|endorsements|weeks|days)"
    for name, value in vars(messages).items():
        if not name.isupper() or not isinstance(value, str) or name in plural_only:
            continue
        for placeholder in re.findall(r"\{(\w+)\} " + nouns + r"\b", value):
            assert placeholder[0] in fixed, f"{name}: {{{placeholder[0]}}} {placeholder[1]}"

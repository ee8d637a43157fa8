"""The story text rules every platform shares: invisible and bidi controls, and emptiness."""

from __future__ import annotations

import unicodedata

import pytest
from sqlalchemy import func, select

from bot import messages
from bot.errors import InvalidNominationError, NominationField
from bot.nominations.story_text import clean_story, has_visible_text, visible_length
from bot.services import Services
from db.models import Nomination
from tests.support import builders

STORY = "Stayed after her shift to walk a lost relative to the ward."
HEALTH_WORKER = (
    "\U0001f469\u200d\u2695\ufe0f"  # 👩‍⚕️: woman, zero-width joiner, staff of Aesculapius
)


def test_bidi_controls_and_zero_width_spaces_are_removed_joiners_kept() -> None:
    typed = f"\u202e{STORY}\u202c\u200b \u2066x\u2069 {HEALTH_WORKER}\ufeff"
    assert clean_story(typed) == f"{STORY} x {HEALTH_WORKER}"


def test_only_invisible_characters_is_not_visible_text() -> None:
    assert not has_visible_text("\u200b\u200d\u2060 \ufeff\u200c")
    assert has_visible_text(f"\u200b{HEALTH_WORKER}")
    assert visible_length("ab\u200d\u200dcd") == 4


def test_no_ascii_character_is_invisible() -> None:
    # visible_length counts an ASCII story by its length without looking at each character.
    every_ascii = "".join(map(chr, range(128)))
    assert [c for c in every_ascii if unicodedata.category(c) == "Cf"] == []
    assert visible_length(every_ascii) == 128
    assert visible_length(f"{STORY}\u00ad") == len(STORY)  # a soft hyphen is Cf, not ASCII


@pytest.fixture
def people(services: Services) -> dict[str, object]:
    ws = builders.workspace(services)
    return {
        "ana": builders.member(services, ws.id, "UANA", "Ana"),
        "nia": builders.member(services, ws.id, "UNIA", "Nia"),
    }


def stored(services: Services) -> list[str]:
    with services.sessions() as session:
        return list(session.scalars(select(Nomination.story)))


@pytest.mark.parametrize(
    "story",
    ["\u200b" * 40, "\u200d\u200c\u2060\ufeff" * 10 + "  ", "\u202e\u202c" * 25],
    ids=["zero-width-spaces", "joiners-and-marks", "bidi-controls"],
)
def test_a_story_of_only_invisible_characters_is_refused_clearly(
    services: Services, people, story: str
) -> None:
    with pytest.raises(InvalidNominationError) as refused:
        builders.nomination(services, people["ana"], [people["nia"]], story=story)
    assert refused.value.by_field() == {NominationField.STORY: messages.STORY_INVISIBLE}
    with services.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Nomination)) == 0


def test_invisible_characters_do_not_count_towards_the_minimum(services: Services, people) -> None:
    with pytest.raises(InvalidNominationError) as refused:
        builders.nomination(services, people["ana"], [people["nia"]], story="ok" + "\u200d" * 30)
    assert refused.value.by_field()[NominationField.STORY] == messages.STORY_TOO_SHORT.format(
        minimum=20, length=2
    )


def test_the_stored_story_has_no_bidi_override(services: Services, people) -> None:
    builders.nomination(
        services, people["ana"], [people["nia"]], story=f"\u202e{STORY}\u202c {HEALTH_WORKER}"
    )
    assert stored(services) == [f"{STORY} {HEALTH_WORKER}"]

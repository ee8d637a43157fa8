"""Every Teams card is valid Adaptive Card 1.5 and says what the view model says."""

from __future__ import annotations

import copy

import pytest

from bot import messages
from bot.errors import NominationField
from bot.nominations.behaviours import load_catalogue
from bot.nominations.rules import NominationRules
from bot.recognition.views import PersonView, RecognitionView
from handlers.teams.cards import (
    ENDORSE_VERB,
    NOMINATE_VERB,
    PEOPLE_DATASET,
    FormPrefill,
    card_json,
    nomination_form,
    notice_card,
    recognition_card,
)
from tests.support.adaptive_cards import assert_valid_card, card_problems, inputs, texts

CATALOGUE = load_catalogue(None)
RULES = NominationRules()


def view(**changes: object) -> RecognitionView:
    values: dict[str, object] = {
        "nomination_id": 7,
        "nominator": PersonView("aad-ana", "Ana Lopes"),
        "nominees": (PersonView("aad-nia", "Nia Okafor"), PersonView("aad-sam", "Sam Reid")),
        "behaviours": (CATALOGUE.get("speaking-up"),),
        "story": "Led the handover huddle when the ward was two nurses short.",
        "is_private": False,
        "endorsements": 2,
    }
    values.update(changes)
    return RecognitionView(**values)  # type: ignore[arg-type]


def test_recognition_card_reads_like_the_slack_post() -> None:
    card = card_json(recognition_card(view(source_message_url="https://teams.example/m/1")))
    assert_valid_card(card)
    assert texts(card) == [
        messages.RECOGNITION_HEADER,
        "Ana Lopes recognised Nia Okafor and Sam Reid for Speaking up",
        "“Led the handover huddle when the ward was two nurses short.”",
        "About this message: https://teams.example/m/1",
        "2 people saw this too",
    ]
    (action,) = card["actions"]
    assert action == {
        "type": "Action.Execute",
        "title": messages.ENDORSE_BUTTON,
        "verb": ENDORSE_VERB,
        "data": {"nomination_id": 7},
    }


def test_private_and_anonymised_recognitions() -> None:
    card = card_json(recognition_card(view(is_private=True, nominator=None, endorsements=0)))
    assert_valid_card(card)
    assert "actions" not in card  # nothing to endorse in a private note
    assert "Nia Okafor and Sam Reid recognised for Speaking up" in texts(card)


@pytest.mark.parametrize("submit", ["execute", "dialog"])
def test_empty_form_is_valid(submit: str) -> None:
    card = card_json(nomination_form(CATALOGUE, RULES, FormPrefill(), submit=submit))  # type: ignore[arg-type]
    assert_valid_card(card)
    fields = inputs(card)
    assert list(fields) == [field.value for field in NominationField]
    people = fields["nominees"]
    assert people["isMultiSelect"] is True
    assert people["choices.data"] == {"type": "Data.Query", "dataset": PEOPLE_DATASET}
    assert [c["value"] for c in fields["behaviours"]["choices"]] == [b.slug for b in CATALOGUE]
    assert fields["visibility"]["value"] == "public"
    (action,) = card["actions"]
    if submit == "execute":
        assert action["type"] == "Action.Execute" and action["verb"] == NOMINATE_VERB
    else:
        assert action["type"] == "Action.Submit"  # dialogs only accept Action.Submit


def test_form_shows_what_was_typed_and_each_error_under_its_field() -> None:
    prefill = FormPrefill(
        nominees=(("aad-nia", "Nia Okafor"),),
        behaviour_slugs=("speaking-up",),
        story="Too short",
        visibility="private",
        message_url="https://teams.example/m/9",
        notice="Not recorded.",
        errors={NominationField.STORY: "Tell the story in at least 20 characters (you wrote 9)."},
    )
    card = card_json(nomination_form(CATALOGUE, RULES, prefill))
    assert_valid_card(card)
    fields = inputs(card)
    assert fields["nominees"]["value"] == "aad-nia"
    assert fields["nominees"]["choices"] == [{"title": "Nia Okafor", "value": "aad-nia"}]
    assert fields["behaviours"]["value"] == "speaking-up"
    assert fields["story"]["value"] == "Too short"
    assert fields["visibility"]["value"] == "private"
    body_types = [(e["type"], e.get("id") or e.get("text")) for e in card["body"]]
    story_at = body_types.index(("Input.Text", "story"))
    error = card["body"][story_at + 2]  # after the length hint
    assert error["text"].startswith("Tell the story") and error["color"] == "Attention"
    assert "Not recorded." in texts(card)
    assert card["actions"][0]["data"]["message_url"] == "https://teams.example/m/9"


def test_notice_card_is_valid() -> None:
    card = card_json(notice_card(messages.ALREADY_RECORDED))
    assert_valid_card(card)
    assert texts(card) == [messages.ALREADY_RECORDED]


def test_the_validator_catches_what_teams_would_reject() -> None:
    good = card_json(recognition_card(view()))
    broken = copy.deepcopy(good)
    broken["version"] = "1.6"
    broken["body"].append({"type": "Carousel", "pages": []})
    broken["actions"][0].pop("verb")
    broken["body"][0]["size"] = "Huge"
    problems = card_problems(broken)
    assert any("version must be 1.5" in p for p in problems)
    assert any("Carousel" in p for p in problems)
    assert any("needs 'verb'" in p for p in problems)
    assert any("size='Huge'" in p for p in problems)


def test_the_official_schema_check_catches_what_teams_would_refuse() -> None:
    card = card_json(nomination_form(CATALOGUE, RULES, FormPrefill(), submit="execute"))  # type: ignore[arg-type]
    card["body"][0]["size"] = "Huge"
    card["actions"][0]["type"] = "Action.Explode"
    problems = card_problems(card)
    # "a/b/c: …" lines come from the official schema, "a[0]: …" from our stricter rules.
    assert any(problem.startswith("body/0/size: 'Huge'") for problem in problems)
    assert any(problem.startswith("actions/0/type: 'Action.Explode'") for problem in problems)

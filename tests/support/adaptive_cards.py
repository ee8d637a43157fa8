"""Adaptive Cards checked against the official 1.5 schema, plus what Teams needs beyond it.

`card_problems` first validates against the vendored official schema
(tests/schemas/adaptive-card.1.5.0.json), then applies the stricter rules the schema can't
express or leaves open: only the element and action types and properties Everyseat means to
use, a label on every input, unique input ids, a verb on every Action.Execute. The host
extensions Teams reads (`msteams`, `choices.data`) are listed in tests/schemas/README.md.
"""

from __future__ import annotations

import re
from typing import Any

from tests.support.contracts import ADAPTIVE_CARD, schema_problems

TARGET_VERSION = "1.5"

_COMMON = {"type", "id", "spacing", "separator", "isVisible", "requires", "height", "fallback"}
_INPUT = _COMMON | {"label", "isRequired", "errorMessage", "value"}
_ELEMENTS: dict[str, set[str]] = {
    "TextBlock": _COMMON
    | {
        "text",
        "size",
        "weight",
        "color",
        "isSubtle",
        "wrap",
        "maxLines",
        "horizontalAlignment",
        "fontType",
        "style",
    },
    "Input.Text": _INPUT | {"isMultiline", "maxLength", "placeholder", "style", "regex"},
    "Input.ChoiceSet": _INPUT
    | {"choices", "choices.data", "isMultiSelect", "style", "placeholder", "wrap"},
    "Container": _COMMON | {"items", "style", "bleed", "selectAction"},
    "ActionSet": _COMMON | {"actions"},
}
_ACTIONS: dict[str, set[str]] = {
    "Action.Execute": {"type", "id", "title", "verb", "data", "style", "associatedInputs"},
    "Action.Submit": {"type", "id", "title", "data", "style", "associatedInputs"},
    "Action.OpenUrl": {"type", "id", "title", "url", "style"},
    "Action.ShowCard": {"type", "id", "title", "card", "style"},
}
_REQUIRED = {
    "TextBlock": {"text"},
    "Input.Text": {"id"},
    "Input.ChoiceSet": {"id"},
    "Action.Execute": {"title", "verb"},
    "Action.Submit": {"title"},
    "Action.OpenUrl": {"url"},
    "Action.ShowCard": {"title", "card"},
}
_ENUMS = {
    "size": {"Small", "Default", "Medium", "Large", "ExtraLarge"},
    "weight": {"Lighter", "Default", "Bolder"},
    "color": {"Default", "Dark", "Light", "Accent", "Good", "Warning", "Attention"},
    "spacing": {"None", "Small", "Default", "Medium", "Large", "ExtraLarge", "Padding"},
}
_CHOICE_STYLES = {"compact", "expanded", "filtered"}
_ACTION_STYLES = {"default", "positive", "destructive"}


def _check_action(action: dict[str, Any], where: str, problems: list[str]) -> None:
    kind = action.get("type")
    if kind not in _ACTIONS:
        problems.append(f"{where}: unknown action type {kind!r}")
        return
    extra = set(action) - _ACTIONS[kind]
    if extra:
        problems.append(f"{where}: {kind} has properties not in the schema: {sorted(extra)}")
    for name in _REQUIRED.get(kind, set()):
        if not action.get(name):
            problems.append(f"{where}: {kind} needs {name!r}")
    if "style" in action and action["style"] not in _ACTION_STYLES:
        problems.append(f"{where}: bad action style {action['style']!r}")
    if "data" in action and not isinstance(action["data"], dict | str):
        problems.append(f"{where}: data must be an object or a string")
    if kind == "Action.ShowCard" and isinstance(action.get("card"), dict):
        problems += [f"{where}.card: {problem}" for problem in card_problems(action["card"])]


def _check_element(
    element: dict[str, Any], where: str, problems: list[str], input_ids: list[str]
) -> None:
    kind = element.get("type")
    if kind not in _ELEMENTS:
        problems.append(f"{where}: unknown element type {kind!r} for {TARGET_VERSION}")
        return
    extra = set(element) - _ELEMENTS[kind]
    if extra:
        problems.append(f"{where}: {kind} has properties not in the schema: {sorted(extra)}")
    for name in _REQUIRED.get(kind, set()):
        if not element.get(name):
            problems.append(f"{where}: {kind} needs {name!r}")
    for name, allowed in _ENUMS.items():
        if name in element and element[name] not in allowed:
            problems.append(f"{where}: {name}={element[name]!r} is not one of {sorted(allowed)}")
    if kind.startswith("Input."):
        input_ids.append(str(element.get("id")))
        if not element.get("label"):
            problems.append(f"{where}: input {element.get('id')!r} has no label")
        if "value" in element and not isinstance(element["value"], str):
            problems.append(f"{where}: input value must be a string")
    if kind == "Input.ChoiceSet":
        if element.get("style", "compact") not in _CHOICE_STYLES:
            problems.append(f"{where}: bad ChoiceSet style {element.get('style')!r}")
        for position, choice in enumerate(element.get("choices") or []):
            if set(choice) - {"title", "value"} or not choice.get("title") or "value" not in choice:
                problems.append(f"{where}.choices[{position}]: needs exactly title and value")
        query = element.get("choices.data")
        if query is not None and (query.get("type") != "Data.Query" or not query.get("dataset")):
            problems.append(f"{where}: choices.data must be a Data.Query with a dataset")
    if kind == "Container":
        for position, item in enumerate(element.get("items") or []):
            _check_element(item, f"{where}.items[{position}]", problems, input_ids)
    if kind == "ActionSet":
        for position, action in enumerate(element.get("actions") or []):
            _check_action(action, f"{where}.actions[{position}]", problems)


def card_problems(card: dict[str, Any]) -> list[str]:
    """Everything wrong with `card`; empty when it is valid."""
    problems = schema_problems(ADAPTIVE_CARD, card)
    if card.get("type") != "AdaptiveCard":
        problems.append(f"type must be AdaptiveCard, got {card.get('type')!r}")
    if card.get("version") != TARGET_VERSION:
        problems.append(f"version must be {TARGET_VERSION}, got {card.get('version')!r}")
    extra = set(card) - {"type", "version", "body", "actions", "$schema", "msteams", "fallbackText"}
    if extra:
        problems.append(f"AdaptiveCard has properties not in the schema: {sorted(extra)}")
    if not card.get("body"):
        problems.append("body is empty")
    input_ids: list[str] = []
    for position, element in enumerate(card.get("body") or []):
        _check_element(element, f"body[{position}]", problems, input_ids)
    for position, action in enumerate(card.get("actions") or []):
        _check_action(action, f"actions[{position}]", problems)
    duplicates = {input_id for input_id in input_ids if input_ids.count(input_id) > 1}
    if duplicates:
        problems.append(f"input ids must be unique: {sorted(duplicates)}")
    problems += _mention_problems(card)
    return problems


def mentions(card: dict[str, Any]) -> list[dict[str, Any]]:
    """The card's `msteams.entities` of type mention."""
    entities = (card.get("msteams") or {}).get("entities") or []
    return [entity for entity in entities if entity.get("type") == "mention"]


def _mention_problems(card: dict[str, Any]) -> list[str]:
    """Teams mentions someone only when `<at>Name</at>` in the text matches an entity's
    text exactly and the entity names the person's id."""
    problems: list[str] = []
    written = set(re.findall(r"<at>.*?</at>", "\n".join(texts(card))))
    declared = {entity.get("text") for entity in mentions(card)}
    for text in sorted(written - declared):
        problems.append(f"{text} is written but has no mention entity")
    for text in sorted(str(t) for t in declared - written):
        problems.append(f"mention entity {text} is not in any text")
    for entity in mentions(card):
        mentioned = entity.get("mentioned") or {}
        if not mentioned.get("id") or not mentioned.get("name"):
            problems.append(f"mention entity {entity.get('text')} needs mentioned.id and name")
    return problems


# What screen readers announce as a symbol's name ("black star", "middle dot", "em dash",
# "bullet") rather than reading past it; emoji are read by name too.
READ_ALOUD = re.compile("[★☆·•—–\u2190-\u21ff\u2600-\u27bf\U0001f300-\U0001faff]")


def symbols_read_aloud(card: dict[str, Any]) -> list[str]:
    """The card's own texts that contain such a symbol. Quoted passages (a story, a quote
    in “…”) are left out: they are someone's words, shown word for word."""
    return [
        text
        for text in texts(card)
        if not (text.startswith("“") and text.endswith("”")) and READ_ALOUD.search(text)
    ]


def assert_valid_card(card: dict[str, Any]) -> None:
    problems = card_problems(card)
    assert problems == [], "\n".join(problems)


def texts(card: dict[str, Any]) -> list[str]:
    """The TextBlock texts of a card, in order: what a person reads."""
    return [element["text"] for element in card.get("body") or [] if element["type"] == "TextBlock"]


def inputs(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        element["id"]: element
        for element in card.get("body") or []
        if str(element.get("type", "")).startswith("Input.")
    }

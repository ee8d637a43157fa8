"""Hypothesis strategies that mutate real payloads: drop a field, change its type, replace
it with odd text, at any depth. Used by the property tests of the Slack and Teams edges."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from hypothesis import strategies as st

# Text that has broken parsers before: entities, markup, mentions, bidi and zero-width
# characters, surrogates-free odd Unicode, JSON-looking strings and very long words.
ODD_TEXT = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "",
            " ",
            "{not json",
            "[]",
            "null",
            "&amp;&lt;&gt;",
            "<@U999|x>",
            "<!channel>",
            "\u202egnirts desrever",
            "\u200b\u200b\u200b",
            "#speaking-up",
            "nominate <at>Nia Okafor</at>",
            "x" * 4000,
        ]
    ),
)
JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(-(2**40), 2**40), st.floats(), ODD_TEXT)
JSON_VALUE = st.recursive(
    JSON_LEAF,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)

Path = tuple[str | int, ...]


def paths(node: Any, prefix: Path = ()) -> Iterator[Path]:
    """Every place in a JSON document, the root's children first."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*prefix, key)
            yield from paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield (*prefix, index)
            yield from paths(value, (*prefix, index))


def _parent(document: Any, path: Path) -> Any:
    for step in path[:-1]:
        document = document[step]
    return document


@st.composite
def mutated_json(draw: st.DrawFn, original: dict[str, Any], max_changes: int = 3) -> Any:
    """`original` with 1..max_changes fields deleted or replaced by any JSON value."""
    document = copy.deepcopy(original)
    for _ in range(draw(st.integers(1, max_changes))):
        places = list(paths(document))
        if not places:
            break
        path = draw(st.sampled_from(places))
        parent = _parent(document, path)
        if draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(JSON_VALUE)
    return document


@st.composite
def mutated_form(draw: st.DrawFn, original: dict[str, str], max_changes: int = 3) -> dict[str, str]:
    """A slash command's form with fields deleted, emptied or replaced by odd text."""
    form = dict(original)
    for _ in range(draw(st.integers(1, max_changes))):
        if not form:
            break
        key = draw(st.sampled_from(sorted(form)))
        action = draw(st.sampled_from(["delete", "replace", "add"]))
        if action == "delete":
            del form[key]
        elif action == "replace":
            form[key] = draw(ODD_TEXT)
        else:
            form[draw(st.sampled_from(["payload", "type", "event", "extra"]))] = draw(ODD_TEXT)
    return form

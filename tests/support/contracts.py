"""Validation against the platforms' official JSON schemas, vendored in tests/schemas/.

tests/schemas/README.md says where each schema came from and lists the host extensions
Everyseat uses on purpose (properties Teams reads that the Adaptive Card schema doesn't
name). Validation runs offline: nothing is fetched, and a `$ref` to the network would fail.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import validators
from jsonschema.exceptions import ValidationError
from jsonschema.protocols import Validator

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"

SLACK_MANIFEST = "slack-manifest.schema.1.0.0.json"
TEAMS_MANIFEST = "MicrosoftTeams.schema.v1.17.json"
ADAPTIVE_CARD = "adaptive-card.1.5.0.json"


def _with_teams_host_extensions(schema: dict[str, Any]) -> dict[str, Any]:
    """The Adaptive Card schema plus the three Teams host extensions Everyseat uses on
    purpose (tests/schemas/README.md says why); nothing else is loosened."""
    definitions = schema["definitions"]
    # Teams reads `msteams` on the card: full width, and the entities that make <at>…</at>
    # a real mention.
    definitions["AdaptiveCard"]["properties"]["msteams"] = {"type": "object"}
    # Teams' dynamic typeahead over the tenant's people: `choices.data` with a Data.Query
    # and the "filtered" style.
    definitions["Input.ChoiceSet"]["properties"]["choices.data"] = {
        "type": "object",
        "properties": {"type": {"const": "Data.Query"}, "dataset": {"type": "string"}},
        "required": ["type", "dataset"],
    }
    definitions["ChoiceInputStyle"]["anyOf"][0]["enum"].append("filtered")
    return schema


@cache
def _validator(name: str) -> Validator:
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    if name == ADAPTIVE_CARD:
        schema = _with_teams_host_extensions(schema)
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def schema_problems(name: str, document: Any) -> list[str]:
    """Every way `document` breaks the official schema `name`; empty when it is valid."""
    return sorted(
        f"{'/'.join(str(part) for part in leaf.absolute_path) or '(root)'}: {leaf.message}"
        for error in _validator(name).iter_errors(document)
        for leaf in _leaf_errors(error)
    )


def _leaf_errors(error: ValidationError) -> list[ValidationError]:
    """Under anyOf/oneOf the top error only says "not valid under any of the given
    schemas". Descend into the branch meant for this value: the one whose `type` matched
    (for Adaptive Cards, the element's own definition), else the one with fewest errors."""
    if not error.context:
        return [error]
    branches: dict[object, list[ValidationError]] = {}
    for sub_error in error.context:
        branches.setdefault(sub_error.relative_schema_path[0], []).append(sub_error)

    def wrong_type(branch: list[ValidationError]) -> bool:
        return any(
            sub_error.relative_path and sub_error.relative_path[-1] == "type"
            for sub_error in branch
        )

    meant = [branch for branch in branches.values() if not wrong_type(branch)]
    chosen = min(meant or list(branches.values()), key=len)
    return [leaf for sub_error in chosen for leaf in _leaf_errors(sub_error)]


def assert_matches_schema(name: str, document: Any) -> None:
    problems = schema_problems(name, document)
    assert problems == [], f"not valid against {name}:\n" + "\n".join(problems)

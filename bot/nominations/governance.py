"""The information-governance guard: patient identifiers never enter Everyseat.

Every story is screened before anything is stored or sent (`ensure_no_patient_identifiers`,
called first by every use case that takes a story). It finds NHS numbers (ten digits, laid
out as people type them, with a valid Modulus 11 check digit) and the identifiers a trust
configures in a TOML file of named patterns with examples (hospital numbers, dates of
birth). What it finds is refused with a masked description, so the refusal itself never
repeats the identifier.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from bot import messages
from bot.errors import NominationField, PatientIdentifierError, Problem
from bot.settings import ConfigError

SHIPPED_PATTERNS = "bot/data/patient_identifiers.toml"
NHS_NUMBER = "NHS number"

# What people put between the digits of an NHS number when they copy or type it: spaces
# (including the non-breaking and thin ones clinical systems paste), hyphens and dashes,
# dots, and zero-width characters.
_SEPARATOR = "[ \t\u00a0\u2007\u2009\u202f\u200b\u200c\u200d\u2060\ufeff.\\-\u2010-\u2013]"
# A run of digits joined by at most two separators between groups. A run straight after ")"
# is the rest of a phone number written "+44 (0)113 496 0999".
_DIGIT_RUN = re.compile(rf"(?<![\d)])\d+(?:{_SEPARATOR}{{1,2}}\d+)*(?!\d)")
_GROUP = re.compile(r"\d+")
# The layouts an NHS number is written in inside a longer run of numbers ("bed 4 943 476
# 5919"): as printed (3-3-4), in one piece, or half-grouped. Other groupings inside a longer
# run are phone numbers, dates and counts.
_NHS_LAYOUTS = ((10,), (3, 3, 4), (3, 7), (6, 4))
_MASKED_LENGTH = 40


@dataclass(frozen=True)
class Finding:
    """One patient identifier in a text: what it is and how it may be shown (masked)."""

    kind: str  # "NHS number", "hospital number", "date of birth"
    masked: str
    start: int
    end: int

    def describe(self) -> str:
        article = "an" if self.kind[:1].lower() in "aeiou" or self.kind.startswith("NHS") else "a"
        return f"{article} {self.kind} ({self.masked})"


def nhs_check_digit_valid(digits: str) -> bool:
    """Whether ten digits carry a valid NHS Modulus 11 check digit.

    Weights 10 down to 2 on the first nine digits; 11 minus the remainder is the check digit
    (11 counts as 0, and 10 means the number can't be an NHS number).
    """
    if len(digits) != 10 or not digits.isdigit():
        return False
    weights = range(10, 1, -1)
    total = sum(int(digit) * weight for digit, weight in zip(digits[:9], weights, strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _nhs_candidates(run: re.Match[str]) -> list[tuple[int, int]]:
    """Spans within a run of digit groups that are laid out like an NHS number."""
    groups = list(_GROUP.finditer(run.group()))
    offset = run.start()
    if sum(len(group.group()) for group in groups) == 10:
        return [(run.start(), run.end())]
    spans = []
    for first in range(len(groups)):
        for layout in _NHS_LAYOUTS:
            chosen = groups[first : first + len(layout)]
            if tuple(len(group.group()) for group in chosen) == layout:
                spans.append((offset + chosen[0].start(), offset + chosen[-1].end()))
    return spans


def find_nhs_numbers(text: str) -> list[Finding]:
    """NHS numbers in `text`: ten digits as typed, whose check digit is valid."""
    found: list[Finding] = []
    for run in _DIGIT_RUN.finditer(text):
        for start, end in _nhs_candidates(run):
            digits = re.sub(r"\D", "", text[start:end])
            if nhs_check_digit_valid(digits):
                found.append(Finding(NHS_NUMBER, f"{digits[:3]} *** ****", start, end))
                break
    return found


def _mask(text: str) -> str:
    """Every digit hidden, the words around them kept ("DOB **/**/****")."""
    masked = re.sub(r"\d", "*", " ".join(text.split()))
    return masked if len(masked) <= _MASKED_LENGTH else masked[: _MASKED_LENGTH - 1] + "…"


@dataclass(frozen=True)
class IdentifierPattern:
    """One kind of patient identifier a trust configured, proven on its own examples."""

    name: str
    pattern: re.Pattern[str]
    examples: tuple[str, ...]
    counter_examples: tuple[str, ...] = ()

    def findings(self, text: str) -> list[Finding]:
        return [
            Finding(self.name, _mask(match.group()), match.start(), match.end())
            for match in self.pattern.finditer(text)
        ]


@dataclass(frozen=True)
class IdentifierGuard:
    """NHS numbers plus the trust's configured patterns."""

    patterns: tuple[IdentifierPattern, ...] = ()

    def findings(self, text: str) -> list[Finding]:
        """Everything that looks like a patient identifier, in the order it appears."""
        found = find_nhs_numbers(text)
        for pattern in self.patterns:
            found += [
                finding
                for finding in pattern.findings(text)
                if not any(finding.start < o.end and o.start < finding.end for o in found)
            ]
        return sorted(found, key=lambda finding: finding.start)


def refusal_message(findings: Sequence[Finding]) -> str:
    """What the person reads: what was found (masked) and why it matters."""
    described = messages.join_names(list(dict.fromkeys(f.describe() for f in findings)))
    return messages.PATIENT_IDENTIFIER_REFUSED.format(findings=described)


def ensure_no_patient_identifiers(
    guard: IdentifierGuard, story: str, nominees: tuple[tuple[str, str], ...] = ()
) -> None:
    """Raise PatientIdentifierError (a problem on the story field) if `story` holds a
    patient identifier. `nominees` (platform id, name) travel with the error so a form shown
    again keeps who was chosen."""
    findings = guard.findings(story)
    if findings:
        message = refusal_message(findings)
        raise PatientIdentifierError(
            [Problem(NominationField.STORY, message)],
            nominees,
            kinds=tuple(dict.fromkeys(finding.kind for finding in findings)),
        )


# --- the trust's patterns file --------------------------------------------------------------


def _broken(source: str, problem: str) -> ConfigError:
    return ConfigError(
        f"Configuration error: EVERYSEAT_PATIENT_IDENTIFIERS_FILE {source}: {problem}: fix it "
        f"(see {SHIPPED_PATTERNS} for the shape) or unset the variable to use the built-in file."
    )


def _strings(entry: dict[str, object], key: str) -> tuple[str, ...] | None:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return None
    return tuple(value)


def parse_identifier_patterns(text: str, source: str) -> IdentifierGuard:
    """The guard from a patterns file; a broken file raises ConfigError with one clear line.

    Each `[[identifier]]` has a `name`, a `pattern` (Python regular expression) and
    `examples` it must find; `counter_examples`, if given, it must not find.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise _broken(source, f"not valid TOML ({error})") from None
    entries = data.get("identifier", [])
    if not isinstance(entries, list):
        raise _broken(source, "expected [[identifier]] tables")
    patterns = []
    for index, entry in enumerate(entries, start=1):
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not name.strip():
            raise _broken(source, f"identifier {index} has no name")
        label = f"identifier {index} ({name!r})"
        examples = _strings(entry, "examples")
        counter_examples = _strings(entry, "counter_examples")
        if not examples:
            raise _broken(source, f"{label} needs examples: texts its pattern must find")
        if counter_examples is None:
            raise _broken(source, f"{label} counter_examples must be a list of texts")
        raw = entry.get("pattern")
        if not isinstance(raw, str) or not raw:
            raise _broken(source, f"{label} has no pattern")
        try:
            compiled = re.compile(raw)
        except re.error as error:
            problem = f"{label} pattern is not a regular expression ({error})"
            raise _broken(source, problem) from None
        for example in examples:
            if not compiled.search(example):
                raise _broken(source, f"{label} pattern does not find its example {example!r}")
        for counter in counter_examples:
            if compiled.search(counter):
                raise _broken(source, f"{label} pattern finds its counter-example {counter!r}")
        patterns.append(IdentifierPattern(name.strip(), compiled, examples, counter_examples))
    return IdentifierGuard(tuple(patterns))


def load_identifier_guard(path: Path | None = None) -> IdentifierGuard:
    """The guard from `path` (EVERYSEAT_PATIENT_IDENTIFIERS_FILE), or the shipped file."""
    if path is not None:
        return parse_identifier_patterns(path.read_text(encoding="utf-8"), str(path))
    shipped = resources.files("bot") / "data" / "patient_identifiers.toml"
    return parse_identifier_patterns(shipped.read_text(encoding="utf-8"), SHIPPED_PATTERNS)

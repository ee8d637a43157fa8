"""The information-governance guard: NHS numbers and the trust's patterns, measured on a
corpus of stories, and a patterns file that proves itself on its own examples."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from bot import messages
from bot.errors import NominationField, PatientIdentifierError
from bot.nominations.governance import (
    ensure_no_patient_identifiers,
    find_nhs_numbers,
    load_identifier_guard,
    nhs_check_digit_valid,
    parse_identifier_patterns,
)
from bot.settings import ConfigError

CORPUS = Path(__file__).with_name("ig_corpus.toml")


def _corpus() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    data = tomllib.loads(CORPUS.read_text(encoding="utf-8"))
    caught = [(group["kind"], text) for group in data["caught"] for text in group["texts"]]
    clean = [(group["kind"], text) for group in data["not_caught"] for text in group["texts"]]
    return caught, clean


def test_the_guard_catches_every_identifier_in_the_corpus_and_nothing_else() -> None:
    guard = load_identifier_guard()
    caught, clean = _corpus()

    missed = [
        (kind, text)
        for kind, text in caught
        if kind not in {finding.kind for finding in guard.findings(text)}
    ]
    false_positives = [(kind, text) for kind, text in clean if guard.findings(text)]

    nhs = [text for kind, text in caught if kind == "NHS number"]
    wrong_check_digit = [text for kind, text in clean if kind.startswith("ten digits")]
    catch_rate = (len(caught) - len(missed)) / len(caught)
    false_positive_rate = len(false_positives) / len(clean)
    print(
        f"\nIG guard corpus: caught {len(caught) - len(missed)}/{len(caught)} identifiers "
        f"({catch_rate:.0%}; {len(nhs)} NHS numbers in different layouts); "
        f"false positives {len(false_positives)}/{len(clean)} ({false_positive_rate:.1%}; "
        f"{len(wrong_check_digit)} ten-digit numbers with a wrong check digit among them)"
    )
    assert len(nhs) >= 25 and len(clean) >= 35
    assert missed == []
    assert false_positives == []


@pytest.mark.parametrize(
    ("digits", "valid"),
    [
        ("9434765919", True),  # the NHS's own example
        ("9434765918", False),  # one off
        ("4010232137", True),
        ("4010232138", False),
        ("1234567890", False),  # check digit would be 10: never an NHS number
        ("943476591", False),
    ],
)
def test_modulus_11_check_digit(digits: str, valid: bool) -> None:
    assert nhs_check_digit_valid(digits) is valid


def test_a_finding_is_masked_and_placed() -> None:
    text = "Spotted a patient NHS number 943 476 5919 on an open screen"

    [finding] = find_nhs_numbers(text)

    assert finding.describe() == "an NHS number (943 *** ****)"
    assert text[finding.start : finding.end] == "943 476 5919"


def test_the_refusal_says_what_was_found_masked_and_why_on_the_story_field() -> None:
    guard = load_identifier_guard()
    story = "DOB 12/03/1954 and NHS 943 476 5919 were on the screen; she locked it"

    with pytest.raises(PatientIdentifierError) as raised:
        ensure_no_patient_identifiers(guard, story, (("U1", "Nia"),))

    error = raised.value
    assert error.by_field() == {
        NominationField.STORY: messages.PATIENT_IDENTIFIER_REFUSED.format(
            findings="a date of birth (DOB **/**/****) and an NHS number (943 *** ****)"
        )
    }
    assert "clinical record" in error.message
    assert "476" not in error.message and "1954" not in error.message
    assert error.kinds == ("date of birth", "NHS number")
    assert error.nominees == (("U1", "Nia"),)


def test_a_clean_story_passes() -> None:
    ensure_no_patient_identifiers(
        load_identifier_guard(), "Led the 07:30 huddle on ward 12 when we were 3 nurses short"
    )


GOOD_FILE = """
[[identifier]]
name = "local hospital number"
pattern = '\\bRTH\\d{7}\\b'
examples = ["RTH1234567"]
counter_examples = ["RTH123"]
"""


def test_a_trust_file_replaces_the_shipped_patterns(tmp_path: Path) -> None:
    path = tmp_path / "identifiers.toml"
    path.write_text(GOOD_FILE, encoding="utf-8")

    guard = load_identifier_guard(path)

    assert [f.describe() for f in guard.findings("notes for RTH7654321")] == [
        "a local hospital number (RTH*******)"
    ]
    assert guard.findings("DOB 12/03/1954") == []  # the shipped patterns are replaced
    assert guard.findings("943 476 5919")  # NHS numbers are always refused


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[[identifier]\nname=", "not valid TOML"),
        ('[[identifier]]\npattern = "x"\nexamples = ["x"]\n', "identifier 1 has no name"),
        ('[[identifier]]\nname = "x"\npattern = "x"\n', "identifier 1 ('x') needs examples"),
        (
            '[[identifier]]\nname = "x"\npattern = "(x"\nexamples = ["x"]\n',
            "identifier 1 ('x') pattern is not a regular expression",
        ),
        (
            '[[identifier]]\nname = "ward"\npattern = "W\\\\d{3}"\nexamples = ["W12"]\n',
            "identifier 1 ('ward') pattern does not find its example 'W12'",
        ),
        (
            '[[identifier]]\nname = "ward"\npattern = "W\\\\d+"\nexamples = ["W123"]\n'
            'counter_examples = ["W1"]\n',
            "identifier 1 ('ward') pattern finds its counter-example 'W1'",
        ),
    ],
)
def test_a_broken_file_is_refused_with_one_clear_line(text: str, problem: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_identifier_patterns(text, "trust.toml")

    message = str(raised.value)
    assert message.startswith("Configuration error: EVERYSEAT_PATIENT_IDENTIFIERS_FILE trust.toml:")
    assert problem in message
    assert "\n" not in message


def test_a_broken_file_stops_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.app.cli import main

    path = tmp_path / "identifiers.toml"
    path.write_text('[[identifier]]\nname = "x"\npattern = "y"\nexamples = ["x"]\n')
    monkeypatch.setenv("EVERYSEAT_PATIENT_IDENTIFIERS_FILE", str(path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite'}")
    monkeypatch.chdir(tmp_path)

    assert main(["db", "upgrade"]) == 2
    assert "pattern does not find its example 'x'" in capsys.readouterr().err

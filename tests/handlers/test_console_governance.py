"""The information-governance guard at the console: refused, the text given back to send
again, nothing stored."""

from __future__ import annotations

import io

from bot import messages
from bot.services import Services
from handlers.console import run_console
from tests.support.stored import every_stored_value, stored_rows

TYPED = "@nia Saw DOB 12/03/1954 and NHS 943-476-5919 on a screen and locked it #speaking-up"


def test_a_story_with_patient_identifiers_is_refused_and_given_back(services: Services) -> None:
    out = io.StringIO()
    lines = f"/nominate {TYPED}\n/nominate @nia Locked an open screen in clinic #speaking-up\n"

    assert run_console(services, io.StringIO(lines), out, user="ana") == 0

    shown = out.getvalue().splitlines()
    refusal = messages.PATIENT_IDENTIFIER_REFUSED.format(
        findings="a date of birth (DOB **/**/****) and an NHS number (943 *** ****)"
    )
    at = shown.index(refusal)
    assert shown[at + 1 : at + 3] == [
        "What you wrote, to edit and send again:",
        f"/nominate {TYPED}",
    ]
    # The clean nomination after it is the only one stored, and nothing holds the numbers.
    assert stored_rows(services)["nomination"] == 1
    values = every_stored_value(services)
    assert "Locked an open screen in clinic" in values
    assert not any("5919" in value or "1954" in value for value in values)

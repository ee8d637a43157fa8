"""The console's moderation commands: /recent numbers what you may still change, /edit,
/withdraw, /flag, /flags, /hide, /restore and /dismiss; what is printed and stored."""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import select

from bot import messages
from bot.audit import audit_entries
from bot.services import Services
from db.models import Nomination, NominationFlag
from handlers.console import run_console
from tests.support.clock import FakeClock

STORY = "Led the handover huddle when the ward was short"
EDITED = "Led the handover huddle when the ward was short and kept everyone calm"


def drive(services: Services, *lines: str, user: str = "me") -> str:
    out = io.StringIO()
    assert run_console(services, io.StringIO("\n".join(lines) + "\n"), out, user=user) == 0
    return out.getvalue()


def row(services: Services) -> Nomination:
    with services.sessions() as session:
        found = session.scalars(select(Nomination)).one()
        session.expunge(found)
        return found


def test_recent_numbers_yours_and_edit_then_withdraw_it(services: Services) -> None:
    drive(services, f"/nominate @nia {STORY} #speaking-up", user="ana")
    ident = row(services).id

    shown = drive(services, "/recent", user="ana")
    assert f"#{ident} " in shown
    assert messages.CONSOLE_EDITABLE.format(until="19 Nov 10:00", numbers=f"#{ident}") in shown

    shown = drive(services, f"/edit {ident} {EDITED} #enabling-change", user="ana")
    assert messages.EDITED in shown and f"“{EDITED}”" in shown and "#enabling-change" in shown
    assert row(services).story == EDITED

    refused = drive(services, f"/withdraw {ident}", user="sam")
    assert messages.NOT_YOUR_NOMINATION.format(admins=messages.ADMINS_UNKNOWN) in refused
    assert row(services).withdrawn_at is None

    assert messages.WITHDRAWN.format(nominees="@nia") in drive(
        services, f"/withdraw {ident}", user="ana"
    )
    assert row(services).withdrawn_at is not None
    assert messages.CONSOLE_NO_NOMINATIONS in drive(services, "/recent", user="ana")


def test_a_late_or_bad_edit_says_what_to_do_and_keeps_what_was_typed(
    services: Services, clock: FakeClock
) -> None:
    drive(services, f"/nominate @nia {STORY} #speaking-up", user="ana")
    ident = row(services).id
    shown = drive(services, f"/edit {ident} too short", "/edit x", user="ana")
    assert messages.STORY_TOO_SHORT.format(minimum=20, length=9) in shown
    assert messages.CONSOLE_YOU_TYPED.format(text=f"{ident} too short") in shown
    assert messages.CONSOLE_BAD_NOMINATION.format(usage="/edit 3 the new story #behaviour") in shown
    clock.advance(timedelta(hours=25))
    late = drive(services, f"/withdraw {ident}", user="ana")
    assert "Nominations can be edited or withdrawn for 24 hours" in late
    assert row(services).story == STORY and row(services).withdrawn_at is None


def test_flag_hide_restore_and_dismiss_from_the_console(services: Services) -> None:
    drive(services, f"/nominate @nia {STORY} #speaking-up", user="ana")
    ident = row(services).id

    assert messages.FLAGGED in drive(services, f"/flag {ident} Names a bed number", user="sam")
    listed = drive(services, "/flags", user="op")
    assert (
        messages.CONSOLE_FLAG_LINE.format(
            flag_id=1, nomination_id=ident, who="@sam", reason="Names a bed number"
        )
        in listed
    )

    shown = drive(services, f"/hide {ident} Patient detail", "/recent", "/flags", user="op")
    assert messages.HIDDEN_DONE.format(nomination_id=ident, notice=messages.HIDDEN_NOTICE) in shown
    assert messages.CONSOLE_NO_NOMINATIONS in shown  # hidden: gone from /recent
    assert (
        messages.CONSOLE_HIDDEN_LINE.format(
            nomination_id=ident, admin="op", reason="Patient detail"
        )
        in shown
    )
    assert row(services).hidden_reason == "Patient detail"

    shown = drive(services, f"/restore {ident} Checked", "/recent", user="op")
    assert messages.RESTORED_DONE.format(nomination_id=ident) in shown
    assert f"“{STORY}”" in shown and row(services).hidden_at is None

    drive(services, f"/flag {ident} Still unsure", user="lee")
    dismissed = drive(services, "/dismiss 2", "/dismiss 2", user="op")
    assert f"#{ident}: " + messages.FLAG_DISMISSED_BY.format(admin="@op") in dismissed
    assert messages.FLAG_NOT_FOUND in dismissed  # decided already
    with services.sessions() as session:
        statuses = dict(session.execute(select(NominationFlag.id, NominationFlag.status)).all())
        actions = [(e.action, e.platform) for e in audit_entries(session)]
    assert statuses == {1: "upheld", 2: "dismissed"}
    assert actions == [
        ("flag.dismissed", "console"),
        ("nomination.restored", "console"),
        ("nomination.hidden", "console"),
        ("flag.upheld", "console"),
    ]

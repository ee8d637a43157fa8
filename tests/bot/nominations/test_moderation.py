"""Moderation use cases with a recording editor: who may edit, withdraw, flag, hide and
restore (read from the database), what is stored and audited, and every sent message
rewritten."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot import messages
from bot.audit import AuditAction, audit_entries
from bot.errors import (
    AlreadyFlaggedError,
    EditWindowClosedError,
    EndorsementError,
    FlagNotFoundError,
    InvalidFlagError,
    InvalidNominationError,
    NominationField,
    NominationNotFoundError,
    NotAuthorisedError,
    NotYourNominationError,
)
from bot.nominations.moderation import (
    Actor,
    decide_flag,
    edit_nomination,
    flag_nomination,
    hide_nomination,
    moderation_queue,
    restore_nomination,
    withdraw_nomination,
)
from bot.nominations.use_cases import NominationSubmission, endorse_nomination, record_nomination
from bot.people.resolution import NoLookup, PersonRef
from bot.recognition.history import latest_in_workspace
from bot.recognition.senders import FlagNotice, PublicTarget, SentMessage
from bot.recognition.views import RecognitionView
from bot.services import Services
from db.models import Nomination, NominationFlag
from tests.support.clock import FakeClock

STORY = "Reorganised the porter rota so theatre lists never waited for a bed move."
EDITED = "Reorganised the porter rota so no theatre list waited for a trolley all winter."


@dataclass
class RecordingEditor:
    """A RecognitionEditor and FlagNotifier that records every message it sends or changes."""

    platform: str = "Test"
    public_kind: str = "test-recognition"
    dm_kind: str = "test-recognition-dm"
    sent: list[tuple[str, str]] = field(default_factory=list)
    changes: list[tuple[str, str, str, str]] = field(default_factory=list)
    flags: list[tuple[str, FlagNotice]] = field(default_factory=list)

    async def public_target(self, workspace_id: int, source: str | None) -> PublicTarget | None:
        return PublicTarget(source, f"#{source}") if source else None

    async def post_recognition(self, workspace_id: int, channel: str, view: RecognitionView) -> str:
        self.sent.append(("post", channel))
        return f"m{len(self.sent)}"

    async def send_dm(self, workspace_id: int, person: str, view: RecognitionView) -> str:
        self.sent.append(("dm", person))
        return f"m{len(self.sent)}"

    async def update_post(
        self, workspace_id: int, channel: str, message_id: str, view: RecognitionView
    ) -> None:
        self.changes.append(("update", channel, message_id, view.story))

    async def update_message(
        self, workspace_id: int, message: SentMessage, view: RecognitionView
    ) -> None:
        self.changes.append(("update", message.channel_id, message.message_id, view.story))

    async def replace_with_notice(self, workspace_id: int, message: SentMessage, text: str) -> None:
        self.changes.append(("notice", message.channel_id, message.message_id, text))

    async def delete_message(self, workspace_id: int, message: SentMessage) -> None:
        self.changes.append(("delete", message.channel_id, message.message_id, ""))

    def describe_error(self, error: Exception) -> str:
        return str(error)

    def is_permanent(self, reason: str) -> bool:
        return False

    def is_revoked(self, reason: str) -> bool:
        return False

    def can_reach(self, person_id: str) -> bool:
        return not person_id.startswith("aad-")

    async def send_flag(self, workspace_id: int, admin_id: str, notice: FlagNotice) -> None:
        self.flags.append((admin_id, notice))


def person(name: str) -> PersonRef:
    return PersonRef(ref=name, platform_user_id=name, name=name)


def actor(name: str, *, admin: bool = False) -> Actor:
    return Actor("test", "T1", person(name), admin_ids=(name,) if admin else ())


@pytest.fixture
def services(make_settings, clock: FakeClock):  # type: ignore[no-untyped-def]
    from bot.app.composition import build_services
    from db.migrate import upgrade_database

    built = build_services(make_settings(EVERYSEAT_ADMINS="boss,aad-boss"), clock=clock)
    upgrade_database(built.engine)
    try:
        yield built
    finally:
        built.close()


def nominate(services: Services, editor: RecordingEditor, *, visibility: str = "public") -> int:
    submission = NominationSubmission(
        platform="test",
        workspace_external_id="T1",
        nominator=person("ana"),
        nominees=(person("nia"), person("sam")),
        behaviour_slugs=("enabling-change",),
        story=STORY,
        visibility=visibility,
        source_channel_id="CWARD",
    )
    result = asyncio.run(record_nomination(services, submission, NoLookup(), editor))
    return result.nomination_id


def stored(services: Services, nomination_id: int) -> Nomination:
    with services.sessions() as session:
        row = session.get(Nomination, nomination_id)
        assert row is not None
        session.expunge(row)
        return row


def test_the_author_edits_within_the_window_and_every_message_shows_it(
    services: Services, clock: FakeClock
) -> None:
    editor = RecordingEditor()
    ident = nominate(services, editor)
    assert editor.sent == [("dm", "nia"), ("dm", "sam"), ("post", "CWARD")]
    clock.advance(timedelta(hours=23))

    view = asyncio.run(
        edit_nomination(
            services, actor("ana"), ident, f"  {EDITED} ", ["speaking-up", "speaking-up"], editor
        )
    )

    assert view.story == EDITED and [b.slug for b in view.behaviours] == ["speaking-up"]
    assert sorted(editor.changes) == [
        ("update", "CWARD", "m3", EDITED),
        ("update", "nia", "m1", EDITED),
        ("update", "sam", "m2", EDITED),
    ]
    row = stored(services, ident)
    assert row.story == EDITED and row.edited_at == clock()


def test_an_edit_breaking_a_rule_stores_nothing_and_says_which_field(
    services: Services,
) -> None:
    editor = RecordingEditor()
    ident = nominate(services, editor)
    with pytest.raises(InvalidNominationError) as raised:
        asyncio.run(edit_nomination(services, actor("ana"), ident, "Too short", [], editor))
    assert set(raised.value.by_field()) == {NominationField.STORY, NominationField.BEHAVIOURS}
    assert stored(services, ident).story == STORY and stored(services, ident).edited_at is None
    assert editor.changes == []


def test_outside_the_window_or_not_the_author_the_answer_names_an_admin(
    services: Services, clock: FakeClock
) -> None:
    editor = RecordingEditor()
    ident = nominate(services, editor)
    # The admin has used Everyseat, so they can be named.
    asyncio.run(flag_nomination(services, actor("boss"), ident, "checking", None))

    with pytest.raises(NotYourNominationError) as not_yours:
        asyncio.run(withdraw_nomination(services, actor("nia"), ident, editor))
    assert not_yours.value.message == messages.NOT_YOUR_NOMINATION.format(admins="boss")

    clock.advance(timedelta(hours=24, seconds=1))
    with pytest.raises(EditWindowClosedError) as closed:
        asyncio.run(edit_nomination(services, actor("ana"), ident, EDITED, ["speaking-up"], editor))
    assert closed.value.message == messages.EDIT_WINDOW_CLOSED.format(
        hours=24, made="18 Nov 2026 at 10:00", admins="boss"
    )
    assert stored(services, ident).story == STORY and editor.changes == []


def test_withdrawing_deletes_every_message_and_it_stops_counting(
    services: Services, clock: FakeClock
) -> None:
    editor = RecordingEditor()
    ident = nominate(services, editor)
    workspace_id = stored(services, ident).workspace_id

    asyncio.run(withdraw_nomination(services, actor("ana"), ident, editor))

    assert sorted(editor.changes) == [
        ("delete", "CWARD", "m3", ""),
        ("delete", "nia", "m1", ""),
        ("delete", "sam", "m2", ""),
    ]
    assert stored(services, ident).withdrawn_at == clock()
    assert latest_in_workspace(services, workspace_id) == ()
    with pytest.raises(EndorsementError):
        asyncio.run(
            endorse_nomination(services, "test", "T1", person("ola"), ident, NoLookup(), editor)
        )
    with pytest.raises(NominationNotFoundError):  # withdrawn is final
        asyncio.run(withdraw_nomination(services, actor("ana"), ident, editor))


def test_a_flag_reaches_reachable_admins_and_a_second_one_is_refused(
    services: Services,
) -> None:
    editor = RecordingEditor()
    ident = nominate(services, editor)
    with pytest.raises(InvalidFlagError):
        asyncio.run(flag_nomination(services, actor("ola"), ident, "   ", editor))

    notice = asyncio.run(
        flag_nomination(services, actor("ola"), ident, " Names a patient ", editor)
    )

    assert [(admin, n.reason, n.flagged_by) for admin, n in editor.flags] == [
        ("boss", "Names a patient", "ola")
    ]
    assert notice.recognition.story == STORY
    with pytest.raises(AlreadyFlaggedError):
        asyncio.run(flag_nomination(services, actor("ola"), ident, "again", editor))
    queue = moderation_queue(services, stored(services, ident).workspace_id)
    assert [(f.nomination_id, f.reason, f.who) for f in queue.open_flags] == [
        (ident, "Names a patient", "ola")
    ]


def test_a_private_nomination_can_only_be_flagged_by_those_in_it(services: Services) -> None:
    editor = RecordingEditor()
    ident = nominate(services, editor, visibility="private")
    with pytest.raises(NominationNotFoundError):
        asyncio.run(flag_nomination(services, actor("ola"), ident, "looks wrong", editor))
    asyncio.run(flag_nomination(services, actor("nia"), ident, "please take it down", editor))


def test_only_admins_hide_and_restore_and_both_are_audited(
    services: Services, clock: FakeClock
) -> None:
    editor = RecordingEditor()
    ident = nominate(services, editor)
    asyncio.run(flag_nomination(services, actor("ola"), ident, "Names a patient", editor))

    with pytest.raises(NotAuthorisedError) as refused:
        asyncio.run(hide_nomination(services, actor("nia"), ident, "no", editor))
    assert refused.value.message == messages.NOT_A_MODERATOR
    assert stored(services, ident).hidden_at is None

    asyncio.run(hide_nomination(services, actor("boss", admin=True), ident, "IG breach", editor))
    row = stored(services, ident)
    assert (row.hidden_at, row.hidden_by, row.hidden_reason) == (clock(), "boss", "IG breach")
    assert sorted(editor.changes) == [
        ("notice", "CWARD", "m3", messages.HIDDEN_NOTICE),
        ("notice", "nia", "m1", messages.HIDDEN_NOTICE),
        ("notice", "sam", "m2", messages.HIDDEN_NOTICE),
    ]
    with services.sessions() as session:
        assert session.scalars(select(NominationFlag.status)).all() == ["upheld"]
    assert latest_in_workspace(services, row.workspace_id) == ()

    editor.changes.clear()
    clock.advance(timedelta(minutes=5))
    asyncio.run(restore_nomination(services, actor("boss", admin=True), ident, "cleared", editor))
    assert stored(services, ident).hidden_at is None
    assert sorted(editor.changes) == [
        ("update", "CWARD", "m3", STORY),
        ("update", "nia", "m1", STORY),
        ("update", "sam", "m2", STORY),
    ]
    with services.sessions() as session:
        trail = [(e.action, e.actor, e.subject, dict(e.detail)) for e in audit_entries(session)]
    flag_id = 1
    assert trail == [
        ("nomination.restored", "boss", f"nomination:{ident}", {"reason": "cleared"}),
        (
            "nomination.hidden",
            "boss",
            f"nomination:{ident}",
            {"reason": "IG breach", "flags_upheld": 1},
        ),
        ("flag.upheld", "boss", f"flag:{flag_id}", {"nomination_id": ident}),
    ]


def test_dismissing_a_flag_leaves_the_nomination_up_and_is_audited(services: Services) -> None:
    editor = RecordingEditor()
    ident = nominate(services, editor)
    notice = asyncio.run(flag_nomination(services, actor("ola"), ident, "Not sure", editor))

    decision = asyncio.run(
        decide_flag(
            services, actor("boss", admin=True), notice.flag_id, uphold=False, editor=editor
        )
    )

    assert not decision.upheld and stored(services, ident).hidden_at is None
    assert editor.changes == []
    with services.sessions() as session:
        [entry] = audit_entries(session)
    assert (entry.action, entry.subject) == (AuditAction.FLAG_DISMISSED, f"flag:{notice.flag_id}")
    with pytest.raises(FlagNotFoundError):  # already decided
        asyncio.run(
            decide_flag(
                services, actor("boss", admin=True), notice.flag_id, uphold=True, editor=editor
            )
        )


def test_erasing_a_person_removes_their_flags_and_their_name_from_moderation_records(
    services: Services,
) -> None:
    from bot.people.data_protection import forget_member

    editor = RecordingEditor()
    ident = nominate(services, editor)
    asyncio.run(flag_nomination(services, actor("ola"), ident, "Ola's own words", editor))
    asyncio.run(flag_nomination(services, actor("lee"), ident, "Lee's words", editor))
    asyncio.run(hide_nomination(services, actor("boss", admin=True), ident, "IG", editor))

    forget_member(services, "ola")
    forget_member(services, "boss")

    with services.sessions() as session:
        flags = session.execute(select(NominationFlag.reason, NominationFlag.decided_by)).all()
        assert flags == [("Lee's words", None)]
        moderation_facts = [
            e.action
            for e in audit_entries(session)
            if e.action.startswith(("flag.", "nomination."))
        ]
        assert len(moderation_facts) == 3  # the facts stay, with no content
    row = stored(services, ident)
    assert row.hidden_at is not None and row.hidden_by is None


def test_an_edit_that_adds_an_nhs_number_is_refused_and_the_story_is_unchanged(
    services: Services,
) -> None:
    from bot.errors import PatientIdentifierError

    editor = RecordingEditor()
    ident = nominate(services, editor)
    story = "Spotted NHS number 943 476 5919 on an open screen and locked it straight away."
    with pytest.raises(PatientIdentifierError):
        asyncio.run(edit_nomination(services, actor("ana"), ident, story, ["speaking-up"], editor))
    assert stored(services, ident).story == STORY
    assert [change for change in editor.changes if change[0] == "update"] == []

"""The nomination use cases with a recording sender: what is stored, sent and confirmed,
the same for every platform."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select, update

from bot import messages
from bot.errors import (
    AlreadyEndorsedError,
    DailyCapReachedError,
    InvalidNominationError,
    NominationField,
    StorageUnavailableError,
)
from bot.nominations.confirmation import confirmation_text
from bot.nominations.use_cases import (
    NominationSubmission,
    announce_nomination,
    endorse_nomination,
    record_nomination,
)
from bot.people.resolution import NoLookup, PersonRef
from bot.recognition.outbox import PublicPost, retry_outbox
from bot.recognition.senders import PublicTarget
from bot.recognition.views import RecognitionView
from bot.services import Services
from db.models import Member, Nomination
from tests.support import builders
from tests.support.clock import FakeClock

STORY = "Reorganised the porter rota so theatre lists never waited for a bed move."


@dataclass
class RecordingSender:
    """A RecognitionSender that records what it sends and can refuse the public post."""

    platform: str = "Test"
    public_kind: str = "test-recognition"
    dm_kind: str = "test-recognition-dm"
    refuse_public: str | None = None
    sent: list[tuple[str, str, int]] = field(default_factory=list)
    updated: list[tuple[str, str, int]] = field(default_factory=list)

    async def public_target(self, workspace_id: int, source: str | None) -> PublicTarget | None:
        return PublicTarget(source, f"#{source}") if source else None

    async def post_recognition(self, workspace_id: int, channel: str, view: RecognitionView) -> str:
        if self.refuse_public:
            raise RuntimeError(self.refuse_public)
        self.sent.append(("post", channel, view.endorsements))
        return f"m{len(self.sent)}"

    async def send_dm(self, workspace_id: int, person: str, view: RecognitionView) -> str:
        self.sent.append(("dm", person, view.endorsements))
        return f"m{len(self.sent)}"

    async def update_post(
        self, workspace_id: int, channel: str, message_id: str, view: RecognitionView
    ) -> None:
        self.updated.append((channel, message_id, view.endorsements))

    def describe_error(self, error: Exception) -> str:
        return str(error)

    def is_permanent(self, reason: str) -> bool:
        return reason == "not_in_channel"

    def is_revoked(self, reason: str) -> bool:
        return False


def person(name: str) -> PersonRef:
    return PersonRef(ref=name, platform_user_id=name, name=name)


def submission(**changes: object) -> NominationSubmission:
    values: dict[str, object] = {
        "platform": "test",
        "workspace_external_id": "T1",
        "nominator": person("ana"),
        "nominees": (person("nia"), person("sam")),
        "behaviour_slugs": ("enabling-change",),
        "story": STORY,
        "source_channel_id": "CWARD",
    }
    values.update(changes)
    return NominationSubmission(**values)  # type: ignore[arg-type]


def record(services: Services, sender: RecordingSender, **changes: object):  # type: ignore[no-untyped-def]
    return asyncio.run(record_nomination(services, submission(**changes), NoLookup(), sender))


def test_a_nomination_is_stored_posted_once_and_each_nominee_told(services: Services) -> None:
    sender = RecordingSender()
    result = record(services, sender)
    assert result.created and result.celebration is not None
    assert result.celebration.public is PublicPost.POSTED
    assert sender.sent == [("dm", "nia", 0), ("dm", "sam", 0), ("post", "CWARD", 0)]
    text = confirmation_text(
        result, name_of=lambda p: f"@{p.display_name}", wording=messages.SLACK_CONFIRMATION
    )
    assert text == messages.RECORDED_PUBLIC.format(
        nominees="@nia and @sam", behaviours="Enabling change", channel="#CWARD"
    )
    again = record(services, sender)  # the same submission moments later
    assert not again.created and again.nomination_id == result.nomination_id
    assert len(sender.sent) == 3


def test_a_broken_rule_stores_nothing_and_names_the_resolved_nominees(
    services: Services,
) -> None:
    sender = RecordingSender()
    with pytest.raises(InvalidNominationError) as raised:
        record(services, sender, nominees=(person("ana"),), story="Too short")
    assert set(raised.value.by_field()) == {NominationField.NOMINEES, NominationField.STORY}
    assert raised.value.nominees == (("ana", "ana"),)
    with services.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Nomination)) == 0
    assert sender.sent == []


def test_one_line_without_a_behaviour_uses_the_default_and_says_so(services: Services) -> None:
    result = record(services, RecordingSender(), behaviour_slugs=(), default_behaviour_allowed=True)
    assert result.default_behaviour == services.catalogue.default.slug
    text = confirmation_text(
        result, name_of=lambda p: p.display_name, wording=messages.TEAMS_CONFIRMATION
    )
    assert text.endswith(messages.DEFAULT_BEHAVIOUR_USED.format(slug=result.default_behaviour))


def test_private_nominations_are_only_sent_to_the_nominees(services: Services) -> None:
    sender = RecordingSender()
    result = record(services, sender, visibility="private")
    assert result.celebration is not None and result.celebration.public is PublicPost.PRIVATE
    assert [kind for kind, _, _ in sender.sent] == ["dm", "dm"]


def test_a_refused_post_is_queued_and_the_sweep_sends_it_once(
    services: Services, clock: FakeClock
) -> None:
    sender = RecordingSender(refuse_public="ratelimited")
    result = record(services, sender)
    assert result.celebration is not None and result.celebration.public is PublicPost.QUEUED
    sender.refuse_public = None
    assert asyncio.run(retry_outbox(services, sender)) == 1
    assert asyncio.run(retry_outbox(services, sender)) == 0
    assert [entry for entry in sender.sent if entry[0] == "post"] == [("post", "CWARD", 0)]


def test_stored_then_announced_after_the_acknowledgement_posts_once(services: Services) -> None:
    """How Slack's adapter works: store within the ack window, acknowledge, then announce."""
    sender = RecordingSender()
    stored = asyncio.run(record_nomination(services, submission(), NoLookup()))
    assert stored.created and stored.celebration is None and sender.sent == []
    result = asyncio.run(announce_nomination(services, stored, sender, "CWARD"))
    assert result.celebration is not None and result.celebration.public is PublicPost.POSTED
    assert sorted(sender.sent) == [("dm", "nia", 0), ("dm", "sam", 0), ("post", "CWARD", 0)]


def test_a_nomination_whose_process_died_before_announcing_it_is_announced_by_the_sweep(
    services: Services, clock: FakeClock
) -> None:
    """Stored and acknowledged, then the process was killed: no claim was ever made. The
    sweep leaves it to a live process for a lease, then announces it, once."""
    asyncio.run(record_nomination(services, submission(), NoLookup()))
    announced = record(services, RecordingSender(), story=STORY + " Another night.")
    assert announced.celebration is not None
    sender = RecordingSender()
    assert asyncio.run(retry_outbox(services, sender)) == 0
    clock.advance(timedelta(seconds=services.settings.EVERYSEAT_DELIVERY_LEASE_SECONDS + 1))
    assert asyncio.run(retry_outbox(services, sender)) == 1
    assert asyncio.run(retry_outbox(services, sender)) == 0
    assert sorted(sender.sent) == [("dm", "nia", 0), ("dm", "sam", 0), ("post", "CWARD", 0)]


def test_a_nomination_stored_but_never_announced_is_announced_by_the_sweep(
    services: Services, clock: FakeClock
) -> None:
    """The process lost the database (or died) after storing, before it claimed any post:
    the sweep, a lease later, messages each nominee and posts it, each once."""

    class LosesTheDatabase(RecordingSender):
        async def public_target(self, workspace_id: int, source: str | None) -> PublicTarget:
            raise StorageUnavailableError(messages.STORAGE_UNAVAILABLE)

    first = LosesTheDatabase()
    stored = asyncio.run(record_nomination(services, submission(), NoLookup()))
    with pytest.raises(StorageUnavailableError):
        asyncio.run(announce_nomination(services, stored, first, "CWARD"))
    assert first.sent == []  # posts are claimed together, after the target is known
    sweeper = RecordingSender()
    assert asyncio.run(retry_outbox(services, sweeper)) == 0  # younger than a lease: live
    clock.advance(timedelta(seconds=services.settings.EVERYSEAT_DELIVERY_LEASE_SECONDS + 1))
    assert asyncio.run(retry_outbox(services, sweeper)) == 1
    assert asyncio.run(retry_outbox(services, sweeper)) == 0
    assert sorted(sweeper.sent) == [("dm", "nia", 0), ("dm", "sam", 0), ("post", "CWARD", 0)]


def test_a_permanent_refusal_is_reported_as_unposted(services: Services) -> None:
    result = record(services, RecordingSender(refuse_public="not_in_channel"))
    assert result.celebration is not None
    assert result.celebration.public is PublicPost.UNPOSTED
    assert result.celebration.reason == "not_in_channel"


def test_endorsing_updates_the_stored_post_and_counts_once(services: Services) -> None:
    sender = RecordingSender()
    result = record(services, sender)

    def endorse(who: str) -> RecognitionView:
        return asyncio.run(
            endorse_nomination(
                services, "test", "T1", person(who), result.nomination_id, NoLookup(), sender
            )
        )

    assert endorse("ola").endorsements == 1
    assert sender.updated == [("CWARD", "m3", 1)]
    with pytest.raises(AlreadyEndorsedError):
        endorse("ola")
    assert len(sender.updated) == 1


def test_a_nomination_of_known_people_takes_two_transactions(services: Services) -> None:
    sender = RecordingSender()
    record(services, sender)  # the people are stored now
    with services.sessions() as session:  # as a platform's directory would have refreshed them
        session.execute(update(Member).values(profile_refreshed_at=services.clock()))
        session.commit()
    transactions: list[str] = []
    statements: list[str] = []

    def on_commit(_connection: object) -> None:
        transactions.append("commit")

    def on_rollback(_connection: object) -> None:
        transactions.append("rollback")

    def on_statement(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(services.engine, "commit", on_commit)
    event.listen(services.engine, "rollback", on_rollback)
    event.listen(services.engine, "before_cursor_execute", on_statement)
    try:
        result = record(services, sender, story=STORY + " Again, on the night shift.")
    finally:
        event.remove(services.engine, "commit", on_commit)
        event.remove(services.engine, "rollback", on_rollback)
        event.remove(services.engine, "before_cursor_execute", on_statement)
    assert result.created and result.celebration is not None
    assert result.celebration.public is PublicPost.POSTED
    assert sender.sent[-3:] == [("dm", "nia", 0), ("dm", "sam", 0), ("post", "CWARD", 0)]
    # Stored with its posts claimed; then recorded as sent together.
    assert transactions == ["commit", "commit"]
    # The nomination is never read back after it is written.
    loads = [
        s for s in statements if s.lstrip().upper().startswith("SELECT") and "nomination.story" in s
    ]
    assert loads == [s for s in loads if "fingerprint" in s]  # only the duplicate check
    with services.sessions() as session:
        stored = session.get(Nomination, result.nomination_id)
        assert stored is not None and stored.posted_channel_id == "CWARD"


class ProfilesThatMustNotBeAsked:
    """A directory that fails the test if the guard lets a lookup happen."""

    async def profiles(self, people: object) -> dict[str, object]:
        raise AssertionError("the platform was asked about people for a refused story")


def test_a_story_with_an_nhs_number_is_refused_before_anything_is_looked_up_or_stored(
    services: Services,
) -> None:
    from bot.errors import PatientIdentifierError
    from tests.support.stored import stored_rows

    sender = RecordingSender()
    submission = NominationSubmission(
        platform="console",
        workspace_external_id="local",
        nominator=person("ana"),
        nominees=(person("nia"),),
        behaviour_slugs=("speaking-up",),
        story="Locked a screen showing NHS number 9434765919 before visitors saw it.",
    )

    with pytest.raises(PatientIdentifierError) as raised:
        asyncio.run(
            record_nomination(services, submission, ProfilesThatMustNotBeAsked(), sender)  # type: ignore[arg-type]
        )

    assert raised.value.by_field() == {
        NominationField.STORY: messages.PATIENT_IDENTIFIER_REFUSED.format(
            findings="an NHS number (943 *** ****)"
        )
    }
    assert raised.value.nominees == (("nia", "nia"),)
    assert sender.sent == []
    assert set(stored_rows(services)) <= {"alembic_version"}


def test_the_daily_cap_counts_a_person_across_their_slack_and_teams_accounts(
    services: Services, clock: FakeClock
) -> None:
    """Ana has a Slack and a Teams account with one work email: 3 nominations from Slack
    and 2 from Teams reach a cap of 5, so the next is refused on either platform, while a
    colleague on Teams still can."""
    services.rules = replace(services.rules, daily_cap=5)
    slack = builders.workspace(services, "T1", "slack")
    teams = builders.workspace(services, "tenant-1", "teams")
    for workspace, suffix in ((slack, ""), (teams, "-aad")):
        builders.member(services, workspace.id, f"ana{suffix}", "Ana", email="Ana@Trust.nhs.uk")
        builders.member(services, workspace.id, f"nia{suffix}", "Nia", email="nia@trust.nhs.uk")
        builders.member(services, workspace.id, f"sam{suffix}", "Sam")

    def on(platform: str, nominator: str, nominee: str, number: int) -> object:
        clock.advance(timedelta(minutes=1))
        return record(
            services,
            RecordingSender(),
            platform=platform,
            workspace_external_id="T1" if platform == "slack" else "tenant-1",
            nominator=person(nominator),
            nominees=(person(nominee),),
            story=f"{STORY} Shift number {number}.",
        )

    for number in range(3):
        on("slack", "ana", "nia", number)
    for number in range(3, 5):
        on("teams", "ana-aad", "nia-aad", number)

    for platform, nominator, nominee in (("slack", "ana", "nia"), ("teams", "ana-aad", "nia-aad")):
        with pytest.raises(DailyCapReachedError) as refused:
            on(platform, nominator, nominee, 6)
        assert str(refused.value) == messages.DAILY_CAP_REACHED.format(made="5 nominations")
    assert on("teams", "sam-aad", "nia-aad", 7).created  # Sam is someone else
    with services.sessions() as session:
        made_by = session.execute(
            select(Member.platform_user_id, func.count())
            .join(Nomination, Nomination.nominator_id == Member.id)
            .group_by(Member.platform_user_id)
        ).all()
    assert sorted(made_by) == [("ana", 3), ("ana-aad", 2), ("sam-aad", 1)]

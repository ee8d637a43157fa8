"""The nomination use cases with a recording sender: what is stored, sent and confirmed,
the same for every platform."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import pytest
from sqlalchemy import func, select

from bot import messages
from bot.errors import AlreadyEndorsedError, InvalidNominationError, NominationField
from bot.nominations.confirmation import confirmation_text
from bot.nominations.use_cases import (
    NominationSubmission,
    endorse_nomination,
    record_nomination,
)
from bot.people.resolution import NoLookup, PersonRef
from bot.recognition.outbox import PublicPost, retry_outbox
from bot.recognition.senders import PublicTarget
from bot.recognition.views import RecognitionView
from bot.services import Services
from db.models import Nomination
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

"""The nomination rules, against a real SQLite (or PostgreSQL) database."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot import messages
from bot.errors import (
    AlreadyEndorsedError,
    DailyCapReachedError,
    InvalidNominationError,
    NominationField,
    OwnNominationError,
)
from bot.nominations.rules import NominationRequest, endorse, nominate, recent_nominations
from bot.services import Services
from db.models import Endorsement, Member, Nomination, NominationNominee
from tests.support import builders
from tests.support.clock import FakeClock


@pytest.fixture
def people(services: Services) -> dict[str, object]:
    ws = builders.workspace(services)
    return {
        "ws": ws,
        "ana": builders.member(services, ws.id, "UANA", "Ana", title="Ward sister"),
        "nia": builders.member(services, ws.id, "UNIA", "Nia", title="Porter"),
        "sam": builders.member(services, ws.id, "USAM", "Sam", title="Receptionist"),
        "bot": builders.member(services, ws.id, "UBOT", "Rota bot", is_bot=True),
        "gone": builders.member(services, ws.id, "UGONE", "Gone", is_deactivated=True),
    }


def stored_nominations(services: Services) -> int:
    with services.sessions() as session:
        return session.scalar(select(func.count()).select_from(Nomination)) or 0


def test_valid_nomination_is_stored_with_nominees_and_behaviours(services, people) -> None:
    outcome = builders.nomination(
        services,
        people["ana"],
        [people["nia"], people["sam"]],
        behaviours=["speaking-up", "enabling-change"],
    )
    assert outcome.created
    with services.sessions() as session:
        stored = session.get(Nomination, outcome.nomination_id)
        assert stored is not None
        assert stored.story == builders.STORY
        assert [link.member.platform_user_id for link in stored.nominees] == ["UNIA", "USAM"]
        assert [link.behaviour_slug for link in stored.behaviours] == [
            "speaking-up",
            "enabling-change",
        ]
        assert stored.visibility == "public"
        assert stored.created_at == services.clock()


@pytest.mark.parametrize(
    ("nominees", "field", "message"),
    [
        ([], NominationField.NOMINEES, messages.NO_NOMINEES),
        (["ana"], NominationField.NOMINEES, messages.SELF_NOMINATION),
        (["bot"], NominationField.NOMINEES, messages.BOT_NOMINEE.format(name="Rota bot")),
        (["gone"], NominationField.NOMINEES, messages.DEACTIVATED_NOMINEE.format(name="Gone")),
    ],
)
def test_ineligible_nominees_are_refused_and_nothing_stored(
    services, people, nominees, field, message
) -> None:
    with pytest.raises(InvalidNominationError) as caught:
        builders.nomination(services, people["ana"], [people[name] for name in nominees])
    assert caught.value.by_field() == {field: message}
    assert stored_nominations(services) == 0


def test_more_than_ten_nominees_is_refused(services, people) -> None:
    crowd = [builders.member(services, people["ws"].id, f"U{i:03}") for i in range(11)]
    with pytest.raises(InvalidNominationError) as caught:
        builders.nomination(services, people["ana"], crowd)
    assert caught.value.by_field()[NominationField.NOMINEES] == (
        "Choose at most 10 colleagues in one nomination (you chose 11)."
    )
    ten = builders.nomination(services, people["ana"], crowd[:10])
    assert ten.created


@pytest.mark.parametrize(
    ("story", "expected"),
    [
        ("", messages.STORY_TOO_SHORT.format(minimum=20, length=0)),
        ("   Too short.   ", messages.STORY_TOO_SHORT.format(minimum=20, length=10)),
        ("x" * 1501, "Keep the story to 1500 characters (you wrote 1501); trim 1 character."),
    ],
)
def test_story_length_is_enforced_with_the_limits_shown(services, people, story, expected) -> None:
    with pytest.raises(InvalidNominationError) as caught:
        builders.nomination(services, people["ana"], [people["nia"]], story=story)
    assert caught.value.by_field() == {NominationField.STORY: expected}
    assert stored_nominations(services) == 0


def test_story_at_the_limits_is_accepted(services, people) -> None:
    assert builders.nomination(services, people["ana"], [people["nia"]], story="x" * 20).created
    assert builders.nomination(services, people["ana"], [people["sam"]], story="y" * 1500).created


def test_unknown_and_missing_behaviours_are_refused(services, people) -> None:
    with pytest.raises(InvalidNominationError) as caught:
        builders.nomination(services, people["ana"], [people["nia"]], behaviours=["heroics"])
    message = caught.value.by_field()[NominationField.BEHAVIOURS]
    assert message.startswith("Unknown behaviour #heroics. Choose from: #leading-from-every-seat")
    with pytest.raises(InvalidNominationError) as caught:
        builders.nomination(services, people["ana"], [people["nia"]], behaviours=[])
    assert caught.value.by_field() == {NominationField.BEHAVIOURS: messages.NO_BEHAVIOURS}


def test_every_problem_is_reported_at_once(services, people) -> None:
    with pytest.raises(InvalidNominationError) as caught:
        builders.nomination(services, people["ana"], [people["ana"]], story="short", behaviours=[])
    assert set(caught.value.by_field()) == {
        NominationField.NOMINEES,
        NominationField.STORY,
        NominationField.BEHAVIOURS,
    }


def test_repeat_within_window_records_one_nomination(services, people, clock: FakeClock) -> None:
    first = builders.nomination(services, people["ana"], [people["nia"]])
    clock.advance(timedelta(seconds=30))
    again = builders.nomination(services, people["ana"], [people["nia"]])
    assert first.created and not again.created
    assert again.nomination_id == first.nomination_id
    assert stored_nominations(services) == 1


def test_same_story_after_the_window_is_a_new_nomination(
    services, people, clock: FakeClock
) -> None:
    builders.nomination(services, people["ana"], [people["nia"]])
    clock.advance(services.rules.duplicate_window + timedelta(seconds=1))
    assert builders.nomination(services, people["ana"], [people["nia"]]).created
    assert stored_nominations(services) == 2


def test_daily_cap_stops_the_next_nomination_and_resets_tomorrow(
    services, people, clock: FakeClock
) -> None:
    services.rules = replace(services.rules, daily_cap=2)
    for index in range(2):
        story = f"{builders.STORY} Day shift number {index}."
        assert builders.nomination(services, people["ana"], [people["nia"]], story=story).created
    with pytest.raises(DailyCapReachedError) as caught:
        builders.nomination(
            services, people["ana"], [people["nia"]], story=builders.STORY + " Again"
        )
    assert str(caught.value).startswith("You've made 2 nominations today, the daily limit.")
    assert stored_nominations(services) == 2
    clock.advance(timedelta(days=1))
    assert builders.nomination(
        services, people["ana"], [people["nia"]], story=builders.STORY
    ).created


def test_endorsement_once_per_person_and_not_by_those_involved(services, people) -> None:
    outcome = builders.nomination(services, people["ana"], [people["nia"]])
    nomination_id = outcome.nomination_id
    with services.sessions() as session:
        assert endorse(session, nomination_id, people["sam"], clock=services.clock) == 1
        with pytest.raises(AlreadyEndorsedError):
            endorse(session, nomination_id, people["sam"], clock=services.clock)
        for involved in ("ana", "nia"):
            with pytest.raises(OwnNominationError):
                endorse(session, nomination_id, people[involved], clock=services.clock)
        assert session.scalar(select(func.count()).select_from(Endorsement)) == 1


def test_recent_nominations_received_and_given(services, people, clock: FakeClock) -> None:
    builders.nomination(services, people["ana"], [people["nia"]])
    clock.advance(timedelta(minutes=1))
    builders.nomination(services, people["nia"], [people["sam"]])
    with services.sessions() as session:
        ws = people["ws"].id
        received = recent_nominations(session, ws, received_by=people["nia"].id)
        given = recent_nominations(session, ws, given_by=people["nia"].id)
        everything = recent_nominations(session, ws)
        assert [n.nominator_id for n in received] == [people["ana"].id]
        assert [link.member_id for n in given for link in n.nominees] == [people["sam"].id]
        assert len(everything) == 2 and everything[0].nominator_id == people["nia"].id
        linked = session.scalar(select(func.count()).select_from(NominationNominee))
        assert linked == 2


def nominate_all_at_once(services: Services, accounts: list[tuple[int, int]]) -> list[str]:
    """Twelve nominations at the same moment (threads with their own sessions, as on two
    replicas), the i-th from `accounts[i % len(accounts)]` (nominator id, nominee id), each
    with its own story: "stored" or "refused" for each, sorted."""
    attempts = 12
    start = threading.Barrier(attempts)

    def submit(index: int) -> str:
        nominator_id, nominee_id = accounts[index % len(accounts)]
        start.wait()
        try:
            with services.sessions() as session:
                # Each thread its own copies of the people, as each request loads them.
                nominator = session.get(Member, nominator_id)
                nominee = session.get(Member, nominee_id)
                assert nominator is not None and nominee is not None
                request = NominationRequest(
                    workspace_id=nominator.workspace_id,
                    nominator=nominator,
                    nominees=[nominee],
                    behaviour_slugs=["leading-from-every-seat"],
                    story=f"{builders.STORY} Night shift number {index}.",
                )
                nominate(
                    session,
                    request,
                    catalogue=services.catalogue,
                    rules=services.rules,
                    clock=services.clock,
                )
        except DailyCapReachedError:
            return "refused"
        return "stored"

    with ThreadPoolExecutor(max_workers=attempts) as pool:
        return sorted(pool.map(submit, range(attempts)))


def test_daily_cap_holds_when_many_nominations_arrive_at_once(services, people) -> None:
    """Twelve different stories from one person, all at the same moment: exactly the cap
    is stored, the rest are refused."""
    services.rules = replace(services.rules, daily_cap=5)
    outcomes = nominate_all_at_once(services, [(people["ana"].id, people["nia"].id)])
    assert outcomes == ["refused"] * 7 + ["stored"] * 5
    assert stored_nominations(services) == 5


def test_daily_cap_holds_when_one_person_nominates_from_two_accounts_at_once(
    services: Services, people
) -> None:
    """Twelve nominations at the same moment, alternating between Ana's Slack account and
    her Teams account (one work email): exactly the cap is stored across the two."""
    services.rules = replace(services.rules, daily_cap=5)
    teams = builders.workspace(services, "tenant-0001", "teams")
    slack_ana = builders.member(
        services, people["ws"].id, "UANA", "Ana", title="Ward sister", email="ana@trust.nhs.uk"
    )
    teams_ana = builders.member(services, teams.id, "aad-ana", "Ana", email="ana@trust.nhs.uk")
    teams_nia = builders.member(services, teams.id, "aad-nia", "Nia")
    accounts = [(slack_ana.id, people["nia"].id), (teams_ana.id, teams_nia.id)]
    assert nominate_all_at_once(services, accounts) == ["refused"] * 7 + ["stored"] * 5
    assert stored_nominations(services) == 5

"""The weekly spotlight: who is featured (pick_spotlights) and what the digest says."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.nominations.rules import endorse
from bot.recognition.views import PersonView
from bot.services import Services
from bot.weekly import spotlight
from bot.weekly.periods import Period, PostKind, schedule_for
from bot.weekly.spotlight import (
    CANDIDATE_LIMIT,
    DigestView,
    NomineeProfile,
    SpotlightCandidate,
    SpotlightHistory,
    build_digest_view,
    build_prompt_view,
    pick_spotlights,
    record_spotlights,
    spotlight_count,
    spotlight_history,
    summary_line,
)
from db.models import (
    Endorsement,
    Member,
    Nomination,
    NominationBehaviour,
    NominationNominee,
    Spotlight,
)
from tests.support import builders
from tests.support.clock import FakeClock

SEATS = [
    "Porter",
    "Receptionist",
    "Staff nurse",
    "Consultant",
    "Healthcare assistant",
    "Pharmacist",
    "Physiotherapist",
    "Ward clerk",
    "Occupational therapist",
    "Domestic",
]
LONG_STORY = (
    "Noticed the discharge lounge was backing up, phoned pharmacy and transport herself, "
    "then sat with the two patients who were most anxious until their lifts arrived. "
    "Nobody asked her to; three beds were free before the afternoon surge."
)


def candidate(
    nomination_id: int,
    *people: tuple[int, str | None],
    behaviours: tuple[str, ...] = ("leading-from-every-seat",),
    endorsements: int = 0,
    story: str = "Kept the clinic running calmly when the system went down.",
    department: str | None = None,
) -> SpotlightCandidate:
    nominees = tuple(
        NomineeProfile(
            member_id, PersonView(f"U{member_id}", f"Person {member_id}", title), department
        )
        for member_id, title in people
    )
    return SpotlightCandidate(nomination_id, nominees, behaviours, story, endorsements)


def test_spotlight_count_is_three_to_five() -> None:
    assert [spotlight_count(n) for n in (0, 1, 2, 3, 4, 10, 16, 19, 20, 500)] == [
        0,
        1,
        2,
        3,
        3,
        3,
        4,
        4,
        5,
        5,
    ]


def test_never_features_the_same_person_twice() -> None:
    picked = pick_spotlights(
        [
            candidate(1, (1, "Porter"), endorsements=3),
            candidate(2, (1, "Porter"), (2, "Nurse"), endorsements=5),
            candidate(3, (2, "Nurse"), endorsements=2),
            candidate(4, (3, "Clerk")),
            candidate(5, (4, "Domestic")),
        ]
    )
    people = [n.member_id for c in picked for n in c.nominees]
    assert len(picked) == 3 and len(people) == len(set(people))


def test_prefers_people_not_spotlighted_recently() -> None:
    candidates = [candidate(i, (i, SEATS[i]), endorsements=5 if i < 3 else 0) for i in range(6)]
    picked = pick_spotlights(candidates, recently_spotlighted={0, 1, 2})
    assert sorted(c.nomination_id for c in picked) == [3, 4, 5]
    # With no one fresher left, a recent star can still be featured.
    assert len(pick_spotlights(candidates[:3], recently_spotlighted={0, 1, 2})) == 3


def test_spreads_across_seats_departments_and_behaviours() -> None:
    nurses = [
        candidate(i, (i, "Staff nurse"), behaviours=("speaking-up",), endorsements=1)
        for i in (1, 2, 3)
    ]
    others = [
        candidate(4, (4, "Porter"), behaviours=("enabling-change",)),
        candidate(5, (5, "Receptionist"), behaviours=("values-and-compassion",)),
    ]
    picked = pick_spotlights([*nurses, *others])
    assert sorted(n.person.title for c in picked for n in c.nominees) == [  # type: ignore[type-var]
        "Porter",
        "Receptionist",
        "Staff nurse",
    ]


def test_spreads_across_staff_groups_where_they_are_known() -> None:
    """A nurse and a ward sister are two seats but one staff group: with a nurse featured,
    the porter (another staff group) goes before a sister whose story is a little fuller."""

    def in_group(nomination_id: int, title: str, group: str, story: str) -> SpotlightCandidate:
        profile = NomineeProfile(
            nomination_id,
            PersonView(f"U{nomination_id}", f"Person {nomination_id}", title),
            staff_group=group,
        )
        return SpotlightCandidate(nomination_id, (profile,), ("speaking-up",), story, 0)

    nurse = in_group(1, "Staff nurse", "Nursing and Midwifery", LONG_STORY)
    sister = in_group(2, "Ward sister", "Nursing and Midwifery", LONG_STORY[:200])
    porter = in_group(3, "Porter", "Estates and Ancillary", LONG_STORY[:150])
    assert [c.nomination_id for c in pick_spotlights([nurse, sister, porter], count=2)] == [1, 3]
    # Without staff groups the fuller story wins: the spread above is the staff group's doing.
    unknown = [
        replace(c, nominees=tuple(replace(n, staff_group=None) for n in c.nominees))
        for c in (nurse, sister, porter)
    ]
    assert [c.nomination_id for c in pick_spotlights(unknown, count=2)] == [1, 2]


def test_favours_endorsed_stories_with_substance() -> None:
    candidates = [
        candidate(i, (i, SEATS[i]), story="Helped out on the ward today.") for i in range(6)
    ]
    candidates[4] = candidate(4, (4, SEATS[4]), endorsements=3)
    candidates[5] = candidate(5, (5, SEATS[5]), story=LONG_STORY)
    picked = [c.nomination_id for c in pick_spotlights(candidates)]
    assert picked[:2] == [4, 5]


def ids(picked: list[SpotlightCandidate]) -> list[int]:
    return [c.nomination_id for c in picked]


def _digest(services: Services, workspace_id: int, period: Period) -> DigestView:
    """The digest `period` would post now, read in a session of its own."""
    with services.sessions() as session:
        return build_digest_view(
            session,
            workspace_id,
            period,
            catalogue=services.catalogue,
            reflections=services.reflections,
        )


def test_favours_people_recognised_least_over_fuller_popular_stories() -> None:
    # Nomination 1: someone recognised 15 times in twelve weeks, a long story, many
    # endorsements. Nomination 2: someone recognised once, a one-liner, none.
    popular = candidate(1, (1, "Consultant"), endorsements=12, story=LONG_STORY)
    unseen = candidate(2, (2, "Porter"), story="Helped out on the ward today.")
    history = SpotlightHistory(recognitions={1: 15, 2: 1})
    assert ids(pick_spotlights([popular, unseen], history=history, count=1)) == [2]
    # With the same trailing recognition, the fuller, endorsed story wins.
    even = SpotlightHistory(recognitions={1: 3, 2: 3})
    assert ids(pick_spotlights([popular, unseen], history=even, count=1)) == [1]


def test_endorsements_count_only_up_to_a_small_cap() -> None:
    story = "Kept the clinic running calmly when the system went down."
    few = candidate(1, (1, SEATS[1]), endorsements=2, story=story)
    many = candidate(2, (2, SEATS[2]), endorsements=40, story=story)
    # Past the cap, 40 endorsements are worth what 2 are: which one is featured is left
    # to the week's seeded tie-break, and over several weeks each is.
    chosen = {
        ids(pick_spotlights([few, many], history=SpotlightHistory(seed=f"week {w}"), count=1))[0]
        for w in range(12)
    }
    assert chosen == {1, 2}
    # And a fuller story by someone recognised once outweighs any number of endorsements
    # for someone recognised twice.
    rare = candidate(3, (3, SEATS[3]), story=LONG_STORY)
    history = SpotlightHistory(recognitions={2: 2, 3: 1})
    assert ids(pick_spotlights([many, rare], history=history, count=1)) == [3]


def test_favours_seats_the_spotlight_has_featured_least() -> None:
    nurse = candidate(1, (1, "Staff nurse"), endorsements=2, story=LONG_STORY)
    porter = candidate(2, (2, "Porter"))
    history = SpotlightHistory(seat_spotlights={"staff nurse": 3})
    assert ids(pick_spotlights([nurse, porter], history=history, count=1)) == [2]
    # Titles differing only in case and spacing are one seat.
    shouting = candidate(1, (1, "  STAFF NURSE "), endorsements=2, story=LONG_STORY)
    assert ids(pick_spotlights([shouting, porter], history=history, count=1)) == [2]


def test_reserves_a_slot_for_a_seat_not_featured_recently() -> None:
    # Four strong candidates from seats featured lately, one weaker from a fresh seat.
    recent = [candidate(i, (i, SEATS[i]), endorsements=2, story=LONG_STORY) for i in range(1, 5)]
    fresh = candidate(9, (9, "Chaplain"), story="Sat with a family.")
    history = SpotlightHistory(
        recognitions={9: 6},
        seat_spotlights={SEATS[i].casefold(): 1 for i in range(1, 5)},
        recent_seats=frozenset(SEATS[i].casefold() for i in range(1, 5)),
    )
    picked = pick_spotlights([*recent, fresh], history=history, count=3)
    assert len(picked) == 3 and ids(picked)[-1] == 9
    # Without a fresh seat among the candidates, the slot goes to the best of the rest.
    assert len(pick_spotlights(recent, history=history, count=3)) == 3


def test_someone_featured_twice_in_twelve_weeks_gives_way() -> None:
    twice = candidate(1, (1, SEATS[1]), endorsements=2, story=LONG_STORY)
    once_before = candidate(2, (2, SEATS[2]))
    history = SpotlightHistory(spotlights={1: 2, 2: 1}, recognitions={1: 1, 2: 4})
    assert ids(pick_spotlights([twice, once_before], history=history, count=1)) == [2]


def test_the_choice_is_deterministic_and_ignores_input_order() -> None:
    candidates = [
        candidate(i, (i, SEATS[i % 10]), endorsements=i % 3, story=LONG_STORY[: 40 + 9 * i])
        for i in range(30)
    ]
    history = SpotlightHistory(
        recognitions={i: 1 + i % 4 for i in range(30)},
        seat_spotlights={SEATS[0].casefold(): 2},
        seed="2026-11-23",
    )
    first = ids(pick_spotlights(candidates, history=history))
    assert ids(pick_spotlights(list(reversed(candidates)), history=history)) == first
    assert ids(pick_spotlights(candidates, history=history)) == first
    assert len(first) == 5


def test_ten_weeks_rotate_spotlights_quotes_and_seats_and_never_show_private(
    services: Services, clock: FakeClock
) -> None:
    clock.set(datetime(2026, 9, 1, 10, tzinfo=UTC))
    workspace = builders.workspace(services)
    people = [
        builders.member(
            services,
            workspace.id,
            f"U{i:03d}",
            f"Colleague {i}",
            title=SEATS[i % 10],
            department=f"Team {i % 4}",
        )
        for i in range(30)
    ]
    nominator = builders.member(services, workspace.id, "U999", "Manager", title="Ward manager")
    secret = builders.member(services, workspace.id, "U998", "Private Person", title="Porter")
    schedule = schedule_for(services.settings, PostKind.DIGEST)
    spotlighted: list[str] = []
    quotes: set[str] = set()
    for week in range(10):
        period = schedule.period_due_at(schedule.next_fire_after(clock()))
        clock.set(period.starts_at + timedelta(days=1))
        group = people[(week % 5) * 6 : (week % 5) * 6 + 6]
        for index, person in enumerate(group):
            clock.advance(timedelta(minutes=5))
            builders.nomination(
                services,
                nominator,
                [person],
                story=f"Week {week}: {LONG_STORY[: 60 + index]}",
                behaviours=(("speaking-up", "enabling-change", "leading-from-behind")[index % 3],),
            )
        builders.nomination(
            services,
            nominator,
            [secret],
            story="A private thank-you for a hard week.",
            visibility="private",
        )
        clock.set(period.due_at)
        with services.sessions() as session:
            view = build_digest_view(
                session,
                workspace.id,
                period,
                catalogue=services.catalogue,
                reflections=services.reflections,
            )
            record_spotlights(session, view, clock())
            session.commit()
        featured = [p for item in view.spotlights for p in item.nominees]
        named = [*featured, *view.also_recognised]
        assert view.summary.nominations == 6 and view.summary.people == 6
        assert "U998" not in {p.platform_user_id for p in named}
        assert sorted(p.platform_user_id for p in named) == sorted(
            p.platform_user_id for p in group
        )
        assert len(featured) == 3
        assert len({p.title for p in featured}) == 3  # three different seats
        assert len({b.slug for item in view.spotlights for b in item.behaviours}) == 3
        spotlighted += [p.platform_user_id for p in featured]
        quotes.add(view.reflection.quote.text)
        clock.advance(timedelta(hours=1))
    # Thirty people, thirty spotlights over ten weeks, nobody twice within eight weeks.
    assert len(spotlighted) == 30 and len(set(spotlighted)) == 30
    assert len(quotes) == 10


def test_a_week_names_everyone_and_summarises_without_ranking(
    services: Services, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = builders.workspace(services)
    nia = builders.member(services, workspace.id, "U001", "Nia", title="Porter")
    sam = builders.member(services, workspace.id, "U002", "Sam", title="Receptionist")
    lee = builders.member(services, workspace.id, "U003", "Lee", title="Staff nurse")
    kai = builders.member(services, workspace.id, "U004", "Kai", title="Consultant")
    ola = builders.member(services, workspace.id, "U005", "Ola", title="Pharmacist")
    ben = builders.member(services, workspace.id, "U006", "Ben", title="Domestic")
    first = builders.nomination(
        services, nia, [sam], behaviours=("speaking-up",), story=f"{LONG_STORY} {LONG_STORY}"
    )
    builders.nomination(services, nia, [lee, kai], behaviours=("leading-from-behind",))
    builders.nomination(services, sam, [ola], behaviours=("speaking-up",))
    builders.nomination(services, sam, [nia], behaviours=("leading-from-behind",))
    builders.nomination(services, kai, [ben], visibility="private")
    with services.sessions() as session:
        endorse(session, first.nomination_id, kai, clock=clock)
    period = schedule_for(services.settings, PostKind.DIGEST).period_due_at(
        datetime(2026, 11, 23, 9, tzinfo=UTC)
    )
    clock.set(period.due_at)
    view = _digest(services, workspace.id, period)
    assert summary_line(view.summary) == (
        "This week: 4 nominations, 5 people recognised, 2 behaviours seen: "
        "Leading from behind and Speaking up."
    )
    assert len(view.spotlights) == 3
    top = view.spotlights[0]
    assert [p.display_name for p in top.nominees] == ["Sam"] and top.endorsements == 1
    assert top.story.endswith("…") and len(top.story) <= 280
    featured = {p.display_name for item in view.spotlights for p in item.nominees}
    also = {p.display_name for p in view.also_recognised}
    assert featured | also == {"Sam", "Lee", "Kai", "Ola", "Nia"} and not featured & also
    assert "Ben" not in featured | also
    assert view.also_recognised_more == 0

    # Past the list's limit, the first by name are listed and the rest counted.
    monkeypatch.setattr(spotlight, "ALSO_RECOGNISED_LIMIT", 1)
    shorter = _digest(services, workspace.id, period)
    assert shorter.spotlights == view.spotlights
    assert shorter.also_recognised == view.also_recognised[:1]
    assert shorter.also_recognised_more == len(also) - 1


def test_a_quiet_week_is_an_invitation(services: Services, clock: FakeClock) -> None:
    workspace = builders.workspace(services)
    author = builders.member(services, workspace.id, "U001", "Nia")
    builders.nomination(
        services, author, [builders.member(services, workspace.id, "U002")], visibility="private"
    )
    period = schedule_for(services.settings, PostKind.DIGEST).period_due_at(
        datetime(2026, 11, 23, 9, tzinfo=UTC)
    )
    view = _digest(services, workspace.id, period)
    assert view.is_quiet and view.spotlights == () and view.also_recognised == ()
    assert view.reflection.question.text.endswith("?")
    prompt_period = schedule_for(services.settings, PostKind.PROMPT).period_due_at(
        datetime(2026, 11, 25, 12, tzinfo=UTC)
    )
    prompt = build_prompt_view(workspace.id, prompt_period, reflections=services.reflections)
    assert prompt.reflection.quote != view.reflection.quote


def test_a_busy_week_samples_its_candidates_rather_than_keeping_the_best_endorsed(
    services: Services, clock: FakeClock
) -> None:
    """More nominations than CANDIDATE_LIMIT: as many endorsed, full stories for twenty
    popular people as there are short, unendorsed ones for people recognised once. The
    scored candidates are an even sample of both, so the spotlight reaches the latter, and
    building the week again chooses the same."""
    period = schedule_for(services.settings, PostKind.DIGEST).period_due_at(
        datetime(2026, 11, 23, 9, tzinfo=UTC)
    )
    created = period.starts_at + timedelta(hours=1)
    workspace = builders.workspace(services)
    with services.sessions() as session:
        popular = [
            Member(
                workspace_id=workspace.id,
                platform_user_id=f"UPOP{index:02d}",
                display_name=f"Popular {index}",
                title=SEATS[index % 10],
                created_at=created,
            )
            for index in range(20)
        ]
        endorsers = [
            Member(
                workspace_id=workspace.id,
                platform_user_id=f"UEND{index}",
                display_name=f"Endorser {index}",
                created_at=created,
            )
            for index in range(3)
        ]
        unseen = [
            Member(
                workspace_id=workspace.id,
                platform_user_id=f"UUNSEEN{index:03d}",
                display_name=f"Unseen {index}",
                title=SEATS[index % 10],
                created_at=created,
            )
            for index in range(CANDIDATE_LIMIT)
        ]
        session.add_all([*popular, *endorsers, *unseen])
        session.flush()
        for index in range(2 * CANDIDATE_LIMIT):
            is_popular = index % 2 == 0
            nominee = popular[index % 20] if is_popular else unseen[index // 2]
            session.add(
                Nomination(
                    workspace_id=workspace.id,
                    nominator_id=endorsers[0].id,
                    story=f"{index}: {LONG_STORY}"
                    if is_popular
                    else f"{index}: sat with a family.",
                    visibility="public",
                    created_at=created + timedelta(minutes=index),
                    fingerprint=f"fp{index}",
                    dedupe_key=f"busy-{index}",
                    nominees=[NominationNominee(member_id=nominee.id, position=0)],
                    behaviours=[
                        NominationBehaviour(behaviour_slug="leading-from-every-seat", position=0)
                    ],
                    endorsements=[
                        Endorsement(member_id=e.id, created_at=created) for e in endorsers
                    ]
                    if is_popular
                    else [],
                )
            )
        session.commit()
    clock.set(period.due_at)

    def featured() -> list[str]:
        with services.sessions() as session:
            view = build_digest_view(
                session,
                workspace.id,
                period,
                catalogue=services.catalogue,
                reflections=services.reflections,
            )
        assert view.summary.nominations == 2 * CANDIDATE_LIMIT
        return [p.display_name for item in view.spotlights for p in item.nominees]

    first = featured()
    assert len(first) == 5 and all(name.startswith("Unseen ") for name in first)
    assert featured() == first


def test_history_counts_earlier_spotlights_by_person_and_seat_but_not_this_week(
    services: Services, clock: FakeClock
) -> None:
    schedule = schedule_for(services.settings, PostKind.DIGEST)
    first = schedule.period_due_at(datetime(2026, 11, 2, 9, tzinfo=UTC))
    now = schedule.period_due_at(datetime(2026, 11, 23, 9, tzinfo=UTC))
    long_ago = schedule.period_due_at(datetime(2026, 6, 1, 8, tzinfo=UTC))
    workspace = builders.workspace(services)
    nia = builders.member(services, workspace.id, "U001", "Nia", title="Porter")
    sam = builders.member(services, workspace.id, "U002", "Sam", title=" porter")
    kai = builders.member(services, workspace.id, "U003", "Kai", title="Consultant")
    with services.sessions() as session:
        for period, member in ((long_ago, kai), (first, nia), (first, sam), (now, kai)):
            session.add(
                Spotlight(
                    workspace_id=workspace.id,
                    member_id=member.id,
                    period_key=period.key,
                    spotlighted_at=period.due_at,
                )
            )
        session.commit()
        history = spotlight_history(session, workspace.id, now, {nia.id: 2})
    assert history.spotlights == {nia.id: 1, sam.id: 1}
    assert history.recently_spotlighted == {nia.id, sam.id}
    assert history.seat_spotlights == {"porter": 2}
    assert history.recent_seats == {"porter"}
    assert history.recognitions == {nia.id: 2}
    assert history.seed.endswith(now.key)


def test_one_digest_never_features_one_person_through_two_accounts() -> None:
    """Ana's two accounts (members 1 and 2) share her person key: the digest has room for
    three, but the second of her nominations gives way to colleagues, and her spotlight
    last week (recorded under her other account's key) counts against both."""
    calm = "Kept the clinic running calmly when the system went down."

    def ana(nomination_id: int, member_id: int, story: str) -> SpotlightCandidate:
        profile = NomineeProfile(member_id, PersonView(f"U{member_id}", "Ana", "Porter"), None, 1)
        return SpotlightCandidate(nomination_id, (profile,), ("speaking-up",), story, 0)

    candidates = [
        ana(1, 1, LONG_STORY),
        ana(2, 2, LONG_STORY + " Again."),
        candidate(3, (3, "Receptionist"), story=calm),
        candidate(4, (4, "Staff nurse"), story=calm),
    ]
    picked = [c.nomination_id for c in pick_spotlights(candidates, count=3)]
    assert len(picked) == 3 and {3, 4} <= set(picked)
    assert len({1, 2} & set(picked)) == 1

    featured_before = SpotlightHistory(spotlights={1: 1}, recently_spotlighted=frozenset({1}))
    picked = pick_spotlights(candidates, history=featured_before, count=2)
    assert sorted(c.nomination_id for c in picked) == [3, 4]


def _digest_names(services: Services, workspace_id: int, period: Period) -> list[str]:
    view = _digest(services, workspace_id, period)
    return [p.display_name for item in view.spotlights for p in item.nominees]


@pytest.mark.parametrize("linked", [True, False])
def test_featured_through_slack_counts_as_featured_for_the_teams_account(
    services: Services, clock: FakeClock, linked: bool
) -> None:
    """The Slack digest featured Ana two weeks ago; this week the Teams digest has her
    fullest story. With one work email on both accounts she gives way to colleagues who
    haven't been featured; with another email she is someone else, and is featured."""
    schedule = schedule_for(services.settings, PostKind.DIGEST)
    earlier = schedule.period_due_at(datetime(2026, 11, 9, 9, tzinfo=UTC))
    period = schedule.period_due_at(datetime(2026, 11, 23, 9, tzinfo=UTC))
    slack = builders.workspace(services, "T0FAKE", "slack")
    teams = builders.workspace(services, "tenant-0001", "teams")
    slack_email = "ana.ng@trust.nhs.uk" if linked else "another.ana@trust.nhs.uk"
    ana_on_slack = builders.member(
        services, slack.id, "UANA", "Ana", title="Porter", email=slack_email
    )
    ana = builders.member(
        services, teams.id, "aad-ana", "Ana", title="Porter", email="Ana.Ng@trust.nhs.uk"
    )
    colleagues = [
        builders.member(services, teams.id, f"aad-{name}", name, title=seat)
        for name, seat in (("Bo", "Receptionist"), ("Cy", "Staff nurse"), ("Di", "Consultant"))
    ]
    manager = builders.member(services, teams.id, "aad-boss", "Manager", title="Ward manager")
    with services.sessions() as session:
        session.add(
            Spotlight(
                workspace_id=slack.id,
                member_id=ana_on_slack.id,
                period_key=earlier.key,
                spotlighted_at=earlier.due_at,
            )
        )
        session.commit()
    clock.set(period.starts_at + timedelta(days=1))
    builders.nomination(services, manager, [ana], story=f"{LONG_STORY} {LONG_STORY}")
    for colleague in colleagues:
        clock.advance(timedelta(minutes=5))
        builders.nomination(
            services,
            manager,
            [colleague],
            story=f"{colleague.display_name} "
            "kept the clinic running calmly when the system went down.",
        )
    clock.set(period.due_at)

    featured = _digest_names(services, teams.id, period)

    if linked:
        assert sorted(featured) == ["Bo", "Cy", "Di"]
    else:
        assert featured[0] == "Ana" and len(featured) == 3


@pytest.mark.parametrize("linked", [True, False])
def test_recognitions_on_slack_count_for_the_teams_account(
    services: Services, clock: FakeClock, linked: bool
) -> None:
    """Ana was recognised four times on Slack lately, Bo never: on Teams, where both have
    one nomination this week, the top spotlight goes to Bo when Ana's accounts are one
    person, and to Ana's fuller story when they are not."""
    schedule = schedule_for(services.settings, PostKind.DIGEST)
    period = schedule.period_due_at(datetime(2026, 11, 23, 9, tzinfo=UTC))
    slack = builders.workspace(services, "T0FAKE", "slack")
    teams = builders.workspace(services, "tenant-0001", "teams")
    slack_email = "ana.ng@trust.nhs.uk" if linked else "another.ana@trust.nhs.uk"
    ana_on_slack = builders.member(services, slack.id, "UANA", "Ana", email=slack_email)
    slack_manager = builders.member(services, slack.id, "UBOSS", "Manager")
    ana = builders.member(services, teams.id, "aad-ana", "Ana", email="ana.ng@trust.nhs.uk")
    bo = builders.member(services, teams.id, "aad-bo", "Bo")
    manager = builders.member(services, teams.id, "aad-boss", "Manager")
    clock.set(period.starts_at - timedelta(weeks=3))
    for number in range(4):
        clock.advance(timedelta(hours=1))
        builders.nomination(
            services, slack_manager, [ana_on_slack], story=f"{number}: {LONG_STORY}"
        )
    clock.set(period.starts_at + timedelta(days=1))
    builders.nomination(services, manager, [ana], story=f"Ana: {LONG_STORY}")
    builders.nomination(services, manager, [bo], story=f"Bo: {LONG_STORY[:200]}")
    clock.set(period.due_at)

    featured = _digest_names(services, teams.id, period)

    assert featured == (["Bo", "Ana"] if linked else ["Ana", "Bo"])

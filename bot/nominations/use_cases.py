"""The nomination use cases, written once for Slack, Teams and the console.

An adapter parses its payload into a `NominationSubmission` (or an endorsement click),
hands over its platform's `ProfileLookup` and `RecognitionSender`, and renders the result.
Each use case resolves the people, opens its own units of work and sends what has to be
sent; it raises the domain's errors (bot/errors.py) with the message a person reads.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy import Connection

from bot import messages
from bot.deliveries import claim_new_deliveries, configured_lease
from bot.errors import (
    InvalidNominationError,
    NominationField,
    NominationNotFoundError,
    PatientIdentifierError,
    Problem,
)
from bot.nominations.governance import ensure_no_patient_identifiers
from bot.nominations.rules import (
    NominationRequest,
    Visibility,
    endorse,
    find_problems,
    nominate,
)
from bot.people.directory import MemberDetails
from bot.people.resolution import (
    PersonRef,
    ProfileLookup,
    cached_people,
    known_names,
    resolve_people,
    vet_people,
    workspace_id_for,
)
from bot.recognition.outbox import Celebration, ClaimedPosts, celebrate, plan_posts
from bot.recognition.senders import RecognitionSender
from bot.recognition.views import RecognitionView, load_recognition_view, new_recognition_view
from bot.services import Services
from db.models import Nomination

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NominationSubmission:
    """A nomination as a person submitted it on some platform, before anyone is resolved."""

    platform: str
    workspace_external_id: str
    nominator: PersonRef
    nominees: Sequence[PersonRef]
    behaviour_slugs: Sequence[str]
    story: str
    visibility: str = Visibility.PUBLIC
    source_channel_id: str | None = None
    source_message_url: str | None = None
    # One-line nominations may leave out the behaviour: the catalogue's default is used.
    default_behaviour_allowed: bool = False


@dataclass(frozen=True)
class NominationResult:
    nomination_id: int
    workspace_id: int
    created: bool  # False when this repeated one recorded moments ago (nothing was sent)
    default_behaviour: str | None = None  # the slug used because none was given
    celebration: Celebration | None = None  # what was sent, when a sender was given
    nominees: tuple[tuple[str, str], ...] = field(default=())  # (platform id, name)
    # How people will see it, built from the rows the recording transaction wrote (None for
    # a repeat): `announce_nomination` posts it without reading the nomination back.
    view: RecognitionView | None = field(default=None, repr=False, compare=False)
    # Its posts, claimed with it for `announce_nomination` (None once sent, or not claimed).
    claimed: ClaimedPosts | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class _Stored:
    """A nomination just stored (or its earlier twin), and how people will see it."""

    nomination_id: int
    created: bool
    view: RecognitionView | None  # built from the rows just written; None for a repeat
    claimed: ClaimedPosts | None = None  # its posts, when claimed in the same transaction


def screen_submission(services: Services, submission: NominationSubmission) -> None:
    """The information-governance guard on a submission, before anything is looked up,
    stored or sent: raises PatientIdentifierError (a problem on the story, with the nominees
    as typed) when the story holds a patient identifier. `record_nomination` calls it first;
    an adapter may call it earlier to answer within its platform's acknowledgement, and then
    passes `screened=True` so the same story isn't screened twice."""
    typed = tuple(
        (person.platform_user_id or person.ref, person.name or person.ref)
        for person in submission.nominees
    )
    ensure_no_patient_identifiers(services.guard, submission.story, typed)


async def record_nomination(
    services: Services,
    submission: NominationSubmission,
    lookup: ProfileLookup,
    sender: RecognitionSender | None = None,
    *,
    announce_with: RecognitionSender | None = None,
    screened: bool = False,
) -> NominationResult:
    """Resolve the people, store the nomination and, with a `sender`, post it and message
    the nominees exactly once. Stores nothing when a rule is broken. With `announce_with`
    (the sender `announce_nomination` will be given) or a `sender`, the posts are claimed
    in the transaction that stores the nomination.

    When everyone's profile is cached and fresh, the people, the nomination and the claims
    on its posts take one transaction; recording the posts sent a second. Nominations are
    admitted a few at a time, in arrival order (`services.admission`).

    Raises PatientIdentifierError first, before anyone is looked up, if the story holds a
    patient identifier (unless `screened`: the caller has just called `screen_submission` on
    this very submission); then InvalidNominationError (every problem, each tied to a form
    field, with the nominees as resolved), DailyCapReachedError or StorageUnavailableError.
    """
    try:
        if not screened:
            screen_submission(services, submission)
    except PatientIdentifierError as error:
        # A form shown again should name the people chosen: names already stored are read,
        # nothing is looked up on the platform or written.
        ids = [user_id for user_id, _name in error.nominees]
        stored_names = await services.in_worker(
            known_names, services, submission.platform, submission.workspace_external_id, ids
        )
        named = tuple(
            (user_id, stored_names.get(user_id, name)) for user_id, name in error.nominees
        )
        raise PatientIdentifierError(list(error.problems), named, kinds=error.kinds) from None
    everyone = [submission.nominator, *submission.nominees]
    slugs = tuple(submission.behaviour_slugs)
    default = None
    if not slugs and submission.default_behaviour_allowed:
        default = services.catalogue.default.slug
        slugs = (default,)

    def request_for(workspace_id: int, people: Mapping[str, MemberDetails]) -> NominationRequest:
        return NominationRequest(
            workspace_id=workspace_id,
            nominator=people[submission.nominator.ref],
            nominees=[people[p.ref] for p in submission.nominees if p.ref in people],
            behaviour_slugs=slugs,
            story=submission.story,
            visibility=submission.visibility,
            source_channel_id=submission.source_channel_id,
            source_message_url=submission.source_message_url,
        )

    def names(request: NominationRequest) -> tuple[tuple[str, str], ...]:
        return tuple((member.platform_user_id, member.display_name) for member in request.nominees)

    def store(connection: Connection, request: NominationRequest) -> _Stored:
        resolved = names(request)
        try:
            outcome = nominate(
                connection,
                request,
                catalogue=services.catalogue,
                rules=services.rules,
                clock=services.clock,
                commit=False,
            )
        except InvalidNominationError as error:
            raise InvalidNominationError(list(error.problems), resolved) from None
        written = outcome.written
        if written is None:  # a repeat: nothing new to announce
            return _Stored(outcome.nomination_id, False, None)
        claimed = None
        if plan is not None:
            nominee_ids = [member.platform_user_id for member in written.nominees]
            keys = plan.keys(request.workspace_id, written.id, nominee_ids)
            claims = claim_new_deliveries(
                connection, keys, services.clock(), lease=configured_lease(services.sessions)
            )
            claimed = ClaimedPosts(plan, tuple(claims))
        connection.commit()
        # The rows just written are the view: no need to load them again.
        view = new_recognition_view(written, services.catalogue)
        return _Stored(outcome.nomination_id, True, view, claimed)

    def store_if_cached(workspace_id: int) -> tuple[_Stored | None, tuple[tuple[str, str], ...]]:
        with services.connection() as connection:
            people = cached_people(connection, workspace_id, everyone, services.clock())
            if people is None:  # someone to ask the platform about (and vet) first
                return None, ()
            request = request_for(workspace_id, people)
            return store(connection, request), names(request)

    def store_vetted(request: NominationRequest) -> _Stored:
        with services.connection() as connection:
            return store(connection, request)

    # Remembered after the first time (created then, in a transaction of its own).
    workspace_id = await workspace_id_for(
        services, submission.platform, submission.workspace_external_id
    )
    poster = sender or announce_with
    plan = None
    if poster is not None:  # where the posts go, so they are claimed with the nomination
        plan = await plan_posts(
            poster,
            workspace_id,
            submission.source_channel_id,
            private=submission.visibility == Visibility.PRIVATE,
        )
    async with services.admission:
        stored, resolved = await services.in_worker(store_if_cached, workspace_id)
        if stored is None:
            resolution = await vet_people(
                services,
                workspace_id,
                everyone,
                lookup,
                # The nominator naming themselves is the rules' "can't nominate yourself".
                vetted={person.ref for person in submission.nominees} - {submission.nominator.ref},
            )
            request = request_for(workspace_id, resolution.members)
            resolved = names(request)
            if resolution.refused:
                # Refused people have no member row; the rules still judge the rest.
                refused = [
                    Problem(NominationField.NOMINEES, why) for why in resolution.refused.values()
                ]
                others = find_problems(request, services.catalogue, services.rules)
                others = [p for p in others if p.message != messages.NO_NOMINEES]
                raise InvalidNominationError([*others, *refused], resolved)
            stored = await services.in_worker(store_vetted, request)
        celebration = None
        if stored.created and sender is not None:
            celebration = await celebrate(
                services,
                sender,
                workspace_id,
                stored.nomination_id,
                submission.source_channel_id,
                view=stored.view,
                claimed=stored.claimed,
            )
    return NominationResult(
        stored.nomination_id,
        workspace_id,
        stored.created,
        default,
        celebration,
        resolved,
        view=stored.view,
        claimed=None if celebration is not None else stored.claimed,
    )


async def endorse_nomination(
    services: Services,
    platform: str,
    workspace_external_id: str,
    endorser: PersonRef,
    nomination_id: int,
    lookup: ProfileLookup,
    sender: RecognitionSender | None = None,
) -> RecognitionView:
    """Record "I saw this too" and refresh the recognition post with the new count.

    Where the post is comes from the stored nomination, never from the click. Raises the
    domain's EndorsementError subclasses.
    """
    workspace_id = await workspace_id_for(services, platform, workspace_external_id)
    people = await resolve_people(services, workspace_id, [endorser], lookup)
    member = people[endorser.ref]

    def store() -> tuple[RecognitionView | None, Nomination | None]:
        with services.unit_of_work() as session:
            endorse(session, nomination_id, member, clock=services.clock)
            view = load_recognition_view(session, nomination_id, services.catalogue)
            return view, session.get(Nomination, nomination_id)

    view, nomination = await services.in_worker(store)
    if view is None or nomination is None:
        raise NominationNotFoundError(messages.NOMINATION_NOT_FOUND)
    channel, message_id = nomination.posted_channel_id, nomination.posted_message_id
    if sender is not None and channel and message_id and not view.is_private:
        try:
            await sender.update_post(workspace_id, channel, message_id, view)
        except Exception as error:  # the count is stored; the post catches up next time
            log.warning(
                "could not refresh recognition %s: %s", nomination_id, sender.describe_error(error)
            )
    return view


async def announce_nomination(
    services: Services,
    result: NominationResult,
    sender: RecognitionSender,
    source_channel_id: str | None,
) -> NominationResult:
    """Post a nomination `record_nomination` stored without a sender, and message its
    nominees, each exactly once; `result` with what was sent.

    Adapters that must acknowledge their platform quickly store first (so what they
    acknowledge is durable), acknowledge, then call this. If the process dies in between,
    the outbox sweep announces the nomination instead (bot/recognition/outbox.py). The view
    `record_nomination` built is posted as it is: the nomination isn't read back.
    """
    if not result.created:
        return result
    celebration = await celebrate(
        services,
        sender,
        result.workspace_id,
        result.nomination_id,
        source_channel_id,
        view=result.view,
        claimed=result.claimed,
    )
    return replace(result, celebration=celebration, claimed=None)

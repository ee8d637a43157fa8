"""The nomination use cases, written once for Slack, Teams and the console.

An adapter parses its payload into a `NominationSubmission` (or an endorsement click),
hands over its platform's `ProfileLookup` and `RecognitionSender`, and renders the result.
Each use case resolves the people, opens its own units of work and sends what has to be
sent; it raises the domain's errors (bot/errors.py) with the message a person reads.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot import messages
from bot.errors import (
    InvalidNominationError,
    NominationField,
    NominationNotFoundError,
    Problem,
)
from bot.nominations.rules import (
    NominationRequest,
    Visibility,
    endorse,
    find_problems,
    nominate,
)
from bot.people.resolution import (
    PersonRef,
    ProfileLookup,
    resolve_people,
    vet_people,
    workspace_id_for,
)
from bot.recognition.outbox import Celebration, celebrate
from bot.recognition.senders import RecognitionSender
from bot.recognition.views import RecognitionView, load_recognition_view
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


async def record_nomination(
    services: Services,
    submission: NominationSubmission,
    lookup: ProfileLookup,
    sender: RecognitionSender | None = None,
) -> NominationResult:
    """Resolve the people, store the nomination and, with a `sender`, post it and message
    the nominees exactly once. Stores nothing when a rule is broken.

    Raises InvalidNominationError (every problem, each tied to a form field, with the
    nominees as resolved), DailyCapReachedError or StorageUnavailableError.
    """
    workspace_id = await workspace_id_for(
        services, submission.platform, submission.workspace_external_id
    )
    resolution = await vet_people(
        services,
        workspace_id,
        [submission.nominator, *submission.nominees],
        lookup,
        # The nominator naming themselves is the rules' "can't nominate yourself".
        vetted={person.ref for person in submission.nominees} - {submission.nominator.ref},
    )
    people = resolution.members
    nominees = [people[person.ref] for person in submission.nominees if person.ref in people]
    resolved = tuple((member.platform_user_id, member.display_name) for member in nominees)
    slugs = tuple(submission.behaviour_slugs)
    default = None
    if not slugs and submission.default_behaviour_allowed:
        default = services.catalogue.default.slug
        slugs = (default,)
    request = NominationRequest(
        workspace_id=workspace_id,
        nominator=people[submission.nominator.ref],
        nominees=nominees,
        behaviour_slugs=slugs,
        story=submission.story,
        visibility=submission.visibility,
        source_channel_id=submission.source_channel_id,
        source_message_url=submission.source_message_url,
    )
    if resolution.refused:
        # Refused people have no member row; the rules still judge the rest of the form.
        refused = [Problem(NominationField.NOMINEES, why) for why in resolution.refused.values()]
        others = find_problems(request, services.catalogue, services.rules)
        others = [p for p in others if p.message != messages.NO_NOMINEES]
        raise InvalidNominationError([*others, *refused], resolved)

    def store() -> tuple[int, bool]:
        with services.unit_of_work() as session:
            outcome = nominate(
                session,
                request,
                catalogue=services.catalogue,
                rules=services.rules,
                clock=services.clock,
            )
            return outcome.nomination.id, outcome.created

    try:
        nomination_id, created = await services.in_worker(store)
    except InvalidNominationError as error:
        raise InvalidNominationError(list(error.problems), resolved) from None
    celebration = None
    if created and sender is not None:
        celebration = await celebrate(
            services, sender, workspace_id, nomination_id, submission.source_channel_id
        )
    return NominationResult(nomination_id, workspace_id, created, default, celebration, resolved)


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

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

from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from bot import messages
from bot.errors import InvalidNominationError, NominationNotFoundError
from bot.nominations.rules import NominationRequest, Visibility, endorse, nominate
from bot.people.directory import get_or_create_workspace
from bot.people.resolution import (
    PersonRef,
    ProfileLookup,
    cached_people,
    resolve_people,
    workspace_id_for,
)
from bot.recognition.outbox import Celebration, celebrate
from bot.recognition.senders import RecognitionSender
from bot.recognition.views import RecognitionView, load_recognition_view, recognition_view
from bot.services import Services
from db.models import Member, Nomination

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


@dataclass(frozen=True)
class _Stored:
    """A nomination just stored (or its earlier twin), and how people will see it."""

    nomination_id: int
    created: bool
    view: RecognitionView | None  # built from the rows just written; None for a repeat
    nominees: tuple[tuple[str, str], ...]  # (platform id, name), in the order given


async def record_nomination(
    services: Services,
    submission: NominationSubmission,
    lookup: ProfileLookup,
    sender: RecognitionSender | None = None,
) -> NominationResult:
    """Resolve the people, store the nomination and, with a `sender`, post it and message
    the nominees exactly once. Stores nothing when a rule is broken.

    When everyone's profile is cached, the workspace, the people and the nomination take one
    transaction; claiming the posts one more, and recording them sent a third.

    Raises InvalidNominationError (every problem, each tied to a form field, with the
    nominees as resolved), DailyCapReachedError or StorageUnavailableError.
    """
    everyone = [submission.nominator, *submission.nominees]
    slugs = tuple(submission.behaviour_slugs)
    default = None
    if not slugs and submission.default_behaviour_allowed:
        default = services.catalogue.default.slug
        slugs = (default,)

    def store(session: Session, workspace_id: int, people: dict[str, Member]) -> _Stored:
        nominees = [people[person.ref] for person in submission.nominees]
        # Read now: a rolled-back race below would expire these objects.
        resolved = tuple((member.platform_user_id, member.display_name) for member in nominees)
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
        try:
            outcome = nominate(
                session,
                request,
                catalogue=services.catalogue,
                rules=services.rules,
                clock=services.clock,
            )
        except InvalidNominationError as error:
            raise InvalidNominationError(list(error.problems), resolved) from None
        nomination = outcome.nomination
        if not outcome.created:
            return _Stored(nomination.id, False, None, resolved)
        # The rows just written are the view: no need to load them again.
        set_committed_value(nomination, "nominator", request.nominator)
        view = recognition_view(nomination, services.catalogue, 0)
        return _Stored(nomination.id, True, view, resolved)

    def store_if_cached() -> tuple[int, _Stored | None]:
        with services.unit_of_work() as session:
            workspace_id = get_or_create_workspace(
                session, submission.platform, submission.workspace_external_id, services.clock()
            ).id
            people = cached_people(session, workspace_id, everyone, services.clock())
            if people is None:  # someone to ask the platform about first
                return workspace_id, None
            return workspace_id, store(session, workspace_id, people)

    def store_resolved(workspace_id: int, people: dict[str, Member]) -> _Stored:
        with services.unit_of_work() as session:
            return store(session, workspace_id, people)

    async with services.admission:
        workspace_id, stored = await services.in_worker(store_if_cached)
        if stored is None:
            people = await resolve_people(services, workspace_id, everyone, lookup)
            stored = await services.in_worker(store_resolved, workspace_id, people)
        celebration = None
        if stored.created and sender is not None:
            celebration = await celebrate(
                services,
                sender,
                workspace_id,
                stored.nomination_id,
                submission.source_channel_id,
                view=stored.view,
            )
    return NominationResult(
        stored.nomination_id, workspace_id, stored.created, default, celebration, stored.nominees
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

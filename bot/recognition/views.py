"""Neutral view models: what a recognition or a member's history says, before any platform
renders it (Block Kit for Slack, Adaptive Cards for Teams, text for the console)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from bot.nominations.behaviours import Behaviour, BehaviourCatalogue
from bot.nominations.rules import WrittenNomination, count_endorsements, load_nomination
from bot.people.directory import MemberDetails
from db.models import Nomination

if TYPE_CHECKING:
    from bot.services import Services


@dataclass(frozen=True)
class PersonView:
    platform_user_id: str
    display_name: str
    title: str | None = None

    @classmethod
    def of(cls, member: MemberDetails) -> PersonView:
        return cls(member.platform_user_id, member.display_name, member.title)


@dataclass(frozen=True)
class RecognitionView:
    """One nomination as people see it."""

    nomination_id: int
    nominator: PersonView | None  # None once the nominator has been erased
    nominees: tuple[PersonView, ...]
    behaviours: tuple[Behaviour, ...]
    story: str
    is_private: bool
    endorsements: int
    source_message_url: str | None = None
    # Moderation: a withdrawn or hidden nomination is no longer posted or counted.
    withdrawn: bool = False
    hidden: bool = False
    edited: bool = False


def _behaviours(slugs: Iterable[str], catalogue: BehaviourCatalogue) -> tuple[Behaviour, ...]:
    """The catalogue's behaviours; one since removed from it is shown by its slug."""
    return tuple(catalogue.get(slug) or Behaviour(slug, slug, "") for slug in slugs)


def new_recognition_view(
    written: WrittenNomination, catalogue: BehaviourCatalogue
) -> RecognitionView:
    """The view of a nomination just stored, from what was written (nothing is loaded)."""
    return RecognitionView(
        nomination_id=written.id,
        nominator=PersonView.of(written.nominator),
        nominees=tuple(PersonView.of(member) for member in written.nominees),
        behaviours=_behaviours(written.behaviour_slugs, catalogue),
        story=written.story,
        is_private=written.visibility == "private",
        endorsements=0,
        source_message_url=written.source_message_url,
    )


def recognition_view(
    nomination: Nomination, catalogue: BehaviourCatalogue, endorsements: int
) -> RecognitionView:
    """Build the view of a nomination loaded with nominees, behaviours and nominator."""
    return RecognitionView(
        nomination_id=nomination.id,
        nominator=PersonView.of(nomination.nominator) if nomination.nominator else None,
        nominees=tuple(PersonView.of(link.member) for link in nomination.nominees),
        behaviours=_behaviours((link.behaviour_slug for link in nomination.behaviours), catalogue),
        story=nomination.story,
        is_private=nomination.visibility == "private",
        endorsements=endorsements,
        source_message_url=nomination.source_message_url,
        withdrawn=nomination.withdrawn_at is not None,
        hidden=nomination.hidden_at is not None,
        edited=nomination.edited_at is not None,
    )


def load_recognition_view(
    session: Session, nomination_id: int, catalogue: BehaviourCatalogue
) -> RecognitionView | None:
    """The view of a stored nomination, with its current endorsement count; None if erased."""
    nomination = load_nomination(session, nomination_id)
    if nomination is None:
        return None
    return recognition_view(nomination, catalogue, count_endorsements(session, nomination_id))


def find_recognition(services: Services, nomination_id: int) -> RecognitionView | None:
    """A stored nomination as people see it (None once erased), in a unit of work of its own."""
    with services.unit_of_work() as session:
        return load_recognition_view(session, nomination_id, services.catalogue)

"""A member's recent recognition, received and given, as view models (App Home shows it)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.nominations.rules import count_endorsements, recent_nominations
from bot.recognition.views import RecognitionView, recognition_view
from bot.services import Services

DEFAULT_LIMIT = 5


@dataclass(frozen=True)
class RecognitionHistory:
    """The latest recognition a member received and gave, newest first."""

    received: tuple[RecognitionView, ...]
    given: tuple[RecognitionView, ...]


def recent_recognition(
    services: Services, workspace_id: int, member_id: int, *, limit: int = DEFAULT_LIMIT
) -> RecognitionHistory:
    """Up to `limit` nominations `member_id` received and up to `limit` they gave."""
    with services.unit_of_work() as session:

        def views(**who: int) -> tuple[RecognitionView, ...]:
            found = recent_nominations(session, workspace_id, limit=limit, **who)
            return tuple(
                recognition_view(n, services.catalogue, count_endorsements(session, n.id))
                for n in found
            )

        return RecognitionHistory(views(received_by=member_id), views(given_by=member_id))

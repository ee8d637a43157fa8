"""Recent recognition as view models: a member's, received and given (App Home), and a
workspace's latest (the console's /recent)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.nominations.rules import count_endorsements, recent_nominations
from bot.recognition.views import RecognitionView, recognition_view
from bot.services import Services

DEFAULT_LIMIT = 5


@dataclass(frozen=True)
class RecognitionHistory:
    """The latest recognition a member received and gave, newest first."""

    received: tuple[RecognitionView, ...]
    given: tuple[RecognitionView, ...]


def _latest(
    session: Session, services: Services, workspace_id: int, limit: int, **who: int
) -> tuple[RecognitionView, ...]:
    found = recent_nominations(session, workspace_id, limit=limit, **who)
    return tuple(
        recognition_view(n, services.catalogue, count_endorsements(session, n.id)) for n in found
    )


def recent_recognition(
    services: Services, workspace_id: int, member_id: int, *, limit: int = DEFAULT_LIMIT
) -> RecognitionHistory:
    """Up to `limit` nominations `member_id` received and up to `limit` they gave."""
    with services.unit_of_work() as session:
        return RecognitionHistory(
            _latest(session, services, workspace_id, limit, received_by=member_id),
            _latest(session, services, workspace_id, limit, given_by=member_id),
        )


def latest_in_workspace(
    services: Services, workspace_id: int, *, limit: int = 10
) -> tuple[RecognitionView, ...]:
    """The workspace's latest nominations, newest first."""
    with services.unit_of_work() as session:
        return _latest(session, services, workspace_id, limit)

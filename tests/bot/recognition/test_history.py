"""A member's recent recognition, received and given, from the hand-built workspace."""

from __future__ import annotations

import pytest

from bot.recognition.history import recent_recognition
from bot.recognition.views import RecognitionView
from bot.services import Services
from tests.support import builders
from tests.support.clock import FakeClock
from tests.support.datasets import Dataset, build_dataset


@pytest.fixture
def dataset(services: Services, clock: FakeClock) -> Dataset:
    return build_dataset(services, clock)


def nominators(views: tuple[RecognitionView, ...]) -> list[str]:
    return [view.nominator.platform_user_id if view.nominator else "" for view in views]


def test_received_and_given_newest_first_with_endorsements(dataset: Dataset) -> None:
    nia = dataset.people["nia"]
    history = recent_recognition(dataset.services, dataset.workspace_id, nia.id)
    # Received from Mo (16 Nov), Lee (10th), Sam (4th) and Ana (2nd); gave one, to Ana.
    assert nominators(history.received) == ["UMO", "ULEE", "USAM", "UANA"]
    assert [view.endorsements for view in history.received] == [1, 0, 0, 1]
    assert [view.behaviours[0].slug for view in history.received] == [
        "speaking-up",
        "coaching-and-developing",
        "enabling-change",
        "speaking-up",
    ]
    (given,) = history.given
    assert [person.platform_user_id for person in given.nominees] == ["UANA"]
    assert given.is_private


def test_the_limit_keeps_the_newest(dataset: Dataset) -> None:
    nia = dataset.people["nia"]
    history = recent_recognition(dataset.services, dataset.workspace_id, nia.id, limit=2)
    assert nominators(history.received) == ["UMO", "ULEE"]
    assert len(history.given) == 1


def test_someone_new_has_no_history(dataset: Dataset) -> None:
    newcomer = builders.member(dataset.services, dataset.workspace_id, "UNEW", "New")
    history = recent_recognition(dataset.services, dataset.workspace_id, newcomer.id)
    assert history.received == () and history.given == ()


def test_only_the_workspace_asked_about_counts(dataset: Dataset) -> None:
    kit = dataset.people["kit"]
    history = recent_recognition(dataset.services, dataset.workspace_id, kit.id)
    assert nominators(history.received) == ["UZOE"]  # 1 October, before any period
    other = builders.workspace(dataset.services, "T0OTHER")
    assert recent_recognition(dataset.services, other.id, kit.id).received == ()

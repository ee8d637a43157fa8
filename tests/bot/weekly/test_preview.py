"""The preview picks the period a person means: the one due but not posted, else the next."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.deliveries import DeliveryKey, claim_delivery, mark_delivery_posted
from bot.services import Services
from bot.weekly.periods import PostKind
from bot.weekly.preview import PreviewStatus, every_workspace_id, preview_weekly
from bot.weekly.spotlight import DigestView, PromptView
from tests.support import builders
from tests.support.clock import FakeClock

MONDAY_ELEVEN = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)  # the 09:00 digest is due
CHANNEL = "C0DIGEST"


def test_a_due_digest_not_yet_posted_is_previewed_as_overdue(
    services: Services, clock: FakeClock
) -> None:
    clock.set(MONDAY_ELEVEN - timedelta(days=2))
    workspace = builders.workspace(services)
    nia = builders.member(services, workspace.id, "U0NIA", "Nia")
    sam = builders.member(services, workspace.id, "U0SAM", "Sam", title="Porter")
    builders.nomination(services, nia, [sam])
    clock.set(MONDAY_ELEVEN)

    preview = preview_weekly(services, workspace.id, PostKind.DIGEST, CHANNEL)

    assert preview.status is PreviewStatus.OVERDUE and preview.kind is PostKind.DIGEST
    assert preview.period.key == "2026-11-23"
    assert preview.due_at == datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Europe/London"))
    assert preview.timezone.key == "Europe/London"
    assert isinstance(preview.view, DigestView)
    [item] = preview.view.spotlights
    assert [person.display_name for person in item.nominees] == ["Sam"]


def test_once_posted_the_preview_moves_to_the_next_period(
    services: Services, clock: FakeClock
) -> None:
    clock.set(MONDAY_ELEVEN)
    workspace = builders.workspace(services)
    with services.sessions() as session:
        key = DeliveryKey(workspace.id, CHANNEL, "digest", "2026-11-23")
        claim = claim_delivery(session, key, clock())
        assert claim is not None
        assert mark_delivery_posted(session, claim, "1700000000.000100", clock())

    preview = preview_weekly(services, workspace.id, PostKind.DIGEST, CHANNEL)
    assert preview.status is PreviewStatus.PENDING and preview.period.key == "2026-11-30"
    assert isinstance(preview.view, DigestView) and preview.view.is_quiet
    # Without a channel there is no delivery to look up: the next period, so far.
    unrouted = preview_weekly(services, workspace.id, PostKind.DIGEST, None)
    assert unrouted.status is PreviewStatus.PENDING and unrouted.period.key == "2026-11-30"


def test_a_prompt_preview_carries_the_prompt_view(services: Services, clock: FakeClock) -> None:
    clock.set(MONDAY_ELEVEN)
    workspace = builders.workspace(services)
    preview = preview_weekly(services, workspace.id, PostKind.PROMPT, CHANNEL)
    assert preview.status is PreviewStatus.PENDING and preview.kind is PostKind.PROMPT
    assert isinstance(preview.view, PromptView)
    assert preview.due_at == datetime(2026, 11, 25, 12, 0, tzinfo=ZoneInfo("Europe/London"))
    assert every_workspace_id(services) == [workspace.id]

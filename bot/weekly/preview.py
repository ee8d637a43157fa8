"""What the next digest or prompt would say, before it is posted (`--preview`, the console).

`preview_weekly` picks the period a person means — the one due but not yet posted, else the
coming one with the nominations so far — and builds its neutral view; adapters render it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.deliveries import DeliveryKey, DeliveryStatus, find_delivery
from bot.services import Services
from bot.weekly.periods import Period, PostKind, due_period, next_period, schedule_for
from bot.weekly.spotlight import DigestView, PromptView, build_digest_view, build_prompt_view
from db.models import Workspace


class PreviewStatus(StrEnum):
    OVERDUE = "overdue"  # due now: the next run or --post sends it
    PENDING = "pending"  # not due yet; nominations so far


@dataclass(frozen=True)
class WeeklyPreview:
    kind: PostKind
    period: Period
    due_at: datetime  # in the schedule's time zone
    timezone: ZoneInfo
    status: PreviewStatus
    view: DigestView | PromptView


def preview_weekly(
    services: Services, workspace_id: int, kind: PostKind, channel_id: str | None
) -> WeeklyPreview:
    """What will be posted next: the digest or prompt that is due but not yet posted to
    `channel_id` (as a manual --post would send it), otherwise the coming one so far."""
    settings = services.settings
    schedule = schedule_for(settings, kind)
    now = services.clock()
    due = due_period(schedule, now, timedelta(hours=settings.EVERYSEAT_CATCH_UP_HOURS))
    with services.unit_of_work() as session:
        period = next_period(schedule, now)
        if due is not None and channel_id is not None:
            key = DeliveryKey(workspace_id, channel_id, str(kind), due.key)
            delivery = find_delivery(session, key)
            if delivery is None or delivery.status != DeliveryStatus.POSTED:
                period = due
        view: DigestView | PromptView
        if kind is PostKind.DIGEST:
            view = build_digest_view(
                session,
                workspace_id,
                period,
                catalogue=services.catalogue,
                reflections=services.reflections,
            )
        else:
            view = build_prompt_view(workspace_id, period, reflections=services.reflections)
    return WeeklyPreview(
        kind=kind,
        period=period,
        due_at=period.due_at.astimezone(schedule.timezone),
        timezone=schedule.timezone,
        status=PreviewStatus.OVERDUE if period is due else PreviewStatus.PENDING,
        view=view,
    )


def every_workspace_id(services: Services) -> list[int]:
    """Every workspace stored, oldest first: what to preview when no platform is configured."""
    with services.unit_of_work() as session:
        return list(session.scalars(select(Workspace.id).order_by(Workspace.id)))

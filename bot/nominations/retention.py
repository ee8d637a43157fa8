"""Retention: nominations older than EVERYSEAT_RETENTION_MONTHS are deleted or anonymised.

A nightly job (schedules/retention.py) calls `run_nightly_retention`; each workspace's run is
claimed in the database first (bot/deliveries.py, one period key per local night), so any
number of replicas apply it once. `everyseat retention run [--dry-run]` applies it now.
Every run is recorded in the audit trail, in the same transaction as the changes.

- delete: the nomination goes, with its nominees, behaviours, endorsements and the
  deliveries of its posts and messages.
- anonymise: the nomination stays, counted in nomination totals, per-behaviour and weekly
  figures; its story, nominator, nominees, endorsements and message links are removed.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Any

from sqlalchemy import String, cast, delete, func, select, update
from sqlalchemy.orm import Session

from bot import messages
from bot.audit import Actor, AuditAction, record_by
from bot.deliveries import DeliveryKey, claim_delivery, mark_delivery_posted
from bot.services import Services
from bot.settings import Settings
from db.models import (
    Delivery,
    Endorsement,
    Nomination,
    NominationBehaviour,
    NominationNominee,
    Spotlight,
    Workspace,
)

# The nightly run's claim: one delivery row per workspace and local night.
RETENTION_KIND = "retention"
RETENTION_CHANNEL = "retention"
# Delivery kinds whose period key is not a nomination id; every other kind is a nomination's
# post or personal message, keyed by its id (bot/recognition/outbox.py).
_NOT_NOMINATION_KINDS = ("digest", "prompt", RETENTION_KIND)


class RetentionMode(StrEnum):
    DELETE = "delete"
    ANONYMISE = "anonymise"


@dataclass(frozen=True)
class RetentionPolicy:
    months: int
    mode: RetentionMode

    @classmethod
    def from_settings(cls, settings: Settings) -> RetentionPolicy | None:
        """The configured policy, or None when retention is off (the default)."""
        if settings.EVERYSEAT_RETENTION_MONTHS is None:
            return None
        return cls(
            settings.EVERYSEAT_RETENTION_MONTHS, RetentionMode(settings.EVERYSEAT_RETENTION_MODE)
        )


@dataclass(frozen=True)
class RetentionOutcome:
    """One workspace's run: what was (or, in a dry run, would be) removed."""

    workspace_id: int
    workspace: str  # the platform's id, for people reading the outcome
    mode: RetentionMode
    cutoff: datetime  # local midnight of the first day kept, in UTC
    kept_from: date  # that day, as people read it
    nominations: int
    nominees: int
    endorsements: int
    deliveries: int
    dry_run: bool = False

    def describe(self) -> str:
        template = messages.RETENTION_DRY_RUN if self.dry_run else messages.RETENTION_DONE
        return template.format(
            workspace=self.workspace,
            cutoff=self.kept_from.isoformat(),
            nominations=messages.count_of(self.nominations, "nomination", "nominations"),
            action="deleted" if self.mode is RetentionMode.DELETE else "anonymised",
            nominees=messages.count_of(self.nominees, "nominee link", "nominee links"),
            endorsements=messages.count_of(self.endorsements, "endorsement", "endorsements"),
            deliveries=messages.count_of(self.deliveries, "delivery", "deliveries"),
        )


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (the month's last day if shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def first_kept_day(now: datetime, months: int, settings: Settings) -> date:
    """The local day `months` months before today: the oldest day whose nominations stay."""
    return months_before(now.astimezone(settings.timezone).date(), months)


def retention_cutoff(now: datetime, months: int, settings: Settings) -> datetime:
    """Local midnight of `first_kept_day`, in UTC: anything created before it is due."""
    first_kept = first_kept_day(now, months, settings)
    return datetime.combine(first_kept, time(0), tzinfo=settings.timezone).astimezone(UTC)


def night_key(now: datetime, settings: Settings) -> str:
    """The local night a run belongs to (its claim's period key)."""
    return now.astimezone(settings.timezone).date().isoformat()


def _due(workspace_id: int, cutoff: datetime, mode: RetentionMode) -> Any:
    """The ids of nominations this run acts on (SQL, never loaded into Python)."""
    query = select(Nomination.id).where(
        Nomination.workspace_id == workspace_id, Nomination.created_at < cutoff
    )
    if mode is RetentionMode.ANONYMISE:  # already anonymised ones are left alone
        query = query.where(Nomination.story != messages.RETENTION_ANONYMISED_STORY)
    return query


def _count(session: Session, model: Any, column: Any, due: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model).where(column.in_(due))) or 0)


def _deliveries(workspace_id: int, due: Any) -> Any:
    return (
        (Delivery.workspace_id == workspace_id)
        & Delivery.kind.not_in(_NOT_NOMINATION_KINDS)
        & Delivery.period_key.in_(due.with_only_columns(cast(Nomination.id, String)))
    )


def apply_retention(
    session: Session,
    workspace: Workspace,
    policy: RetentionPolicy,
    cutoff: datetime,
    kept_from: date,
    *,
    dry_run: bool = False,
) -> RetentionOutcome:
    """Count, and unless `dry_run` carry out, one workspace's retention: nominations created
    before `cutoff` (local midnight of `kept_from`, in UTC). Doesn't commit."""
    due = _due(workspace.id, cutoff, policy.mode)
    outcome = RetentionOutcome(
        workspace_id=workspace.id,
        workspace=workspace.external_id,
        mode=policy.mode,
        cutoff=cutoff,
        kept_from=kept_from,
        nominations=_count(session, Nomination, Nomination.id, due),
        nominees=_count(session, NominationNominee, NominationNominee.nomination_id, due),
        endorsements=_count(session, Endorsement, Endorsement.nomination_id, due),
        deliveries=int(
            session.scalar(
                select(func.count()).select_from(Delivery).where(_deliveries(workspace.id, due))
            )
            or 0
        ),
        dry_run=dry_run,
    )
    if dry_run or outcome.nominations == 0:
        return outcome
    # Children first, explicitly, rather than trusting every backend's cascades; the id
    # list is materialised once, because the updates below change what `due` selects.
    ids = list(session.scalars(due))
    session.execute(delete(Delivery).where(_deliveries(workspace.id, due)))
    for child in (NominationNominee, Endorsement):
        session.execute(delete(child).where(child.nomination_id.in_(ids)))
    session.execute(
        update(Spotlight).where(Spotlight.nomination_id.in_(ids)).values(nomination_id=None)
    )
    if policy.mode is RetentionMode.DELETE:
        session.execute(
            delete(NominationBehaviour).where(NominationBehaviour.nomination_id.in_(ids))
        )
        session.execute(delete(Nomination).where(Nomination.id.in_(ids)))
    else:
        session.execute(
            update(Nomination)
            .where(Nomination.id.in_(ids))
            .values(
                story=messages.RETENTION_ANONYMISED_STORY,
                nominator_id=None,
                source_message_url=None,
                posted_channel_id=None,
                posted_message_id=None,
                fingerprint="",
                dedupe_key="anonymised:" + cast(Nomination.id, String),
            )
            .execution_options(synchronize_session=False)
        )
    return outcome


def _record(
    session: Session,
    services: Services,
    actor: Actor,
    policy: RetentionPolicy,
    outcome: RetentionOutcome,
) -> None:
    record_by(
        session,
        actor,
        AuditAction.RETENTION_APPLIED,
        at=services.clock(),
        subject=f"workspace {outcome.workspace}",
        detail={
            "mode": policy.mode.value,
            "months": policy.months,
            "cutoff": outcome.cutoff.isoformat(),
            "nominations": outcome.nominations,
            "nominee_links": outcome.nominees,
            "endorsements": outcome.endorsements,
            "deliveries": outcome.deliveries,
        },
    )


def _workspaces(services: Services) -> list[Workspace]:
    with services.unit_of_work() as session:
        workspaces = list(session.scalars(select(Workspace).order_by(Workspace.id)))
        session.expunge_all()
        return workspaces


def run_retention(
    services: Services, policy: RetentionPolicy, actor: Actor, *, dry_run: bool = False
) -> list[RetentionOutcome]:
    """Apply `policy` to every workspace now (the command line), each in one transaction
    with its audit entry. A dry run changes and records nothing."""
    now = services.clock()
    cutoff = retention_cutoff(now, policy.months, services.settings)
    kept_from = first_kept_day(now, policy.months, services.settings)
    outcomes = []
    for workspace in _workspaces(services):
        with services.unit_of_work() as session:
            outcome = apply_retention(
                session, workspace, policy, cutoff, kept_from, dry_run=dry_run
            )
            if not dry_run:
                _record(session, services, actor, policy, outcome)
                session.commit()
        outcomes.append(outcome)
    return outcomes


def run_nightly_retention(services: Services, actor: Actor) -> list[RetentionOutcome]:
    """The scheduled run: each workspace is claimed for tonight first, so however many
    replicas run it, it is applied (and recorded) once per workspace per night."""
    policy = RetentionPolicy.from_settings(services.settings)
    if policy is None:
        return []
    now = services.clock()
    cutoff = retention_cutoff(now, policy.months, services.settings)
    kept_from = first_kept_day(now, policy.months, services.settings)
    outcomes = []
    for workspace in _workspaces(services):
        key = DeliveryKey(
            workspace.id, RETENTION_CHANNEL, RETENTION_KIND, night_key(now, services.settings)
        )
        with services.unit_of_work() as session:
            claim = claim_delivery(session, key, now)
            if claim is None:  # done tonight already, or another replica is doing it
                continue
            outcome = apply_retention(session, workspace, policy, cutoff, kept_from)
            _record(session, services, actor, policy, outcome)
            # Commits the changes, the audit entry and the finished claim together.
            mark_delivery_posted(session, claim, "applied", services.clock())
        outcomes.append(outcome)
    return outcomes

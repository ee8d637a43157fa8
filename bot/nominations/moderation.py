"""Moderation, written once for every platform: authors edit or withdraw their nominations
within a window, anyone who can see a nomination flags it to admins, and admins hide it
(upholding any flags), dismiss a flag, or restore what they hid.

Each use case reads who may act from the database (the stored nominator, the nominees, the
one admin check in bot/people/admins.py), never from the payload; changes the nomination,
its flags and the audit trail in one unit of work; then rewrites every message the
recognition was sent as (found in the delivery rows the outbox recorded) through the
platform's `RecognitionEditor`. A message the platform refuses to change is logged: the
database, which every digest, statistic and export reads, is already right.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import messages
from bot.audit import AuditAction, record_audit
from bot.deliveries import DeliveryStatus
from bot.errors import (
    AlreadyFlaggedError,
    EditWindowClosedError,
    FlagNotFoundError,
    InvalidFlagError,
    InvalidNominationError,
    NominationNotFoundError,
    NotAuthorisedError,
    NotHiddenError,
    NotYourNominationError,
)
from bot.nominations.governance import ensure_no_patient_identifiers
from bot.nominations.rules import content_problems, load_nomination
from bot.nominations.visibility import counted_nominations
from bot.people.admins import require_admin
from bot.people.resolution import (
    NoLookup,
    PersonRef,
    ProfileLookup,
    resolve_people,
    workspace_id_for,
)
from bot.recognition.senders import (
    FlagNotice,
    FlagNotifier,
    RecognitionEditor,
    SentMessage,
)
from bot.recognition.views import RecognitionView, load_recognition_view
from bot.services import Services
from db.models import (
    Delivery,
    Member,
    Nomination,
    NominationBehaviour,
    NominationFlag,
    Workspace,
)

log = logging.getLogger(__name__)

FLAG_REASON_LIMIT = 500
# Names of admins offered to someone who has to ask one; a longer list helps nobody.
ADMIN_NAMES_SHOWN = 3


class FlagStatus:
    OPEN = "open"
    UPHELD = "upheld"
    DISMISSED = "dismissed"


@dataclass(frozen=True)
class Actor:
    """Who is acting, as their platform names them.

    `admin_ids` are every id they may be listed under in EVERYSEAT_ADMINS and `admin_lookup`
    the platform's directory for its own admin flag (None where there is none: Teams). The
    command line and the local console act as the `operator`, who has the database in hand
    and is not checked.
    """

    platform: str
    workspace_external_id: str
    person: PersonRef
    lookup: ProfileLookup = field(default_factory=NoLookup)
    admin_ids: tuple[str, ...] = ()
    admin_lookup: ProfileLookup | None = None
    operator: bool = False

    @property
    def audit_id(self) -> str:
        return self.person.platform_user_id or self.person.ref

    @classmethod
    def command_line(cls) -> Actor:
        return cls("cli", "", PersonRef(ref="cli", platform_user_id="cli"), operator=True)


@dataclass(frozen=True)
class FlagView:
    """An open flag, or a hidden nomination, as the admin panel lists them."""

    flag_id: int
    nomination_id: int
    reason: str
    who: str | None


@dataclass(frozen=True)
class HiddenView:
    nomination_id: int
    hidden_by: str
    reason: str


@dataclass(frozen=True)
class ModerationQueue:
    open_flags: tuple[FlagView, ...]
    hidden: tuple[HiddenView, ...]


@dataclass(frozen=True)
class FlagDecision:
    flag_id: int
    nomination_id: int
    upheld: bool
    recognition: RecognitionView | None = None


# --- reading -------------------------------------------------------------------------------


async def _resolve(services: Services, actor: Actor) -> tuple[int | None, Member | None]:
    """The actor's workspace id and member row (None for the command line, which may act
    on any workspace)."""
    if actor.operator and not actor.workspace_external_id:
        return None, None
    workspace_id = await workspace_id_for(services, actor.platform, actor.workspace_external_id)
    people = await resolve_people(services, workspace_id, [actor.person], actor.lookup)
    return workspace_id, people[actor.person.ref]


def _nomination_in(session: Session, nomination_id: int, workspace_id: int | None) -> Nomination:
    """A nomination that is not withdrawn, in the actor's workspace (any, for the operator)."""
    nomination = load_nomination(session, nomination_id)
    if (
        nomination is None
        or nomination.withdrawn_at is not None
        or (workspace_id is not None and nomination.workspace_id != workspace_id)
    ):
        raise NominationNotFoundError(messages.NOMINATION_NOT_FOUND)
    return nomination


def admin_names(session: Session, services: Services, workspace_id: int) -> str:
    """Who to ask: a few admins by name, or where to find out."""
    names = list(
        session.scalars(
            select(Member.display_name)
            .where(
                Member.workspace_id == workspace_id,
                Member.is_bot.is_(False),
                Member.is_deactivated.is_(False),
                or_(
                    Member.platform_user_id.in_(services.settings.EVERYSEAT_ADMINS),
                    Member.is_platform_admin.is_(True),
                ),
            )
            .order_by(Member.display_name)
            .limit(ADMIN_NAMES_SHOWN)
        )
    )
    return messages.join_names(names) if names else messages.ADMINS_UNKNOWN


def sent_messages(
    session: Session, nomination_id: int, editor: RecognitionEditor
) -> list[SentMessage]:
    """Every message this platform's outbox sent for the nomination (post and DMs)."""
    rows = session.execute(
        select(Delivery.channel_id, Delivery.message_ts, Delivery.kind).where(
            Delivery.kind.in_([editor.public_kind, editor.dm_kind]),
            Delivery.period_key == str(nomination_id),
            Delivery.status == DeliveryStatus.POSTED,
        )
    )
    return [
        SentMessage(channel_id, message_ts, direct=kind == editor.dm_kind)
        for channel_id, message_ts, kind in rows
        if message_ts
    ]


def _may_see(nomination: Nomination, member: Member) -> bool:
    if nomination.visibility != "private":
        return True
    involved = {link.member_id for link in nomination.nominees} | {nomination.nominator_id}
    return member.id in involved


# --- rewriting what was sent ---------------------------------------------------------------


async def _rewrite(
    services: Services,
    editor: RecognitionEditor | None,
    workspace_id: int,
    sent: Sequence[SentMessage],
    change: str,
    view: RecognitionView,
) -> int:
    """Apply `change` ("update", "notice" or "delete") to every sent message; returns how
    many the platform accepted."""
    if editor is None:
        return 0
    changed = 0
    for message in sent:
        try:
            if change == "update":
                await editor.update_message(workspace_id, message, view)
            elif change == "notice":
                await editor.replace_with_notice(workspace_id, message, messages.HIDDEN_NOTICE)
            else:
                await editor.delete_message(workspace_id, message)
            changed += 1
        except Exception as error:  # the database is right; the message catches up never
            log.warning(
                "could not %s message %s of nomination %s: %s",
                change,
                message.message_id,
                view.nomination_id,
                editor.describe_error(error),
            )
    return changed


# --- authors: edit and withdraw ------------------------------------------------------------


def _check_author(
    session: Session, services: Services, nomination: Nomination, member: Member | None
) -> None:
    if member is None or nomination.nominator_id != member.id:
        raise NotYourNominationError(
            messages.NOT_YOUR_NOMINATION.format(
                admins=admin_names(session, services, nomination.workspace_id)
            )
        )
    hours = services.settings.EVERYSEAT_EDIT_WINDOW_HOURS
    if services.clock() - nomination.created_at > timedelta(hours=hours):
        made = nomination.created_at.astimezone(services.rules.timezone)
        raise EditWindowClosedError(
            messages.EDIT_WINDOW_CLOSED.format(
                hours=hours,
                made=made.strftime("%d %b %Y at %H:%M"),
                admins=admin_names(session, services, nomination.workspace_id),
            )
        )


def edit_deadline(services: Services, created_at: datetime) -> datetime:
    """Until when the nominator may edit or withdraw a nomination made at `created_at`."""
    return created_at + timedelta(hours=services.settings.EVERYSEAT_EDIT_WINDOW_HOURS)


async def nomination_to_edit(
    services: Services, actor: Actor, nomination_id: int
) -> RecognitionView:
    """The nomination as it stands, if `actor` may still edit or withdraw it (to prefill a
    form or ask for confirmation). Raises NotYourNominationError or EditWindowClosedError."""
    workspace_id, member = await _resolve(services, actor)

    def check() -> RecognitionView:
        with services.unit_of_work() as session:
            nomination = _nomination_in(session, nomination_id, workspace_id)
            _check_author(session, services, nomination, member)
            view = load_recognition_view(session, nomination_id, services.catalogue)
            assert view is not None
            return view

    return await services.in_worker(check)


async def edit_nomination(
    services: Services,
    actor: Actor,
    nomination_id: int,
    story: str,
    behaviour_slugs: Sequence[str],
    editor: RecognitionEditor | None,
) -> RecognitionView:
    """The nominator rewrites the story and behaviours, within the window; every message it
    was sent as shows the new version. Raises InvalidNominationError (story and behaviour
    problems, tied to their fields), PatientIdentifierError (the information-governance
    guard, before anything is read or written) or the ModerationError subclasses."""
    ensure_no_patient_identifiers(services.guard, story)
    workspace_id, member = await _resolve(services, actor)
    slugs = list(dict.fromkeys(behaviour_slugs))

    def store() -> tuple[RecognitionView, list[SentMessage], int]:
        with services.unit_of_work() as session:
            nomination = _nomination_in(session, nomination_id, workspace_id)
            _check_author(session, services, nomination, member)
            problems = content_problems(story, slugs, services.catalogue, services.rules)
            if problems:
                raise InvalidNominationError(problems)
            nomination.story = story.strip()
            # Replaced in SQL: the same slug may come back, and its row is keyed by it.
            session.execute(
                delete(NominationBehaviour).where(
                    NominationBehaviour.nomination_id == nomination_id
                )
            )
            session.expire(nomination, ["behaviours"])
            session.add_all(
                NominationBehaviour(
                    nomination_id=nomination_id, behaviour_slug=slug, position=position
                )
                for position, slug in enumerate(slugs)
            )
            nomination.edited_at = services.clock()
            session.commit()
            view = load_recognition_view(session, nomination_id, services.catalogue)
            assert view is not None
            sent = sent_messages(session, nomination_id, editor) if editor else []
            return view, sent, nomination.workspace_id

    view, sent, home = await services.in_worker(store)
    change = "notice" if view.hidden else "update"
    await _rewrite(services, editor, home, sent, change, view)
    return view


async def withdraw_nomination(
    services: Services, actor: Actor, nomination_id: int, editor: RecognitionEditor | None
) -> RecognitionView:
    """The nominator takes their nomination down, within the window: its post and messages
    are deleted and it stops counting anywhere. Raises the ModerationError subclasses."""
    workspace_id, member = await _resolve(services, actor)

    def store() -> tuple[RecognitionView, list[SentMessage], int]:
        with services.unit_of_work() as session:
            nomination = _nomination_in(session, nomination_id, workspace_id)
            _check_author(session, services, nomination, member)
            nomination.withdrawn_at = services.clock()
            session.commit()
            view = load_recognition_view(session, nomination_id, services.catalogue)
            assert view is not None
            sent = sent_messages(session, nomination_id, editor) if editor else []
            return view, sent, nomination.workspace_id

    view, sent, home = await services.in_worker(store)
    await _rewrite(services, editor, home, sent, "delete", view)
    return view


# --- everyone: flag ------------------------------------------------------------------------


def _admin_recipients(
    session: Session, services: Services, workspace_id: int, notifier: FlagNotifier
) -> list[str]:
    """Everyone to tell about a flag: configured admins this platform can reach, and the
    workspace's own admins and owners as last seen."""
    platform_admins = session.scalars(
        select(Member.platform_user_id).where(
            Member.workspace_id == workspace_id, Member.is_platform_admin.is_(True)
        )
    )
    ids = [*services.settings.EVERYSEAT_ADMINS, *platform_admins]
    return [person for person in dict.fromkeys(ids) if notifier.can_reach(person)]


async def flag_nomination(
    services: Services,
    actor: Actor,
    nomination_id: int,
    reason: str,
    notifier: FlagNotifier | None,
) -> FlagNotice:
    """Ask admins to look at a nomination the actor can see; each admin is sent the flag with
    Hide and Dismiss. Raises InvalidFlagError, AlreadyFlaggedError or NominationNotFoundError
    (also for a private nomination the actor is not part of)."""
    reason = reason.strip()
    if not reason:
        raise InvalidFlagError(messages.FLAG_REASON_MISSING)
    if len(reason) > FLAG_REASON_LIMIT:
        raise InvalidFlagError(
            messages.FLAG_REASON_TOO_LONG.format(maximum=FLAG_REASON_LIMIT, length=len(reason))
        )
    workspace_id, member = await _resolve(services, actor)

    def store() -> tuple[FlagNotice, list[str], int]:
        with services.unit_of_work() as session:
            nomination = _nomination_in(session, nomination_id, workspace_id)
            if member is not None and not _may_see(nomination, member):
                raise NominationNotFoundError(messages.NOMINATION_NOT_FOUND)
            flag = NominationFlag(
                workspace_id=nomination.workspace_id,
                nomination_id=nomination_id,
                flagged_by_id=member.id if member else None,
                reason=reason,
                created_at=services.clock(),
                status=FlagStatus.OPEN,
            )
            session.add(flag)
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                raise AlreadyFlaggedError(messages.ALREADY_FLAGGED) from None
            view = load_recognition_view(session, nomination_id, services.catalogue)
            assert view is not None
            notice = FlagNotice(flag.id, reason, member.display_name if member else None, view)
            recipients = (
                _admin_recipients(session, services, nomination.workspace_id, notifier)
                if notifier
                else []
            )
            return notice, recipients, nomination.workspace_id

    notice, recipients, home = await services.in_worker(store)
    for admin_id in recipients:
        assert notifier is not None
        try:
            await notifier.send_flag(home, admin_id, notice)
        except Exception as error:  # the flag is stored and listed in the admin panel
            log.warning(
                "could not tell admin %s about flag %s: %s", admin_id, notice.flag_id, error
            )
    return notice


# --- admins: hide, restore, decide flags ---------------------------------------------------


async def _require_moderator(services: Services, actor: Actor, workspace_id: int | None) -> None:
    if actor.operator:
        return
    assert workspace_id is not None
    try:
        await require_admin(
            services, workspace_id, actor.admin_ids, actor.admin_lookup, action="moderate"
        )
    except NotAuthorisedError:
        raise NotAuthorisedError(messages.NOT_A_MODERATOR) from None


def _hide(
    session: Session,
    services: Services,
    actor: Actor,
    nomination: Nomination,
    reason: str,
) -> int:
    """Hide the nomination and uphold its open flags, with their audit facts; returns how
    many flags were upheld. The caller commits."""
    now = services.clock()
    nomination.hidden_at = now
    nomination.hidden_by = actor.audit_id
    nomination.hidden_reason = reason
    flags = list(
        session.scalars(
            select(NominationFlag).where(
                NominationFlag.nomination_id == nomination.id,
                NominationFlag.status == FlagStatus.OPEN,
            )
        )
    )
    for flag in flags:
        _record_decision(session, services, actor, flag, FlagStatus.UPHELD)
    record_audit(
        session,
        at=now,
        actor=actor.audit_id,
        platform=actor.platform,
        action=AuditAction.NOMINATION_HIDDEN,
        subject=f"nomination:{nomination.id}",
        detail={"reason": reason, "flags_upheld": len(flags)},
    )
    return len(flags)


async def hide_nomination(
    services: Services,
    actor: Actor,
    nomination_id: int,
    reason: str,
    editor: RecognitionEditor | None,
) -> RecognitionView:
    """An admin hides a nomination: every message it was sent as becomes a neutral line,
    it leaves digests, statistics, exports and App Home, and open flags on it are upheld.
    Audited. Hiding a hidden nomination changes nothing."""
    reason = reason.strip()
    if not reason:
        raise InvalidFlagError(messages.HIDE_REASON_MISSING)
    workspace_id, _member = await _resolve(services, actor)
    await _require_moderator(services, actor, workspace_id)

    def store() -> tuple[RecognitionView, list[SentMessage], int, bool]:
        with services.unit_of_work() as session:
            nomination = _nomination_in(session, nomination_id, workspace_id)
            changed = nomination.hidden_at is None
            if changed:
                _hide(session, services, actor, nomination, reason)
                session.commit()
            view = load_recognition_view(session, nomination_id, services.catalogue)
            assert view is not None
            sent = sent_messages(session, nomination_id, editor) if editor else []
            return view, sent, nomination.workspace_id, changed

    view, sent, home, changed = await services.in_worker(store)
    if changed:
        await _rewrite(services, editor, home, sent, "notice", view)
    return view


async def restore_nomination(
    services: Services,
    actor: Actor,
    nomination_id: int,
    reason: str,
    editor: RecognitionEditor | None,
) -> RecognitionView:
    """An admin restores a hidden nomination: its messages show it again and it counts
    again. Audited. Raises NotHiddenError if it isn't hidden."""
    workspace_id, _member = await _resolve(services, actor)
    await _require_moderator(services, actor, workspace_id)

    def store() -> tuple[RecognitionView, list[SentMessage], int]:
        with services.unit_of_work() as session:
            nomination = _nomination_in(session, nomination_id, workspace_id)
            if nomination.hidden_at is None:
                raise NotHiddenError(messages.NOT_HIDDEN.format(nomination_id=nomination_id))
            nomination.hidden_at = None
            nomination.hidden_by = None
            nomination.hidden_reason = None
            record_audit(
                session,
                at=services.clock(),
                actor=actor.audit_id,
                platform=actor.platform,
                action=AuditAction.NOMINATION_RESTORED,
                subject=f"nomination:{nomination_id}",
                detail={"reason": reason.strip()},
            )
            session.commit()
            view = load_recognition_view(session, nomination_id, services.catalogue)
            assert view is not None
            sent = sent_messages(session, nomination_id, editor) if editor else []
            return view, sent, nomination.workspace_id

    view, sent, home = await services.in_worker(store)
    await _rewrite(services, editor, home, sent, "update", view)
    return view


def _open_flag(session: Session, flag_id: int, workspace_id: int | None) -> NominationFlag:
    flag = session.get(NominationFlag, flag_id)
    if (
        flag is None
        or flag.status != FlagStatus.OPEN
        or (workspace_id is not None and flag.workspace_id != workspace_id)
    ):
        raise FlagNotFoundError(messages.FLAG_NOT_FOUND)
    return flag


async def decide_flag(
    services: Services,
    actor: Actor,
    flag_id: int,
    *,
    uphold: bool,
    editor: RecognitionEditor | None,
) -> FlagDecision:
    """An admin's answer to a flag: uphold it (hide the nomination, with the flag's reason)
    or dismiss it (the nomination stays up). Audited. Raises FlagNotFoundError when it was
    already decided."""
    workspace_id, _member = await _resolve(services, actor)
    await _require_moderator(services, actor, workspace_id)

    def store() -> tuple[FlagDecision, list[SentMessage], int, RecognitionView | None]:
        with services.unit_of_work() as session:
            flag = _open_flag(session, flag_id, workspace_id)
            nomination = session.get(Nomination, flag.nomination_id)
            assert nomination is not None  # flags are deleted with their nomination
            if uphold:
                if nomination.hidden_at is None and nomination.withdrawn_at is None:
                    _hide(session, services, actor, nomination, flag.reason)
                else:  # already taken down: the flag is upheld all the same
                    _record_decision(session, services, actor, flag, FlagStatus.UPHELD)
            else:
                _record_decision(session, services, actor, flag, FlagStatus.DISMISSED)
            session.commit()
            view = load_recognition_view(session, nomination.id, services.catalogue)
            sent = sent_messages(session, nomination.id, editor) if editor and uphold else []
            decision = FlagDecision(flag_id, nomination.id, uphold, view)
            return decision, sent, nomination.workspace_id, view

    decision, sent, home, view = await services.in_worker(store)
    if sent and view is not None:
        await _rewrite(services, editor, home, sent, "notice", view)
    return decision


def moderation_queue(services: Services, workspace_id: int, *, limit: int = 10) -> ModerationQueue:
    """Open flags (oldest first) and hidden nominations (latest first), for the admin panel."""
    with services.unit_of_work() as session:
        flags = session.execute(
            select(NominationFlag.id, NominationFlag.nomination_id, NominationFlag.reason, Member)
            .outerjoin(Member, Member.id == NominationFlag.flagged_by_id)
            .where(
                NominationFlag.workspace_id == workspace_id,
                NominationFlag.status == FlagStatus.OPEN,
            )
            .order_by(NominationFlag.created_at, NominationFlag.id)
            .limit(limit)
        ).all()
        hidden = session.execute(
            select(Nomination.id, Nomination.hidden_by, Nomination.hidden_reason)
            .where(Nomination.workspace_id == workspace_id, Nomination.hidden_at.is_not(None))
            .order_by(Nomination.hidden_at.desc(), Nomination.id.desc())
            .limit(limit)
        ).all()
        return ModerationQueue(
            tuple(
                FlagView(flag_id, nomination_id, reason, who.display_name if who else None)
                for flag_id, nomination_id, reason, who in flags
            ),
            tuple(HiddenView(ident, by or "", reason or "") for ident, by, reason in hidden),
        )


def nomination_platform(services: Services, nomination_id: int) -> str:
    """The platform a nomination was made on (the command line picks its editor by it)."""
    with services.unit_of_work() as session:
        nomination = session.get(Nomination, nomination_id)
        if nomination is None:
            raise NominationNotFoundError(messages.NOMINATION_NOT_FOUND)
        platform = session.scalar(
            select(Workspace.platform).where(Workspace.id == nomination.workspace_id)
        )
        return str(platform)


def nomination_posted_as(
    services: Services, channel_id: str, message_id: str
) -> tuple[int, bool] | None:
    """The nomination whose public post is this message, and whether it is hidden (for a
    message shortcut); None when the message is not a recognition."""
    with services.unit_of_work() as session:
        row = session.execute(
            select(Nomination.id, Nomination.hidden_at).where(
                Nomination.posted_channel_id == channel_id,
                Nomination.posted_message_id == message_id,
                Nomination.withdrawn_at.is_(None),
            )
        ).one_or_none()
        return None if row is None else (row[0], row[1] is not None)


def editable_by(
    services: Services, workspace_id: int, platform_user_id: str
) -> list[tuple[int, datetime]]:
    """The nominations this person made that they may still edit or withdraw, oldest
    first, each with its deadline."""
    since = services.clock() - timedelta(hours=services.settings.EVERYSEAT_EDIT_WINDOW_HOURS)
    with services.unit_of_work() as session:
        rows = session.execute(
            select(Nomination.id, Nomination.created_at)
            .join(Member, Member.id == Nomination.nominator_id)
            .where(
                Nomination.workspace_id == workspace_id,
                Member.platform_user_id == platform_user_id,
                Nomination.created_at >= since,
                counted_nominations(),
            )
            .order_by(Nomination.created_at, Nomination.id)
        ).all()
        return [(ident, edit_deadline(services, created)) for ident, created in rows]


def _record_decision(
    session: Session,
    services: Services,
    actor: Actor,
    flag: NominationFlag,
    status: str,  # FlagStatus.UPHELD or FlagStatus.DISMISSED
) -> None:
    """Mark one flag upheld or dismissed by `actor`, and audit it in the same transaction."""
    flag.status = status
    flag.decided_at = services.clock()
    flag.decided_by = actor.audit_id
    record_audit(
        session,
        at=services.clock(),
        actor=actor.audit_id,
        platform=actor.platform,
        action=AuditAction.FLAG_UPHELD
        if status is FlagStatus.UPHELD
        else AuditAction.FLAG_DISMISSED,
        subject=f"flag:{flag.id}",
        detail={"nomination_id": flag.nomination_id},
    )

"""Teams surface of the nomination feature: @mention nominations, the card form, the
"Nominate" message extension and "I saw this too".

Teams has no ephemeral replies, so confirmations and problems are replies in the same
conversation, and a submitted form card is replaced by its outcome.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from functools import partial
from typing import Any

from microsoft_teams.api import ApiClient
from microsoft_teams.apps import ActivityContext, App
from microsoft_teams.cards import AdaptiveCard

from bot import messages
from bot.deliveries import DeliveryKey, Sent
from bot.errors import (
    DailyCapReachedError,
    EndorsementError,
    InvalidNominationError,
    NominationError,
    NominationField,
)
from bot.nominations.rules import (
    NominationOutcome,
    NominationRequest,
    Visibility,
    endorse,
)
from bot.recognition.views import RecognitionView
from bot.services import Services
from db.models import Member
from handlers.teams.admin import reply_with_stats
from handlers.teams.cards import (
    CARD_CONTENT_TYPE,
    ENDORSE_VERB,
    NOMINATE_DIALOG,
    NOMINATE_VERB,
    FormPrefill,
    SubmitKind,
    card_attachment,
    card_json,
    nomination_form,
    notice_card,
    recognition_card,
)
from handlers.teams.commands import HELP_COMMAND, NOMINATE_COMMAND, STATS_COMMAND
from handlers.teams.errors import card_action_message, dialog_message, polite_errors
from handlers.teams.installs import base_conversation_id, installed_team_channels
from handlers.teams.people import lookup_conversations, resolve_people, sender_ref, workspace_for
from handlers.teams.proactive import ConversationTarget, card_activity, update_card
from handlers.teams.recognition import NOMINEE_DM, PUBLIC_POST, Route, send_once
from handlers.teams.turns import PersonRef, Turn, parse_message_command, parse_turn

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Submission:
    """A nomination as it arrived from Teams, before members are resolved."""

    turn: Turn
    nominees: tuple[PersonRef, ...]
    behaviour_slugs: tuple[str, ...]
    story: str
    visibility: str
    message_url: str | None = None


@dataclass(frozen=True)
class Resolved:
    workspace_id: int
    nominator: Member
    nominees: tuple[Member, ...]


@dataclass(frozen=True)
class FormOutcome:
    """A form submission's result: a confirmation, or the form again with its problems."""

    confirmation: str | None = None
    form: FormPrefill | None = None


def _raw(ctx: ActivityContext[Any]) -> dict[str, Any]:
    return dict(ctx.activity.model_dump(mode="json", by_alias=True, exclude_none=True))


async def _resolve(api: ApiClient, services: Services, submission: Submission) -> Resolved:
    turn = submission.turn
    workspace = await workspace_for(services, turn.tenant_id)
    conversations = await lookup_conversations(services, workspace.id, turn.conversation_id)
    nominator = sender_ref(turn.sender)
    people = await resolve_people(
        api, services, workspace.id, conversations, [nominator, *submission.nominees]
    )
    return Resolved(
        workspace_id=workspace.id,
        nominator=people[nominator.ref],
        nominees=tuple(people[person.ref] for person in submission.nominees),
    )


async def _store(services: Services, submission: Submission, who: Resolved) -> NominationOutcome:
    request = NominationRequest(
        workspace_id=who.workspace_id,
        nominator=who.nominator,
        nominees=who.nominees,
        behaviour_slugs=submission.behaviour_slugs,
        story=submission.story,
        visibility=submission.visibility,
        source_channel_id=base_conversation_id(submission.turn.conversation_id),
        source_message_url=submission.message_url,
    )
    return await asyncio.to_thread(services.nominate, request)


async def _view_of(services: Services, nomination_id: int) -> RecognitionView:
    view = await asyncio.to_thread(services.recognition_view, nomination_id)
    if view is None:
        raise LookupError(f"nomination {nomination_id} vanished")
    return view


async def _public_target(
    services: Services, turn: Turn, workspace_id: int
) -> tuple[ConversationTarget, str] | None:
    """Where a public recognition goes: the shared conversation it was made in, else the
    most recently installed team channel. Returns the target and how to name it."""
    if turn.is_shared:
        return ConversationTarget(turn.conversation_id, turn.service_url), (
            messages.TEAMS_THIS_CONVERSATION
        )

    def installed() -> tuple[ConversationTarget, str] | None:
        with services.sessions() as session:
            channels = installed_team_channels(session, workspace_id)
            if not channels:
                return None
            row = channels[0]
            return ConversationTarget.of(row), row.team_name or "your team's channel"

    return await asyncio.to_thread(installed)


async def _celebrate(api: ApiClient, services: Services, turn: Turn, nomination_id: int) -> str:
    """Message each nominee and post the recognition (public), each through the outbox;
    returns the confirmation."""
    view = await _view_of(services, nomination_id)
    names = messages.join_names([person.display_name for person in view.nominees])
    behaviours = messages.join_names([behaviour.name for behaviour in view.behaviours])
    workspace = await workspace_for(services, turn.tenant_id)
    route = Route(turn.service_url, turn.tenant_id)
    for person in view.nominees:
        dm = DeliveryKey(workspace.id, person.platform_user_id, NOMINEE_DM, str(nomination_id))
        await send_once(api, services, dm, route)
    if view.is_private:
        return messages.RECORDED_PRIVATE.format(nominees=names, behaviours=behaviours)

    found = await _public_target(services, turn, workspace.id)
    if found is None:
        return messages.TEAMS_RECORDED_PUBLIC_UNPOSTED.format(
            nominees=names, behaviours=behaviours, reason=messages.TEAMS_NO_TEAM_INSTALLED
        )
    target, label = found
    key = DeliveryKey(workspace.id, target.conversation_id, PUBLIC_POST, str(nomination_id))
    sent = await send_once(api, services, key, Route(target.service_url, turn.tenant_id))
    values = {"nominees": names, "behaviours": behaviours, "channel": label}
    if sent is Sent.QUEUED:
        return messages.TEAMS_RECORDED_PUBLIC_QUEUED.format(**values)
    return messages.RECORDED_PUBLIC.format(**values)


def _prefill_people(members: tuple[Member, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((member.platform_user_id, member.display_name) for member in members)


# --- @Everyseat nominate … ------------------------------------------------------------------


async def _send_form(ctx: ActivityContext[Any], services: Services, prefill: FormPrefill) -> None:
    card = nomination_form(services.catalogue, services.rules, prefill)
    await ctx.send(card_activity(card))


async def on_message(services: Services, ctx: ActivityContext[Any]) -> None:
    turn = parse_turn(_raw(ctx))
    command = parse_message_command(turn)
    if command.verb in ("", HELP_COMMAND):
        await ctx.send(messages.TEAMS_USAGE)
        return
    if command.verb == STATS_COMMAND:
        await reply_with_stats(ctx, services, turn, command.typed)
        return
    if command.verb != NOMINATE_COMMAND:
        await ctx.send(messages.TEAMS_NOT_UNDERSTOOD)
        return

    typed = FormPrefill(behaviour_slugs=command.behaviour_slugs, story=command.story)
    if turn.is_personal or not (command.nominees or command.story or command.behaviour_slugs):
        await _send_form(ctx, services, typed)
        return
    if not command.nominees:
        notice = messages.ONE_LINE_NEEDS_FORM.format(problem=messages.NO_NOMINEES)
        await ctx.send(
            card_activity(
                nomination_form(
                    services.catalogue,
                    services.rules,
                    FormPrefill(
                        behaviour_slugs=command.behaviour_slugs,
                        story=command.story,
                        notice=notice,
                        errors={NominationField.NOMINEES: messages.NO_NOMINEES},
                    ),
                ),
                text=messages.ONE_LINE_REJECTED.format(problem=notice),
            )
        )
        return

    slugs = command.behaviour_slugs or (services.catalogue.default.slug,)
    submission = Submission(
        turn=turn,
        nominees=command.nominees,
        behaviour_slugs=slugs,
        story=command.story,
        visibility=Visibility.PUBLIC,
    )
    who = await _resolve(ctx.api, services, submission)
    try:
        outcome = await _store(services, submission, who)
    except InvalidNominationError as error:
        notice = messages.ONE_LINE_NEEDS_FORM.format(problem=error.message)
        prefill = FormPrefill(
            nominees=_prefill_people(who.nominees),
            behaviour_slugs=command.behaviour_slugs,
            story=command.story,
            notice=notice,
            errors=error.by_field(),
        )
        card = nomination_form(services.catalogue, services.rules, prefill)
        await ctx.send(card_activity(card, text=messages.ONE_LINE_REJECTED.format(problem=notice)))
        return
    except NominationError as error:
        await ctx.send(
            messages.ONE_LINE_REJECTED.format(problem=f"{error.message} You wrote: {command.typed}")
        )
        return
    if not outcome.created:
        await ctx.send(messages.ALREADY_RECORDED)
        return
    confirmation = await _celebrate(ctx.api, services, turn, outcome.nomination.id)
    if not command.behaviour_slugs:
        confirmation += " " + messages.DEFAULT_BEHAVIOUR_USED.format(slug=slugs[0])
    await ctx.send(confirmation)


# --- the form (card in chat, or dialog from the message extension) -------------------------


def _listed(value: Any) -> tuple[str, ...]:
    """A ChoiceSet's value: comma-separated in Adaptive Cards (a list from some clients)."""
    if isinstance(value, list):
        parts = [str(item) for item in value]
    else:
        parts = str(value or "").split(",")
    return tuple(dict.fromkeys(part.strip() for part in parts if part.strip()))


def submission_from_form(turn: Turn, data: dict[str, Any]) -> Submission:
    return Submission(
        turn=turn,
        nominees=tuple(
            PersonRef(ref=user_id, aad_object_id=user_id)
            for user_id in _listed(data.get(NominationField.NOMINEES.value))
        ),
        behaviour_slugs=_listed(data.get(NominationField.BEHAVIOURS.value)),
        story=str(data.get(NominationField.STORY.value) or ""),
        visibility=str(data.get(NominationField.VISIBILITY.value) or Visibility.PUBLIC),
        message_url=str(data["message_url"]) if data.get("message_url") else None,
    )


async def submit_form(
    api: ApiClient, services: Services, turn: Turn, data: dict[str, Any]
) -> FormOutcome:
    """Record a submitted form; on a problem, the form to show again with what they typed."""
    submission = submission_from_form(turn, data)
    who = await _resolve(api, services, submission)

    def again(errors: dict[NominationField, str]) -> FormOutcome:
        return FormOutcome(
            form=FormPrefill(
                nominees=_prefill_people(who.nominees),
                behaviour_slugs=submission.behaviour_slugs,
                story=submission.story,
                visibility=submission.visibility,
                message_url=submission.message_url,
                errors=errors,
            )
        )

    try:
        outcome = await _store(services, submission, who)
    except InvalidNominationError as error:
        return again(error.by_field())
    except DailyCapReachedError as error:
        return again({NominationField.STORY: error.message})
    if not outcome.created:
        return FormOutcome(confirmation=messages.ALREADY_RECORDED)
    return FormOutcome(confirmation=await _celebrate(api, services, turn, outcome.nomination.id))


def _card_response(card: AdaptiveCard) -> dict[str, Any]:
    return {"statusCode": 200, "type": CARD_CONTENT_TYPE, "value": card_json(card)}


def _dialog_response(services: Services, prefill: FormPrefill) -> dict[str, Any]:
    card = nomination_form(services.catalogue, services.rules, prefill, submit="dialog")
    return {
        "task": {
            "type": "continue",
            "value": {
                "title": messages.FORM_TITLE,
                "width": "medium",
                "height": "large",
                "card": card_attachment(card),
            },
        }
    }


def _form_response(services: Services, outcome: FormOutcome, kind: SubmitKind) -> dict[str, Any]:
    if outcome.form is not None:
        if kind == "dialog":
            return _dialog_response(services, outcome.form)
        return _card_response(nomination_form(services.catalogue, services.rules, outcome.form))
    text = outcome.confirmation or ""
    return dialog_message(text) if kind == "dialog" else _card_response(notice_card(text))


async def on_card_action(services: Services, ctx: ActivityContext[Any]) -> dict[str, Any]:
    turn = parse_turn(_raw(ctx))
    action = turn.value.get("action") or {}
    verb = action.get("verb")
    data = dict(action.get("data") or {})
    if verb == NOMINATE_VERB:
        outcome = await submit_form(ctx.api, services, turn, data)
        return _form_response(services, outcome, "execute")
    if verb == ENDORSE_VERB:
        return await _endorse(ctx.api, services, turn, data)
    log.warning("unknown Adaptive Card verb %r", verb)
    return card_action_message(messages.UNEXPECTED_ERROR)


# --- "I saw this too" ------------------------------------------------------------------------


async def _endorse(
    api: ApiClient, services: Services, turn: Turn, data: dict[str, Any]
) -> dict[str, Any]:
    try:
        nomination_id = int(data["nomination_id"])
    except (KeyError, TypeError, ValueError):
        return card_action_message(messages.NOMINATION_NOT_FOUND)
    workspace = await workspace_for(services, turn.tenant_id)
    conversations = await lookup_conversations(services, workspace.id, turn.conversation_id)
    endorser = sender_ref(turn.sender)
    people = await resolve_people(api, services, workspace.id, conversations, [endorser])

    def store() -> int:
        with services.sessions() as session:
            return endorse(session, nomination_id, people[endorser.ref], clock=services.clock)

    try:
        await asyncio.to_thread(store)
    except EndorsementError as error:
        return card_action_message(error.message)
    card = recognition_card(await _view_of(services, nomination_id))
    if turn.reply_to_id:
        # The invoke response refreshes the card for the person who clicked; updating the
        # message refreshes it for everyone else in the conversation.
        target = ConversationTarget(turn.conversation_id, turn.service_url)
        try:
            await update_card(api, target, turn.reply_to_id, card)
        except Exception as error:
            log.warning("could not refresh recognition %s: %s", nomination_id, error)
    return _card_response(card)


# --- the "Nominate" message extension --------------------------------------------------------


async def on_extension_fetch_task(services: Services, ctx: ActivityContext[Any]) -> dict[str, Any]:
    """Open the form as a dialog; from a message's "…" menu, its author is the nominee."""
    turn = parse_turn(_raw(ctx))
    payload = turn.value.get("messagePayload") or {}
    author = ((payload.get("from") or {}).get("user")) or {}
    nominees: tuple[tuple[str, str], ...] = ()
    if author.get("id"):
        nominees = ((str(author["id"]), str(author.get("displayName") or author["id"])),)
    return _dialog_response(
        services,
        FormPrefill(nominees=nominees, message_url=payload.get("linkToMessage") or None),
    )


async def on_extension_submit(services: Services, ctx: ActivityContext[Any]) -> dict[str, Any]:
    turn = parse_turn(_raw(ctx))
    data = dict(turn.value.get("data") or {})
    outcome = await submit_form(ctx.api, services, turn, data)
    return _form_response(services, outcome, "dialog")


# --- "Nominate a colleague" on the weekly spotlight and reflection cards ---------------------


async def on_dialog_open(services: Services, ctx: ActivityContext[Any]) -> dict[str, Any]:
    """The digest's button (`task/fetch`): the empty form, as a dialog."""
    return _dialog_response(services, FormPrefill())


async def on_dialog_submit(services: Services, ctx: ActivityContext[Any]) -> dict[str, Any]:
    """The form submitted from that dialog (`task/submit`)."""
    turn = parse_turn(_raw(ctx))
    data = dict(turn.value.get("data") or {})
    outcome = await submit_form(ctx.api, services, turn, data)
    return _form_response(services, outcome, "dialog")


def register(app: App, services: Services) -> None:
    """The nomination feature's Teams activities, and the callbacks they reach."""
    app.on_dialog_open(NOMINATE_DIALOG, polite_errors(partial(on_dialog_open, services)))
    app.on_dialog_submit(polite_errors(partial(on_dialog_submit, services)))
    app.on_message(polite_errors(partial(on_message, services)))
    app.on_card_action(polite_errors(partial(on_card_action, services)))
    app.on_message_ext_open(polite_errors(partial(on_extension_fetch_task, services)))
    app.on_message_ext_submit(polite_errors(partial(on_extension_submit, services)))

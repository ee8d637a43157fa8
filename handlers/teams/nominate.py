"""Teams surface of the nomination feature: @mention nominations, the card form, the
"Nominate" message extension and "I saw this too".

Teams has no ephemeral replies, so confirmations and problems are replies in the same
conversation, and a submitted form card is replaced by its outcome.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial
from typing import Any

from microsoft_teams.api import ApiClient
from microsoft_teams.apps import ActivityContext, App
from microsoft_teams.cards import AdaptiveCard

from bot import messages
from bot.errors import (
    EndorsementError,
    InvalidNominationError,
    NominationError,
    NominationField,
    PatientIdentifierError,
    StorageUnavailableError,
)
from bot.installs import TEAMS, base_conversation_id, lookup_conversations
from bot.nominations import use_cases
from bot.nominations.confirmation import confirmation_text
from bot.nominations.rules import Visibility
from bot.nominations.use_cases import NominationResult, NominationSubmission
from bot.people.resolution import workspace_id_for
from bot.services import Services
from handlers.teams.admin import (
    offer_board_report,
    on_file_consent,
    reply_with_audit,
    reply_with_stats,
)
from handlers.teams.cards import (
    CARD_CONTENT_TYPE,
    ENDORSE_VERB,
    MODERATION_VERBS,
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
from handlers.teams.commands import (
    AUDIT_COMMAND,
    HELP_COMMAND,
    NOMINATE_COMMAND,
    REPORT_COMMAND,
    STATS_COMMAND,
)
from handlers.teams.errors import card_action_message, dialog_message, polite_errors
from handlers.teams.moderation import answer_moderation
from handlers.teams.people import TeamsProfiles, sender_ref, teams_person
from handlers.teams.proactive import card_activity
from handlers.teams.recognition import TeamsRecognitionSender
from handlers.teams.turns import PersonRef, Turn, parse_message_command, parse_turn

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FormOutcome:
    """A form submission's result: a confirmation, or the form again with its problems."""

    confirmation: str | None = None
    form: FormPrefill | None = None


def _raw(ctx: ActivityContext[Any]) -> dict[str, Any]:
    return dict(ctx.activity.model_dump(mode="json", by_alias=True, exclude_none=True))


def _submission(
    turn: Turn,
    nominees: tuple[PersonRef, ...],
    behaviour_slugs: tuple[str, ...],
    story: str,
    *,
    visibility: str = Visibility.PUBLIC,
    message_url: str | None = None,
    one_line: bool = False,
) -> NominationSubmission:
    """A nomination as it arrived from Teams, in the core's terms."""
    return NominationSubmission(
        platform=TEAMS,
        workspace_external_id=turn.tenant_id,
        nominator=teams_person(sender_ref(turn.sender)),
        nominees=tuple(teams_person(person) for person in nominees),
        behaviour_slugs=behaviour_slugs,
        story=story,
        visibility=visibility,
        source_channel_id=base_conversation_id(turn.conversation_id),
        source_message_url=message_url,
        default_behaviour_allowed=one_line,
    )


async def _profiles(api: ApiClient, services: Services, turn: Turn) -> TeamsProfiles:
    """Teams' directory for this turn: its conversation first, then installed channels."""
    workspace_id = await workspace_id_for(services, TEAMS, turn.tenant_id)
    conversations = await services.in_worker(
        lookup_conversations, services, workspace_id, turn.conversation_id
    )
    return TeamsProfiles(api, conversations)


async def _record(
    api: ApiClient, services: Services, turn: Turn, submission: NominationSubmission
) -> NominationResult:
    """The core use case, with Teams' directory and sender."""
    return await use_cases.record_nomination(
        services,
        submission,
        await _profiles(api, services, turn),
        TeamsRecognitionSender(api, services, turn),
    )


def _confirmation(result: NominationResult) -> str:
    return confirmation_text(
        result, name_of=lambda person: person.display_name, wording=messages.TEAMS_CONFIRMATION
    )


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
    if command.verb == REPORT_COMMAND:
        await offer_board_report(ctx, services, turn, command.typed)
        return
    if command.verb == AUDIT_COMMAND:
        await reply_with_audit(ctx, services, turn)
        return
    if command.verb != NOMINATE_COMMAND:
        await ctx.send(messages.TEAMS_NOT_UNDERSTOOD)
        return

    try:
        # Before any reply: a form or an error card would repeat the identifier in the chat.
        use_cases.screen_submission(
            services, _submission(turn, command.nominees, command.behaviour_slugs, command.story)
        )
    except PatientIdentifierError as error:
        # Teams has no private replies; their own message still holds what they typed.
        await ctx.send(f"{error.message} {messages.TEAMS_PATIENT_IDENTIFIER_KEPT}")
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

    submission = _submission(
        turn, command.nominees, command.behaviour_slugs, command.story, one_line=True
    )
    try:
        result = await _record(ctx.api, services, turn, submission)
    except InvalidNominationError as error:
        notice = messages.ONE_LINE_NEEDS_FORM.format(problem=error.message)
        prefill = FormPrefill(
            nominees=error.nominees,
            behaviour_slugs=command.behaviour_slugs,
            story=command.story,
            notice=notice,
            errors=error.by_field(),
        )
        card = nomination_form(services.catalogue, services.rules, prefill)
        text = messages.ONE_LINE_REJECTED.format(problem=notice)
        if len(command.story) > services.rules.max_story:
            # The form's input stops at the limit: send every word back so nothing is lost.
            text += "\n\n" + messages.STORY_SENT_BACK.format(story=command.typed)
        await ctx.send(card_activity(card, text=text))
        return
    except NominationError as error:
        await ctx.send(
            messages.ONE_LINE_REJECTED.format(problem=f"{error.message} You wrote: {command.typed}")
        )
        return
    if not result.created:
        await ctx.send(messages.ALREADY_RECORDED)
        return
    await ctx.send(_confirmation(result))


# --- the form (card in chat, or dialog from the message extension) -------------------------


def _listed(value: Any) -> tuple[str, ...]:
    """A ChoiceSet's value: comma-separated in Adaptive Cards (a list from some clients)."""
    if isinstance(value, list):
        parts = [str(item) for item in value]
    else:
        parts = str(value or "").split(",")
    return tuple(dict.fromkeys(part.strip() for part in parts if part.strip()))


def submission_from_form(turn: Turn, data: dict[str, Any]) -> NominationSubmission:
    return _submission(
        turn,
        tuple(
            PersonRef(ref=user_id, aad_object_id=user_id)
            for user_id in _listed(data.get(NominationField.NOMINEES.value))
        ),
        _listed(data.get(NominationField.BEHAVIOURS.value)),
        str(data.get(NominationField.STORY.value) or ""),
        visibility=str(data.get(NominationField.VISIBILITY.value) or Visibility.PUBLIC),
        message_url=str(data["message_url"]) if data.get("message_url") else None,
    )


async def submit_form(
    api: ApiClient, services: Services, turn: Turn, data: dict[str, Any]
) -> FormOutcome:
    """Record a submitted form; on a problem, the form to show again with what they typed."""
    submission = submission_from_form(turn, data)

    def again(
        errors: dict[NominationField, str], nominees: tuple[tuple[str, str], ...]
    ) -> FormOutcome:
        return FormOutcome(
            form=FormPrefill(
                nominees=nominees,
                behaviour_slugs=tuple(submission.behaviour_slugs),
                story=submission.story,
                visibility=submission.visibility,
                message_url=submission.source_message_url,
                errors=errors,
            )
        )

    try:
        result = await _record(api, services, turn, submission)
    except InvalidNominationError as error:
        return again(error.by_field(), error.nominees)
    except (NominationError, StorageUnavailableError) as error:  # the daily cap, an outage
        typed = tuple((person.ref, person.name or person.ref) for person in submission.nominees)
        return again({NominationField.STORY: error.message}, typed)
    if not result.created:
        return FormOutcome(confirmation=messages.ALREADY_RECORDED)
    return FormOutcome(confirmation=_confirmation(result))


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
    if verb in MODERATION_VERBS:
        return await answer_moderation(ctx.api, services, turn, str(verb), data)
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
    try:
        view = await use_cases.endorse_nomination(
            services,
            TEAMS,
            turn.tenant_id,
            teams_person(sender_ref(turn.sender)),
            nomination_id,
            await _profiles(api, services, turn),
            TeamsRecognitionSender(api, services, turn),
        )
    except EndorsementError as error:
        return card_action_message(error.message)
    # The invoke response refreshes the card for the person who clicked; the core updated
    # the stored post for everyone else in the conversation.
    return _card_response(recognition_card(view, services.catalogue))


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
    app.on_file_consent(polite_errors(partial(on_file_consent, services)))
    app.on_message_ext_open(polite_errors(partial(on_extension_fetch_task, services)))
    app.on_message_ext_submit(polite_errors(partial(on_extension_submit, services)))

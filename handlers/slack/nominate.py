"""Slack surface of the nomination feature: /nominate, the form, shortcuts and endorsements."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import replace
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import messages
from bot.errors import (
    DailyCapReachedError,
    EndorsementError,
    InvalidNominationError,
    NominationError,
    NominationField,
    PatientIdentifierError,
    StorageUnavailableError,
)
from bot.nominations.confirmation import confirmation_text
from bot.nominations.one_line import parse_one_line
from bot.nominations.rules import Visibility
from bot.nominations.use_cases import (
    NominationResult,
    NominationSubmission,
    announce_nomination,
    endorse_nomination,
    record_nomination,
    screen_submission,
)
from bot.services import Services
from handlers.slack.mrkdwn import decode_entities
from handlers.slack.people import SLACK, SlackProfiles, slack_person
from handlers.slack.recognition import SlackRecognitionSender
from handlers.slack.render import (
    ENDORSE_ACTION,
    FORM_CALLBACK_ID,
    INPUT_ACTION,
    OPEN_FORM_ACTION,
    FormPrefill,
    blank_nomination_form,
    nomination_form,
)

log = logging.getLogger(__name__)

COMMAND = "/nominate"
MESSAGE_SHORTCUT = "nominate_author"
GLOBAL_SHORTCUT = "nominate_colleague"

# `<@U123>` or `<@U123|name>`, as Slack sends mentions in escaped command text.
SLACK_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
# A typed "@name" Slack did not turn into a mention (the person wasn't picked from the list).
_UNRESOLVED_NAME = re.compile(r"(?<![<\w])@([\w.\-]+)")


def _submission(
    team_id: str, nominator_id: str, nominee_ids: tuple[str, ...], **details: Any
) -> NominationSubmission:
    """A nomination as it arrived from Slack, in the core's terms: Slack user ids are the
    people, the team is the workspace; `details` are NominationSubmission's other fields."""
    return NominationSubmission(
        platform=SLACK,
        workspace_external_id=team_id,
        nominator=slack_person(nominator_id),
        nominees=tuple(slack_person(user_id) for user_id in nominee_ids),
        **details,
    )


async def _store(
    client: AsyncWebClient,
    services: Services,
    submission: NominationSubmission,
    *,
    screened: bool = False,
) -> NominationResult:
    """The core use case with Slack's directory, storing (with its posts claimed) within the
    time Slack gives us to acknowledge: what is acknowledged is stored. `_announce` sends
    the posts after the acknowledgement; if this process dies first, the outbox sweep
    sends them once their claims' lease runs out. `screened`: `screen_submission` has just
    passed this submission, so it isn't screened again."""
    return await services.before_acknowledging(
        record_nomination(
            services,
            submission,
            SlackProfiles(
                client,
                submission.workspace_external_id,
                services.settings.EVERYSEAT_SLACK_DEPARTMENT_FIELD,
            ),
            announce_with=SlackRecognitionSender(client, services.settings),
            screened=screened,
        )
    )


async def _announce(
    client: AsyncWebClient, services: Services, result: NominationResult, channel_id: str | None
) -> NominationResult:
    """Post it and message the nominees, after Slack has been acknowledged."""
    return await announce_nomination(
        services, result, SlackRecognitionSender(client, services.settings), channel_id
    )


def _confirmation(result: NominationResult) -> str:
    return confirmation_text(
        result,
        name_of=lambda person: f"<@{person.platform_user_id}>",
        wording=messages.SLACK_CONFIRMATION,
    )


async def _tell_nominator(
    client: AsyncWebClient, user_id: str, channel_id: str | None, text: str
) -> None:
    """An ephemeral note where they nominated, or a DM when that isn't possible."""
    if channel_id:
        try:
            await client.chat_postEphemeral(channel=channel_id, user=user_id, text=text)
            return
        except SlackApiError as error:
            log.info(
                "ephemeral to %s in %s failed: %s", user_id, channel_id, error.response.get("error")
            )
    await client.chat_postMessage(channel=user_id, text=text)


# --- /nominate ------------------------------------------------------------------------------


async def _open_form(
    client: AsyncWebClient, services: Services, trigger_id: str, prefill: FormPrefill
) -> None:
    if prefill == FormPrefill(channel_id=prefill.channel_id):
        view = blank_nomination_form(services.catalogue, services.rules, prefill.channel_id)
    else:
        view = nomination_form(services.catalogue, services.rules, prefill)
    await client.views_open(trigger_id=trigger_id, view=view)


async def on_nominate_command(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    services: Services,
) -> None:
    text = (body.get("text") or "").strip()
    channel_id = body.get("channel_id")
    trigger_id = body["trigger_id"]
    if not text:
        await ack()
        await _open_form(client, services, trigger_id, FormPrefill(channel_id=channel_id))
        return

    parsed = parse_one_line(text, SLACK_MENTION)
    # Mentions and channel links are read from Slack's markup first; the story is then
    # decoded once, so what is stored is what the person typed (renderers escape it again).
    parsed = replace(parsed, story=decode_entities(parsed.story))
    prefill = FormPrefill(
        nominee_ids=parsed.nominee_refs,
        behaviour_slugs=parsed.behaviour_slugs,
        story=parsed.story,
        channel_id=channel_id,
    )
    unresolved = _UNRESOLVED_NAME.findall(parsed.story)
    if not parsed.nominee_refs:
        problem = (
            messages.UNRESOLVED_NAMES.format(names=", ".join(f"@{n}" for n in unresolved))
            if unresolved
            else messages.NO_NOMINEES
        )
        notice = messages.ONE_LINE_NEEDS_FORM.format(problem=problem)
        await ack(text=notice)
        await _open_form(client, services, trigger_id, replace(prefill, notice=notice))
        return

    submission = _submission(
        body["team_id"],
        body["user_id"],
        parsed.nominee_refs,
        behaviour_slugs=parsed.behaviour_slugs,
        story=parsed.story,
        source_channel_id=channel_id,
        default_behaviour_allowed=True,
    )
    # Stored before Slack is acknowledged: an acknowledged nomination survives a restart.
    try:
        # The guard answers in the acknowledgement itself: the refusal and what they typed
        # reach only the person, and nothing is sent to Slack's Web API or stored.
        screen_submission(services, submission)
    except PatientIdentifierError as error:
        await ack(text=_refused_with_text(error, text))
        return
    try:
        result = await _store(client, services, submission, screened=True)
    except InvalidNominationError as error:
        await ack()
        notice = messages.ONE_LINE_NEEDS_FORM.format(problem=error.message)
        reply = messages.ONE_LINE_REJECTED.format(problem=notice)
        if len(parsed.story) > services.rules.max_story:
            # Too long to keep (the form may not even hold it all): send every word back,
            # as Slack showed it to them, so nothing they typed is lost.
            reply += "\n" + messages.STORY_SENT_BACK.format(story=text)
        await respond(text=reply, response_type="ephemeral")
        # Prefilled with the nominees as resolved: anyone Slack says isn't a colleague here
        # is left out (Slack refuses a form naming a user it doesn't know).
        nominee_ids = tuple(user_id for user_id, _name in error.nominees)
        again = replace(prefill, nominee_ids=nominee_ids, notice=error.message)
        await _open_form(client, services, trigger_id, again)
        return
    except StorageUnavailableError as error:
        log.warning("nomination not stored before acknowledging Slack: %s", error.message)
        await ack(
            text=messages.STORAGE_TRY_AGAIN_WITH_TEXT.format(problem=error.message, text=text),
            response_type="ephemeral",
        )
        return
    except NominationError as error:
        await ack()
        await respond(
            text=messages.ONE_LINE_REJECTED.format(problem=f"{error.message} You wrote: {text}"),
            response_type="ephemeral",
        )
        return
    await ack()
    if not result.created:
        await respond(text=messages.ALREADY_RECORDED, response_type="ephemeral")
        return
    result = await _announce(client, services, result, channel_id)
    await respond(text=_confirmation(result), response_type="ephemeral")


def _refused_with_text(error: PatientIdentifierError, text: str) -> str:
    typed = messages.PATIENT_IDENTIFIER_YOU_WROTE.format(text=f"/nominate {text}")
    return f"{error.message}\n\n{typed}"


# --- the form ---------------------------------------------------------------------------------


def _form_metadata(view: dict[str, Any]) -> dict[str, Any]:
    """What the form carried through Slack (where it was opened). Everyseat always writes JSON
    there; anything else is ignored, so the nomination is still recorded."""
    text = view.get("private_metadata") or "{}"
    try:
        metadata = json.loads(text)
    except ValueError:
        metadata = None
    if not isinstance(metadata, dict):
        log.warning("nomination form came back with unreadable private_metadata; ignoring it")
        return {}
    return {key: value for key, value in metadata.items() if isinstance(value, str)}


def _submission_from_view(body: dict[str, Any]) -> NominationSubmission:
    view = body["view"]
    # An empty state (no inputs answered) is read as an empty form: the rules say what's missing.
    values = (view.get("state") or {}).get("values") or {}

    def element(field: NominationField) -> dict[str, Any]:
        return dict(values.get(field, {}).get(INPUT_ACTION) or {})

    metadata = _form_metadata(view)
    selected_visibility = element(NominationField.VISIBILITY).get("selected_option") or {}
    return _submission(
        body["team"]["id"] if body.get("team") else body["user"]["team_id"],
        body["user"]["id"],
        tuple(element(NominationField.NOMINEES).get("selected_users") or ()),
        behaviour_slugs=tuple(
            option["value"]
            for option in element(NominationField.BEHAVIOURS).get("selected_options") or ()
        ),
        story=element(NominationField.STORY).get("value") or "",
        visibility=selected_visibility.get("value") or Visibility.PUBLIC,
        source_channel_id=metadata.get("channel"),
        source_message_url=metadata.get("message_url"),
    )


async def on_form_submitted(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, services: Services
) -> None:
    submission = _submission_from_view(body)
    nominator, channel_id = submission.nominator.ref, submission.source_channel_id
    try:
        result = await _store(client, services, submission)
    except InvalidNominationError as error:
        await ack(response_action="errors", errors={str(k): v for k, v in error.by_field().items()})
        return
    except (DailyCapReachedError, StorageUnavailableError) as error:
        if isinstance(error, StorageUnavailableError):
            log.exception("database unavailable while saving a nomination")
        await ack(response_action="errors", errors={NominationField.STORY: error.message})
        return
    await ack()
    if not result.created:
        await _tell_nominator(client, nominator, channel_id, messages.ALREADY_RECORDED)
        return
    result = await _announce(client, services, result, channel_id)
    await _tell_nominator(client, nominator, channel_id, _confirmation(result))


# --- shortcuts and buttons ------------------------------------------------------------------


async def on_message_shortcut(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, services: Services
) -> None:
    await ack()
    message = body.get("message") or {}
    channel_id = (body.get("channel") or {}).get("id")
    author = message.get("user")
    url = None
    if channel_id and message.get("ts"):
        try:
            link = await client.chat_getPermalink(channel=channel_id, message_ts=message["ts"])
            url = str(link["permalink"])
        except SlackApiError as error:
            log.info("no permalink for shortcut message: %s", error.response.get("error"))
    prefill = FormPrefill(
        nominee_ids=(author,) if author else (), channel_id=channel_id, message_url=url
    )
    await _open_form(client, services, body["trigger_id"], prefill)


async def on_open_form(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, services: Services
) -> None:
    await ack()
    channel_id = (body.get("channel") or {}).get("id")
    await _open_form(client, services, body["trigger_id"], FormPrefill(channel_id=channel_id))


async def on_endorse(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    services: Services,
) -> None:
    await ack()
    action = body["actions"][0]
    try:
        nomination_id = int(action["value"])
    except (KeyError, ValueError):
        await respond(
            text=messages.NOMINATION_NOT_FOUND, response_type="ephemeral", replace_original=False
        )
        return
    team_id = (body.get("team") or {}).get("id") or body["user"]["team_id"]
    try:
        await endorse_nomination(
            services,
            SLACK,
            team_id,
            slack_person(body["user"]["id"]),
            nomination_id,
            SlackProfiles(
                client, department_field=services.settings.EVERYSEAT_SLACK_DEPARTMENT_FIELD
            ),
            SlackRecognitionSender(client, services.settings),
        )
    except EndorsementError as error:
        await respond(text=error.message, response_type="ephemeral", replace_original=False)
        return
    await respond(text=messages.ENDORSED, response_type="ephemeral", replace_original=False)


def register(app: AsyncApp) -> None:
    """The nomination feature's Slack ids, and the callbacks they reach."""
    app.command(COMMAND)(on_nominate_command)
    app.view(FORM_CALLBACK_ID)(on_form_submitted)
    app.shortcut(MESSAGE_SHORTCUT)(on_message_shortcut)
    app.shortcut(GLOBAL_SHORTCUT)(on_open_form)
    app.action(OPEN_FORM_ACTION)(on_open_form)
    app.action(ENDORSE_ACTION)(on_endorse)

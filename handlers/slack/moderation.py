"""Slack surface of moderation: the recognition post's "…" menu (edit, withdraw, flag,
hide), the "Hide or restore post" message shortcut, the admins' Hide/Dismiss buttons
on a flag, and the App Home moderation panel.

Every listener parses, calls the core use case (bot/nominations/moderation.py) and renders
its answer; who may do what is decided there, from the database. Menus and shortcuts ack
first, because Slack wants an answer within 3 seconds; modal submissions ack with field
errors when the core refuses, so nothing typed is lost.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot import messages
from bot.errors import EveryseatError, InvalidNominationError, NominationField
from bot.nominations.moderation import (
    Actor,
    ModerationQueue,
    decide_flag,
    edit_nomination,
    flag_nomination,
    hide_nomination,
    moderation_queue,
    nomination_posted_as,
    nomination_to_edit,
    restore_nomination,
    withdraw_nomination,
)
from bot.people.admins import is_admin
from bot.people.resolution import workspace_id_for
from bot.recognition.views import RecognitionView
from bot.services import Services
from handlers.slack.mrkdwn import escape_mrkdwn, shorten
from handlers.slack.people import SLACK, SlackProfiles, slack_person
from handlers.slack.recognition import SlackRecognitionSender
from handlers.slack.render import (
    FLAG_DISMISS_ACTION,
    FLAG_HIDE_ACTION,
    INPUT_ACTION,
    RECOGNITION_MENU_ACTION,
    Block,
    nominees_text,
)

log = logging.getLogger(__name__)

HIDE_SHORTCUT = "hide_recognition"
EDIT_VIEW = "edit_recognition"
WITHDRAW_VIEW = "withdraw_recognition"
FLAG_VIEW = "flag_recognition"
HIDE_VIEW = "hide_recognition_reason"
RESTORE_VIEW = "restore_recognition_reason"
HOME_RESTORE_ACTION = "home_restore_nomination"
REASON_BLOCK = "reason"


def _actor(client: AsyncWebClient, team_id: str, user_id: str) -> Actor:
    profiles = SlackProfiles(client)
    return Actor(
        platform=SLACK,
        workspace_external_id=team_id,
        person=slack_person(user_id),
        lookup=profiles,
        admin_ids=(user_id,),
        admin_lookup=profiles,
    )


def _team(body: dict[str, Any]) -> str:
    return str((body.get("team") or {}).get("id") or body["user"].get("team_id") or "")


def _sender(client: AsyncWebClient, services: Services) -> SlackRecognitionSender:
    return SlackRecognitionSender(client, services.settings)


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:3000], "emoji": True}


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}


async def _tell(client: AsyncWebClient, user_id: str, text: str) -> None:
    """A message from Everyseat in the person's DM (modals and App Home have nowhere else)."""
    await client.chat_postMessage(channel=user_id, text=text)


# --- modals ----------------------------------------------------------------------------------


def _modal(
    callback_id: str, title: str, submit: str, nomination_id: int, blocks: list[Block]
) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": _plain(title[:24]),
        "submit": _plain(submit),
        "close": _plain(messages.FORM_CANCEL),
        "private_metadata": json.dumps({"nomination_id": nomination_id}),
        "blocks": blocks,
    }


def _reason_input(label: str) -> Block:
    return {
        "type": "input",
        "block_id": REASON_BLOCK,
        "label": _plain(label),
        "element": {
            "type": "plain_text_input",
            "action_id": INPUT_ACTION,
            "multiline": True,
            "max_length": 3000,
        },
    }


def edit_modal(services: Services, view: RecognitionView) -> dict[str, Any]:
    """The edit form, prefilled with the story and behaviours as they stand."""
    catalogue, rules = services.catalogue, services.rules
    options = [
        {"text": _plain(b.name[:75]), "value": b.slug, "description": _plain(b.description[:75])}
        for b in catalogue
    ][:100]
    chosen = [option for option in options if option["value"] in {b.slug for b in view.behaviours}]
    behaviours: dict[str, Any] = {
        "type": "multi_static_select",
        "action_id": INPUT_ACTION,
        "options": options,
    }
    if chosen:
        behaviours["initial_options"] = chosen
    return _modal(
        EDIT_VIEW,
        messages.MODERATION_EDIT_TITLE,
        messages.MODERATION_EDIT_SUBMIT,
        view.nomination_id,
        [
            {
                "type": "input",
                "block_id": NominationField.BEHAVIOURS,
                "label": _plain(messages.FORM_BEHAVIOURS),
                "element": behaviours,
            },
            {
                "type": "input",
                "block_id": NominationField.STORY,
                "label": _plain(messages.FORM_STORY),
                "hint": _plain(
                    messages.FORM_STORY_HINT.format(
                        minimum=rules.min_story, maximum=rules.max_story
                    )
                ),
                "element": {
                    "type": "plain_text_input",
                    "action_id": INPUT_ACTION,
                    "multiline": True,
                    "max_length": 3000,
                    "initial_value": view.story[:3000],
                },
            },
        ],
    )


def withdraw_modal(view: RecognitionView) -> dict[str, Any]:
    names = nominees_text(view)
    return _modal(
        WITHDRAW_VIEW,
        messages.MODERATION_WITHDRAW_TITLE,
        messages.MODERATION_WITHDRAW_SUBMIT,
        view.nomination_id,
        [_section(escape_mrkdwn(messages.WITHDRAW_CONFIRM).format(nominees=names))],
    )


def reason_modal(callback_id: str, nomination_id: int) -> dict[str, Any]:
    title, submit, label = {
        FLAG_VIEW: (
            messages.MODERATION_FLAG_TITLE,
            messages.MODERATION_FLAG_SUBMIT,
            messages.MODERATION_FLAG_LABEL,
        ),
        HIDE_VIEW: (
            messages.MODERATION_HIDE_TITLE,
            messages.MODERATION_HIDE_SUBMIT,
            messages.MODERATION_REASON_LABEL,
        ),
        RESTORE_VIEW: (
            messages.MODERATION_RESTORE_TITLE,
            messages.MODERATION_RESTORE_SUBMIT,
            messages.MODERATION_REASON_LABEL,
        ),
    }[callback_id]
    return _modal(callback_id, title, submit, nomination_id, [_reason_input(label)])


# --- the post's menu and the message shortcut ------------------------------------------------


async def _slack_admin(
    client: AsyncWebClient, services: Services, team_id: str, user_id: str
) -> bool:
    workspace_id = await workspace_id_for(services, SLACK, team_id)
    return await is_admin(services, workspace_id, [user_id], SlackProfiles(client))


async def _open(
    client: AsyncWebClient,
    services: Services,
    body: dict[str, Any],
    verb: str,
    nomination_id: int,
    hidden: bool = False,
) -> str | None:
    """Open the modal for `verb`; returns the refusal to show instead, if any."""
    team_id, user_id = _team(body), body["user"]["id"]
    actor = _actor(client, team_id, user_id)
    trigger_id = body["trigger_id"]
    try:
        if verb in ("edit", "withdraw"):
            view = await nomination_to_edit(services, actor, nomination_id)
            modal = edit_modal(services, view) if verb == "edit" else withdraw_modal(view)
        elif verb == "flag":
            modal = reason_modal(FLAG_VIEW, nomination_id)
        elif verb == "hide":
            if not await _slack_admin(client, services, team_id, user_id):
                return messages.NOT_A_MODERATOR
            modal = reason_modal(RESTORE_VIEW if hidden else HIDE_VIEW, nomination_id)
        else:
            return messages.UNEXPECTED_ERROR
    except EveryseatError as error:
        return error.message
    await client.views_open(trigger_id=trigger_id, view=modal)
    return None


async def on_recognition_menu(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    services: Services,
) -> None:
    await ack()
    value = str(((body["actions"][0]).get("selected_option") or {}).get("value") or "")
    verb, _, number = value.partition(":")
    if not number.isdigit():
        await respond(text=messages.NOMINATION_NOT_FOUND, response_type="ephemeral")
        return
    refusal = await _open(client, services, body, verb, int(number))
    if refusal is not None:
        await respond(text=refusal, response_type="ephemeral", replace_original=False)


async def on_hide_shortcut(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, services: Services
) -> None:
    """The message shortcut on a recognition post: hide it, or restore it when hidden."""
    await ack()
    channel_id = (body.get("channel") or {}).get("id") or ""
    ts = (body.get("message") or {}).get("ts") or ""
    user_id = body["user"]["id"]
    found = await services.in_worker(nomination_posted_as, services, channel_id, ts)
    if found is None:
        await _tell(client, user_id, messages.NOMINATION_NOT_FOUND)
        return
    nomination_id, hidden = found
    refusal = await _open(client, services, body, "hide", nomination_id, hidden=hidden)
    if refusal is not None:
        await _tell(client, user_id, refusal)


# --- modal submissions -----------------------------------------------------------------------


def _metadata_id(body: dict[str, Any]) -> int:
    return int(json.loads(body["view"].get("private_metadata") or "{}")["nomination_id"])


def _value(body: dict[str, Any], block: str) -> dict[str, Any]:
    return dict(body["view"]["state"]["values"].get(block, {}).get(INPUT_ACTION) or {})


async def on_edit_submitted(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, services: Services
) -> None:
    user_id = body["user"]["id"]
    story = _value(body, NominationField.STORY).get("value") or ""
    slugs = [
        option["value"]
        for option in _value(body, NominationField.BEHAVIOURS).get("selected_options") or ()
    ]
    try:
        await edit_nomination(
            services,
            _actor(client, _team(body), user_id),
            _metadata_id(body),
            story,
            slugs,
            _sender(client, services),
        )
    except InvalidNominationError as error:
        await ack(response_action="errors", errors={str(k): v for k, v in error.by_field().items()})
        return
    except EveryseatError as error:
        await ack(response_action="errors", errors={NominationField.STORY: error.message})
        return
    await ack()
    await _tell(client, user_id, messages.EDITED)


async def on_withdraw_submitted(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, services: Services
) -> None:
    await ack()
    user_id = body["user"]["id"]
    try:
        view = await withdraw_nomination(
            services,
            _actor(client, _team(body), user_id),
            _metadata_id(body),
            _sender(client, services),
        )
    except EveryseatError as error:
        await _tell(client, user_id, error.message)
        return
    names = messages.join_names([person.display_name for person in view.nominees])
    await _tell(client, user_id, messages.WITHDRAWN.format(nominees=names))


async def _reason_submitted(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, services: Services, kind: str
) -> None:
    user_id = body["user"]["id"]
    reason = _value(body, REASON_BLOCK).get("value") or ""
    actor = _actor(client, _team(body), user_id)
    nomination_id = _metadata_id(body)
    sender = _sender(client, services)
    try:
        if kind == FLAG_VIEW:
            await flag_nomination(services, actor, nomination_id, reason, sender)
            done = messages.FLAGGED
        elif kind == HIDE_VIEW:
            await hide_nomination(services, actor, nomination_id, reason, sender)
            done = messages.HIDDEN_DONE.format(
                nomination_id=nomination_id, notice=messages.HIDDEN_NOTICE
            )
        else:
            await restore_nomination(services, actor, nomination_id, reason, sender)
            done = messages.RESTORED_DONE.format(nomination_id=nomination_id)
    except EveryseatError as error:
        await ack(response_action="errors", errors={REASON_BLOCK: error.message})
        return
    await ack()
    await _tell(client, user_id, done)


async def on_flag_submitted(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, services: Services
) -> None:
    await _reason_submitted(ack, body, client, services, FLAG_VIEW)


async def on_hide_submitted(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, services: Services
) -> None:
    await _reason_submitted(ack, body, client, services, HIDE_VIEW)


async def on_restore_submitted(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, services: Services
) -> None:
    await _reason_submitted(ack, body, client, services, RESTORE_VIEW)


# --- an admin's answer to a flag, and App Home ----------------------------------------------


def _in_app_home(body: dict[str, Any]) -> bool:
    return (body.get("container") or {}).get("type") == "view"


async def on_flag_decision(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    services: Services,
) -> None:
    """Hide or Dismiss on a flag (in the admin's DM or on App Home). The click may be
    forged, so admin rights are checked again in the core."""
    await ack()
    action = body["actions"][0]
    user_id = body["user"]["id"]
    uphold = action["action_id"] == FLAG_HIDE_ACTION
    try:
        decision = await decide_flag(
            services,
            _actor(client, _team(body), user_id),
            int(action.get("value") or 0),
            uphold=uphold,
            editor=_sender(client, services),
        )
    except (EveryseatError, ValueError) as error:
        text = error.message if isinstance(error, EveryseatError) else messages.FLAG_NOT_FOUND
        if _in_app_home(body):
            await _tell(client, user_id, text)
        else:
            await respond(text=text, response_type="ephemeral", replace_original=False)
        return
    template = messages.FLAG_UPHELD_BY if decision.upheld else messages.FLAG_DISMISSED_BY
    text = f"#{decision.nomination_id}: " + template.format(admin=f"<@{user_id}>")
    if _in_app_home(body):
        await _tell(client, user_id, text)
        await publish_home_after_change(client, services, body)
    else:
        await respond(text=text, replace_original=True)


async def on_home_restore(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, services: Services
) -> None:
    await ack()
    user_id = body["user"]["id"]
    try:
        nomination_id = int(body["actions"][0].get("value") or 0)
        await restore_nomination(
            services,
            _actor(client, _team(body), user_id),
            nomination_id,
            "",
            _sender(client, services),
        )
    except (EveryseatError, ValueError) as error:
        await _tell(
            client,
            user_id,
            error.message if isinstance(error, EveryseatError) else messages.NOMINATION_NOT_FOUND,
        )
        return
    await _tell(client, user_id, messages.RESTORED_DONE.format(nomination_id=nomination_id))
    await publish_home_after_change(client, services, body)


async def publish_home_after_change(
    client: AsyncWebClient, services: Services, body: dict[str, Any]
) -> None:
    from handlers.slack.home import publish_home

    await publish_home(client, services, _team(body), body["user"]["id"])


def moderation_panel_blocks(queue: ModerationQueue) -> list[Block]:
    """The moderation part of the App Home admin panel: open flags with Hide and Dismiss,
    hidden recognition with Restore."""
    blocks: list[Block] = [
        {"type": "divider"},
        {"type": "header", "text": _plain(messages.HOME_MODERATION_HEADER)},
    ]
    if not queue.open_flags:
        blocks.append(_section(escape_mrkdwn(messages.HOME_NO_OPEN_FLAGS)))
    for flag in queue.open_flags:
        line = messages.HOME_OPEN_FLAG.format(
            nomination_id=flag.nomination_id,
            who=flag.who or messages.FLAG_BY_UNKNOWN,
            reason=shorten(flag.reason, 300),
        )
        blocks += [
            _section(escape_mrkdwn(line)),
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "style": "danger",
                        "action_id": FLAG_HIDE_ACTION,
                        "text": _plain(messages.MODERATION_HIDE_BUTTON),
                        "value": str(flag.flag_id),
                    },
                    {
                        "type": "button",
                        "action_id": FLAG_DISMISS_ACTION,
                        "text": _plain(messages.MODERATION_DISMISS_BUTTON),
                        "value": str(flag.flag_id),
                    },
                ],
            },
        ]
    if not queue.hidden:
        blocks.append(_section(escape_mrkdwn(messages.HOME_NONE_HIDDEN)))
    for hidden in queue.hidden:
        line = messages.HOME_HIDDEN_ITEM.format(
            nomination_id=hidden.nomination_id,
            admin=hidden.hidden_by,
            reason=shorten(hidden.reason, 300),
        )
        blocks.append(
            {
                **_section(escape_mrkdwn(line)),
                "accessory": {
                    "type": "button",
                    "action_id": HOME_RESTORE_ACTION,
                    "text": _plain(messages.MODERATION_RESTORE_BUTTON),
                    "value": str(hidden.nomination_id),
                },
            }
        )
    return blocks


async def home_moderation_panel(services: Services, workspace_id: int) -> list[Block]:
    """For admins only (the caller checks): the moderation queue as App Home blocks."""
    queue = await services.in_worker(moderation_queue, services, workspace_id)
    return moderation_panel_blocks(queue)


def register(app: AsyncApp) -> None:
    """The only place moderation's Slack ids meet their listeners."""
    app.action(RECOGNITION_MENU_ACTION)(on_recognition_menu)
    app.shortcut(HIDE_SHORTCUT)(on_hide_shortcut)
    app.view(EDIT_VIEW)(on_edit_submitted)
    app.view(WITHDRAW_VIEW)(on_withdraw_submitted)
    app.view(FLAG_VIEW)(on_flag_submitted)
    app.view(HIDE_VIEW)(on_hide_submitted)
    app.view(RESTORE_VIEW)(on_restore_submitted)
    app.action(FLAG_HIDE_ACTION)(on_flag_decision)
    app.action(FLAG_DISMISS_ACTION)(on_flag_decision)
    app.action(HOME_RESTORE_ACTION)(on_home_restore)

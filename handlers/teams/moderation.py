"""Teams surface of moderation: the recognition card's Edit, Withdraw, Flag and Hide, the
hidden card's Restore, and an admin's Hide/Dismiss on a flag — each an `Action.Execute`
whose invoke this answers with a refreshed card or a short message.

Only parsing and rendering happen here; the core use cases (bot/nominations/moderation.py)
decide, from the database, who may do what. Admins are those whose AAD object id or Teams
user id is in EVERYSEAT_ADMINS.
"""

from __future__ import annotations

from typing import Any

from microsoft_teams.api import ApiClient

from bot import messages
from bot.errors import EveryseatError, InvalidNominationError
from bot.installs import TEAMS, lookup_conversations
from bot.nominations.moderation import (
    Actor,
    decide_flag,
    edit_nomination,
    flag_nomination,
    hide_nomination,
    restore_nomination,
    withdraw_nomination,
)
from bot.people.resolution import workspace_id_for
from bot.services import Services
from handlers.teams.admin import sender_ids
from handlers.teams.cards import (
    CARD_CONTENT_TYPE,
    EDIT_BEHAVIOURS_INPUT,
    EDIT_STORY_INPUT,
    EDIT_VERB,
    FLAG_DISMISS_VERB,
    FLAG_HIDE_VERB,
    FLAG_VERB,
    HIDE_VERB,
    REASON_INPUT,
    RESTORE_VERB,
    WITHDRAW_VERB,
    card_json,
    hidden_card,
    notice_card,
    recognition_card,
)
from handlers.teams.errors import card_action_message
from handlers.teams.people import TeamsProfiles, sender_ref, teams_person
from handlers.teams.recognition import TeamsRecognitionSender
from handlers.teams.turns import Turn


async def _actor(api: ApiClient, services: Services, turn: Turn) -> Actor:
    workspace_id = await workspace_id_for(services, TEAMS, turn.tenant_id)
    conversations = await services.in_worker(
        lookup_conversations, services, workspace_id, turn.conversation_id
    )
    return Actor(
        platform=TEAMS,
        workspace_external_id=turn.tenant_id,
        person=teams_person(sender_ref(turn.sender)),
        lookup=TeamsProfiles(api, conversations),
        admin_ids=tuple(sender_ids(turn)),
    )


def _card_response(card: Any) -> dict[str, Any]:
    return {"statusCode": 200, "type": CARD_CONTENT_TYPE, "value": card_json(card)}


def _listed(value: Any) -> list[str]:
    parts = value if isinstance(value, list) else str(value or "").split(",")
    return [str(part).strip() for part in parts if str(part).strip()]


async def answer_moderation(
    api: ApiClient, services: Services, turn: Turn, verb: str, data: dict[str, Any]
) -> dict[str, Any]:
    """The invoke response to one moderation verb: the card as it should now look for the
    person who clicked (the core has already changed it for everyone else), or a message."""
    actor = await _actor(api, services, turn)
    editor = TeamsRecognitionSender(api, services, turn)
    reason = str(data.get(REASON_INPUT) or "")
    try:
        if verb in (FLAG_HIDE_VERB, FLAG_DISMISS_VERB):
            decision = await decide_flag(
                services,
                actor,
                int(data.get("flag_id") or 0),
                uphold=verb == FLAG_HIDE_VERB,
                editor=editor,
            )
            template = messages.FLAG_UPHELD_BY if decision.upheld else messages.FLAG_DISMISSED_BY
            name = turn.sender.name or turn.sender.ref
            return _card_response(
                notice_card(f"#{decision.nomination_id}: " + template.format(admin=name))
            )
        nomination_id = int(data.get("nomination_id") or 0)
        if verb == EDIT_VERB:
            view = await edit_nomination(
                services,
                actor,
                nomination_id,
                str(data.get(EDIT_STORY_INPUT) or ""),
                _listed(data.get(EDIT_BEHAVIOURS_INPUT)),
                editor,
            )
            return _card_response(recognition_card(view, services.catalogue))
        if verb == WITHDRAW_VERB:
            view = await withdraw_nomination(services, actor, nomination_id, editor)
            names = messages.join_names([person.display_name for person in view.nominees])
            return _card_response(notice_card(messages.WITHDRAWN.format(nominees=names)))
        if verb == FLAG_VERB:
            await flag_nomination(services, actor, nomination_id, reason, editor)
            return card_action_message(messages.FLAGGED)
        if verb == HIDE_VERB:
            await hide_nomination(services, actor, nomination_id, reason, editor)
            return _card_response(hidden_card(nomination_id))
        if verb == RESTORE_VERB:
            view = await restore_nomination(services, actor, nomination_id, reason, editor)
            return _card_response(recognition_card(view, services.catalogue))
    except InvalidNominationError as error:
        return card_action_message(error.message)
    except EveryseatError as error:
        return card_action_message(error.message)
    except ValueError:
        return card_action_message(messages.NOMINATION_NOT_FOUND)
    return card_action_message(messages.UNEXPECTED_ERROR)

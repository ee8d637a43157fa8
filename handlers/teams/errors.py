"""The one error policy for Teams: a short apology where the person is, the details in the log."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot import messages
from bot.errors import EveryseatError

log = logging.getLogger(__name__)

Handler = Callable[[Any], Awaitable[Any]]

# An Adaptive Card invoke answered with text: Teams shows it as a short notice on the card.
MESSAGE_RESPONSE_TYPE = "application/vnd.microsoft.activity.message"


def card_action_message(text: str) -> dict[str, Any]:
    """An `adaptiveCard/action` response that shows `text` instead of changing the card."""
    return {"statusCode": 200, "type": MESSAGE_RESPONSE_TYPE, "value": text}


def dialog_message(text: str) -> dict[str, Any]:
    """A message extension or dialog response that closes the dialog and shows `text`."""
    return {"task": {"type": "message", "value": text}}


def _describe(ctx: Any) -> str:
    activity = ctx.activity
    sender = getattr(activity, "from_", None)
    conversation = getattr(activity, "conversation", None)
    return (
        f"type={getattr(activity, 'type', '?')} name={getattr(activity, 'name', None)} "
        f"conversation={getattr(conversation, 'id', None)} user={getattr(sender, 'id', None)}"
    )


async def apologise(ctx: Any, text: str) -> dict[str, Any] | None:
    """Tell the person something went wrong, in the form the activity can carry."""
    activity = ctx.activity
    if getattr(activity, "type", None) == "invoke":
        name = str(getattr(activity, "name", ""))
        if name == "adaptiveCard/action":
            return card_action_message(text)
        if name.startswith(("composeExtension/", "task/")):
            return dialog_message(text)
        return None
    if getattr(activity, "type", None) == "message":
        try:
            await ctx.send(text)
        except Exception:
            log.warning("could not tell the user about the error (%s)", _describe(ctx))
    return None


def polite_errors(handler: Handler) -> Handler:
    """Wrap a handler so an unexpected error becomes an apology and a log line, never a 500."""

    async def guarded(ctx: Any) -> Any:
        try:
            return await handler(ctx)
        except Exception as error:
            log.error("unhandled error in Teams handler (%s)", _describe(ctx), exc_info=error)
            # A domain error (the database is down, say) carries the sentence to show.
            text = error.message if isinstance(error, EveryseatError) else messages.UNEXPECTED_ERROR
            return await apologise(ctx, text)

    return guarded

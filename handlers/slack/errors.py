"""The one error handler for Slack: a short apology in chat, the details in the log."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot import messages
from bot.errors import EveryseatError
from handlers.slack.recognition import REVOKED_ERRORS

log = logging.getLogger(__name__)


def _describe(body: dict[str, Any]) -> str:
    kind = body.get("type") or ("command" if "command" in body else "event")
    what = (
        body.get("command")
        or (body.get("view") or {}).get("callback_id")
        or body.get("callback_id")
        or ",".join(a.get("action_id", "?") for a in body.get("actions") or [])
        or (body.get("event") or {}).get("type")
    )
    team = body.get("team_id") or (body.get("team") or {}).get("id")
    user = (
        body.get("user_id")
        or (body.get("user") or {}).get("id")
        or (body.get("event") or {}).get("user")
    )
    return f"kind={kind} what={what} team={team} user={user}"


async def on_error(
    error: Exception, body: dict[str, Any], client: AsyncWebClient, context: dict[str, Any]
) -> None:
    reason = revoked_reason(error)
    if reason is not None:
        # Not a bug: the token was revoked. Logged at ERROR once (platform_status), and the
        # person is told what is really wrong, not that something went wrong on our side.
        services = context.get("services")
        if services is not None:
            services.platform_status.credentials_revoked("Slack", reason)
        text = messages.SLACK_ACCESS_REVOKED.format(reason=reason)
    else:
        log.error("unhandled error in Slack listener (%s)", _describe(body), exc_info=error)
        # A domain error (the database is down, say) carries the sentence to show.
        text = error.message if isinstance(error, EveryseatError) else messages.UNEXPECTED_ERROR
    try:
        if body.get("response_url"):
            await AsyncWebhookClient(body["response_url"]).send(
                text=text, response_type="ephemeral", replace_original=False
            )
            return
        user = body.get("user_id") or (body.get("user") or {}).get("id")
        if user:
            await client.chat_postMessage(channel=user, text=text)
    except SlackApiError:
        log.warning("could not tell the user about the error (%s)", _describe(body))


def revoked_reason(error: Exception) -> str | None:
    """The Web API's error code when `error` is Slack refusing the bot token itself."""
    if isinstance(error, SlackApiError):
        code = str(error.response.get("error") or "")
        return code if code in REVOKED_ERRORS else None
    return None


def register(app: AsyncApp) -> None:
    app.error(on_error)

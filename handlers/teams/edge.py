"""Teams activities checked at the door: junk gets 400 and one log line, never a traceback.

Two checks, either side of the SDK's token validation. Before it: the body must be a JSON
object whose envelope (type, id, serviceUrl) are strings, because the token is checked
against the activity's serviceUrl. After it: the activity must be one the SDK can parse
(a known type, `messageUpdate` with its `eventType`, …); the SDK would otherwise raise
while routing it and answer 500.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from microsoft_teams.api import InvokeResponse
from microsoft_teams.api.activities import ActivityTypeAdapter
from microsoft_teams.apps import App, FastAPIAdapter
from microsoft_teams.apps.http.adapter import HttpMethod, HttpRequest, HttpRouteHandler
from pydantic import ValidationError

log = logging.getLogger(__name__)

# Fields the SDK reads before the activity is authenticated.
_ENVELOPE = ("type", "id", "serviceUrl")


def _refuse(reason: str) -> Response:
    log.warning("refused a Teams request: %s (400)", reason)
    return JSONResponse({"error": reason}, status_code=400)


def envelope_problem(raw: bytes) -> tuple[dict[str, Any] | None, str | None]:
    """The activity as a dict, or why it can't even be authenticated."""
    try:
        body = json.loads(raw)
    except ValueError:
        return None, "body is not JSON"
    if not isinstance(body, dict):
        return None, "body is not a JSON object"
    for name in _ENVELOPE:
        if body.get(name) is not None and not isinstance(body[name], str):
            return None, f"{name} is not a string"
    return body, None


class GuardedFastAPIAdapter(FastAPIAdapter):
    """The SDK's FastAPI adapter, refusing bodies that aren't a JSON activity with 400
    instead of letting `request.json()` raise."""

    def register_route(self, method: HttpMethod, path: str, handler: HttpRouteHandler) -> None:
        if method != "POST":
            super().register_route(method, path, handler)
            return

        async def guarded_route(request: Request) -> Response:
            body, problem = envelope_problem(await request.body())
            if body is None:
                return _refuse(problem or "unreadable body")
            result = await handler(HttpRequest(body=body, headers=dict(request.headers)))
            if result.get("body") is not None:
                return JSONResponse(content=result["body"], status_code=result["status"])
            return Response(status_code=result["status"])

        self.app.post(path)(guarded_route)


def activity_problem(activity: dict[str, Any]) -> str | None:
    """Why the SDK can't parse this (authenticated) activity, or None."""
    try:
        ActivityTypeAdapter.validate_python(activity)
    except ValidationError as error:
        details = error.errors()
        if not details:
            return "the SDK can't parse this activity"
        where = ".".join(str(part) for part in details[0]["loc"]) or "activity"
        return f"the SDK can't parse this activity ({where}: {details[0]['msg']})"
    return None


class GuardedTeamsApp(App):
    """The SDK's App, answering 400 to authenticated activities it can't parse."""

    async def initialize(self) -> None:
        await super().initialize()
        process = self.server.on_request
        if process is None:
            return

        async def checked(event: Any) -> InvokeResponse[Any]:
            activity = event.body.model_dump(by_alias=True, exclude_none=True)
            problem = activity_problem(activity)
            if problem is not None:
                log.warning(
                    "refused a Teams activity (type=%s): %s (400)",
                    str(activity.get("type"))[:40],
                    problem[:300],
                )
                return InvokeResponse(status=400, body={"error": "unsupported activity"})
            return await process(event)

        self.server.on_request = checked

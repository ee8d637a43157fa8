"""Slack's HTTP requests checked at the door, before Bolt parses anything.

Order matters: the timestamp and signature are checked on the raw bytes first (401), so an
unsigned body is never parsed; then the signed body must be what its content type says and
have the shape Everyseat's listeners read (400). Each refusal is one log line, never a
traceback. Bolt is then handed the payload read here (`bolt_request`), so a body is parsed
once; Bolt's own signature check is off, since every HTTP request to it comes through here.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt.async_app import AsyncBoltContext, AsyncBoltRequest
from slack_bolt.request.async_internals import build_async_context
from slack_sdk.signature import Clock, SignatureVerifier

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
# Slack refuses requests older than five minutes; so does Bolt.
MAX_AGE_SECONDS = 60 * 5


@dataclass(frozen=True)
class RejectedRequest(Exception):
    """A request refused at the edge: the HTTP status and a short reason for the log."""

    status: int
    reason: str

    def __str__(self) -> str:
        return f"{self.status} {self.reason}"


def verify_signature(
    headers: Mapping[str, str],
    body: bytes,
    signing_secret: str,
    now: Callable[[], float] = time.time,
) -> None:
    """Raise RejectedRequest(401) unless the body is signed with `signing_secret` and the
    timestamp is a number within five minutes of now."""
    stamp = headers.get("x-slack-request-timestamp") or ""
    signature = headers.get("x-slack-signature") or ""
    if not stamp or not signature:
        raise RejectedRequest(401, "missing signature or timestamp header")
    if not stamp.isascii() or not stamp.isdigit():
        raise RejectedRequest(401, "timestamp header is not a number")
    if abs(now() - int(stamp)) > MAX_AGE_SECONDS:
        raise RejectedRequest(401, "stale timestamp")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise RejectedRequest(401, "body is not UTF-8, so it cannot be signed") from None
    verifier = SignatureVerifier(signing_secret, clock=_FixedClock(now()))
    if not verifier.is_valid(body=text, timestamp=stamp, signature=signature):
        raise RejectedRequest(401, "invalid signature")


class _FixedClock(Clock):
    """slack_sdk's verifier asks a clock object for the time; give it ours."""

    def __init__(self, now: float) -> None:
        self._now = now

    def now(self) -> float:
        return self._now


def parse_signed_body(content_type: str, body: bytes) -> dict[str, Any]:
    """The payload of a verified request, read strictly by its content type: a JSON object
    (events), a form whose `payload` is a JSON object (interactivity), or a plain form
    (slash commands). Raises RejectedRequest(400) for anything else."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    text = body.decode("utf-8")  # verify_signature has checked it decodes
    if media_type == JSON:
        payload = _json_object(text, "body")
    elif media_type == FORM:
        fields = parse_qsl(text, keep_blank_values=True)
        form = dict(fields)
        if "payload" in form:
            payload = _json_object(form["payload"], "payload field")
        else:
            if not fields:
                raise RejectedRequest(400, "empty form")
            payload = form
    else:
        raise RejectedRequest(400, f"unexpected content type {media_type or 'none'!r}")
    check_payload_shape(payload)
    return payload


def _json_object(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        raise RejectedRequest(400, f"{what} is not JSON") from None
    if not isinstance(value, dict):
        raise RejectedRequest(400, f"{what} is not a JSON object")
    return value


# --- the shapes Everyseat's listeners read --------------------------------------------------


def _need(value: Any, path: str, kind: type | tuple[type, ...], *, optional: bool = False) -> Any:
    if value is None and optional:
        return None
    if not isinstance(value, kind) or (not optional and value == ""):
        raise RejectedRequest(400, f"{path} is missing or malformed")
    return value


def _get(container: Mapping[str, Any], key: str) -> Any:
    return container.get(key)


def _check_user_and_team(payload: Mapping[str, Any]) -> None:
    user = _need(_get(payload, "user"), "user", dict)
    _need(_get(user, "id"), "user.id", str)
    team = _need(_get(payload, "team"), "team", dict, optional=True)
    if team is not None:
        _need(_get(team, "id"), "team.id", str)
    elif not isinstance(_get(user, "team_id"), str) or not user["team_id"]:
        raise RejectedRequest(400, "team is missing")


# Fields Bolt reads as objects: in a slash command's flat form they can only be junk.
_NOT_IN_A_COMMAND = ("type", "event", "view", "actions", "user", "team")


def _check_command(payload: Mapping[str, Any]) -> None:
    for name in ("command", "team_id", "user_id", "trigger_id"):
        _need(_get(payload, name), name, str)
    for name in _NOT_IN_A_COMMAND:
        if name in payload:
            raise RejectedRequest(400, f"a slash command with a {name} field")


def _check_block_actions(payload: Mapping[str, Any]) -> None:
    _check_user_and_team(payload)
    actions = _need(_get(payload, "actions"), "actions", list)
    if not actions:
        raise RejectedRequest(400, "actions is empty")
    for index, action in enumerate(actions):
        _need(action, f"actions[{index}]", dict)
        _need(_get(action, "action_id"), f"actions[{index}].action_id", str)
        _need(_get(action, "value"), f"actions[{index}].value", str, optional=True)
    _need(_get(payload, "trigger_id"), "trigger_id", str, optional=True)
    _check_optional_places(payload)


def _check_view(payload: Mapping[str, Any]) -> None:
    _check_user_and_team(payload)
    view = _need(_get(payload, "view"), "view", dict)
    _need(_get(view, "type"), "view.type", str)
    _need(_get(view, "callback_id"), "view.callback_id", str)
    _need(_get(view, "private_metadata"), "view.private_metadata", str, optional=True)
    state = _need(_get(view, "state"), "view.state", dict, optional=True) or {}
    values = _need(_get(state, "values"), "view.state.values", dict, optional=True) or {}
    for block_id, block in values.items():
        _need(block, f"view.state.values.{block_id}", dict)
        for action_id, element in block.items():
            _check_element_state(_need(element, f"state.{block_id}.{action_id}", dict))


def _check_element_state(element: Mapping[str, Any]) -> None:
    """The value an input element reports, in the shape Slack gives each kind of element."""
    _need(_get(element, "value"), "element value", str, optional=True)
    for name in ("selected_user", "selected_channel", "selected_conversation", "selected_date"):
        _need(_get(element, name), f"element {name}", str, optional=True)
    for name in ("selected_users", "selected_channels", "selected_conversations"):
        for item in _need(_get(element, name), f"element {name}", list, optional=True) or ():
            _need(item, f"element {name} item", str)
    option = _need(_get(element, "selected_option"), "element selected_option", dict, optional=True)
    options = _need(
        _get(element, "selected_options"), "element selected_options", list, optional=True
    )
    for choice in ([option] if option is not None else []) + list(options or ()):
        _need(_get(_need(choice, "option", dict), "value"), "option value", str)


def _check_shortcut(payload: Mapping[str, Any]) -> None:
    _check_user_and_team(payload)
    _need(_get(payload, "callback_id"), "callback_id", str)
    _need(_get(payload, "trigger_id"), "trigger_id", str)
    _check_optional_places(payload)


def _check_optional_places(payload: Mapping[str, Any]) -> None:
    channel = _need(_get(payload, "channel"), "channel", dict, optional=True)
    if channel is not None:
        _need(_get(channel, "id"), "channel.id", str, optional=True)
    message = _need(_get(payload, "message"), "message", dict, optional=True)
    if message is not None:
        _need(_get(message, "user"), "message.user", str, optional=True)
        _need(_get(message, "ts"), "message.ts", str, optional=True)
    _need(_get(payload, "response_url"), "response_url", str, optional=True)


# Events that always name the person they are about; the listeners read it.
_EVENTS_ABOUT_A_PERSON = frozenset({"app_home_opened", "app_mention"})


def _check_event_callback(payload: Mapping[str, Any]) -> None:
    _need(_get(payload, "team_id"), "team_id", str)
    event = _need(_get(payload, "event"), "event", dict)
    kind = _need(_get(event, "type"), "event.type", str)
    about_a_person = kind in _EVENTS_ABOUT_A_PERSON
    _need(_get(event, "user"), "event.user", str, optional=not about_a_person)


_CHECKS: dict[str, Callable[[Mapping[str, Any]], None]] = {
    "block_actions": _check_block_actions,
    "view_submission": _check_view,
    "view_closed": _check_view,
    "shortcut": _check_shortcut,
    "message_action": _check_shortcut,
    "event_callback": _check_event_callback,
    "url_verification": lambda payload: _need(_get(payload, "challenge"), "challenge", str),
}


def check_payload_shape(payload: Mapping[str, Any]) -> None:
    """Raise RejectedRequest(400) unless every field a listener reads is there with its type.

    Kinds Everyseat doesn't handle pass through: Bolt answers them itself."""
    if "command" in payload:
        _check_command(payload)
        return
    kind = payload.get("type")
    if kind is None:
        raise RejectedRequest(400, "neither a command nor a typed payload")
    _need(kind, "type", str)
    check = _CHECKS.get(kind)
    if check is not None:
        check(payload)


def check_slack_request(
    headers: Mapping[str, str],
    body: bytes,
    signing_secret: str,
    now: Callable[[], float] = time.time,
) -> dict[str, Any]:
    """Signature first, then the body: the payload, or RejectedRequest with 401 or 400."""
    verify_signature(headers, body, signing_secret, now)
    return parse_signed_body(headers.get("content-type") or "", body)


def bolt_request(
    headers: Mapping[str, str], query: Mapping[str, str], body: bytes, payload: dict[str, Any]
) -> AsyncBoltRequest:
    """Bolt's request for a body `check_slack_request` has passed, carrying the payload it
    read: what Bolt would get by parsing `body` again (tests/handlers/slack/test_edge.py
    compares the two), without the second parse."""
    request = AsyncBoltRequest(body="", query=query, headers=headers)  # type: ignore[arg-type]
    request.raw_body = body.decode("utf-8")
    request.body = payload
    request.context = build_async_context(AsyncBoltContext(), payload)
    return request

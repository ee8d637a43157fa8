"""A fake Bot Connector (the Teams side of the Bot Framework REST API) on loopback.

Activities sent to Everyseat carry `serviceUrl = fake.service_url`, so the SDK's replies come
here. Every request is recorded as a `ConnectorCall`; `wait_for()` polls with a deadline.
Members for the members endpoints are added with `add_member()`; a member id that isn't
known answers 404, as Teams does for someone outside the conversation. `fail_next()` makes
the next matching request(s) answer an error instead (recorded with `failed=True`).

Handled:
  POST /v3/conversations                                   create a 1:1 conversation
  POST /v3/conversations/{id}/activities[/{activityId}]    send (or reply to) an activity
  PUT  /v3/conversations/{id}/activities/{activityId}      update an activity
  DELETE /v3/conversations/{id}/activities/{activityId}    delete an activity
  GET  /v3/conversations/{id}/members[/{memberId}]         who is in the conversation
"""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlparse

from tests.fakes.recording import CallLog

TENANT_ID = "tenant-nhs"
BOT_ID = "28:everyseat-bot"


@dataclass
class ConnectorCall:
    method: str  # "send", "update", "delete", "create_conversation", "get_member(s)"
    http_method: str
    path: str
    conversation_id: str | None
    activity_id: str | None
    body: dict[str, Any]
    headers: dict[str, str]
    answer: Any = None  # what the fake replied, e.g. {"id": …} for a sent activity
    failed: bool = False  # answered with an injected error (see fail_next)

    @property
    def cards(self) -> list[dict[str, Any]]:
        """The Adaptive Cards attached to a sent or updated activity."""
        return [
            attachment["content"]
            for attachment in self.body.get("attachments") or []
            if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive"
        ]

    @property
    def text(self) -> str:
        return str(self.body.get("text") or "")


@dataclass
class FakeBotConnector(CallLog[ConnectorCall]):
    host: str = "127.0.0.1"
    # conversation id → member id (Teams id and AAD object id both work, as in Teams) → member
    members: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _server: ThreadingHTTPServer | None = None
    # (method, conversation id or None for any, status) still to fail, in order
    _failures: list[tuple[str, str | None, int]] = field(default_factory=list)

    # --- set-up -------------------------------------------------------------------------
    def start(self) -> FakeBotConnector:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                pass

            def do_GET(self) -> None:
                fake._handle(self, "GET", b"")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                fake._handle(self, "POST", self.rfile.read(length))

            def do_DELETE(self) -> None:
                fake._handle(self, "DELETE", b"")

            def do_PUT(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                fake._handle(self, "PUT", self.rfile.read(length))

        self._server = ThreadingHTTPServer((self.host, 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def service_url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/teams/"

    def add_member(
        self,
        conversation_id: str,
        teams_id: str,
        name: str,
        aad_object_id: str,
        *,
        role: str = "user",
    ) -> None:
        member = {
            "id": teams_id,
            "name": name,
            "aadObjectId": aad_object_id,
            "userRole": role,
            "tenantId": TENANT_ID,
            "userPrincipalName": f"{name.lower().replace(' ', '.')}@nhs.example",
        }
        with self._lock:
            people = self.members.setdefault(conversation_id, {})
            people[teams_id] = member
            people[aad_object_id] = member

    def fail_next(
        self, method: str, *, status: int = 502, conversation_id: str | None = None, times: int = 1
    ) -> None:
        """Answer the next `times` calls of `method` (optionally only in `conversation_id`)
        with `status`, as Teams does during an outage; later calls succeed again."""
        with self._lock:
            self._failures.extend([(method, conversation_id, status)] * times)

    def _injected_failure(self, method: str, conversation_id: str | None) -> int | None:
        with self._lock:
            for index, (wanted, where, status) in enumerate(self._failures):
                if wanted == method and where in (None, conversation_id):
                    del self._failures[index]
                    return status
        return None

    def delivered(self) -> list[ConnectorCall]:
        """Activities sent successfully (injected failures left out)."""
        return [call for call in self.calls_to("send") if not call.failed]

    # --- inspection ---------------------------------------------------------------------
    def describe_call(self, call: ConnectorCall) -> object:
        return (call.method, call.path)

    def sent_to(self, conversation_id: str) -> list[ConnectorCall]:
        return [call for call in self.calls_to("send") if call.conversation_id == conversation_id]

    # --- the API ------------------------------------------------------------------------
    def _handle(self, request: BaseHTTPRequestHandler, http_method: str, raw: bytes) -> None:
        path = urlparse(request.path).path
        parts = [unquote(part) for part in path.removeprefix("/teams").strip("/").split("/")]
        body: dict[str, Any] = json.loads(raw) if raw else {}
        headers = dict(request.headers.items())
        # parts: ["v3", "conversations", {id}?, "activities"|"members"?, {id}?]
        conversation_id = parts[2] if len(parts) > 2 else None
        resource = parts[3] if len(parts) > 3 else None
        item = parts[4] if len(parts) > 4 else None
        if parts[:2] != ["v3", "conversations"]:
            self._reply(request, 404, {"error": {"code": "NotFound"}})
            return

        if http_method == "POST" and conversation_id is None:
            method, status, answer = "create_conversation", 201, self._create_conversation(body)
        elif resource == "activities" and http_method == "POST":
            method, status, answer = "send", 201, {"id": f"activity-{next(self._ids)}"}
        elif resource == "activities" and http_method == "PUT":
            method, status, answer = "update", 200, {"id": item}
        elif resource == "activities" and http_method == "DELETE" and item:
            method, status, answer = "delete", 200, {}
        elif resource == "members" and http_method == "GET":
            with self._lock:
                people = self.members.get(str(conversation_id), {})
                if item is None:
                    unique = {member["id"]: member for member in people.values()}
                    method, status, answer = "get_members", 200, list(unique.values())
                elif item in people:
                    method, status, answer = "get_member", 200, people[item]
                else:
                    method, status = "get_member", 404
                    answer = {"error": {"code": "MemberNotFoundInConversation"}}
        else:
            method, status, answer = "unknown", 404, {"error": {"code": "NotFound"}}

        injected = self._injected_failure(method, conversation_id)
        if injected is not None:
            status, answer = injected, {"error": {"code": "ServiceError", "message": "injected"}}
        call = ConnectorCall(
            method,
            http_method,
            path,
            conversation_id,
            item,
            body,
            headers,
            answer,
            injected is not None,
        )
        with self._lock:
            self.calls.append(call)
        self._reply(request, status, answer)

    def _create_conversation(self, body: dict[str, Any]) -> dict[str, Any]:
        member = (body.get("members") or [{}])[0].get("id", "unknown")
        return {"id": f"a:personal-{member}", "serviceUrl": self.service_url}

    @staticmethod
    def _reply(request: BaseHTTPRequestHandler, status: int, answer: Any) -> None:
        data = json.dumps(answer).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json; charset=utf-8")
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)

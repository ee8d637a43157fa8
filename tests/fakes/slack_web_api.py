"""A fake Slack Web API on loopback that records every call, for the real slack_sdk clients.

Point a client's base_url at `fake.api_url`. Each call is stored as a `SlackCall` with its
method name and decoded arguments; `wait_for()` polls for calls with a deadline (no
sleeps). Users for `users.info` are added with `add_user()`; failures can be queued with
`fail_next()` to test retries and outboxes, and `stall_next()` holds a call unanswered
(Slack never accepts it) so a test can kill the process that is waiting on it; `hold()`
keeps a method's calls waiting until `release_held()` and then answers them, so work is
certainly in flight when a test stops the process. Connections are kept alive, as Slack's
are.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from tests.fakes.recording import CallLog

TEAM_ID = "T0FAKE"
BOT_USER_ID = "UBOTFAKE"
BOT_ID = "BBOTFAKE"

# Arguments slack_sdk sends JSON-encoded inside form bodies.
_JSON_FIELDS = {"blocks", "view", "attachments", "files"}


class _ListeningServer(ThreadingHTTPServer):
    # Real Slack never refuses a connection; the default backlog of 5 would, under load.
    request_queue_size = 256


@dataclass
class SlackCall:
    method: str
    args: dict[str, Any]
    headers: dict[str, str]
    body: bytes = b""
    peer: tuple[str, int] = ("", 0)  # the client's address and port: one per connection


@dataclass
class QueuedFailure:
    status: int
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class FakeSlack(CallLog[SlackCall]):
    host: str = "127.0.0.1"
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    # team.profile.get: the workspace's custom profile fields, as {"id": …, "label": …}.
    profile_fields: list[dict[str, str]] = field(default_factory=list)
    custom_values: dict[str, dict[str, str]] = field(default_factory=dict)
    users_page_size: int = 200  # users.list pages at most this many, whatever `limit` says
    uploads: dict[str, bytes] = field(default_factory=dict)
    _failures: dict[str, deque[QueuedFailure]] = field(default_factory=dict)
    socket_mode_url: str | None = None  # what apps.connections.open hands out (ws://…)
    answered: int = 0  # replies written so far (a call is recorded before it is answered)
    stalled: list[SlackCall] = field(default_factory=list)
    _stall_rules: list[tuple[str, Callable[[dict[str, Any]], bool]]] = field(default_factory=list)
    _release_stalled: threading.Event = field(default_factory=threading.Event)
    _delays: dict[str, float] = field(default_factory=dict)
    _held: set[str] = field(default_factory=set)
    _release_held: threading.Event = field(default_factory=threading.Event)
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _server: ThreadingHTTPServer | None = None

    # --- set-up -------------------------------------------------------------------------
    def start(self) -> FakeSlack:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive; every reply has a Content-Length

            def log_message(self, *_args: Any) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:
                fake._handle(self, b"")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                fake._handle(self, self.rfile.read(length))

        self._server = _ListeningServer((self.host, 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._release_stalled.set()
        self._release_held.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def base_url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    @property
    def response_url(self) -> str:
        return f"{self.base_url}/response"

    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        title: str = "",
        is_bot: bool = False,
        deleted: bool = False,
        is_admin: bool = False,
        is_owner: bool = False,
        email: str | None = None,
        team_id: str = TEAM_ID,
        custom_fields: dict[str, str] | None = None,
    ) -> None:
        """A user for users.info / users.list; `custom_fields` maps a profile field id
        (see `profile_fields`) to its value, answered by users.profile.get."""
        profile: dict[str, Any] = {"real_name": name, "display_name": name, "title": title}
        if email is not None:
            profile["email"] = email
        self.custom_values[user_id] = dict(custom_fields or {})
        self.users[user_id] = {
            "id": user_id,
            "team_id": team_id,
            "name": name.lower().replace(" ", "."),
            "real_name": name,
            "deleted": deleted,
            "is_bot": is_bot,
            "is_admin": is_admin,
            "is_owner": is_owner,
            "profile": profile,
        }

    def fail_next(
        self,
        method: str,
        *,
        status: int = 500,
        times: int = 1,
        headers: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
    ) -> None:
        """Answer the next `times` calls of `method` with this failure instead."""
        with self._lock:
            queue = self._failures.setdefault(method, deque())
            for _ in range(times):
                queue.append(
                    QueuedFailure(
                        status, headers or {}, body or {"ok": False, "error": "fatal_error"}
                    )
                )

    def clear_failures(self) -> None:
        """Forget failures queued with `fail_next` that no call has taken yet."""
        with self._lock:
            self._failures.clear()

    def stall_next(
        self, method: str, when: Callable[[dict[str, Any]], bool] = lambda _args: True
    ) -> None:
        """Hold the next call of `method` whose arguments satisfy `when` without answering
        it, until `release_stalled()`; then drop its connection. The call is recorded in
        `stalled`, not `calls`: Slack never accepted it, so nothing was posted."""
        with self._lock:
            self._stall_rules.append((method, when))

    def slow_down(self, method: str, seconds: float) -> None:
        """Answer every call of `method` `seconds` late (recorded at once): a slow Slack,
        so work is still in flight when a test stops the process."""
        with self._lock:
            self._delays[method] = seconds

    def hold(self, method: str) -> None:
        """Record every call of `method` at once but answer none until `release_held()`."""
        with self._lock:
            self._held.add(method)

    def release_held(self) -> None:
        """Answer the held calls, and from now on every call of a held method at once."""
        with self._lock:
            self._held.clear()
        self._release_held.set()

    def release_stalled(self) -> None:
        self._release_stalled.set()

    def wait_for_stalled(self, count: int = 1, timeout: float = 10.0) -> list[SlackCall]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.stalled) >= count:
                    return list(self.stalled)
            time.sleep(0.01)
        raise AssertionError(f"expected {count} stalled call(s) within {timeout}s")

    # --- inspection ---------------------------------------------------------------------
    # --- the API ------------------------------------------------------------------------
    def _handle(self, request: BaseHTTPRequestHandler, body: bytes) -> None:
        url = urlparse(request.path)
        if url.path.startswith("/upload/"):
            with self._lock:
                self.uploads[url.path.removeprefix("/upload/")] = body
            self._reply(request, 200, {}, b"OK - 200", "text/plain")
            return
        method = url.path.removeprefix("/api/")
        if url.path.startswith("/response"):
            method = "response_url"  # what Bolt's respond() posts to
        args = self._decode(request, url.query, body)
        peer = request.client_address
        call = SlackCall(method, args, dict(request.headers.items()), body, (peer[0], peer[1]))
        with self._lock:
            stall = next(
                (rule for rule in self._stall_rules if rule[0] == method and rule[1](args)), None
            )
            if stall is not None:
                self._stall_rules.remove(stall)
                self.stalled.append(call)
            else:
                self.calls.append(call)
            queue = self._failures.get(method) if stall is None else None
            failure = queue.popleft() if queue else None
            delay = self._delays.get(method, 0.0)
            held = method in self._held
        if held:
            self._release_held.wait(timeout=120)
        if stall is not None:
            self._release_stalled.wait(timeout=120)
            request.close_connection = True
            return
        if delay:
            time.sleep(delay)  # a slow server, not a test waiting for something
        if failure is not None:
            self._reply(request, failure.status, failure.headers, json.dumps(failure.body).encode())
        else:
            self._reply(request, 200, {}, json.dumps(self._answer(method, args)).encode())
        with self._lock:
            self.answered += 1

    def wait_until_answered(self, timeout: float = 10.0) -> None:
        """Poll until every recorded call has had its reply written."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if self.answered >= len(self.calls):
                    return
            time.sleep(0.01)
        raise AssertionError(f"{len(self.calls) - self.answered} call(s) still unanswered")

    @staticmethod
    def _decode(request: BaseHTTPRequestHandler, query: str, body: bytes) -> dict[str, Any]:
        args: dict[str, Any] = {key: values[-1] for key, values in parse_qs(query).items()}
        content_type = request.headers.get("Content-Type", "")
        if body and "application/json" in content_type:
            args.update(json.loads(body))
        elif body and "application/x-www-form-urlencoded" in content_type:
            args.update({k: v[-1] for k, v in parse_qs(body.decode()).items()})
        for name in _JSON_FIELDS & args.keys():
            if isinstance(args[name], str):
                args[name] = json.loads(args[name])
        return args

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        ts = f"{1_700_000_000 + next(self._ts)}.000100"
        if method == "response_url":
            return {"ok": True}
        if method == "apps.connections.open":
            return {"ok": True, "url": self.socket_mode_url or "ws://127.0.0.1:1/link"}
        if method == "auth.test":
            return {"ok": True, "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": BOT_ID}
        if method == "users.info":
            user = self.users.get(args.get("user", ""))
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        if method == "users.list":
            ordered = sorted(self.users)
            start = int(args.get("cursor") or 0)
            size = min(int(args.get("limit") or 100), self.users_page_size)
            page = ordered[start : start + size]
            following = str(start + size) if start + size < len(ordered) else ""
            return {
                "ok": True,
                "members": [self.users[user_id] for user_id in page],
                "response_metadata": {"next_cursor": following},
            }
        if method == "team.profile.get":
            return {"ok": True, "profile": {"fields": self.profile_fields}}
        if method == "users.profile.get":
            user = self.users.get(args.get("user", ""))
            if user is None:
                return {"ok": False, "error": "user_not_found"}
            values = self.custom_values.get(user["id"], {})
            fields = {field_id: {"value": value, "alt": ""} for field_id, value in values.items()}
            return {"ok": True, "profile": {**user["profile"], "fields": fields}}
        if method in {"chat.postMessage", "chat.update"}:
            channel = args.get("channel", "")
            if channel.startswith("U"):  # a DM: Slack answers with the IM channel
                channel = "D" + channel[1:]
            return {"ok": True, "channel": channel, "ts": args.get("ts") or ts, "message": args}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": ts}
        if method in {"views.open", "views.update", "views.push", "views.publish"}:
            return {"ok": True, "view": {"id": f"V{next(self._ts)}", **args.get("view", {})}}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(args.get("users", "X"))[1:]}}
        if method == "chat.getPermalink":
            return {
                "ok": True,
                "permalink": f"https://fake.slack.com/archives/{args.get('channel')}/p1",
            }
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts)}"
            return {
                "ok": True,
                "upload_url": f"{self.base_url}/upload/{file_id}",
                "file_id": file_id,
            }
        if method == "files.completeUploadExternal":
            files = args.get("files") or []
            return {
                "ok": True,
                "files": [{"id": f.get("id"), "title": f.get("title")} for f in files],
            }
        return {"ok": True}

    @staticmethod
    def _reply(
        request: BaseHTTPRequestHandler,
        status: int,
        headers: dict[str, str],
        body: bytes,
        content_type: str = "application/json; charset=utf-8",
    ) -> None:
        request.send_response(status)
        request.send_header("Content-Type", content_type)
        request.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            request.send_header(name, value)
        request.end_headers()
        request.wfile.write(body)

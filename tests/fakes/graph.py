"""A fake Microsoft identity platform and Graph API on loopback HTTPS, for the real msal and
aiohttp clients.

Serves OpenID discovery and the client-credentials token endpoint for one tenant, and
`GET /v1.0/users` in pages linked by `@odata.nextLink`, for a bearer token it issued.
Failures (429 with Retry-After, 5xx) can be queued with `fail_next()`. The TLS certificate
comes from a throw-away CA (trustme); `trust_in(monkeypatch)` makes this process's clients
trust it.
"""

from __future__ import annotations

import json
import ssl
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import trustme

from tests.fakes.recording import CallLog

ACCESS_TOKEN = "graph-token-fake"


@dataclass
class GraphCall:
    method: str  # "discovery", "token" or "users"
    path: str
    headers: dict[str, str]
    form: dict[str, str]


@dataclass(kw_only=True)
class FakeGraph(CallLog[GraphCall]):
    tenant_id: str
    client_id: str
    client_secret: str
    users: list[dict[str, Any]] = field(default_factory=list)
    page_size: int = 100
    _failures: deque[tuple[int, dict[str, str]]] = field(default_factory=deque)
    _server: ThreadingHTTPServer | None = None
    _ca: trustme.CA = field(default_factory=trustme.CA)

    def start(self) -> FakeGraph:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: Any) -> None:
                pass

            def do_GET(self) -> None:
                fake._handle(self, b"")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                fake._handle(self, self.rfile.read(length))

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        self._server = server
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"https://127.0.0.1:{self._server.server_address[1]}"

    def trust_in(self, monkeypatch: pytest.MonkeyPatch, directory: Path) -> None:
        """Make msal (requests) and aiohttp (ssl's defaults) in this process trust the fake."""
        bundle = directory / "fake-graph-ca.pem"
        self._ca.cert_pem.write_to_path(str(bundle))
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
        monkeypatch.setenv("SSL_CERT_FILE", str(bundle))

    def add_user(self, user_id: str, name: str, **fields: Any) -> None:
        self.users.append({"id": user_id, "displayName": name, "userType": "Member", **fields})

    def fail_next(self, status: int, *, times: int = 1, retry_after: str | None = None) -> None:
        headers = {"Retry-After": retry_after} if retry_after is not None else {}
        with self._lock:
            for _ in range(times):
                self._failures.append((status, headers))

    # --- the API ------------------------------------------------------------------------
    def _handle(self, request: BaseHTTPRequestHandler, body: bytes) -> None:
        url = urlparse(request.path)
        form = {key: values[-1] for key, values in parse_qs(body.decode()).items()}
        headers = dict(request.headers.items())
        if url.path.endswith("/.well-known/openid-configuration"):
            self._record("discovery", url.path, headers, form)
            self._json(request, 200, self._discovery())
        elif url.path == f"/{self.tenant_id}/oauth2/v2.0/token":
            self._record("token", url.path, headers, form)
            good = (
                form.get("grant_type") == "client_credentials"
                and form.get("client_id") == self.client_id
                and form.get("client_secret") == self.client_secret
            )
            if good:
                answer = {"token_type": "Bearer", "expires_in": 3599, "access_token": ACCESS_TOKEN}
                self._json(request, 200, answer)
            else:
                answer = {
                    "error": "invalid_client",
                    "error_description": "AADSTS7000215: bad secret",
                }
                self._json(request, 401, answer)
        elif url.path == "/v1.0/users":
            self._record("users", request.path, headers, form)
            with self._lock:
                failure = self._failures.popleft() if self._failures else None
            if failure is not None:
                status, extra = failure
                self._json(request, status, {"error": {"code": "TooManyRequests"}}, extra)
            elif headers.get("Authorization") != f"Bearer {ACCESS_TOKEN}":
                self._json(request, 401, {"error": {"code": "InvalidAuthenticationToken"}})
            else:
                self._json(request, 200, self._page(url.query))
        else:
            self._json(request, 404, {"error": {"code": "NotFound"}})

    def _record(
        self, method: str, path: str, headers: dict[str, str], form: dict[str, str]
    ) -> None:
        with self._lock:
            self.calls.append(GraphCall(method, path, headers, form))

    def _discovery(self) -> dict[str, Any]:
        authority = f"{self.base_url}/{self.tenant_id}"
        return {
            "issuer": f"{authority}/v2.0",
            "authorization_endpoint": f"{authority}/oauth2/v2.0/authorize",
            "token_endpoint": f"{authority}/oauth2/v2.0/token",
        }

    def _page(self, query: str) -> dict[str, Any]:
        params = {key: values[-1] for key, values in parse_qs(query).items()}
        start = int(params.get("$skiptoken", "0"))
        size = min(int(params.get("$top", "100")), self.page_size)
        selected = params.get("$select", "").split(",") if params.get("$select") else None
        rows = self.users[start : start + size]
        if selected:
            rows = [{key: row.get(key) for key in selected} for row in rows]
        page: dict[str, Any] = {"value": rows}
        if start + size < len(self.users):
            page["@odata.nextLink"] = (
                f"{self.base_url}/v1.0/users?$select={params.get('$select', '')}"
                f"&$top={params.get('$top', '100')}&$skiptoken={start + size}"
            )
        return page

    @staticmethod
    def _json(
        request: BaseHTTPRequestHandler,
        status: int,
        body: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> None:
        data = json.dumps(body).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            request.send_header(name, value)
        request.end_headers()
        request.wfile.write(data)

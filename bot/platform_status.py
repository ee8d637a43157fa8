"""How this process's connection to each chat platform stands, for /healthz and the logs.

Senders and the Socket Mode runner report here; `/healthz` shows the snapshot. Credentials
the platform has revoked (a deactivated app, a revoked token) are logged at ERROR once, when
first seen, not on every failed post.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from enum import StrEnum

log = logging.getLogger(__name__)


class ConnectionState(StrEnum):
    OK = "ok"
    CONNECTING = "connecting"
    RETRYING = "retrying"  # a network failure; backing off and trying again
    CREDENTIALS_REVOKED = "credentials_revoked"  # nothing will work until an admin acts


@dataclass
class PlatformStatus:
    _states: dict[str, tuple[ConnectionState, str | None]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def set(self, platform: str, state: ConnectionState, detail: str | None = None) -> None:
        with self._lock:
            self._states[platform] = (state, detail)

    def state(self, platform: str) -> ConnectionState | None:
        with self._lock:
            found = self._states.get(platform)
        return found[0] if found else None

    def credentials_revoked(self, platform: str, reason: str) -> None:
        """The platform refused our credentials: ERROR the first time, then quietly."""
        with self._lock:
            first = self._states.get(platform, (None, None))[0] != (
                ConnectionState.CREDENTIALS_REVOKED
            )
            self._states[platform] = (ConnectionState.CREDENTIALS_REVOKED, reason)
        if first:
            log.error(
                "%s refused Everyseat's credentials (%s): nothing can be posted until an admin "
                "reinstalls the app or replaces the token",
                platform,
                reason,
            )

    def working(self, platform: str) -> None:
        """A call went through: whatever was wrong is over."""
        self.set(platform, ConnectionState.OK)

    def snapshot(self) -> dict[str, dict[str, str]]:
        with self._lock:
            return {
                platform.lower(): {"state": state.value, **({"detail": detail} if detail else {})}
                for platform, (state, detail) in sorted(self._states.items())
            }

"""What every fake platform API shares: a thread-safe log of the calls it received."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar


class Call(Protocol):
    method: str


CallT = TypeVar("CallT", bound=Call)


@dataclass
class CallLog(Generic[CallT]):
    """Records calls from the server threads; tests read them and poll with a deadline."""

    calls: list[CallT] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def calls_to(self, method: str) -> list[CallT]:
        with self._lock:
            return [call for call in self.calls if call.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[CallT]:
        """Poll until `count` calls of `method` arrived; fail with what did arrive."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.calls_to(method)
            if len(found) >= count:
                return found
            time.sleep(0.01)
        seen = [self.describe_call(call) for call in self.calls]
        raise AssertionError(f"expected {count} {method} call(s) within {timeout}s; saw {seen}")

    def describe_call(self, call: CallT) -> object:
        return call.method

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()

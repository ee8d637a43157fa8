"""Process-level scenarios: `everyseat` runs as a child process, on the real clock or a clock
file. Marked `scenario` by the root conftest, so CI's fixed-instant pass leaves them out.

The Teams scenarios use the same fake Bot Connector (with Ward 7's people) as the Teams
wiring tests: the fixture is shared, not copied.
"""

from __future__ import annotations

from tests.handlers.teams.conftest import connector

__all__ = ["connector"]

"""The names people and Teams use to reach Everyseat's features; the manifest declares them."""

from __future__ import annotations

# Words typed after @Everyseat (the bot's command list).
NOMINATE_COMMAND = "nominate"
HELP_COMMAND = "help"
STATS_COMMAND = "stats"
AUDIT_COMMAND = "audit"
# The message extension's action command id ("Nominate" in the compose box and message menu).
EXTENSION_COMMAND = "nominate"

"""`python -m bot` is the `everyseat` command."""

from bot.cli import main

raise SystemExit(main())

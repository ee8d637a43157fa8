"""`python -m bot` is the `everyseat` command."""

from bot.app.cli import main

raise SystemExit(main())

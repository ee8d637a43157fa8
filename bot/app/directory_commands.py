"""`everyseat directory import|sync` and `everyseat member show`: where seats come from."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from bot.clock import Clock
from bot.settings import Settings


def cmd_directory_import(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    from bot.app.startup import start_services
    from bot.directory.hr_import import ColumnMapping, import_staff_file

    mapping = ColumnMapping.from_file(args.mapping) if args.mapping else ColumnMapping.default()
    services = start_services(settings, clock)
    bar: Any = None
    try:
        if sys.stderr.isatty():  # a progress bar only where someone is watching
            from tqdm import tqdm

            bar = tqdm(total=0, unit="rows", desc="Importing", file=sys.stderr)

        def progress(done: int, total: int) -> None:
            if bar is not None:
                bar.total = total
                bar.update(done - bar.n)

        report = import_staff_file(
            services, args.file, mapping=mapping, dry_run=args.dry_run, progress=progress
        )
    finally:
        if bar is not None:
            bar.close()
        services.close()
    print(report.summary())
    for email in report.leavers:
        print(f"  left: {email}")
    return 0


def cmd_directory_sync(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    from bot import messages
    from bot.app.platforms import directory_sources
    from bot.app.startup import start_services
    from bot.directory.sync import sync_directory
    from bot.errors import DirectorySyncError

    both = not (args.slack or args.teams)
    services = start_services(settings, clock)

    async def run() -> int:
        failed = 0
        sources = await directory_sources(
            settings, slack=both or args.slack, teams=both or args.teams
        )
        if not sources:
            print(messages.DIRECTORY_NOTHING_TO_SYNC, file=sys.stderr)
            return 2
        for source in sources:  # one failing doesn't stop the other
            try:
                print((await sync_directory(services, source)).summary())
            except DirectorySyncError as error:
                print(error, file=sys.stderr)
                failed += 1
        return 1 if failed else 0

    try:
        return asyncio.run(run())
    finally:
        services.close()


def cmd_member_show(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    from bot import messages
    from bot.app.startup import start_services
    from bot.directory.people import describe_person

    services = start_services(settings, clock)
    try:
        text = describe_person(services, args.who)
    finally:
        services.close()
    if text is None:
        print(messages.MEMBER_NOT_LINKED.format(who=args.who), file=sys.stderr)
        return 1
    print(text)
    return 0


def add_directory_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    test_options: argparse.ArgumentParser,
) -> None:
    directory = commands.add_parser(
        "directory", help="where seats come from: HR import and directory sync"
    )
    actions = directory.add_subparsers(dest="directory_command", required=True, metavar="ACTION")
    hr_import = actions.add_parser(
        "import",
        parents=[test_options],
        help="import staff seats from an ESR-style HR export (.csv or .xlsx)",
    )
    hr_import.add_argument("file", type=Path, metavar="FILE")
    hr_import.add_argument(
        "--dry-run", action="store_true", help="check the file and report; change nothing"
    )
    hr_import.add_argument(
        "--mapping",
        type=Path,
        metavar="TOML",
        help="column names of your export (default: ESR's, see bot/data/esr_mapping.toml)",
    )
    hr_import.set_defaults(handler=cmd_directory_import)
    sync = actions.add_parser(
        "sync",
        parents=[test_options],
        help="read every account from Slack and/or Microsoft Graph now (default: both)",
    )
    sync.add_argument("--slack", action="store_true", help="only Slack's profiles")
    sync.add_argument("--teams", action="store_true", help="only Microsoft Graph (Teams)")
    sync.set_defaults(handler=cmd_directory_sync)


def add_member_show(
    member_commands: argparse._SubParsersAction[argparse.ArgumentParser],
    test_options: argparse.ArgumentParser,
) -> None:
    show = member_commands.add_parser(
        "show",
        parents=[test_options],
        help="a person's linked accounts (Slack, Teams, HR record) and seat",
    )
    show.add_argument("who", metavar="EMAIL|ID")
    show.set_defaults(handler=cmd_member_show)

"""The `everyseat` command line: serve the bot, use the console, manage the database."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from bot import messages
from bot.behaviours import CatalogueError
from bot.logs import configure_logging
from bot.services import Services, build_services
from bot.settings import ConfigError, Settings, load_settings
from db.migrate import upgrade_database

log = logging.getLogger(__name__)


def _secrets(settings: Settings) -> list[str]:
    values = [settings.SLACK_BOT_TOKEN, settings.SLACK_SIGNING_SECRET, settings.SLACK_APP_TOKEN]
    return [value.get_secret_value() for value in values if value is not None]


def _start(settings: Settings) -> Services:
    """Logging, services and an up-to-date schema: what every command needs first."""
    configure_logging(settings.LOG_LEVEL, _secrets(settings))
    services = build_services(settings)
    upgrade_database(services.engine)
    return services


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    from bot.server import serve

    missing = settings.missing_platform_credentials()
    if args.socket_mode and settings.SLACK_APP_TOKEN is None:
        print(
            "Configuration error: SLACK_APP_TOKEN is missing: --socket-mode needs an app-level "
            "token (xapp-…) with connections:write from your Slack app's Basic Information page.",
            file=sys.stderr,
        )
        return 2
    if missing:
        log.warning(
            "Slack is not configured (missing: %s); serving health checks only", ", ".join(missing)
        )
    services = _start(settings)
    try:
        serve(services, socket_mode=args.socket_mode, scheduler=not args.no_scheduler)
    finally:
        services.close()
    return 0


def cmd_shell(settings: Settings, args: argparse.Namespace) -> int:
    from handlers.console import run_console

    services = _start(settings)
    try:
        return run_console(services, sys.stdin, sys.stdout, user=args.user)
    finally:
        services.close()


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    """`make run`: the server when credentials are set, otherwise explain and open the console."""
    missing = settings.missing_platform_credentials()
    if not missing:
        args.socket_mode = (
            settings.SLACK_APP_TOKEN is not None and settings.SLACK_SIGNING_SECRET is None
        )
        args.no_scheduler = False
        return cmd_serve(settings, args)
    print(messages.CONSOLE_NO_SLACK.format(missing=", ".join(missing)), file=sys.stderr)
    return cmd_shell(settings, args)


def cmd_db_upgrade(settings: Settings, _args: argparse.Namespace) -> int:
    from db.migrate import current_revision

    services = _start(settings)
    try:
        print(f"Database is at revision {current_revision(services.engine)}.")
    finally:
        services.close()
    return 0


def cmd_demo_seed(settings: Settings, args: argparse.Namespace) -> int:
    """Fill the database with a demo trust: staff in their seats and years of nominations."""
    from bot.demo import seed_demo

    services = _start(settings)
    try:
        report = seed_demo(
            services.engine,
            services.catalogue,
            members=args.members,
            nominations=args.nominations,
            weeks=args.weeks,
            workspace_external_id=args.workspace,
            seed=args.seed,
            now=services.clock(),
            progress=lambda line: print(line, file=sys.stderr, flush=True),
        )
    finally:
        services.close()
    print(
        f"Seeded workspace {args.workspace} (id {report.workspace_id}) in {report.seconds:.1f}s: "
        f"{report.members_added:,} members, {report.nominations_added:,} nominations, "
        f"{report.nominees_added:,} nominees, {report.behaviours_added:,} behaviours, "
        f"{report.endorsements_added:,} endorsements."
    )
    return 0


def _positive(value: str) -> int:
    number = int(value)
    if number < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="everyseat", description="Recognise leadership from every seat, in Slack and Teams."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the bot's HTTP server (Slack, health check)")
    serve.add_argument(
        "--socket-mode", action="store_true", help="connect to Slack over Socket Mode"
    )
    serve.add_argument("--no-scheduler", action="store_true", help="don't run scheduled posts here")
    serve.set_defaults(handler=cmd_serve)

    run = commands.add_parser("run", help="serve if credentials are set, else open the console")
    run.add_argument("--as", dest="user", default="me", help="console user name (default: me)")
    run.set_defaults(handler=cmd_run)

    shell = commands.add_parser("shell", help="the local console over the same database")
    shell.add_argument("--as", dest="user", default="me", help="who you are (default: me)")
    shell.set_defaults(handler=cmd_shell)

    database = commands.add_parser("db", help="database maintenance")
    db_commands = database.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    upgrade = db_commands.add_parser("upgrade", help="apply pending schema migrations")
    upgrade.set_defaults(handler=cmd_db_upgrade)

    demo = commands.add_parser("demo", help="demo data for trying Everyseat and benchmarks")
    demo_commands = demo.add_subparsers(dest="demo_command", required=True, metavar="ACTION")
    seed = demo_commands.add_parser(
        "seed", help="add demo members and nominations in bulk (fast, for large datasets)"
    )
    seed.add_argument(
        "--members", type=_positive, required=True, help="demo members the workspace should have"
    )
    seed.add_argument("--nominations", type=_positive, required=True, help="nominations to add")
    seed.add_argument(
        "--weeks",
        type=int,
        default=156,
        help="spread them over this many weeks up to now (default: 156, three years)",
    )
    seed.add_argument(
        "--workspace", default="T0DEMO", help="workspace (Slack team) id to fill (default: T0DEMO)"
    )
    seed.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")
    seed.set_defaults(handler=cmd_demo_seed)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        return int(args.handler(settings, args))
    except (ConfigError, CatalogueError) as error:
        print(
            error if isinstance(error, ConfigError) else f"Configuration error: {error}",
            file=sys.stderr,
        )
        return 2
    except KeyboardInterrupt:
        return 130

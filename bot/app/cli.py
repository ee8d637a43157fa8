"""The `everyseat` command line: serve the bot, use the console, manage the database."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot import messages
from bot.app.directory_commands import add_directory_commands, add_member_show
from bot.app.startup import start_services as _start
from bot.clock import Clock, FileClock, utc_now
from bot.errors import EveryseatError, OutputPathError, ReportError
from bot.nominations.behaviours import CatalogueError
from bot.services import Services
from bot.settings import ConfigError, Settings, load_settings

if TYPE_CHECKING:
    from bot.people.data_protection import ErasurePlan

log = logging.getLogger(__name__)
# With --clock-file (tests), how often each scheduler looks for a due weekly post.
TEST_CLOCK_SWEEP_INTERVAL = timedelta(seconds=1)


def _check_output_path(out: str | None) -> None:
    """Refuse an --out path that can't be written before any work is done."""
    if out is None:
        return
    path = Path(out)
    folder = path.parent if str(path.parent) else Path(".")
    reason = None
    if path.is_dir():
        reason = "it is a folder"
    elif not folder.is_dir():
        reason = f"the folder {folder} doesn't exist"
    elif not os.access(folder, os.W_OK | os.X_OK) or (
        path.exists() and not os.access(path, os.W_OK)
    ):
        reason = "permission denied"
    if reason is not None:
        raise OutputPathError(messages.OUT_NOT_WRITABLE.format(path=out, reason=reason))


@contextmanager
def _writing_to(out: str) -> Iterator[None]:
    """Turn a failure while writing --out (a full disk, say) into one clear line."""
    try:
        yield
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise OutputPathError(messages.OUT_NOT_WRITABLE.format(path=out, reason=reason)) from None


def cmd_serve(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    from bot.app.server import UnsafeBindError, check_bind_address, serve

    missing = settings.missing_platform_credentials()
    if args.socket_mode and settings.SLACK_APP_TOKEN is None:
        print(
            "Configuration error: SLACK_APP_TOKEN is missing: --socket-mode needs an app-level "
            "token (xapp-…) with connections:write from your Slack app's Basic Information page.",
            file=sys.stderr,
        )
        return 2
    try:
        check_bind_address(settings)
    except UnsafeBindError as error:
        print(error, file=sys.stderr)
        return 2
    if missing:
        log.warning(
            "Slack is not configured (missing: %s); serving health checks only", ", ".join(missing)
        )
    elif not settings.slack_configured:
        log.info("Slack is not configured; serving Microsoft Teams at POST /api/messages")
    # With a clock file (tests), the scheduler looks for due posts every second: its cron
    # triggers follow the real clock, so the sweep is what fires.
    sweep_interval = TEST_CLOCK_SWEEP_INTERVAL if args.clock_file is not None else None
    services = _start(settings, clock, serving=True)
    try:
        fatal = serve(
            services,
            socket_mode=args.socket_mode,
            scheduler=not args.no_scheduler,
            sweep_interval=sweep_interval,
        )
    finally:
        services.close()
    if fatal is not None:
        print(fatal, file=sys.stderr)
        return 2
    return 0


def cmd_shell(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    from handlers.console import run_console

    # The console is for people: migration progress lines would only interleave with it.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    services = _start(settings, clock)
    try:
        return run_console(services, sys.stdin, sys.stdout, user=args.user)
    finally:
        services.close()


def cmd_run(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    """`make run`: the server when credentials are set, otherwise explain and open the console."""
    missing = settings.missing_platform_credentials()
    if not missing:
        args.socket_mode = (
            settings.SLACK_APP_TOKEN is not None and settings.SLACK_SIGNING_SECRET is None
        )
        args.no_scheduler = False
        return cmd_serve(settings, args, clock)
    print(messages.CONSOLE_NO_SLACK.format(missing=", ".join(missing)), file=sys.stderr)
    return cmd_shell(settings, args, clock)


def cmd_db_upgrade(settings: Settings, _args: argparse.Namespace, clock: Clock) -> int:
    from db.migrate import current_revision

    services = _start(settings, clock)
    try:
        print(f"Database is at revision {current_revision(services.engine)}.")
    finally:
        services.close()
    return 0


def _preview_targets(services: Services) -> list[tuple[int, str | None]]:
    """(workspace, channel) pairs to preview: the Slack bot's workspace and each Teams
    workspace with a team installed; with neither platform configured, every one stored."""
    from bot.app.platforms import slack_weekly_sender, teams_weekly_sender
    from bot.weekly.preview import every_workspace_id

    settings = services.settings
    if not (settings.slack_configured or settings.teams_configured):
        return [
            (workspace_id, settings.digest_channel) for workspace_id in every_workspace_id(services)
        ]
    found: list[tuple[int, str | None]] = []
    if settings.slack_configured:
        found.append((slack_weekly_sender(services).workspace_id(), settings.digest_channel))
    if settings.teams_configured:
        previewed: set[int] = set()
        for target in teams_weekly_sender(services).targets():  # one preview per tenant
            if target.workspace_id not in previewed:
                previewed.add(target.workspace_id)
                found.append((target.workspace_id, target.channel_id))
    return found


def cmd_weekly_post(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    """`everyseat digest|prompt --preview|--post`, for Slack and Teams alike."""
    from bot.app.platforms import weekly_posters
    from bot.weekly.periods import PostKind
    from bot.weekly.posting import PostResult
    from handlers.console.weekly_text import preview_text

    kind = PostKind(args.command)
    slack_without_channel = settings.slack_configured and settings.digest_channel is None
    if args.post and not (settings.slack_configured or settings.teams_configured):
        print(messages.POST_NEEDS_PLATFORM, file=sys.stderr)
        return 2
    if args.post and slack_without_channel and not settings.teams_configured:
        print(messages.POST_NO_CHANNEL.format(kind=kind), file=sys.stderr)
        return 2
    services = _start(settings, clock)
    try:
        if args.post:
            if slack_without_channel:  # Teams still posts; say why Slack didn't
                print(messages.POST_NO_CHANNEL.format(kind=kind), file=sys.stderr)
            succeeded = True
            for poster in weekly_posters(services):
                outcomes = poster.post_now(kind)
                if not outcomes:
                    print(messages.POST_NO_TARGET.format(kind=kind, platform=poster.platform))
                for outcome in outcomes:
                    print(outcome.describe())
                    succeeded &= outcome.result in {PostResult.POSTED, PostResult.ALREADY_POSTED}
            return 0 if succeeded else 1
        targets = _preview_targets(services)
        if not targets:
            print(messages.PREVIEW_NO_WORKSPACE)
        for workspace_id, channel_id in targets:
            print(preview_text(services, workspace_id, kind, channel_id))
        return 0
    finally:
        services.close()


def _min_cell(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(messages.EXPORT_BAD_MIN_CELL)
    return value


@contextmanager
def _replacing(path: Path) -> Iterator[Path]:
    """Write to a temporary name beside `path` and move it into place only on success."""
    partial = path.with_name(path.name + ".partial")
    try:
        yield partial
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


@contextmanager
def _progress_bar(total: int | None) -> Iterator[object]:
    from tqdm import tqdm

    # Only on a terminal: a pipe or a log file gets no control characters.
    with tqdm(total=total, unit="rows", file=sys.stderr, disable=total is None) as bar:
        yield bar


def cmd_export(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    from bot.audit import CLI
    from bot.reporting.admin_reports import record_export
    from bot.reporting.exports import (
        ExportFormat,
        ExportRequest,
        Report,
        open_tables,
        reports_for,
        write_export,
    )
    from bot.reporting.periods import period_from_options
    from bot.reporting.stats import choose_scope

    fmt = ExportFormat(args.format)
    if fmt is ExportFormat.XLSX and args.out is None:
        raise ReportError(messages.EXPORT_NEEDS_OUT)
    _check_output_path(args.out)
    reports = reports_for(fmt, None if args.report is None else Report(args.report), args.min_cell)
    services = _start(settings, clock)
    try:
        period = period_from_options(
            args.since, args.until, now=services.clock(), zone=settings.timezone
        )
        with services.sessions() as session:
            request = ExportRequest(
                workspace_id=choose_scope(session, args.workspace),
                period=period,
                reports=reports,
                include_private=args.include_private,
                min_cell=args.min_cell,
            )
            tables = open_tables(session, request, services.catalogue)
            total = sum(table.count() for table in tables) if sys.stderr.isatty() else None
            with _progress_bar(total) as bar:
                on_rows = getattr(bar, "update", None)
                if args.out is None:
                    rows = write_export(fmt, tables, text_out=sys.stdout, on_rows=on_rows)
                else:
                    with _writing_to(args.out), _replacing(Path(args.out)) as partial:
                        if fmt is ExportFormat.XLSX:
                            rows = write_export(fmt, tables, binary_target=partial, on_rows=on_rows)
                        else:
                            with partial.open("w", encoding="utf-8", newline="") as out:
                                rows = write_export(fmt, tables, text_out=out, on_rows=on_rows)
            record_export(
                services,
                CLI,
                request,
                fmt,
                rows=rows,
                destination="file" if args.out else "stdout",
            )
    finally:
        services.close()
    if args.out is not None:
        report_names = ", ".join(report.value for report in reports)
        written = messages.EXPORT_WRITTEN.format(
            rows=messages.count_of(rows, "row", "rows"), report=report_names, path=args.out
        )
        print(written, file=sys.stderr)
    return 0


def cmd_report(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    """`everyseat report --out report.html`: the board report as one self-contained page."""
    from bot.reporting.board_report import build_board_report
    from bot.reporting.periods import parse_period
    from bot.reporting.stats import choose_scope

    services = _start(settings, clock)
    try:
        period = parse_period(args.period, now=services.clock(), zone=settings.timezone)
        with services.sessions() as session:
            workspace_id = choose_scope(session, args.workspace)
        report = build_board_report(services, workspace_id, period, min_cell=args.min_cell)
    finally:
        services.close()
    out = Path(args.out)
    try:
        with _replacing(out) as partial:
            partial.write_text(report.html, encoding="utf-8")
    except OSError as error:
        raise ReportError(
            messages.REPORT_CANNOT_WRITE.format(path=out, reason=error.strerror or error)
        ) from None
    print(messages.BOARD_WRITTEN.format(period=period.label, path=out), file=sys.stderr)
    return 0


def _write_json(data: object, out_path: str | None, stdout: TextIO) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if out_path is None:
        stdout.write(text)
    else:
        Path(out_path).write_text(text, encoding="utf-8")


def cmd_member_export(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    from bot.people.data_protection import export_member_data

    _check_output_path(args.out)
    services = _start(settings, clock)
    try:
        data = export_member_data(services, args.user_id)
    finally:
        services.close()
    if args.out is None:
        _write_json(data, None, sys.stdout)
    else:
        with _writing_to(args.out):
            _write_json(data, args.out, sys.stdout)
    return 0


def _erasure_counts(plan: ErasurePlan) -> dict[str, str]:
    """The counts of an erasure as the confirmation and the receipt word them."""
    count_of = messages.count_of
    return {
        "received": count_of(plan.received_alone, "nomination", "nominations"),
        "shared": count_of(plan.received_shared, "shared one", "shared ones"),
        "endorsements": count_of(plan.endorsements, "endorsement", "endorsements"),
        "given": count_of(plan.given, "nomination", "nominations"),
    }


def _erased_records(plan: ErasurePlan) -> str | None:
    """'the person record and 2 HR or directory records', or None when there are none."""
    parts = []
    if plan.people:
        parts.append(messages.count_of(plan.people, "person record", "person records"))
    if plan.directory_records:
        parts.append(
            messages.count_of(
                plan.directory_records, "HR or directory record", "HR or directory records"
            )
        )
    return messages.join_names(parts) or None


def _erasure_scope(plan: ErasurePlan) -> list[str]:
    """The lines naming every account an erasure covers, and the records beside them."""
    lines = [messages.FORGET_ACCOUNTS] if plan.accounts else [messages.FORGET_NO_ACCOUNTS]
    lines += [
        messages.FORGET_ACCOUNT.format(
            name=account.display_name,
            user_id=account.user_id,
            platform=account.platform.capitalize(),
            workspace=account.workspace,
        )
        for account in plan.accounts
    ]
    if (records := _erased_records(plan)) is not None:
        lines.append(messages.FORGET_RECORDS.format(records=records))
    return lines


def cmd_member_forget(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    from bot.people.data_protection import forget_member, plan_erasure

    services = _start(settings, clock)
    try:
        if not args.yes:
            plan = plan_erasure(services, args.user_id)
            for line in _erasure_scope(plan):
                print(line, file=sys.stderr)
            prompt = messages.FORGET_CONFIRM.format(
                user_id=plan.user_id,
                name=plan.display_name,
                **_erasure_counts(plan),
            )
            print(prompt, end="", file=sys.stderr, flush=True)
            answer = sys.stdin.readline().strip().lower()
            if answer != "yes":
                print(messages.FORGET_ABORTED, file=sys.stderr)
                return 1
        done = forget_member(services, args.user_id)
    finally:
        services.close()
    print(
        messages.FORGET_DONE.format(
            user_id=done.user_id,
            **_erasure_counts(done),
        )
    )
    # Linked accounts and records are named in the receipt too (one unlinked account
    # reads as it always did).
    if len(done.accounts) > 1 or done.people or done.directory_records:
        for line in _erasure_scope(done):
            print(line)
    return 0


def cmd_nomination_moderate(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    """`everyseat nomination hide|restore ID --reason …`: as the operator, everywhere the
    nomination was posted (through its own platform's client when that is configured)."""
    import asyncio

    from bot.app.platforms import recognition_editor
    from bot.nominations.moderation import (
        Actor,
        hide_nomination,
        nomination_platform,
        restore_nomination,
    )

    services = _start(settings, clock)
    try:
        editor = recognition_editor(services, nomination_platform(services, args.nomination_id))
        if args.nomination_command == "hide":
            asyncio.run(
                hide_nomination(
                    services, Actor.command_line(), args.nomination_id, args.reason, editor
                )
            )
            print(
                messages.HIDDEN_DONE.format(
                    nomination_id=args.nomination_id, notice=messages.HIDDEN_NOTICE
                )
            )
        else:
            asyncio.run(
                restore_nomination(
                    services, Actor.command_line(), args.nomination_id, args.reason, editor
                )
            )
            print(messages.RESTORED_DONE.format(nomination_id=args.nomination_id))
    finally:
        services.close()
    return 0


def cmd_audit_export(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    """`everyseat audit export --since DATE`: the trail as CSV or JSON (itself recorded)."""
    from datetime import date

    from bot.audit import CLI, export_audit
    from bot.reporting.periods import between_dates

    try:
        first = date.fromisoformat(args.since)
    except ValueError:
        raise ReportError(messages.BAD_DATE.format(option="--since", value=args.since)) from None
    since = between_dates(first, first, settings.timezone).since  # local midnight
    services = _start(settings, clock)
    try:
        if args.out is None:
            export_audit(services, sys.stdout, since=since, fmt=args.format, actor=CLI)
        else:
            with (
                _replacing(Path(args.out)) as partial,
                partial.open("w", encoding="utf-8", newline="") as out,
            ):
                entries = export_audit(services, out, since=since, fmt=args.format, actor=CLI)
            print(
                messages.AUDIT_EXPORTED.format(
                    entries=messages.count_of(entries, "audit entry", "audit entries"),
                    since=args.since,
                    path=args.out,
                ),
                file=sys.stderr,
            )
    finally:
        services.close()
    return 0


def cmd_audit_show(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    """`everyseat audit show`: the last entries, as the admin panels show them."""
    from bot.audit import describe_entry, recent_audit

    services = _start(settings, clock)
    try:
        entries = recent_audit(services, args.limit)
    finally:
        services.close()
    if not entries:
        print(messages.AUDIT_EMPTY)
        return 0
    print(messages.AUDIT_HEADER.format(count=len(entries)))
    for entry in entries:
        print(describe_entry(entry))
    return 0


def cmd_retention_run(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    """`everyseat retention run [--dry-run]`: apply the retention policy now."""
    from bot.audit import CLI
    from bot.nominations.retention import RetentionPolicy, run_retention

    policy = RetentionPolicy.from_settings(settings)
    if policy is None:
        print(messages.RETENTION_OFF, file=sys.stderr)
        return 2
    services = _start(settings, clock)
    try:
        outcomes = run_retention(services, policy, CLI, dry_run=args.dry_run)
    finally:
        services.close()
    if not outcomes:
        print(messages.RETENTION_NO_WORKSPACES)
    for outcome in outcomes:
        print(outcome.describe())
    return 0


def cmd_demo_seed(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    """Fill the database with a demo trust: staff in their seats and years of nominations."""
    from bot.demo.seed import seed_demo

    services = _start(settings, clock)
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


def cmd_teams_package(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    """Build the Teams app package; needs no database, only TEAMS_CLIENT_ID."""
    from handlers.teams.package import PackageError, build_package

    try:
        with _writing_to(args.out):  # folders are made as needed; a failure is one line
            path = build_package(settings, Path(args.out), args.website)
    except PackageError as error:
        print(error, file=sys.stderr)
        return 2
    print(f"Wrote {path}: upload it in Teams (Apps → Manage your apps → Upload an app).")
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
    # Every command takes --clock-file, so a test can run any of them at a fixed instant.
    test_options = argparse.ArgumentParser(add_help=False)
    test_options.add_argument(
        "--clock-file",
        type=Path,
        metavar="PATH",
        help="tests only: read the current time (ISO 8601) from PATH on every use; `serve` "
        "then checks for due weekly posts every second",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser(
        "serve",
        parents=[test_options],
        help="run the bot's HTTP server (Slack, Teams, health check)",
    )
    serve.add_argument(
        "--socket-mode", action="store_true", help="connect to Slack over Socket Mode"
    )
    serve.add_argument("--no-scheduler", action="store_true", help="don't run scheduled posts here")
    serve.set_defaults(handler=cmd_serve)

    run = commands.add_parser(
        "run", parents=[test_options], help="serve if credentials are set, else open the console"
    )
    run.add_argument("--as", dest="user", default="me", help="console user name (default: me)")
    run.set_defaults(handler=cmd_run)

    shell = commands.add_parser(
        "shell", parents=[test_options], help="the local console over the same database"
    )
    shell.add_argument("--as", dest="user", default="me", help="who you are (default: me)")
    shell.set_defaults(handler=cmd_shell)

    for name, what in (("digest", "the weekly spotlight"), ("prompt", "the mid-week reflection")):
        weekly = commands.add_parser(
            name, parents=[test_options], help=f"preview or post {what} now"
        )
        action = weekly.add_mutually_exclusive_group(required=True)
        action.add_argument("--preview", action="store_true", help="print it without posting")
        action.add_argument(
            "--post", action="store_true", help="post it now (once per week, however often run)"
        )
        weekly.set_defaults(handler=cmd_weekly_post)

    database = commands.add_parser("db", help="database maintenance")
    db_commands = database.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    upgrade = db_commands.add_parser(
        "upgrade", parents=[test_options], help="apply pending schema migrations"
    )
    upgrade.set_defaults(handler=cmd_db_upgrade)

    export = commands.add_parser(
        "export",
        parents=[test_options],
        help="export nominations, people or the summary statistics (admins)",
    )
    export.add_argument("--format", choices=["csv", "xlsx", "json"], default="csv")
    export.add_argument(
        "--since", metavar="DATE", help="first day, YYYY-MM-DD (default: 30 days ago)"
    )
    export.add_argument("--until", metavar="DATE", help="last day, YYYY-MM-DD (default: today)")
    export.add_argument(
        "--report",
        choices=["nominations", "people", "summary"],
        help="which report (default: nominations; xlsx: all three, one sheet each)",
    )
    export.add_argument("--out", metavar="PATH", help="write here (default: standard output)")
    export.add_argument(
        "--min-cell",
        type=_min_cell,
        metavar="N",
        help='hide any group or count of fewer than N people as "<N" (summary and xlsx only; '
        "the row-level reports are refused)",
    )
    export.add_argument(
        "--include-private", action="store_true", help="include the stories of private nominations"
    )
    export.add_argument(
        "--workspace",
        metavar="ID",
        help="only this workspace (default: every stored one, each person counted once)",
    )
    export.set_defaults(handler=cmd_export)

    report = commands.add_parser(
        "report",
        parents=[test_options],
        help="the board report: one self-contained HTML page with figures, charts and tables",
    )
    report.add_argument(
        "--period",
        default="90d",
        metavar="PERIOD",
        help="30d, 90d (any number of days) or YYYY-MM-DD..YYYY-MM-DD (default: %(default)s)",
    )
    report.add_argument("--out", required=True, metavar="PATH", help="where to write the page")
    report.add_argument(
        "--min-cell",
        type=_min_cell,
        metavar="N",
        help='hide groups and counts of fewer than N people as "<N" '
        "(default: EVERYSEAT_MIN_CELL, 5)",
    )
    report.add_argument(
        "--workspace",
        metavar="ID",
        help="only this workspace (default: every stored one, each person counted once)",
    )
    report.set_defaults(handler=cmd_report)

    member = commands.add_parser("member", help="data protection: one person's stored data")
    member_commands = member.add_subparsers(dest="member_command", required=True, metavar="ACTION")
    member_export = member_commands.add_parser(
        "export",
        parents=[test_options],
        help="everything stored about a person, every linked account included, as JSON "
        "(subject access request)",
    )
    member_export.add_argument(
        "user_id", metavar="EMAIL|USER_ID", help="their work email, or any one of their user ids"
    )
    member_export.add_argument(
        "--out", metavar="PATH", help="write here (default: standard output)"
    )
    member_export.set_defaults(handler=cmd_member_export)
    forget = member_commands.add_parser(
        "forget",
        parents=[test_options],
        help="erase a person, every linked account included: profiles, nominations "
        "received; anonymise those given",
    )
    forget.add_argument(
        "user_id", metavar="EMAIL|USER_ID", help="their work email, or any one of their user ids"
    )
    forget.add_argument("--yes", action="store_true", help="don't ask for confirmation")
    forget.set_defaults(handler=cmd_member_forget)
    add_member_show(member_commands, test_options)

    nomination = commands.add_parser("nomination", help="moderation: hide or restore a nomination")
    nomination_commands = nomination.add_subparsers(
        dest="nomination_command", required=True, metavar="ACTION"
    )
    for verb, text in (
        ("hide", "hide a nomination everywhere it was posted (audited)"),
        ("restore", "restore a hidden nomination (audited)"),
    ):
        moderate = nomination_commands.add_parser(verb, parents=[test_options], help=text)
        moderate.add_argument("nomination_id", type=int, metavar="ID")
        moderate.add_argument(
            "--reason", required=verb == "hide", default="", help="kept in the audit trail"
        )
        moderate.set_defaults(handler=cmd_nomination_moderate)

    audit = commands.add_parser("audit", help="the audit trail: exports, erasures, admin changes")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    audit_export = audit_commands.add_parser(
        "export", parents=[test_options], help="the audit trail since a day, as CSV or JSON"
    )
    audit_export.add_argument(
        "--since", metavar="DATE", required=True, help="first day, YYYY-MM-DD"
    )
    audit_export.add_argument("--format", choices=["csv", "json"], default="csv")
    audit_export.add_argument("--out", metavar="FILE", help="write here (default: standard output)")
    audit_export.set_defaults(handler=cmd_audit_export)
    audit_show = audit_commands.add_parser(
        "show", parents=[test_options], help="the last entries, newest first"
    )
    audit_show.add_argument("--limit", type=_positive, default=20, help="how many (default: 20)")
    audit_show.set_defaults(handler=cmd_audit_show)

    retention = commands.add_parser(
        "retention", help="remove nominations older than EVERYSEAT_RETENTION_MONTHS"
    )
    retention_commands = retention.add_subparsers(
        dest="retention_command", required=True, metavar="ACTION"
    )
    retention_run = retention_commands.add_parser(
        "run", parents=[test_options], help="delete or anonymise old nominations now"
    )
    retention_run.add_argument(
        "--dry-run", action="store_true", help="count what would be removed; change nothing"
    )
    retention_run.set_defaults(handler=cmd_retention_run)

    teams = commands.add_parser("teams", help="Microsoft Teams set-up")
    teams_commands = teams.add_subparsers(dest="teams_command", required=True, metavar="ACTION")
    package = teams_commands.add_parser(
        "package",
        parents=[test_options],
        help="build the Teams app package (manifest and icons) to upload",
    )
    package.add_argument(
        "--out", default="everyseat-teams.zip", help="where to write the zip (default: %(default)s)"
    )
    package.add_argument(
        "--website",
        default="https://everyseat.example.org",
        help="your organisation's https URL for the app's website, privacy and terms pages",
    )
    package.set_defaults(handler=cmd_teams_package)

    demo = commands.add_parser("demo", help="demo data for trying Everyseat and benchmarks")
    demo_commands = demo.add_subparsers(dest="demo_command", required=True, metavar="ACTION")
    seed = demo_commands.add_parser(
        "seed",
        parents=[test_options],
        help="add demo members and nominations in bulk (fast, for large datasets)",
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

    add_directory_commands(commands, test_options)
    return parser


def main(argv: Sequence[str] | None = None, *, clock: Clock = utc_now) -> int:
    """Run one command. Every service it builds reads the time from `clock` (tests pass
    a fixed one), or from `--clock-file` when given."""
    # The Teams SDK announces a preview feature Everyseat doesn't use on every start.
    warnings.filterwarnings("ignore", message="HtmlWidgetSecurityPolicy is in preview")
    args = build_parser().parse_args(argv)
    if args.clock_file is not None:
        log.warning("tests only: the time is read from %s", args.clock_file)
        clock = FileClock(args.clock_file)
    try:
        settings = load_settings()
        return int(args.handler(settings, args, clock))
    except (ConfigError, CatalogueError) as error:
        print(
            error if isinstance(error, ConfigError) else f"Configuration error: {error}",
            file=sys.stderr,
        )
        return 2
    except EveryseatError as error:
        print(error, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130

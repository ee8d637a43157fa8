"""The local console adapter: the same services as Slack, driven by lines of text.

Reads commands from a stream (a terminal or a pipe) and writes what the bot would post.
Console users are plain names (`@nia`), created on first mention. Whoever runs the console
is the local operator with the database in hand, so admin commands such as /stats are not
checked here.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TextIO, TypeVar

from bot import messages
from bot.audit import describe_entry, recent_audit
from bot.errors import EveryseatError, PatientIdentifierError
from bot.nominations.moderation import (
    Actor,
    decide_flag,
    edit_nomination,
    editable_by,
    flag_nomination,
    hide_nomination,
    moderation_queue,
    nomination_to_edit,
    restore_nomination,
    withdraw_nomination,
)
from bot.nominations.one_line import parse_one_line
from bot.nominations.use_cases import NominationSubmission, record_nomination
from bot.people.resolution import NoLookup, PersonRef, workspace_id_in
from bot.recognition.history import latest_in_workspace
from bot.recognition.views import RecognitionView, find_recognition
from bot.reporting.admin_reports import parse_stats_arguments, stats_summary
from bot.reporting.summary import StatsSummary
from bot.services import Services
from bot.weekly.periods import PostKind
from handlers.console.weekly_text import preview_text

T = TypeVar("T")
CONSOLE_PLATFORM = "console"
CONSOLE_WORKSPACE = "local"
NAME = r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}"
_MENTION = re.compile(rf"(?<![\w@])@({NAME})")
_VALID_NAME = re.compile(rf"^{NAME}$")


def render_recognition_text(view: RecognitionView) -> str:
    """A recognition as plain text, the way the console shows it."""
    nominees = messages.join_names([f"@{person.display_name}" for person in view.nominees])
    behaviours = messages.join_names([behaviour.name for behaviour in view.behaviours])
    if view.nominator is None:
        line = messages.RECOGNITION_LINE_ANONYMOUS.format(nominees=nominees, behaviours=behaviours)
    else:
        line = messages.RECOGNITION_LINE.format(
            nominator=f"@{view.nominator.display_name}", nominees=nominees, behaviours=behaviours
        )
    tags = " ".join(behaviour.hashtag for behaviour in view.behaviours)
    privacy = " (private)" if view.is_private else ""
    return (
        f"#{view.nomination_id}{privacy} {line}\n"
        f"  “{view.story}”\n"
        f"  {tags} · {messages.endorsement_count(view.endorsements)}"
    )


def render_summary_text(summary: StatsSummary) -> str:
    """The statistics summary as plain text, the way the console shows it."""
    lines = [summary.header, summary.totals, summary.coverage, summary.spread, summary.unseen_seats]
    for group in summary.groups:
        if group.lines:
            lines += [f"{group.heading}:", *(f"  • {line}" for line in group.lines)]
    lines.append(summary.weekly)
    return "\n".join(lines)


Command = Callable[["ConsoleSession", str], None]


@dataclass
class ConsoleSession:
    """One person at the console: who they are acting as, and where output goes."""

    services: Services
    user: str
    out: TextIO
    workspace_id: int = 0
    commands: dict[str, Command] = field(default_factory=dict)

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def view(self, nomination_id: int) -> RecognitionView:
        view = find_recognition(self.services, nomination_id)
        assert view is not None, "a nomination just recorded can't have been erased"
        return view


def _person(name: str) -> PersonRef:
    """Console people are plain names, created on first mention."""
    return PersonRef(ref=name, platform_user_id=name, name=name)


def _nominate(console: ConsoleSession, text: str) -> None:
    parsed = parse_one_line(text, _MENTION)
    if not parsed.nominee_refs and not parsed.story:
        console.say(messages.ONE_LINE_USAGE)
        return
    submission = NominationSubmission(
        platform=CONSOLE_PLATFORM,
        workspace_external_id=CONSOLE_WORKSPACE,
        nominator=_person(console.user),
        nominees=tuple(_person(name) for name in parsed.nominee_refs),
        behaviour_slugs=parsed.behaviour_slugs,
        story=parsed.story,
        source_channel_id="console",
        default_behaviour_allowed=True,
    )
    try:
        result = asyncio.run(record_nomination(console.services, submission, NoLookup()))
    except PatientIdentifierError as error:
        console.say(error.message)
        console.say(messages.PATIENT_IDENTIFIER_YOU_WROTE.format(text=f"/nominate {text}"))
        return
    except EveryseatError as error:
        console.say(messages.ONE_LINE_REJECTED.format(problem=error.message))
        console.say(messages.CONSOLE_YOU_TYPED.format(text=text))
        return
    if not result.created:
        console.say(messages.ALREADY_RECORDED)
    elif result.default_behaviour:
        console.say(messages.DEFAULT_BEHAVIOUR_USED.format(slug=result.default_behaviour))
    console.say(render_recognition_text(console.view(result.nomination_id)))


def _recent(console: ConsoleSession, text: str) -> None:
    argument = text.strip()
    if argument and not argument.isdigit():
        console.say(messages.CONSOLE_BAD_COUNT)
        return
    limit = int(argument) if argument else 10
    views = latest_in_workspace(console.services, console.workspace_id, limit=limit)
    if not views:
        console.say(messages.CONSOLE_NO_NOMINATIONS)
    for view in views:
        console.say(render_recognition_text(view))
    editable = editable_by(console.services, console.workspace_id, console.user)
    if editable:
        until = editable[-1][1].astimezone(console.services.rules.timezone)
        console.say(
            messages.CONSOLE_EDITABLE.format(
                until=until.strftime("%d %b %H:%M"),
                numbers=", ".join(f"#{number}" for number, _ in editable),
            )
        )


# --- moderation -------------------------------------------------------------------------------


def _actor(console: ConsoleSession) -> Actor:
    """The person at the console. As the local operator they may hide and restore; editing
    and withdrawing are still only for the nominator, read from the database."""
    return Actor(CONSOLE_PLATFORM, CONSOLE_WORKSPACE, _person(console.user), operator=True)


def _numbered(console: ConsoleSession, text: str, usage: str) -> tuple[int, str] | None:
    """`N rest…` → (N, rest); None (and the usage said) when N is not a number."""
    number, _, rest = text.strip().lstrip("#").partition(" ")
    if not number.isdigit():
        console.say(messages.CONSOLE_BAD_NOMINATION.format(usage=usage))
        return None
    return int(number), rest.strip()


def _run(console: ConsoleSession, work: Coroutine[Any, Any, T]) -> T | None:
    try:
        return asyncio.run(work)
    except EveryseatError as error:
        console.say(error.message)
        return None


def _edit(console: ConsoleSession, text: str) -> None:
    parsed = _numbered(console, text, "/edit 3 the new story #behaviour")
    if parsed is None:
        return
    number, rest = parsed
    current = _run(console, nomination_to_edit(console.services, _actor(console), number))
    if current is None:
        return
    line = parse_one_line(rest, _MENTION)
    slugs = line.behaviour_slugs or tuple(b.slug for b in current.behaviours)
    try:
        view = asyncio.run(
            edit_nomination(console.services, _actor(console), number, line.story, slugs, None)
        )
    except EveryseatError as error:
        console.say(error.message)
        console.say(messages.CONSOLE_YOU_TYPED.format(text=text))
        return
    console.say(messages.EDITED)
    console.say(render_recognition_text(view))


def _withdraw(console: ConsoleSession, text: str) -> None:
    parsed = _numbered(console, text, "/withdraw 3")
    if parsed is None:
        return
    view = _run(console, withdraw_nomination(console.services, _actor(console), parsed[0], None))
    if view is not None:
        names = messages.join_names([f"@{person.display_name}" for person in view.nominees])
        console.say(messages.WITHDRAWN.format(nominees=names))


def _flag(console: ConsoleSession, text: str) -> None:
    parsed = _numbered(console, text, "/flag 3 why admins should look")
    if (
        parsed is not None
        and _run(
            console,
            flag_nomination(console.services, _actor(console), parsed[0], parsed[1], None),
        )
        is not None
    ):
        console.say(messages.FLAGGED)


def _hide(console: ConsoleSession, text: str) -> None:
    parsed = _numbered(console, text, "/hide 3 the reason")
    if (
        parsed is not None
        and _run(
            console, hide_nomination(console.services, _actor(console), parsed[0], parsed[1], None)
        )
        is not None
    ):
        console.say(
            messages.HIDDEN_DONE.format(nomination_id=parsed[0], notice=messages.HIDDEN_NOTICE)
        )


def _restore(console: ConsoleSession, text: str) -> None:
    parsed = _numbered(console, text, "/restore 3 the reason")
    if (
        parsed is not None
        and _run(
            console,
            restore_nomination(console.services, _actor(console), parsed[0], parsed[1], None),
        )
        is not None
    ):
        console.say(messages.RESTORED_DONE.format(nomination_id=parsed[0]))


def _dismiss(console: ConsoleSession, text: str) -> None:
    parsed = _numbered(console, text, "/dismiss 1")
    if parsed is None:
        return
    decision = _run(
        console,
        decide_flag(console.services, _actor(console), parsed[0], uphold=False, editor=None),
    )
    if decision is not None:
        console.say(
            f"#{decision.nomination_id}: "
            + messages.FLAG_DISMISSED_BY.format(admin=f"@{console.user}")
        )


def _flags(console: ConsoleSession, _text: str) -> None:
    queue = moderation_queue(console.services, console.workspace_id)
    for flag in queue.open_flags:
        console.say(
            messages.CONSOLE_FLAG_LINE.format(
                flag_id=flag.flag_id,
                nomination_id=flag.nomination_id,
                who=f"@{flag.who}" if flag.who else messages.FLAG_BY_UNKNOWN,
                reason=flag.reason,
            )
        )
    if not queue.open_flags:
        console.say(messages.HOME_NO_OPEN_FLAGS)
    for hidden in queue.hidden:
        console.say(
            messages.CONSOLE_HIDDEN_LINE.format(
                nomination_id=hidden.nomination_id, admin=hidden.hidden_by, reason=hidden.reason
            )
        )
    if not queue.hidden:
        console.say(messages.HOME_NONE_HIDDEN)


def _behaviours(console: ConsoleSession, _text: str) -> None:
    for behaviour in console.services.catalogue:
        console.say(f"{behaviour.hashtag:32} {behaviour.name}: {behaviour.description}")


def _digest(console: ConsoleSession, _text: str) -> None:
    console.say(preview_text(console.services, console.workspace_id, PostKind.DIGEST, None))


def _stats(console: ConsoleSession, text: str) -> None:
    try:
        period = parse_stats_arguments(console.services, text)
    except EveryseatError as error:
        console.say(error.message)
        return
    console.say(render_summary_text(stats_summary(console.services, console.workspace_id, period)))


def _audit(console: ConsoleSession, _text: str) -> None:
    entries = recent_audit(console.services)
    if not entries:
        console.say(messages.AUDIT_EMPTY)
        return
    console.say(messages.AUDIT_HEADER.format(count=len(entries)))
    for entry in entries:
        console.say(f"  {describe_entry(entry)}")


def _act_as(console: ConsoleSession, text: str) -> None:
    name = text.strip().lstrip("@")
    if not _VALID_NAME.match(name):
        console.say(messages.CONSOLE_BAD_NAME)
        return
    console.user = name
    console.say(messages.CONSOLE_NOW_ACTING_AS.format(user=name))


def _help(console: ConsoleSession, _text: str) -> None:
    console.say(messages.CONSOLE_HELP)


def register(console: ConsoleSession) -> None:
    """The console's commands; the only place their names meet their callbacks."""
    console.commands.update(
        {
            "/nominate": _nominate,
            "/recent": _recent,
            "/edit": _edit,
            "/withdraw": _withdraw,
            "/flag": _flag,
            "/flags": _flags,
            "/hide": _hide,
            "/restore": _restore,
            "/dismiss": _dismiss,
            "/behaviours": _behaviours,
            "/digest": _digest,
            "/stats": _stats,
            "/audit": _audit,
            "/as": _act_as,
            "/help": _help,
        }
    )


def run_console(services: Services, stream: TextIO, out: TextIO, user: str = "me") -> int:
    """Read commands from `stream` until /quit or end of input. Returns an exit status."""
    if not _VALID_NAME.match(user):
        print(messages.CONSOLE_BAD_NAME, file=out)
        return 2
    workspace_id = workspace_id_in(services, CONSOLE_PLATFORM, CONSOLE_WORKSPACE)
    console = ConsoleSession(services, user, out, workspace_id)
    register(console)
    database = services.engine.url.render_as_string(hide_password=True)
    console.say(messages.CONSOLE_WELCOME.format(database=database, user=user))
    interactive = stream.isatty()
    while True:
        if interactive:
            print(f"@{console.user}> ", end="", file=out, flush=True)
        line = stream.readline()
        if not line:
            return 0
        line = line.strip()
        if not line:
            continue
        name, _, rest = line.partition(" ")
        if name in {"/quit", "/exit"}:
            return 0
        command = console.commands.get(name.lower())
        if command is None:
            console.say(messages.CONSOLE_UNKNOWN_COMMAND.format(command=name))
            continue
        command(console, rest)

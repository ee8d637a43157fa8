"""The weekly spotlight and reflection prompt as plain text, for the console and the CLI."""

from __future__ import annotations

from bot import messages
from bot.recognition.views import PersonView
from bot.services import Services
from bot.weekly.periods import PostKind
from bot.weekly.preview import PreviewStatus, WeeklyPreview, preview_weekly
from bot.weekly.reflections import Reflection
from bot.weekly.spotlight import DigestView, PromptView, summary_line


def _name(person: PersonView) -> str:
    return f"@{person.display_name}"


def _with_seat(person: PersonView) -> str:
    if not person.title:
        return _name(person)
    return messages.DIGEST_SPOTLIGHT_SEAT.format(name=_name(person), seat=person.title)


def _reflection_lines(reflection: Reflection, heading: str) -> list[str]:
    return [
        heading,
        f"  “{reflection.quote.text}”",
        f"  — {reflection.quote.attribution}",
        f"  {reflection.question.text}",
    ]


def render_digest_text(view: DigestView) -> str:
    if view.is_quiet:
        lines = [messages.DIGEST_QUIET_HEADER, messages.DIGEST_QUIET_INTRO, ""]
    else:
        lines = [messages.DIGEST_HEADER, summary_line(view.summary), ""]
        for number, item in enumerate(view.spotlights, start=1):
            line = messages.DIGEST_SPOTLIGHT_LINE.format(
                nominees=messages.join_names([_with_seat(p) for p in item.nominees]),
                behaviours=messages.join_names([b.name for b in item.behaviours]),
            )
            details = [messages.endorsement_count(item.endorsements)]
            if item.nominator is not None:
                details.insert(
                    0, messages.DIGEST_NOMINATED_BY.format(nominator=_name(item.nominator))
                )
            # Numbered, not starred: a screen reader in a terminal reads "★" as "black star".
            lines += [f"{number}. {line}", f"   “{item.story}”", f"   {' · '.join(details)}", ""]
        if view.also_recognised or view.also_recognised_more:
            names = [_name(person) for person in view.also_recognised]
            if view.also_recognised_more:
                names.append(messages.and_more_colleagues(view.also_recognised_more))
            lines += [f"{messages.DIGEST_ALSO_RECOGNISED}: {messages.join_names(names)}", ""]
    lines += _reflection_lines(view.reflection, messages.DIGEST_REFLECTION)
    lines += ["", messages.CONSOLE_NOMINATE_HINT]
    return "\n".join(lines)


def render_prompt_text(view: PromptView) -> str:
    lines = [messages.PROMPT_HEADER, *_reflection_lines(view.reflection, messages.PROMPT_INTRO)]
    return "\n".join([*lines, "", messages.CONSOLE_NOMINATE_HINT])


def render_preview_text(preview: WeeklyPreview) -> str:
    """A preview as plain text: when it is due and whether it is overdue, then the post."""
    body = (
        render_digest_text(preview.view)
        if isinstance(preview.view, DigestView)
        else render_prompt_text(preview.view)
    )
    heading = messages.PREVIEW_HEADING.format(
        kind=preview.kind,
        period=preview.period.key,
        due=f"{preview.due_at:%a %d %b %Y %H:%M} {preview.timezone.key}",
        status=messages.PREVIEW_STATUS_OVERDUE
        if preview.status is PreviewStatus.OVERDUE
        else messages.PREVIEW_STATUS_PENDING,
    )
    return f"{heading}\n\n{body}"


def preview_text(
    services: Services, workspace_id: int, kind: PostKind, channel_id: str | None
) -> str:
    """`preview_weekly` rendered as text, for the console and `--preview`."""
    return render_preview_text(preview_weekly(services, workspace_id, kind, channel_id))

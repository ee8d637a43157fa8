"""The weekly spotlight and reflection prompt as plain text, for the console and the CLI."""

from __future__ import annotations

from datetime import timedelta

from bot import messages
from bot.deliveries import DeliveryKey, DeliveryStatus, find_delivery
from bot.recognition.views import PersonView
from bot.services import Services
from bot.weekly.periods import PostKind, due_period, next_period, schedule_for
from bot.weekly.reflections import Reflection
from bot.weekly.spotlight import (
    DigestView,
    PromptView,
    build_digest_view,
    build_prompt_view,
    summary_line,
)


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
        for item in view.spotlights:
            line = messages.DIGEST_SPOTLIGHT_LINE.format(
                nominees=messages.join_names([_with_seat(p) for p in item.nominees]),
                behaviours=messages.join_names([b.name for b in item.behaviours]),
            )
            details = [messages.endorsement_count(item.endorsements)]
            if item.nominator is not None:
                details.insert(
                    0, messages.DIGEST_NOMINATED_BY.format(nominator=_name(item.nominator))
                )
            lines += [f"★ {line}", f"  “{item.story}”", f"  {' · '.join(details)}", ""]
        if view.also_recognised or view.also_recognised_more:
            names = [_name(person) for person in view.also_recognised]
            if view.also_recognised_more:
                names.append(messages.DIGEST_AND_MORE.format(count=view.also_recognised_more))
            lines += [f"{messages.DIGEST_ALSO_RECOGNISED}: {messages.join_names(names)}", ""]
    lines += _reflection_lines(view.reflection, messages.DIGEST_REFLECTION)
    lines += ["", messages.CONSOLE_NOMINATE_HINT]
    return "\n".join(lines)


def render_prompt_text(view: PromptView) -> str:
    lines = [messages.PROMPT_HEADER, *_reflection_lines(view.reflection, messages.PROMPT_INTRO)]
    return "\n".join([*lines, "", messages.CONSOLE_NOMINATE_HINT])


def preview_text(
    services: Services, workspace_id: int, kind: PostKind, channel_id: str | None
) -> str:
    """What will be posted next: the digest or prompt that is due but not yet posted to
    `channel_id` (as a manual --post would send it), otherwise the coming one so far."""
    settings = services.settings
    schedule = schedule_for(settings, kind)
    now = services.clock()
    due = due_period(schedule, now, timedelta(hours=settings.EVERYSEAT_CATCH_UP_HOURS))
    with services.sessions() as session:
        period = next_period(schedule, now)
        if due is not None and channel_id is not None:
            key = DeliveryKey(workspace_id, channel_id, str(kind), due.key)
            delivery = find_delivery(session, key)
            if delivery is None or delivery.status != DeliveryStatus.POSTED:
                period = due
        if kind is PostKind.DIGEST:
            body = render_digest_text(
                build_digest_view(
                    session,
                    workspace_id,
                    period,
                    catalogue=services.catalogue,
                    reflections=services.reflections,
                )
            )
        else:
            body = render_prompt_text(
                build_prompt_view(workspace_id, period, reflections=services.reflections)
            )
    due_at = period.due_at.astimezone(schedule.timezone)
    heading = messages.PREVIEW_HEADING.format(
        kind=kind,
        period=period.key,
        due=f"{due_at:%a %d %b %Y %H:%M} {schedule.timezone.key}",
        status=messages.PREVIEW_STATUS_OVERDUE
        if period is due
        else messages.PREVIEW_STATUS_PENDING,
    )
    return f"{heading}\n\n{body}"

"""Block Kit for the nomination feature: the form, the recognition post, DMs and App Home.

Everything here turns neutral view models into Slack payloads; user text is escaped with
`escape_mrkdwn` (or placed in plain_text fields) and shortened before escaping.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from bot import messages
from bot.errors import NominationField
from bot.nominations.behaviours import BehaviourCatalogue
from bot.nominations.rules import NominationRules, Visibility
from bot.recognition.senders import FlagNotice
from bot.recognition.views import RecognitionView
from handlers.slack.mrkdwn import escape_mrkdwn, mention, shorten

Block = dict[str, Any]

# Slack identifiers of the nomination feature, shared with handlers/slack/nominate.py.
FORM_CALLBACK_ID = "nomination_form"
OPEN_FORM_ACTION = "open_nomination_form"
ENDORSE_ACTION = "endorse_nomination"
# Moderation on the recognition post (overflow menu) and in an admin's flag message; the
# listeners are in handlers/slack/moderation.py.
RECOGNITION_MENU_ACTION = "recognition_menu"
FLAG_HIDE_ACTION = "flag_hide"
FLAG_DISMISS_ACTION = "flag_dismiss"
INPUT_ACTION = "value"
SECTION_TEXT_LIMIT = 3000
# Slack's plain_text_input holds at most this many characters; a longer story typed in one
# line is sent back in full instead (handlers/slack/nominate.py).
FORM_STORY_LIMIT = 3000


@dataclass(frozen=True)
class FormPrefill:
    """What the nomination form starts with, and where its result should go."""

    nominee_ids: Sequence[str] = ()
    behaviour_slugs: Sequence[str] = ()
    story: str = ""
    visibility: str = Visibility.PUBLIC
    channel_id: str | None = None
    message_url: str | None = None
    notice: str | None = None  # shown at the top, e.g. why the one-line form needs finishing
    extra: dict[str, str] = field(default_factory=dict)

    def private_metadata(self) -> str:
        return json.dumps(
            {"channel": self.channel_id, "message_url": self.message_url, **self.extra}
        )


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:SECTION_TEXT_LIMIT]}}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:3000]}]}


def _behaviour_option(catalogue: BehaviourCatalogue, slug: str) -> dict[str, Any]:
    behaviour = catalogue[slug]
    return {
        "text": _plain(behaviour.name[:75]),
        "value": behaviour.slug,
        "description": _plain(behaviour.description[:75]),
    }


@lru_cache(maxsize=1024)
def blank_nomination_form(
    catalogue: BehaviourCatalogue, rules: NominationRules, channel_id: str | None
) -> dict[str, Any]:
    """The empty form `/nominate` opens from `channel_id`, built once per channel: it is the
    same every time, and building it on every request is a measurable share of the ack
    path. Shared between requests, so callers must not change it."""
    return nomination_form(catalogue, rules, FormPrefill(channel_id=channel_id))


def nomination_form(
    catalogue: BehaviourCatalogue, rules: NominationRules, prefill: FormPrefill
) -> dict[str, Any]:
    """The nomination modal; block ids are the NominationField values so errors map back."""
    blocks: list[Block] = []
    if prefill.notice:
        blocks.append(_section(f":warning: {escape_mrkdwn(prefill.notice)}"))
    blocks.append(_context(escape_mrkdwn(messages.FORM_INTRO)))
    if prefill.message_url:
        blocks.append(_context(messages.FORM_FROM_MESSAGE.format(url=f"<{prefill.message_url}>")))

    nominees: dict[str, Any] = {
        "type": "multi_users_select",
        "action_id": INPUT_ACTION,
        "placeholder": _plain("Choose colleagues"),
        "max_selected_items": rules.max_nominees,
    }
    if prefill.nominee_ids:
        nominees["initial_users"] = list(prefill.nominee_ids)[: rules.max_nominees]
    behaviours: dict[str, Any] = {
        "type": "multi_static_select",
        "action_id": INPUT_ACTION,
        "placeholder": _plain("Choose one or more"),
        "options": [_behaviour_option(catalogue, b.slug) for b in catalogue][:100],
    }
    known_slugs = [slug for slug in prefill.behaviour_slugs if slug in catalogue]
    if known_slugs:
        behaviours["initial_options"] = [_behaviour_option(catalogue, s) for s in known_slugs]
    story: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": INPUT_ACTION,
        "multiline": True,
        "max_length": FORM_STORY_LIMIT,  # the rules' own limit is checked on submit
    }
    if prefill.story:
        story["initial_value"] = prefill.story[:FORM_STORY_LIMIT]
    choices: dict[str, dict[str, Any]] = {
        Visibility.PUBLIC: {"text": _plain(messages.FORM_PUBLIC), "value": Visibility.PUBLIC},
        Visibility.PRIVATE: {"text": _plain(messages.FORM_PRIVATE), "value": Visibility.PRIVATE},
    }
    visibility = {
        "type": "radio_buttons",
        "action_id": INPUT_ACTION,
        "options": list(choices.values()),
        "initial_option": choices.get(prefill.visibility, choices[Visibility.PUBLIC]),
    }
    blocks += [
        {
            "type": "input",
            "block_id": NominationField.NOMINEES,
            "label": _plain(messages.FORM_NOMINEES),
            "element": nominees,
        },
        {
            "type": "input",
            "block_id": NominationField.BEHAVIOURS,
            "label": _plain(messages.FORM_BEHAVIOURS),
            "element": behaviours,
        },
        {
            "type": "input",
            "block_id": NominationField.STORY,
            "label": _plain(messages.FORM_STORY),
            "hint": _plain(
                messages.FORM_STORY_HINT.format(minimum=rules.min_story, maximum=rules.max_story)
            ),
            "element": story,
        },
        {
            "type": "input",
            "block_id": NominationField.VISIBILITY,
            "label": _plain(messages.FORM_VISIBILITY),
            "element": visibility,
        },
    ]
    return {
        "type": "modal",
        "callback_id": FORM_CALLBACK_ID,
        "title": _plain(messages.FORM_TITLE),
        "submit": _plain(messages.FORM_SUBMIT),
        "close": _plain(messages.FORM_CANCEL),
        "private_metadata": prefill.private_metadata(),
        "blocks": blocks,
    }


def nominees_text(view: RecognitionView) -> str:
    return messages.join_names([mention(person.platform_user_id) for person in view.nominees])


def behaviours_text(view: RecognitionView) -> str:
    return messages.join_names([f"*{escape_mrkdwn(b.name)}*" for b in view.behaviours])


def _behaviour_names(view: RecognitionView) -> str:
    return messages.join_names([b.name for b in view.behaviours])


def recognition_line(view: RecognitionView) -> str:
    if view.nominator is None:
        return messages.RECOGNITION_LINE_ANONYMOUS.format(
            nominees=nominees_text(view), behaviours=behaviours_text(view)
        )
    return messages.RECOGNITION_LINE.format(
        nominator=mention(view.nominator.platform_user_id),
        nominees=nominees_text(view),
        behaviours=behaviours_text(view),
    )


def _quoted_story(story: str) -> str:
    body = escape_mrkdwn(shorten(story, 2500))
    return "\n".join(f">{line}" for line in body.splitlines())


def recognition_message(view: RecognitionView) -> tuple[str, list[Block]]:
    """The public recognition post: fallback text and blocks."""
    names = messages.join_names([p.display_name for p in view.nominees])
    text = escape_mrkdwn(
        f"{messages.RECOGNITION_HEADER}: {names} — {_behaviour_names(view)}. "
        f"“{shorten(view.story, 300)}”"
    )
    tags = " ".join(f"`{b.hashtag}`" for b in view.behaviours)
    blocks: list[Block] = [
        {"type": "header", "text": _plain(messages.RECOGNITION_HEADER)},
        _section(recognition_line(view)),
        _section(_quoted_story(view.story)),
    ]
    if view.source_message_url:
        blocks.append(_context(messages.FROM_MESSAGE.format(url=f"<{view.source_message_url}>")))
    blocks.append(_context(f"{tags}  ·  {messages.endorsement_count(view.endorsements)}"))
    blocks.append(
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": ENDORSE_ACTION,
                    "text": _plain(messages.ENDORSE_BUTTON),
                    "value": str(view.nomination_id),
                },
                recognition_menu(view.nomination_id),
            ],
        }
    )
    return text, blocks


_MENU_CHOICES = {
    "edit": messages.MODERATION_MENU_EDIT,
    "withdraw": messages.MODERATION_MENU_WITHDRAW,
    "flag": messages.MODERATION_MENU_FLAG,
    "hide": messages.MODERATION_MENU_HIDE,
}


def recognition_menu(nomination_id: int, verbs: Sequence[str] = tuple(_MENU_CHOICES)) -> Block:
    """The post's "…" menu. Everyone sees every choice (a channel post is the same for all);
    who may do what is decided on the server."""
    choices = [(verb, _MENU_CHOICES[verb]) for verb in verbs]
    return {
        "type": "overflow",
        "action_id": RECOGNITION_MENU_ACTION,
        "options": [
            {"text": _plain(label), "value": f"{verb}:{nomination_id}"} for verb, label in choices
        ],
    }


def hidden_message(notice: str) -> tuple[str, list[Block]]:
    """What a hidden recognition's post and messages are replaced by."""
    return notice, [_context(escape_mrkdwn(notice))]


def flag_message(notice: FlagNotice) -> tuple[str, list[Block]]:
    """An admin's message about a flag: who flagged it and why, the recognition, and the
    Hide and Dismiss buttons."""
    who = notice.flagged_by or messages.FLAG_BY_UNKNOWN
    text = messages.FLAG_FOR_ADMINS.format(who=who, reason=notice.reason)
    view = notice.recognition
    blocks: list[Block] = [
        _section(escape_mrkdwn(shorten(text, 1000))),
        _section(f"#{view.nomination_id} {recognition_line(view)}"),
        _section(_quoted_story(view.story)),
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "style": "danger",
                    "action_id": FLAG_HIDE_ACTION,
                    "text": _plain(messages.MODERATION_HIDE_BUTTON),
                    "value": str(notice.flag_id),
                },
                {
                    "type": "button",
                    "action_id": FLAG_DISMISS_ACTION,
                    "text": _plain(messages.MODERATION_DISMISS_BUTTON),
                    "value": str(notice.flag_id),
                },
            ],
        },
    ]
    return escape_mrkdwn(text), blocks


def nominee_message(view: RecognitionView) -> tuple[str, list[Block]]:
    """The direct message each nominee receives."""
    template = messages.NOMINEE_DM_PRIVATE if view.is_private else messages.NOMINEE_DM
    nominator = mention(view.nominator.platform_user_id) if view.nominator else "A colleague"
    story = escape_mrkdwn(shorten(view.story, 2500))
    text = template.format(nominator=nominator, behaviours=behaviours_text(view), story=story)
    blocks = [_section(text)]
    if view.source_message_url:
        blocks.append(_context(messages.FROM_MESSAGE.format(url=f"<{view.source_message_url}>")))
    # A private nomination is only seen here, so it is flagged from here.
    blocks.append(
        {"type": "actions", "elements": [recognition_menu(view.nomination_id, ("flag",))]}
    )
    return text, blocks


def home_view(
    received: Sequence[RecognitionView],
    given: Sequence[RecognitionView],
    admin_panel: Sequence[Block] = (),
) -> dict[str, Any]:
    """App Home: what I received and gave recently, a button to nominate and, for admins,
    the statistics panel (rendered by the admin feature) at the foot."""
    blocks: list[Block] = [
        {"type": "header", "text": _plain(messages.HOME_TITLE)},
        _section(escape_mrkdwn(messages.HOME_INTRO)),
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "style": "primary",
                    "action_id": OPEN_FORM_ACTION,
                    "text": _plain(messages.HOME_NOMINATE_BUTTON),
                }
            ],
        },
        {"type": "divider"},
        {"type": "header", "text": _plain(messages.HOME_RECEIVED)},
    ]
    blocks += [_home_item(view) for view in received] or [
        _context(escape_mrkdwn(messages.HOME_NONE_RECEIVED))
    ]
    blocks += [{"type": "divider"}, {"type": "header", "text": _plain(messages.HOME_GIVEN)}]
    blocks += [_home_item(view) for view in given] or [
        _context(escape_mrkdwn(messages.HOME_NONE_GIVEN))
    ]
    # Slack refuses a view of more than 100 blocks; the panel keeps its place at the foot.
    return {"type": "home", "blocks": [*blocks[: 100 - len(admin_panel)], *admin_panel]}


def _home_item(view: RecognitionView) -> Block:
    privacy = " _(private)_" if view.is_private else ""
    story = escape_mrkdwn(shorten(view.story, 280))
    return _section(f"{recognition_line(view)}{privacy}\n>{story}")

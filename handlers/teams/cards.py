"""Adaptive Cards for Teams, rendered from the neutral view models and the form's state.

Cards target schema 1.5 (what Teams renders on desktop, web and mobile). Buttons in chat use
`Action.Execute` with a verb, so Teams sends an `adaptiveCard/action` invoke the bot answers
with a refreshed card; the same form inside a dialog uses `Action.Submit`, the only action
dialogs accept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from microsoft_teams.cards import (
    Action,
    AdaptiveCard,
    CardElement,
    Choice,
    ChoiceSetInput,
    ExecuteAction,
    Mention,
    MentionedEntity,
    QueryData,
    ShowCardAction,
    SubmitAction,
    TeamsCardProperties,
    TextBlock,
    TextInput,
)

from bot import messages
from bot.audit import AuditEntry, describe_entry
from bot.errors import NominationField
from bot.nominations.behaviours import BehaviourCatalogue
from bot.nominations.rules import NominationRules, Visibility
from bot.recognition.senders import FlagNotice
from bot.recognition.views import PersonView, RecognitionView
from bot.reporting.summary import StatsSummary
from bot.weekly.reflections import Reflection
from bot.weekly.spotlight import DigestView, PromptView, SpotlightItem, summary_line

CARD_VERSION = "1.5"
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
# The verbs our Action.Execute buttons send back; handlers route on them.
NOMINATE_VERB = "nominate"
ENDORSE_VERB = "endorse"
# Moderation verbs (handlers/teams/moderation.py answers them). The recognition card offers
# Edit, Withdraw, Flag and Hide to everyone in the conversation; who may do what is
# decided on the server.
EDIT_VERB = "edit_recognition"
WITHDRAW_VERB = "withdraw_recognition"
FLAG_VERB = "flag_recognition"
HIDE_VERB = "hide_recognition"
RESTORE_VERB = "restore_recognition"
FLAG_HIDE_VERB = "flag_hide"
FLAG_DISMISS_VERB = "flag_dismiss"
MODERATION_VERBS = frozenset(
    {
        EDIT_VERB,
        WITHDRAW_VERB,
        FLAG_VERB,
        HIDE_VERB,
        RESTORE_VERB,
        FLAG_HIDE_VERB,
        FLAG_DISMISS_VERB,
    }
)
# Input ids inside the moderation show-cards (unique across the whole card).
EDIT_STORY_INPUT = "edit_story"
EDIT_BEHAVIOURS_INPUT = "edit_behaviours"
REASON_INPUT = "reason"
# The id our "Nominate a colleague" buttons give the dialog they open (task/fetch).
NOMINATE_DIALOG = "nominate"
# Teams refuses messages over about 28 KB; a digest names at most this many colleagues in
# "Also recognised" and counts the rest, which keeps even a very busy week well under it.
ALSO_RECOGNISED_NAMES = 150
# Teams' people picker: an Input.ChoiceSet whose choices come from the directory.
PEOPLE_DATASET = "graph.microsoft.com/users"

SubmitKind = Literal["execute", "dialog"]


@dataclass(frozen=True)
class FormPrefill:
    """What the form shows: what the person already gave, and what was wrong with it."""

    nominees: tuple[tuple[str, str], ...] = ()  # (AAD object id, display name)
    behaviour_slugs: tuple[str, ...] = ()
    story: str = ""
    visibility: str = Visibility.PUBLIC
    message_url: str | None = None
    notice: str | None = None
    errors: Mapping[NominationField, str] = field(default_factory=dict)


def card_json(card: AdaptiveCard) -> dict[str, Any]:
    """The card as Teams expects it on the wire."""
    return card.model_dump(mode="json", by_alias=True, exclude_none=True)


def card_attachment(card: AdaptiveCard) -> dict[str, Any]:
    return {"contentType": CARD_CONTENT_TYPE, "content": card_json(card)}


def _card(body: list[CardElement], actions: list[Action] | None = None) -> AdaptiveCard:
    return AdaptiveCard(version=CARD_VERSION, body=body, actions=actions or None)


def _error(message: str | None) -> list[CardElement]:
    if not message:
        return []
    return [TextBlock(text=message, color="Attention", wrap=True, spacing="Small")]


def recognition_card(
    view: RecognitionView, catalogue: BehaviourCatalogue | None = None
) -> AdaptiveCard:
    """The public post: who recognised whom, for what, the story, and "I saw this too".
    With the `catalogue`, also the moderation actions (edit, withdraw, flag, hide)."""
    nominees = messages.join_names([person.display_name for person in view.nominees])
    behaviours = messages.join_names([behaviour.name for behaviour in view.behaviours])
    line = (
        messages.RECOGNITION_LINE.format(
            nominator=view.nominator.display_name, nominees=nominees, behaviours=behaviours
        )
        if view.nominator is not None
        else messages.RECOGNITION_LINE_ANONYMOUS.format(nominees=nominees, behaviours=behaviours)
    )
    body: list[CardElement] = [
        TextBlock(text=messages.RECOGNITION_HEADER, size="Large", weight="Bolder", wrap=True),
        TextBlock(text=line, wrap=True),
        TextBlock(text=f"“{view.story}”", wrap=True, spacing="Medium"),
    ]
    if view.source_message_url:
        body.append(
            TextBlock(
                text=messages.FROM_MESSAGE.format(url=view.source_message_url),
                wrap=True,
                is_subtle=True,
            )
        )
    body.append(
        TextBlock(
            text=messages.endorsement_count(view.endorsements),
            is_subtle=True,
            size="Small",
            wrap=True,
        )
    )
    actions: list[Action] = []
    if not view.is_private:
        actions.append(
            ExecuteAction(
                title=messages.ENDORSE_BUTTON,
                verb=ENDORSE_VERB,
                data={"nomination_id": view.nomination_id},
            )
        )
        if catalogue is not None:
            actions += moderation_actions(view, catalogue)
    return _card(body, actions)


def _reason_card(verb: str, nomination_id: int, label: str, submit: str) -> AdaptiveCard:
    return _card(
        [TextInput(id=REASON_INPUT, label=label, is_multiline=True, max_length=500)],
        [ExecuteAction(title=submit, verb=verb, data={"nomination_id": nomination_id})],
    )


def moderation_actions(view: RecognitionView, catalogue: BehaviourCatalogue) -> list[Action]:
    """Edit (author), Withdraw (author), Flag (anyone), Hide (admins), each opening a small
    card of its own under the post."""
    ident = {"nomination_id": view.nomination_id}
    edit = _card(
        [
            ChoiceSetInput(
                id=EDIT_BEHAVIOURS_INPUT,
                label=messages.FORM_BEHAVIOURS,
                is_multi_select=True,
                style="compact",
                choices=[Choice(title=b.name, value=b.slug) for b in catalogue],
                value=",".join(b.slug for b in view.behaviours) or None,
            ),
            TextInput(
                id=EDIT_STORY_INPUT,
                label=messages.FORM_STORY,
                is_multiline=True,
                value=view.story,
            ),
        ],
        [ExecuteAction(title=messages.MODERATION_EDIT_SUBMIT, verb=EDIT_VERB, data=ident)],
    )
    withdraw = _card(
        [
            TextBlock(
                text=messages.WITHDRAW_CONFIRM.format(
                    nominees=messages.join_names([p.display_name for p in view.nominees])
                ),
                wrap=True,
            )
        ],
        [
            ExecuteAction(
                title=messages.MODERATION_WITHDRAW_SUBMIT,
                verb=WITHDRAW_VERB,
                data=ident,
                style="destructive",
            )
        ],
    )
    return [
        ShowCardAction(title=messages.MODERATION_MENU_EDIT, card=edit),
        ShowCardAction(title=messages.MODERATION_MENU_WITHDRAW, card=withdraw),
        ShowCardAction(
            title=messages.MODERATION_MENU_FLAG,
            card=_reason_card(
                FLAG_VERB,
                view.nomination_id,
                messages.MODERATION_FLAG_LABEL,
                messages.MODERATION_FLAG_SUBMIT,
            ),
        ),
        ShowCardAction(
            title=messages.MODERATION_MENU_HIDE,
            card=_reason_card(
                HIDE_VERB,
                view.nomination_id,
                messages.MODERATION_REASON_LABEL,
                messages.MODERATION_HIDE_SUBMIT,
            ),
        ),
    ]


def hidden_card(nomination_id: int) -> AdaptiveCard:
    """What a hidden recognition's post and messages show: one neutral line, and Restore
    for admins."""
    return _card(
        [TextBlock(text=messages.HIDDEN_NOTICE, wrap=True, is_subtle=True)],
        [
            ShowCardAction(
                title=messages.MODERATION_RESTORE_BUTTON,
                card=_reason_card(
                    RESTORE_VERB,
                    nomination_id,
                    messages.MODERATION_REASON_LABEL,
                    messages.MODERATION_RESTORE_SUBMIT,
                ),
            )
        ],
    )


def flag_card(notice: FlagNotice) -> AdaptiveCard:
    """An admin's personal message about a flag, with Hide and Dismiss."""
    view = notice.recognition
    who = notice.flagged_by or messages.FLAG_BY_UNKNOWN
    nominees = messages.join_names([person.display_name for person in view.nominees])
    behaviours = messages.join_names([behaviour.name for behaviour in view.behaviours])
    data = {"flag_id": notice.flag_id}
    return _card(
        [
            TextBlock(
                text=messages.FLAG_FOR_ADMINS.format(who=who, reason=notice.reason),
                weight="Bolder",
                wrap=True,
            ),
            TextBlock(
                text=f"#{view.nomination_id} "
                + messages.RECOGNITION_LINE_ANONYMOUS.format(
                    nominees=nominees, behaviours=behaviours
                ),
                wrap=True,
            ),
            TextBlock(text=f"“{view.story}”", wrap=True),
        ],
        [
            ExecuteAction(
                title=messages.MODERATION_HIDE_BUTTON,
                verb=FLAG_HIDE_VERB,
                data=data,
                style="destructive",
            ),
            ExecuteAction(
                title=messages.MODERATION_DISMISS_BUTTON, verb=FLAG_DISMISS_VERB, data=data
            ),
        ],
    )


def nominee_card(view: RecognitionView) -> AdaptiveCard:
    """The personal message each nominee gets."""
    behaviours = messages.join_names([behaviour.name for behaviour in view.behaviours])
    template = messages.NOMINEE_DM_PRIVATE if view.is_private else messages.NOMINEE_DM
    nominator = view.nominator.display_name if view.nominator else "A colleague"
    text = template.format(nominator=nominator, behaviours=behaviours, story=view.story)
    # A private nomination is only seen here, so it is flagged from here.
    flag = ShowCardAction(
        title=messages.MODERATION_MENU_FLAG,
        card=_reason_card(
            FLAG_VERB,
            view.nomination_id,
            messages.MODERATION_FLAG_LABEL,
            messages.MODERATION_FLAG_SUBMIT,
        ),
    )
    return _card([TextBlock(text=text, wrap=True)], [flag])


def notice_card(text: str) -> AdaptiveCard:
    """A one-message card, used to replace a submitted form with its outcome."""
    return _card([TextBlock(text=text, wrap=True)])


def nomination_form(
    catalogue: BehaviourCatalogue,
    rules: NominationRules,
    prefill: FormPrefill,
    *,
    submit: SubmitKind = "execute",
) -> AdaptiveCard:
    """The nomination form, filled with `prefill` and showing its errors under each field."""
    errors = prefill.errors
    body: list[CardElement] = [
        TextBlock(text=messages.FORM_TITLE, size="Large", weight="Bolder", wrap=True),
        TextBlock(text=messages.FORM_INTRO, wrap=True, is_subtle=True),
    ]
    if prefill.notice:
        body.append(TextBlock(text=prefill.notice, color="Attention", wrap=True))
    if prefill.message_url:
        body.append(
            TextBlock(text=messages.FORM_FROM_MESSAGE.format(url=prefill.message_url), wrap=True)
        )
    body.append(
        ChoiceSetInput(
            id=NominationField.NOMINEES.value,
            label=messages.FORM_NOMINEES,
            is_multi_select=True,
            style="filtered",
            placeholder=messages.TEAMS_FORM_PEOPLE_PLACEHOLDER,
            # Already-chosen people must be listed as choices for the picker to show names.
            choices=[Choice(title=name, value=user_id) for user_id, name in prefill.nominees],
            choices_data=QueryData(dataset=PEOPLE_DATASET),
            value=",".join(user_id for user_id, _name in prefill.nominees) or None,
        )
    )
    body += _error(errors.get(NominationField.NOMINEES))
    body.append(
        ChoiceSetInput(
            id=NominationField.BEHAVIOURS.value,
            label=messages.FORM_BEHAVIOURS,
            is_multi_select=True,
            style="compact",
            choices=[Choice(title=behaviour.name, value=behaviour.slug) for behaviour in catalogue],
            value=",".join(prefill.behaviour_slugs) or None,
        )
    )
    body += _error(errors.get(NominationField.BEHAVIOURS))
    body.append(
        TextInput(
            id=NominationField.STORY.value,
            label=messages.FORM_STORY,
            is_multiline=True,
            max_length=rules.max_story,
            placeholder=messages.TEAMS_FORM_STORY_PLACEHOLDER,
            value=prefill.story or None,
        )
    )
    body.append(
        TextBlock(
            text=messages.FORM_STORY_HINT.format(minimum=rules.min_story, maximum=rules.max_story),
            is_subtle=True,
            size="Small",
            wrap=True,
            spacing="Small",
        )
    )
    body += _error(errors.get(NominationField.STORY))
    body.append(
        ChoiceSetInput(
            id=NominationField.VISIBILITY.value,
            label=messages.FORM_VISIBILITY,
            style="expanded",
            choices=[
                Choice(title=messages.TEAMS_FORM_PUBLIC, value=Visibility.PUBLIC.value),
                Choice(title=messages.FORM_PRIVATE, value=Visibility.PRIVATE.value),
            ],
            value=str(prefill.visibility),
        )
    )
    body += _error(errors.get(NominationField.VISIBILITY))
    data: dict[str, Any] = {"form": "nomination"}
    if prefill.message_url:
        data["message_url"] = prefill.message_url
    action: Action = (
        ExecuteAction(title=messages.FORM_SUBMIT, verb=NOMINATE_VERB, data=data, style="positive")
        if submit == "execute"
        else SubmitAction(title=messages.FORM_SUBMIT, data=data, style="positive")
    )
    return _card(body, [action])


# --- the weekly spotlight and the mid-week reflection -----------------------------------------


def _text(text: str, **style: Any) -> TextBlock:
    return TextBlock(text=text, wrap=True, **style)


def _nominate_button() -> Action:
    """Opens the nomination form as a dialog (Teams sends `task/fetch` for this data)."""
    return SubmitAction(
        title=messages.NOMINATE_BUTTON,
        style="positive",
        data={"msteams": {"type": "task/fetch"}, "dialog_id": NOMINATE_DIALOG},
    )


def at_mention(person: PersonView) -> str:
    """The text Teams turns into a mention of `person`, matched by an entity (see
    `mention_entities`)."""
    return f"<at>{person.display_name}</at>"


def mention_entities(people: Sequence[PersonView]) -> TeamsCardProperties | None:
    """The card's `msteams.entities`: one mention per person, by their Teams/AAD id. Teams
    notifies each of them; card_activity copies these onto the activity too."""
    unique = {person.platform_user_id: person for person in people}
    if not unique:
        return None
    return TeamsCardProperties(
        entities=[
            Mention(
                text=at_mention(person),
                mentioned=MentionedEntity(id=person.platform_user_id, name=person.display_name),
            )
            for person in unique.values()
        ]
    )


def _spotlighted(person: PersonView) -> str:
    if not person.title:
        return at_mention(person)
    return messages.DIGEST_SPOTLIGHT_SEAT.format(name=at_mention(person), seat=person.title)


def _reflection_blocks(reflection: Reflection, heading: str) -> list[CardElement]:
    # Words, not symbols: a screen reader reads "—" or "★" aloud as "em dash", "black star".
    return [
        _text(heading, weight="Bolder", spacing="Large", separator=True),
        _text(f"“{reflection.quote.text}”", spacing="Small"),
        _text(
            messages.QUOTE_SPOKEN_ATTRIBUTION.format(attribution=reflection.quote.attribution),
            is_subtle=True,
            size="Small",
            spacing="Small",
        ),
        _text(reflection.question.text, weight="Bolder", spacing="Medium"),
    ]


def _spotlight_blocks(item: SpotlightItem) -> list[CardElement]:
    line = messages.DIGEST_SPOTLIGHT_SPOKEN.format(
        nominees=messages.join_names([_spotlighted(person) for person in item.nominees]),
        behaviours=messages.join_names([behaviour.name for behaviour in item.behaviours]),
    )
    details = [messages.endorsement_count(item.endorsements)]
    if item.nominator is not None:
        details.insert(
            0, messages.DIGEST_NOMINATED_BY.format(nominator=item.nominator.display_name)
        )
    return [
        _text(line, weight="Bolder", spacing="Medium"),
        _text(f"“{item.story}”", spacing="Small"),
        _text(". ".join(details) + ".", is_subtle=True, size="Small", spacing="Small"),
    ]


def _also_recognised(view: DigestView) -> list[CardElement]:
    """Everyone else recognised, named in plain text: no mention, so no notification."""
    if not (view.also_recognised or view.also_recognised_more):
        return []
    named = view.also_recognised[:ALSO_RECOGNISED_NAMES]
    unnamed = view.also_recognised_more + len(view.also_recognised) - len(named)
    names = [person.display_name for person in named]
    if unnamed:
        names.append(messages.DIGEST_AND_MORE.format(count=unnamed))
    return [
        _text(messages.DIGEST_ALSO_RECOGNISED, weight="Bolder", spacing="Large"),
        _text(", ".join(names), spacing="Small"),
    ]


def render_digest_card(view: DigestView) -> AdaptiveCard:
    """The weekly spotlight as an Adaptive Card, or the invitation after a quiet week. The
    spotlighted people are mentioned (and so notified); nobody else is."""
    if view.is_quiet:
        body: list[CardElement] = [
            _text(messages.DIGEST_QUIET_HEADER, size="Large", weight="Bolder"),
            _text(messages.DIGEST_QUIET_INTRO),
        ]
    else:
        body = [
            _text(messages.DIGEST_HEADER, size="Large", weight="Bolder"),
            _text(summary_line(view.summary), is_subtle=True),
        ]
        for item in view.spotlights:
            body += _spotlight_blocks(item)
        body += _also_recognised(view)
    body += _reflection_blocks(view.reflection, messages.DIGEST_REFLECTION)
    card = _card(body, [_nominate_button()])
    card.msteams = mention_entities([p for item in view.spotlights for p in item.nominees])
    return card


def render_prompt_card(view: PromptView) -> AdaptiveCard:
    """The mid-week reflection: the quote, the question and the nominate button."""
    body: list[CardElement] = [
        _text(messages.PROMPT_HEADER, size="Large", weight="Bolder"),
        *_reflection_blocks(view.reflection, messages.PROMPT_INTRO),
    ]
    return _card(body, [_nominate_button()])


# --- admin statistics ------------------------------------------------------------------------


def render_stats_card(summary: StatsSummary) -> AdaptiveCard:
    """The statistics summary for an admin's personal chat: totals, coverage, spread, the
    seats never recognised and the groups (by behaviour first)."""
    body: list[CardElement] = [
        _text(summary.header, size="Large", weight="Bolder"),
        _text(summary.totals),
        _text(summary.coverage, weight="Bolder"),
        _text(summary.spread),
        _text(summary.unseen_seats),
    ]
    for group in summary.groups:
        if group.lines:
            body.append(_text(group.heading, weight="Bolder", spacing="Medium"))
            body += [_text(f"• {line}", spacing="None") for line in group.lines]
    body.append(_text(summary.weekly, is_subtle=True, size="Small", spacing="Medium"))
    body.append(_text(messages.TEAMS_STATS_ON_CLI, is_subtle=True, size="Small"))
    return _card(body)


def render_audit_card(entries: list[AuditEntry]) -> AdaptiveCard:
    """The audit trail's last entries for an admin's personal chat, newest first."""
    if not entries:
        return _card([_text(messages.AUDIT_EMPTY)])
    heading = messages.AUDIT_HEADER.format(count=len(entries))
    body: list[CardElement] = [_text(heading, size="Large", weight="Bolder")]
    body += [_text(describe_entry(entry), size="Small", spacing="Small") for entry in entries]
    return _card(body)

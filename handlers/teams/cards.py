"""Adaptive Cards for Teams, rendered from the neutral view models and the form's state.

Cards target schema 1.5 (what Teams renders on desktop, web and mobile). Buttons in chat use
`Action.Execute` with a verb, so Teams sends an `adaptiveCard/action` invoke the bot answers
with a refreshed card; the same form inside a dialog uses `Action.Submit`, the only action
dialogs accept.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from microsoft_teams.cards import (
    Action,
    AdaptiveCard,
    CardElement,
    Choice,
    ChoiceSetInput,
    ExecuteAction,
    QueryData,
    SubmitAction,
    TextBlock,
    TextInput,
)

from bot import messages
from bot.behaviours import BehaviourCatalogue
from bot.errors import NominationField
from bot.nominations import NominationRules, Visibility
from bot.views import RecognitionView

CARD_VERSION = "1.5"
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
# The verbs our Action.Execute buttons send back; handlers route on them.
NOMINATE_VERB = "nominate"
ENDORSE_VERB = "endorse"
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


def recognition_card(view: RecognitionView) -> AdaptiveCard:
    """The public post: who recognised whom, for what, the story, and "I saw this too"."""
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
    return _card(body, actions)


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

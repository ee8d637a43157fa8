"""What the nominator is told once a nomination is recorded and its messages went out.

The sentence depends on what happened to the public post (bot/recognition/outbox.py); each
platform names people and channels its own way and words a missing post for its users.
"""

from __future__ import annotations

from collections.abc import Callable

from bot import messages
from bot.nominations.use_cases import NominationResult
from bot.recognition.outbox import PublicPost
from bot.recognition.views import PersonView


def confirmation_text(
    result: NominationResult,
    *,
    name_of: Callable[[PersonView], str],
    wording: messages.ConfirmationWording,
) -> str:
    """The confirmation for a nomination just recorded (`result.created`)."""
    celebration = result.celebration
    if celebration is None:  # erased between recording and posting
        return messages.NOMINATION_NOT_FOUND
    view = celebration.view
    values = {
        "nominees": messages.join_names([name_of(person) for person in view.nominees]),
        "behaviours": messages.join_names([behaviour.name for behaviour in view.behaviours]),
    }
    target = celebration.target
    if celebration.public is PublicPost.REVOKED:
        text = wording.revoked.format(**values, reason=celebration.reason)
    elif celebration.public is PublicPost.PRIVATE:
        text = messages.RECORDED_PRIVATE.format(**values)
    elif celebration.public is PublicPost.UNPOSTED and target is None:
        text = wording.unposted.format(
            **values, channel=wording.nowhere_channel, reason=wording.nowhere_reason
        )
    elif celebration.public is PublicPost.UNPOSTED:
        text = wording.unposted.format(
            **values, channel=target.label if target else "", reason=celebration.reason
        )
    elif celebration.public is PublicPost.QUEUED:
        text = wording.queued.format(**values, channel=target.label if target else "")
    else:
        text = messages.RECORDED_PUBLIC.format(**values, channel=target.label if target else "")
    if result.default_behaviour:
        text += " " + messages.DEFAULT_BEHAVIOUR_USED.format(slug=result.default_behaviour)
    return text

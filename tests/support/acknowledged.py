"""Signed one-line nominations sent to `everyseat serve` processes, each remembered with how
it was answered, so a fault test can check that what was acknowledged was kept.

Each nomination carries a marker in its story and its own response_url (`?n=`), so the
stored row, the public post and the reply to the person can all be traced back to it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import httpx

from bot import messages
from tests.fakes.slack_web_api import FakeSlack
from tests.support.slack_requests import SlackSender

MARKER = re.compile(r"\(nom-(\d{5})\)")
_TRY_AGAIN = messages.STORAGE_TRY_AGAIN_WITH_TEXT.split("{", 1)[0]


def marker(number: int) -> str:
    return f"(nom-{number:05d})"


@dataclass(frozen=True)
class Attempt:
    number: int
    status: int | None  # None: no HTTP answer at all (refused, reset, timed out)
    text: str  # what the acknowledgement itself said, if anything

    @property
    def acknowledged_as_taken(self) -> bool:
        """Slack got its 200 and the person wasn't told, in it, that nothing was saved."""
        return self.status == 200 and not self.text


def nomination_text(number: int, nominee: str) -> str:
    return f"<@{nominee}> Stayed late to settle a frightened patient {marker(number)} #speaking-up"


def send_nomination(
    http: httpx.Client,
    base_url: str | None,
    fake: FakeSlack,
    signing_secret: str,
    number: int,
    nominator: str,
    nominee: str,
) -> Attempt:
    if base_url is None:  # no replica to send to: the load balancer refuses
        return Attempt(number, 503, "")
    sender = SlackSender(base_url, signing_secret, f"{fake.response_url}?n={number}")
    body = sender.command_body(nomination_text(number, nominee), user_id=nominator)
    try:
        response = http.post(sender.url, content=body, headers=sender.headers(body))
    except httpx.HTTPError:
        return Attempt(number, None, "")
    text = ""
    if response.status_code == 200 and response.content:
        text = str(response.json().get("text") or "")
        assert text.startswith(_TRY_AGAIN) and nomination_text(number, nominee) in text, text
    return Attempt(number, response.status_code, text)


def numbers_in(texts: Iterable[str]) -> list[int]:
    """The nomination numbers in stored stories or posted messages, one per story or post
    (a post names its story in its text and its blocks); repeats across posts kept."""
    found: list[int] = []
    for text in texts:
        found += {int(n) for n in MARKER.findall(text)}
    return sorted(found)


def replies_by_number(fake: FakeSlack) -> dict[int, list[str]]:
    """What each nomination's response_url was sent, by nomination number."""
    replies: dict[int, list[str]] = {}
    for call in fake.calls_to("response_url"):
        replies.setdefault(int(call.args["n"]), []).append(str(call.args.get("text")))
    return replies

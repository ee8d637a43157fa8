"""The scheduler's tests post to the fake Slack Web API's digest channel."""

from tests.support.slack_digest import settings, slack_client

__all__ = ["settings", "slack_client"]
